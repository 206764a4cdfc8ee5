package dev.descent.dsl;

import dev.descent.data.Dataset;
import dev.descent.train.TrainingConfig;
import dev.descent.train.TrainingResult;
import java.util.ServiceLoader;

/**
 * Runs a spec whose {@link TrainingBuilder#spark spark} setting is set: implemented by descent-spark
 * and found with {@link ServiceLoader}, so that descent-dsl needs neither Spark nor descent-spark
 * unless a spec uses them. Not for users: call {@link TrainingSpec#fit}.
 */
public interface SparkRunner {

    /**
     * Trains {@code spec} on its Spark session from the seed's initial parameters, with {@code
     * config} (the spec's config plus the run's callbacks); validation (may be null) is evaluated on
     * the driver after every epoch.
     */
    TrainingResult fit(TrainingSpec spec, TrainingConfig config, Dataset train, Dataset validation);

    /** Continues the run saved in the checkpoint folder {@code checkpoint} on the spec's Spark session. */
    TrainingResult resume(
            TrainingSpec spec, TrainingConfig config, java.nio.file.Path checkpoint, Dataset train, Dataset validation);

    /** The runner on the class path, or an error saying what to add. */
    static SparkRunner find() {
        return ServiceLoader.load(SparkRunner.class)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException(
                        "spark is set but descent-spark is not on the class path: add the dependency"
                                + " dev.descent:descent-spark (and Spark's spark-core/spark-sql/spark-mllib_2.13)"));
    }
}
