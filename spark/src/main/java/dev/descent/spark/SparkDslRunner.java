package dev.descent.spark;

import dev.descent.data.Dataset;
import dev.descent.dsl.SparkRunner;
import dev.descent.dsl.TrainingSpec;
import dev.descent.train.TrainingConfig;
import dev.descent.train.TrainingResult;
import java.util.Locale;

/**
 * Runs a DSL spec with {@code .spark(session)} through {@link SparkTrainer} (found by the DSL with
 * {@link java.util.ServiceLoader}; not called directly). The model travels as {@link
 * ModelFactory#of}; the backend is the spec's CPU backend ({@code simd} when unset or {@code auto});
 * the rows are split into the spec's partitions, else the session's default parallelism.
 */
public final class SparkDslRunner implements SparkRunner {

    @Override
    public TrainingResult fit(TrainingSpec spec, TrainingConfig config, Dataset train, Dataset validation) {
        var session = spec.spark();
        int partitions = spec.partitions() > 0
                ? spec.partitions()
                : Math.min(train.rows(), session.sparkContext().defaultParallelism());
        return trainer(spec, config).fit(train, partitions, validation);
    }

    private static SparkTrainer trainer(TrainingSpec spec, TrainingConfig config) {
        return new SparkTrainer(spec.spark(), ModelFactory.of(spec.model()), spec.loss(), spec.optimizer(), config)
                .withBackend(backend(spec.backendName()));
    }

    /** The CPU backend a Spark run computes with: the spec's, else {@code -Ddescent.backend}, else simd. */
    static String backend(String name) {
        if (name == null) name = System.getProperty("descent.backend", "simd");
        name = name.trim().toLowerCase(Locale.ROOT);
        if (name.equals("auto") || name.isEmpty()) return "simd";
        if (!name.equals("simd") && !name.equals("scalar"))
            throw new IllegalArgumentException("backend '" + name
                    + "' cannot run on Spark: a Spark run computes with simd or scalar on" + " every executor");
        return name;
    }
}
