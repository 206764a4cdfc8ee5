package dev.descent.spark;

import dev.descent.train.GradientSource;
import dev.descent.train.TrainingSession;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * The driver's side of synchronous data-parallel SGD: for each batch it broadcasts the session's
 * parameters, lets every partition compute its share of the batch gradient ({@link
 * Shard#addGradient}), adds the shares with {@code treeAggregate} and hands the sum to the
 * session, whose trainer then clips and steps as on one machine. One Spark job per batch.
 */
final class SparkGradients implements GradientSource {
    private final JavaSparkContext sc;
    private final JavaRDD<Shard> shards;
    private final StepTask run;
    private final String name;
    private final int parameters;
    private long epoch;

    /** @param run the run's settings; its epoch, start, rows and weight are replaced per batch */
    SparkGradients(JavaSparkContext sc, JavaRDD<Shard> shards, StepTask run, String name, int parameters) {
        this.sc = sc;
        this.shards = shards;
        this.run = run;
        this.name = name;
        this.parameters = parameters;
    }

    @Override
    public int rows() {
        return run.totalRows();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void startEpoch(long epoch) {
        this.epoch = epoch; // the shards lay out the new epoch at its first batch
    }

    /**
     * Reads the session's parameters, broadcasts a copy (a new array per batch: in local mode the
     * executors read the broadcast object itself), sums the partitions' shares and adds the sum to
     * the session's gradient. A partition's failed task is rerun by Spark from the same broadcast and
     * the same empty sum, so a retry gives the same result.
     *
     * @throws IllegalStateException if the partitions together did not hold exactly the batch's rows
     */
    @Override
    public double accumulate(TrainingSession session, int start, int rows, float weight) {
        float[] params = new float[parameters];
        session.readParameters(params);
        Broadcast<float[]> shared = sc.broadcast(params);
        StepTask task = run.batch(epoch, start, rows, weight);
        GradientSum sum;
        try {
            sum = shards.treeAggregate(
                    new GradientSum(parameters),
                    (s, shard) -> shard.addGradient(task, shared.value(), s),
                    GradientSum::add);
        } finally {
            shared.destroy();
        }
        if (sum.rows != rows)
            throw new IllegalStateException("the partitions of '" + name + "' held " + sum.rows + " rows of batch ["
                    + start + ", " + (start + rows) + ") of epoch " + epoch + ", expected " + rows);
        session.addGradient(sum.gradient);
        return sum.loss;
    }
}
