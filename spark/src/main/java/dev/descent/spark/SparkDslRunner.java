package dev.descent.spark;

import dev.descent.data.Dataset;
import dev.descent.dsl.SparkRunner;
import dev.descent.dsl.TrainingSpec;
import dev.descent.train.TrainingConfig;
import dev.descent.train.TrainingResult;
import java.nio.file.Path;
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
        return trainer(spec, config).fit(train, partitions(spec, train), validation);
    }

    @Override
    public TrainingResult resume(
            TrainingSpec spec, TrainingConfig config, Path checkpoint, Dataset train, Dataset validation) {
        return trainer(spec, config).resume(checkpoint, train, partitions(spec, train), validation);
    }

    private static int partitions(TrainingSpec spec, Dataset train) {
        return spec.partitions() > 0
                ? spec.partitions()
                : Math.min(train.rows(), spec.spark().sparkContext().defaultParallelism());
    }

    private static SparkTrainer trainer(TrainingSpec spec, TrainingConfig config) {
        var trainer = new SparkTrainer(
                        spec.spark(), ModelFactory.of(spec.model()), spec.loss(), spec.optimizer(), config)
                .withBackend(backend(spec.backendName()));
        return spec.localSteps() > 0 ? trainer.withLocalSgd(spec.localSteps()) : trainer;
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
