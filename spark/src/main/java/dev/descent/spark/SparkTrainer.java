package dev.descent.spark;

import dev.descent.backend.Backends;
import dev.descent.data.Dataset;
import dev.descent.loss.Loss;
import dev.descent.model.Dense;
import dev.descent.model.Sequential;
import dev.descent.optim.Optimizer;
import dev.descent.train.GradientSource;
import dev.descent.train.Trainer;
import dev.descent.train.TrainingConfig;
import dev.descent.train.TrainingResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.linalg.SparseVector;
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
 * <p><b>Local SGD</b> ({@link #withLocalSgd}): each partition runs H local steps with its own
 * optimizer, one per batch of the run on its own rows of that batch, then the driver averages the
 * parameters (and the optimizer state) weighted by the rows each partition trained on: one Spark job
 * per H steps instead of per step. The schedule counts the run's batches (every partition's local
 * steps), as in sync mode; a round never spans two epochs.
 *
 * <p>Sparse feature vectors ({@code SparseVector}, e.g. from the libsvm source) stay sparse: a
 * partition holding any keeps its rows in CSR and trains through the core's sparse kernels (the
 * model's first layer must be dense; otherwise rows are densified). A checkpoint written by the
 * driver resumes here ({@link #resume}) or on one machine ({@link Trainer#resume}).
 *
 * <p>Not yet: dropout draws other masks than on one machine (the masks follow the rows' places in a
 * partition's share); validation data is a driver-side {@link Dataset}.
 */
public final class SparkTrainer {
    private final SparkSession spark;
    private final ModelFactory modelFactory;
    private final Sequential model;
    private final Loss loss;
    private final Optimizer optimizer;
    private final TrainingConfig config;
    private final String backend;
    /** Local steps per averaging round, or 0 for synchronous mode. */
    private final int localSteps;
    /** Local SGD: whether each partition keeps its own optimizer state instead of the average. */
    private final boolean keepState;

    /** A synchronous trainer whose driver and executors compute with the {@code simd} backend. */
    public SparkTrainer(SparkSession spark, ModelFactory model, Loss loss, Optimizer optimizer, TrainingConfig config) {
        this(spark, model, loss, optimizer, config, "simd", 0, false);
    }

    private SparkTrainer(
            SparkSession spark,
            ModelFactory model,
            Loss loss,
            Optimizer optimizer,
            TrainingConfig config,
            String backend,
            int localSteps,
            boolean keepState) {
        this.spark = Objects.requireNonNull(spark, "spark");
        this.modelFactory = Objects.requireNonNull(model, "model");
        this.model = Objects.requireNonNull(model.build(), "the model factory built null");
        this.loss = Objects.requireNonNull(loss, "loss");
        this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
        this.config = Objects.requireNonNull(config, "config");
        this.backend = backend;
        this.localSteps = localSteps;
        this.keepState = keepState;
    }

    /** The same trainer computing with the named CPU backend ({@code simd}, {@code scalar}) everywhere. */
    public SparkTrainer withBackend(String name) {
        Backends.byName(name); // fails here, naming the backend, rather than in a task
        return new SparkTrainer(spark, modelFactory, loss, optimizer, config, name, localSteps, keepState);
    }

    /**
     * The same trainer in local-SGD mode: every partition runs {@code localSteps} (H) steps on its
     * own rows with its own optimizer, then parameters and optimizer state are averaged, weighted by
     * the rows each partition trained on in the round. With H = 1, a mean loss, plain SGD and no
     * clipping this equals the synchronous mode up to float rounding.
     *
     * @throws IllegalArgumentException if {@code localSteps < 1}
     */
    public SparkTrainer withLocalSgd(int localSteps) {
        return withLocalSgd(localSteps, true);
    }

    /**
     * {@link #withLocalSgd(int)}; with {@code averageOptimizerState} false every partition continues
     * from its own optimizer state (momentum, moments) in the next round, and only the parameters
     * are averaged (a checkpoint holds the states' average: a resumed run starts every partition from
     * it, so it is not bit-identical to an uninterrupted one).
     *
     * @throws IllegalArgumentException if {@code localSteps < 1}
     */
    public SparkTrainer withLocalSgd(int localSteps, boolean averageOptimizerState) {
        if (localSteps < 1)
            throw new IllegalArgumentException("local SGD needs at least 1 local step per round, got " + localSteps);
        return new SparkTrainer(
                spark, modelFactory, loss, optimizer, config, backend, localSteps, !averageOptimizerState);
    }

    /** {@code "sync"} or {@code "local-sgd"}. */
    public String mode() {
        return localSteps == 0 ? "sync" : "local-sgd";
    }

    /** Local steps per averaging round, or 0 in synchronous mode. */
    public int localSteps() {
        return localSteps;
    }

    /**
     * Trains on a driver-side data set, parallelized into {@code partitions} contiguous slices of
     * rows; validation (may be null) is evaluated on the driver after each epoch.
     */
    public TrainingResult fit(Dataset train, int partitions, Dataset validation) {
        return run(null, train, partitions, validation);
    }

    /**
     * Continues the run saved in {@code checkpoint} (written by this trainer's driver, with {@link
     * TrainingConfig#withCheckpoints}) on the same data as {@link #fit(Dataset, int, Dataset)}, up to
     * the config's last epoch, as {@link Trainer#resume} does on one machine: in sync mode (and in
     * local-SGD mode with averaged optimizer state) the result is bit-identical to an uninterrupted
     * run with the same partitions.
     */
    public TrainingResult resume(Path checkpoint, Dataset train, int partitions, Dataset validation) {
        return run(Objects.requireNonNull(checkpoint, "checkpoint"), train, partitions, validation);
    }

    private TrainingResult run(Path checkpoint, Dataset train, int partitions, Dataset validation) {
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
            return train(sc, shards, n, train.name(), validation, checkpoint);
        } finally {
            shards.unpersist(false);
        }
    }

    /**
     * Trains on a Spark table: {@code featuresCol} holds Spark ML vectors (dense or sparse, e.g. from
     * {@code spark.read().format("libsvm")}; a partition with sparse rows keeps them sparse), {@code
     * labelCol} a number: a class index for a loss on class labels, else the model's single target.
     * Rows are numbered in the table's order. Validation (may be null) is evaluated on the driver.
     *
     * @throws IllegalArgumentException naming the column and row when a vector's width is not the
     *     model's input width or a label is not a class of the model
     */
    public TrainingResult fit(
            org.apache.spark.sql.Dataset<Row> table, String featuresCol, String labelCol, Dataset validation) {
        return run(null, table, featuresCol, labelCol, validation);
    }

    /**
     * {@link #resume(Path, Dataset, int, Dataset)} on a Spark table, as {@link
     * #fit(org.apache.spark.sql.Dataset, String, String, Dataset)} reads it: the table must hold the
     * same rows in the same order as the run that wrote the checkpoint.
     */
    public TrainingResult resume(
            Path checkpoint,
            org.apache.spark.sql.Dataset<Row> table,
            String featuresCol,
            String labelCol,
            Dataset validation) {
        return run(Objects.requireNonNull(checkpoint, "checkpoint"), table, featuresCol, labelCol, validation);
    }

    private TrainingResult run(
            Path checkpoint,
            org.apache.spark.sql.Dataset<Row> table,
            String featuresCol,
            String labelCol,
            Dataset validation) {
        String name = "Spark table (" + featuresCol + ", " + labelCol + ")";
        JavaRDD<Shard> shards = shards(table, featuresCol, labelCol).persist(StorageLevel.MEMORY_ONLY());
        try {
            long n = shards.map(s -> (long) s.rows()).fold(0L, Long::sum);
            if (n == 0) throw new IllegalArgumentException(name + " is empty");
            if (n > Integer.MAX_VALUE)
                throw new IllegalArgumentException(name + " has " + n + " rows; at most " + Integer.MAX_VALUE);
            JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            return train(sc, shards, (int) n, name, validation, checkpoint);
        } finally {
            shards.unpersist(false);
        }
    }

    /**
     * The table's rows as one shard per partition (not cached), numbered in the table's order; a
     * partition holding a sparse vector keeps its rows sparse when the model's first layer is dense.
     */
    JavaRDD<Shard> shards(org.apache.spark.sql.Dataset<Row> table, String featuresCol, String labelCol) {
        if (!loss.classIndexTargets() && model.outputs() != 1)
            throw new IllegalArgumentException("label column '" + labelCol + "' holds one target per row but model "
                    + model + " has " + model.outputs() + " outputs (" + loss + " compares them one to one)");
        int inputs = model.inputs();
        int classes = loss.classIndexTargets() ? model.outputs() : 0;
        boolean sparseOk = model.layers().get(0) instanceof Dense;
        return table.select(featuresCol, labelCol).javaRDD().zipWithIndex().mapPartitions(rows -> List.of(
                        shard(rows, featuresCol, labelCol, inputs, classes, sparseOk))
                .iterator());
    }

    /**
     * One partition's rows of the table as a shard, sparse (CSR of the vectors' stored entries) when
     * {@code sparseOk} and any row holds a {@link SparseVector}, else dense; checks widths, values and
     * labels, naming the column and row.
     */
    private static Shard shard(
            Iterator<Tuple2<Row, Long>> rows,
            String featuresCol,
            String labelCol,
            int inputs,
            int classes,
            boolean sparseOk) {
        List<Tuple2<Row, Long>> all = new ArrayList<>();
        rows.forEachRemaining(all::add);
        int n = all.size();
        int[] index = new int[n];
        float[] y = new float[n];
        boolean sparse = false;
        long stored = 0;
        for (int i = 0; i < n; i++) {
            Row row = all.get(i)._1();
            long at = all.get(i)._2();
            if (at > Integer.MAX_VALUE) throw new IllegalArgumentException("row " + at + ": too many rows");
            index[i] = (int) at;
            Vector v = (Vector) row.get(0);
            if (v == null) throw new IllegalArgumentException("column '" + featuresCol + "' is null in row " + at);
            if (v.size() != inputs)
                throw new IllegalArgumentException("column '" + featuresCol + "' has a vector of " + v.size()
                        + " values in row " + at + " but the model's input width is " + inputs);
            sparse |= v instanceof SparseVector;
            stored += v.numActives();
            if (row.isNullAt(1)) throw new IllegalArgumentException("column '" + labelCol + "' is null in row " + at);
            double label = ((Number) row.get(1)).doubleValue();
            if (classes > 0 && (label != Math.rint(label) || label < 0 || label >= classes))
                throw new IllegalArgumentException("column '" + labelCol + "' is " + label + " in row " + at
                        + ", expected a class in [0, " + classes + ") (the model's outputs)");
            if (!Double.isFinite(label))
                throw new IllegalArgumentException("column '" + labelCol + "' is " + label + " in row " + at);
            y[i] = (float) label;
        }
        if (sparse && sparseOk) {
            if (stored > Integer.MAX_VALUE - 8)
                throw new IllegalArgumentException("a partition of column '" + featuresCol + "' stores " + stored
                        + " values; split the table into more partitions");
            long[] rowStart = new long[n + 1];
            int[] columns = new int[(int) stored];
            float[] values = new float[(int) stored];
            int k = 0;
            for (int i = 0; i < n; i++) {
                Vector v = (Vector) all.get(i)._1().get(0);
                long at = all.get(i)._2();
                int[] cols = v instanceof SparseVector sv ? sv.indices() : null;
                double[] vals = v instanceof SparseVector sv ? sv.values() : v.toArray();
                for (int j = 0; j < vals.length; j++) {
                    if (vals[j] == 0 && cols == null) continue; // a dense row: its non-zeros only
                    columns[k] = cols == null ? j : cols[j];
                    values[k++] = finite(vals[j], featuresCol, columns[k - 1], at);
                }
                rowStart[i + 1] = k;
            }
            return Shard.sparse(index, rowStart, Arrays.copyOf(columns, k), Arrays.copyOf(values, k), y, inputs);
        }
        float[] x = new float[Math.multiplyExact(n, inputs)];
        for (int i = 0; i < n; i++) {
            double[] dense = ((Vector) all.get(i)._1().get(0)).toArray();
            for (int j = 0; j < inputs; j++)
                x[i * inputs + j] = finite(dense[j], featuresCol, j, all.get(i)._2());
        }
        return new Shard(index, x, y, inputs, 1);
    }

    /** {@code value} as a float, refused naming its place if it is not finite. */
    private static float finite(double value, String featuresCol, int j, long row) {
        float f = (float) value;
        if (!Float.isFinite(f))
            throw new IllegalArgumentException(
                    "column '" + featuresCol + "' has " + f + " at index " + j + " of row " + row);
        return f;
    }

    /** Trains (or with a checkpoint, resumes) on the cached shards in this trainer's mode. */
    private TrainingResult train(
            JavaSparkContext sc, JavaRDD<Shard> shards, int rows, String name, Dataset validation, Path checkpoint) {
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
        int n = model.parameterCount();
        GradientSource source;
        if (localSteps == 0) source = new SparkGradients(sc, shards, run, name, n);
        else {
            if (model.bufferCount() > 0)
                throw new IllegalArgumentException("local SGD averages parameters, not the running statistics of "
                        + model + "; use the synchronous mode");
            source = new LocalSgdRounds(sc, shards, run, name, n, localSteps, keepState, optimizer, config.clipping());
        }
        var trainer = new Trainer(Backends.byName(backend), model, loss, optimizer, config);
        return checkpoint == null
                ? trainer.fit(source, validation, model.initialParameters(config.seed()))
                : trainer.resume(checkpoint, source, validation);
    }
}
