package dev.descent.spark;

import dev.descent.backend.Backends;
import dev.descent.data.Dataset;
import dev.descent.loss.Loss;
import dev.descent.model.Sequential;
import dev.descent.optim.Optimizer;
import dev.descent.train.Trainer;
import dev.descent.train.TrainingConfig;
import dev.descent.train.TrainingResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * Synchronous data-parallel training on Apache Spark that equals the one-machine {@link Trainer}:
 * the training rows live in Spark partitions; for each batch of the one-machine run (the same rows:
 * {@code Batches(train, batchSize, seed)}'s batch i is step i's batch here) the driver broadcasts
 * the parameters, every partition computes the gradient of the batch's rows it holds with the core's
 * kernels, {@code treeAggregate} adds them, and the driver's {@link Trainer} applies clipping,
 * optimizer, schedule, divergence guard, validation, early stopping and checkpoints exactly as on one
 * machine. So the parameters equal the one-machine run's up to float summation order.
 *
 * <pre>{@code
 * var trainer = new SparkTrainer(spark, () -> Models.mlp(30).dense(16, Activation.RELU).dense(2).build(),
 *         Loss.softmaxCrossEntropy(), Optimizers.sgd(0.1).momentum(0.9), TrainingConfig.defaults().withBatchSize(64));
 * TrainingResult fit = trainer.fit(spark.read().format("libsvm").load("train.libsvm"), "features", "label", null);
 * }</pre>
 *
 * <p>Not yet: dropout draws other masks than on one machine (the masks follow the rows' places in a
 * partition's share); sparse feature vectors are densified per partition; resuming on Spark (a
 * checkpoint written here resumes on one machine with {@link Trainer#resume}); validation data is a
 * driver-side {@link Dataset}.
 */
public final class SparkTrainer {
    private final SparkSession spark;
    private final ModelFactory modelFactory;
    private final Sequential model;
    private final Loss loss;
    private final Optimizer optimizer;
    private final TrainingConfig config;
    private final String backend;

    /** A trainer whose driver and executors compute with the {@code simd} backend. */
    public SparkTrainer(SparkSession spark, ModelFactory model, Loss loss, Optimizer optimizer, TrainingConfig config) {
        this(spark, model, loss, optimizer, config, "simd");
    }

    private SparkTrainer(
            SparkSession spark,
            ModelFactory model,
            Loss loss,
            Optimizer optimizer,
            TrainingConfig config,
            String backend) {
        this.spark = Objects.requireNonNull(spark, "spark");
        this.modelFactory = Objects.requireNonNull(model, "model");
        this.model = Objects.requireNonNull(model.build(), "the model factory built null");
        this.loss = Objects.requireNonNull(loss, "loss");
        this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
        this.config = Objects.requireNonNull(config, "config");
        this.backend = backend;
    }

    /** The same trainer computing with the named CPU backend ({@code simd}, {@code scalar}) everywhere. */
    public SparkTrainer withBackend(String name) {
        Backends.byName(name); // fails here, naming the backend, rather than in a task
        return new SparkTrainer(spark, modelFactory, loss, optimizer, config, name);
    }

    /**
     * Trains on a driver-side data set, parallelized into {@code partitions} contiguous slices of
     * rows; validation (may be null) is evaluated on the driver after each epoch.
     */
    public TrainingResult fit(Dataset train, int partitions, Dataset validation) {
        Trainer.checkData(model, loss, train, "training");
        if (partitions <= 0 || partitions > train.rows())
            throw new IllegalArgumentException("partitions must be in [1, " + train.rows() + "] for training set '"
                    + train.name() + "', got " + partitions);
        int n = train.rows(), f = train.features(), t = train.targetWidth();
        List<Shard> slices = new ArrayList<>(partitions);
        for (int k = 0; k < partitions; k++) {
            int from = (int) ((long) n * k / partitions), to = (int) ((long) n * (k + 1) / partitions);
            int[] index = new int[to - from];
            for (int i = 0; i < index.length; i++) index[i] = from + i;
            slices.add(new Shard(
                    index,
                    Arrays.copyOfRange(train.x(), from * f, to * f),
                    Arrays.copyOfRange(train.y(), from * t, to * t),
                    f,
                    t));
        }
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        JavaRDD<Shard> shards = sc.parallelize(slices, partitions).persist(StorageLevel.MEMORY_ONLY());
        try {
            return train(sc, shards, n, train.name(), validation);
        } finally {
            shards.unpersist(false);
        }
    }

    /**
     * Trains on a Spark table: {@code featuresCol} holds Spark ML vectors (dense or sparse, e.g. from
     * {@code spark.read().format("libsvm")}; sparse rows are densified in their partition), {@code
     * labelCol} a number: a class index for a loss on class labels, else the model's single target.
     * Rows are numbered in the table's order. Validation (may be null) is evaluated on the driver.
     *
     * @throws IllegalArgumentException naming the column and row when a vector's width is not the
     *     model's input width or a label is not a class of the model
     */
    public TrainingResult fit(
            org.apache.spark.sql.Dataset<Row> table, String featuresCol, String labelCol, Dataset validation) {
        if (!loss.classIndexTargets() && model.outputs() != 1)
            throw new IllegalArgumentException("label column '" + labelCol + "' holds one target per row but model "
                    + model + " has " + model.outputs() + " outputs (" + loss + " compares them one to one)");
        int inputs = model.inputs();
        int classes = loss.classIndexTargets() ? model.outputs() : 0;
        String name = "Spark table (" + featuresCol + ", " + labelCol + ")";
        JavaRDD<Shard> shards = table.select(featuresCol, labelCol)
                .javaRDD()
                .zipWithIndex()
                .mapPartitions(rows -> List.of(shard(rows, featuresCol, labelCol, inputs, classes))
                        .iterator())
                .persist(StorageLevel.MEMORY_ONLY());
        try {
            long n = shards.map(s -> (long) s.rows()).fold(0L, Long::sum);
            if (n == 0) throw new IllegalArgumentException(name + " is empty");
            if (n > Integer.MAX_VALUE)
                throw new IllegalArgumentException(name + " has " + n + " rows; at most " + Integer.MAX_VALUE);
            JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            return train(sc, shards, (int) n, name, validation);
        } finally {
            shards.unpersist(false);
        }
    }

    /** One partition's rows of the table as a shard; checks widths and labels, naming the row. */
    private static Shard shard(
            Iterator<Tuple2<Row, Long>> rows, String featuresCol, String labelCol, int inputs, int classes) {
        List<Tuple2<Row, Long>> all = new ArrayList<>();
        rows.forEachRemaining(all::add);
        int[] index = new int[all.size()];
        float[] x = new float[all.size() * inputs], y = new float[all.size()];
        for (int i = 0; i < all.size(); i++) {
            Row row = all.get(i)._1();
            long at = all.get(i)._2();
            if (at > Integer.MAX_VALUE) throw new IllegalArgumentException("row " + at + ": too many rows");
            index[i] = (int) at;
            Vector v = (Vector) row.get(0);
            if (v == null) throw new IllegalArgumentException("column '" + featuresCol + "' is null in row " + at);
            if (v.size() != inputs)
                throw new IllegalArgumentException("column '" + featuresCol + "' has a vector of " + v.size()
                        + " values in row " + at + " but the model's input width is " + inputs);
            double[] dense = v.toArray(); // sparse rows densified: the sparse kernels are not in core yet
            for (int j = 0; j < inputs; j++) {
                float value = (float) dense[j];
                if (!Float.isFinite(value))
                    throw new IllegalArgumentException(
                            "column '" + featuresCol + "' has " + value + " at index " + j + " of row " + at);
                x[i * inputs + j] = value;
            }
            if (row.isNullAt(1)) throw new IllegalArgumentException("column '" + labelCol + "' is null in row " + at);
            double label = ((Number) row.get(1)).doubleValue();
            if (classes > 0 && (label != Math.rint(label) || label < 0 || label >= classes))
                throw new IllegalArgumentException("column '" + labelCol + "' is " + label + " in row " + at
                        + ", expected a class in [0, " + classes + ") (the model's outputs)");
            if (!Double.isFinite(label))
                throw new IllegalArgumentException("column '" + labelCol + "' is " + label + " in row " + at);
            y[i] = (float) label;
        }
        return new Shard(index, x, y, inputs, 1);
    }

    private TrainingResult train(
            JavaSparkContext sc, JavaRDD<Shard> shards, int rows, String name, Dataset validation) {
        StepTask run = new StepTask(
                modelFactory,
                loss,
                backend,
                rows,
                config.batchSize(),
                config.seed(),
                config.sampling(),
                config.dropLast(),
                0,
                0,
                0,
                1f);
        var source = new SparkGradients(sc, shards, run, name, model.parameterCount());
        var trainer = new Trainer(Backends.byName(backend), model, loss, optimizer, config);
        return trainer.fit(source, validation, model.initialParameters(config.seed()));
    }
}
