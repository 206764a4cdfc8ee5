package dev.descent.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.Shared;
import dev.descent.backend.Activation;
import dev.descent.backend.Backends;
import dev.descent.data.Csv;
import dev.descent.data.Dataset;
import dev.descent.data.Labels;
import dev.descent.data.Libsvm;
import dev.descent.data.Split;
import dev.descent.data.Standardizer;
import dev.descent.loss.Loss;
import dev.descent.model.Models;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Optimizers;
import dev.descent.schedule.Schedules;
import dev.descent.train.Clipping;
import dev.descent.train.History;
import dev.descent.train.Trainer;
import dev.descent.train.TrainingConfig;
import dev.descent.train.TrainingDivergedException;
import dev.descent.train.TrainingResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.TaskContext;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Synchronous data-parallel SGD on Spark ({@code local[2]}, up to 3 attempts per task) equals the
 * core {@link Trainer} with the same seed, batches, optimizer, schedule and clipping on real data.
 */
class SparkTrainerTest {

    private static SparkSession spark;

    @BeforeAll
    static void startSpark() {
        spark = SparkSession.builder()
                .master("local[2,3]") // 2 threads; a failed task is tried up to 3 times
                .appName("descent-spark-test")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", "2")
                .getOrCreate();
    }

    @AfterAll
    static void stopSpark() {
        if (spark != null) spark.stop();
    }

    /** Digits, standardized: 1437 training rows of 64 features, 10 classes. */
    private static Split digits() {
        Split s = Split.benchmark(Csv.load(Shared.data().resolve("digits.csv")));
        Standardizer std = Standardizer.fit(s.train());
        return new Split(std.apply(s.train()), std.apply(s.test()));
    }

    private static final ModelFactory DIGITS_MLP =
            () -> Models.mlp(64).dense(32, Activation.TANH).dense(10).build();

    private static TrainingConfig config() {
        return TrainingConfig.defaults()
                .withBatchSize(100)
                .withEpochs(2)
                .withSeed(11)
                .withSchedule(Schedules.warmup(5).then(Schedules.cosine(40)))
                .withClipping(Clipping.byNorm(1.0));
    }

    private static Optimizer sgd() {
        return Optimizers.sgd(0.1).momentum(0.9).nesterov().weightDecay(1e-4);
    }

    private static TrainingResult oneMachine(
            ModelFactory model, Loss loss, Optimizer opt, TrainingConfig c, Dataset train, Dataset val) {
        return new Trainer(Backends.byName("simd"), model.build(), loss, opt, c).fit(train, val);
    }

    /** Each parameter within {@code tol × (1 + |expected|)}; says which one is off and by how much. */
    private static void assertClose(float[] expected, float[] actual, double tol, String what) {
        assertEquals(expected.length, actual.length, what + ": parameter count");
        double worst = 0;
        int at = -1;
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs(expected[i] - actual[i]) / (1 + Math.abs(expected[i]));
            if (!(err <= worst)) {
                worst = err;
                at = i;
            }
        }
        assertTrue(
                worst <= tol,
                what + ": parameter " + at + " is " + (at < 0 ? "" : actual[at]) + ", one machine "
                        + (at < 0 ? "" : expected[at]) + " (relative error " + worst + ")");
    }

    private static void assertSameHistory(History expected, History actual, double tol, String what) {
        assertEquals(expected.steps().size(), actual.steps().size(), what + ": steps");
        assertEquals(expected.epochs().size(), actual.epochs().size(), what + ": epochs");
        for (int i = 0; i < expected.epochs().size(); i++) {
            History.Epoch e = expected.epochs().get(i), a = actual.epochs().get(i);
            assertEquals(e.loss(), a.loss(), tol * (1 + Math.abs(e.loss())), what + ": train loss " + i);
            if (Double.isNaN(e.valLoss())) assertTrue(Double.isNaN(a.valLoss()), what + ": no validation, no loss");
            else
                assertEquals(
                        e.valLoss(), a.valLoss(), tol * (1 + Math.abs(e.valLoss())), what + ": validation loss " + i);
            assertEquals(e.lr(), a.lr(), 0, what + ": lr " + i);
        }
        for (int i = 0; i < expected.steps().size(); i++)
            assertEquals(
                    expected.steps().get(i).gradNorm(),
                    actual.steps().get(i).gradNorm(),
                    tol * (1 + expected.steps().get(i).gradNorm()),
                    what + ": gradient norm of step " + i);
    }

    /** Mean wall time per step after the first epoch (the first warms up the JIT and Spark's caches). */
    private static double msPerStep(TrainingResult r) {
        List<History.Step> steps = r.history().steps();
        int first = (int) r.history().epochs().get(0).steps();
        return 1000
                * (steps.get(steps.size() - 1).seconds() - steps.get(first - 1).seconds())
                / (steps.size() - first);
    }

    @Test
    void syncSgdWithOneTwoThreePartitionsEqualsOneMachine() {
        Split data = digits();
        Loss loss = Loss.softmaxCrossEntropy();
        TrainingResult local = oneMachine(DIGITS_MLP, loss, sgd(), config(), data.train(), data.test());
        for (int k = 1; k <= 3; k++) {
            TrainingResult onSpark =
                    new SparkTrainer(spark, DIGITS_MLP, loss, sgd(), config()).fit(data.train(), k, data.test());
            String what = k + " partition(s)";
            System.out.printf(
                    java.util.Locale.ROOT,
                    "digits 64-32-10, batch 100: %.1f ms per step on one machine, %.1f ms with %d partition(s)"
                            + " in local[2]%n",
                    msPerStep(local),
                    msPerStep(onSpark),
                    k);
            if (k == 1) // the one partition holds the whole batch in the same order: the same sums
            assertArrayEquals(local.parameters(), onSpark.parameters(), what);
            else assertClose(local.parameters(), onSpark.parameters(), 1e-5, what);
            assertSameHistory(local.history(), onSpark.history(), 1e-5, what);
        }
    }

    @Test
    void adamWithMicroBatchesAndSumLossEqualsOneMachine() {
        Split data = digits();
        Loss loss = Loss.softmaxCrossEntropy().sum();
        Optimizer adam = Optimizers.adam(0.002);
        TrainingConfig c = config().withBatchSize(64).withAccumulation(2).withEpochs(1);
        TrainingResult local = oneMachine(DIGITS_MLP, loss, adam, c, data.train(), null);
        TrainingResult onSpark = new SparkTrainer(spark, DIGITS_MLP, loss, adam, c).fit(data.train(), 3, null);
        assertClose(local.parameters(), onSpark.parameters(), 1e-5, "Adam, sum loss, 2 micro-batches");
        assertSameHistory(local.history(), onSpark.history(), 1e-5, "Adam, sum loss, 2 micro-batches");
    }

    @Test
    void sparseLibsvmTableEqualsOneMachineOnTheSameFile() {
        var file = Shared.data().resolve("breast_cancer.libsvm");
        Dataset train = Libsvm.load(file, Labels.classification(), 30);
        var table = spark.read().format("libsvm").option("numFeatures", "30").load(file.toString());
        assertTrue(table.first().get(1) instanceof org.apache.spark.ml.linalg.SparseVector, "libsvm rows are sparse");
        ModelFactory model =
                () -> Models.mlp(30).dense(8, Activation.RELU).dense(2).build();
        Loss loss = Loss.softmaxCrossEntropy();
        Optimizer opt = Optimizers.sgd(1e-4).momentum(0.9);
        TrainingConfig c = config().withBatchSize(50);
        SparkTrainer trainer = new SparkTrainer(spark, model, loss, opt, c);
        List<Boolean> sparse =
                trainer.shards(table, "features", "label").map(Shard::sparse).collect();
        assertTrue(!sparse.isEmpty() && !sparse.contains(false), "every partition keeps its rows sparse: " + sparse);
        TrainingResult local = oneMachine(model, loss, opt, c, train, null);
        TrainingResult onSpark = trainer.fit(table, "features", "label", null);
        assertClose(local.parameters(), onSpark.parameters(), 1e-5, "libsvm table");
        assertSameHistory(local.history(), onSpark.history(), 1e-5, "libsvm table");
        // the same rows as dense vectors: the dense kernels on Spark give the same parameters
        List<Row> rows = new ArrayList<>();
        for (Row r : table.collectAsList())
            rows.add(RowFactory.create(((org.apache.spark.ml.linalg.Vector) r.get(1)).toDense(), r.getDouble(0)));
        StructType schema =
                new StructType().add("features", SQLDataTypes.VectorType()).add("label", DataTypes.DoubleType);
        var dense = spark.createDataFrame(rows, schema);
        assertTrue(
                trainer.shards(dense, "features", "label").map(Shard::sparse).collect().stream()
                        .noneMatch(b -> b),
                "dense vectors stay dense");
        TrainingResult densePath = trainer.fit(dense, "features", "label", null);
        assertClose(densePath.parameters(), onSpark.parameters(), 1e-5, "sparse against dense kernels on Spark");
    }

    @Test
    void denseVectorTableInTwoPartitionsEqualsOneMachine() {
        Split data = digits();
        Dataset train = data.train();
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < train.rows(); i++) {
            double[] v = new double[train.features()];
            for (int j = 0; j < v.length; j++) v[j] = train.x()[i * v.length + j];
            rows.add(RowFactory.create(Vectors.dense(v), (double) train.label(i)));
        }
        StructType schema =
                new StructType().add("pixels", SQLDataTypes.VectorType()).add("digit", DataTypes.DoubleType);
        var split = spark.createDataFrame(rows, schema); // local rows: defaultParallelism (2) ordered slices
        assertEquals(2, split.javaRDD().getNumPartitions());
        Loss loss = Loss.softmaxCrossEntropy();
        TrainingResult local = oneMachine(DIGITS_MLP, loss, sgd(), config(), train, null);
        TrainingResult onSpark =
                new SparkTrainer(spark, DIGITS_MLP, loss, sgd(), config()).fit(split, "pixels", "digit", null);
        assertClose(local.parameters(), onSpark.parameters(), 1e-5, "dense table, 2 partitions");
    }

    @Test
    void aVectorOfTheWrongWidthIsNamedWithItsColumnAndRow() {
        StructType schema =
                new StructType().add("features", SQLDataTypes.VectorType()).add("label", DataTypes.DoubleType);
        var table = spark.createDataFrame(
                List.of(RowFactory.create(Vectors.dense(1, 2, 3), 0.0), RowFactory.create(Vectors.dense(1, 2), 1.0)),
                schema);
        Exception e = assertThrows(Exception.class, () -> new SparkTrainer(
                        spark, () -> Models.softmaxRegression(3, 2), Loss.softmaxCrossEntropy(), sgd(), config())
                .fit(table, "features", "label", null));
        String message = String.valueOf(e.getMessage())
                + (e.getCause() == null ? "" : e.getCause().getMessage());
        assertTrue(
                message.contains(
                        "column 'features' has a vector of 2 values in row 1 but the model's input width is 3"),
                message);
    }

    @Test
    void theDriversCheckpointResumesOnOneMachine(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        Split data = digits();
        Loss loss = Loss.softmaxCrossEntropy();
        TrainingConfig three = config().withEpochs(3);
        TrainingResult local = oneMachine(DIGITS_MLP, loss, sgd(), three, data.train(), data.test());
        new SparkTrainer(spark, DIGITS_MLP, loss, sgd(), config().withCheckpoints(dir, 1))
                .fit(data.train(), 2, data.test());
        TrainingResult resumed = new Trainer(Backends.byName("simd"), DIGITS_MLP.build(), loss, sgd(), three)
                .resume(dir, data.train(), data.test());
        assertClose(local.parameters(), resumed.parameters(), 1e-5, "2 epochs on Spark, the third on one machine");
        assertSameHistory(local.history(), resumed.history(), 1e-5, "2 epochs on Spark, the third on one machine");
    }

    @Test
    void aCheckpointWrittenOnSparkResumesOnSparkBitIdentically(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        Split data = digits();
        Loss loss = Loss.softmaxCrossEntropy();
        TrainingConfig three = config().withEpochs(3);
        SparkTrainer trainer = new SparkTrainer(spark, DIGITS_MLP, loss, sgd(), three);
        TrainingResult straight = trainer.fit(data.train(), 2, data.test());
        new SparkTrainer(spark, DIGITS_MLP, loss, sgd(), config().withCheckpoints(dir, 1))
                .fit(data.train(), 2, data.test());
        TrainingResult resumed = trainer.resume(dir, data.train(), 2, data.test());
        assertArrayEquals(straight.parameters(), resumed.parameters(), "2 epochs + resume on Spark = 3 epochs");
        assertSameHistory(straight.history(), resumed.history(), 0, "2 epochs + resume on Spark = 3 epochs");
    }

    /** Attempts of partition 1's first task that the failing model factory saw. */
    static final AtomicInteger INJECTED = new AtomicInteger();

    @Test
    void aTaskThatFailsOnceIsRetriedAndTheRunIsUnchanged() {
        Split data = digits();
        ModelFactory failsOnce = () -> {
            TaskContext task = TaskContext.get();
            if (task != null && task.partitionId() == 1 && task.attemptNumber() == 0 && INJECTED.getAndIncrement() == 0)
                throw new IllegalStateException("injected failure of partition 1's first attempt");
            return DIGITS_MLP.build();
        };
        Loss loss = Loss.softmaxCrossEntropy();
        TrainingConfig c = config().withEpochs(1);
        TrainingResult clean = new SparkTrainer(spark, DIGITS_MLP, loss, sgd(), c).fit(data.train(), 2, null);
        TrainingResult retried = new SparkTrainer(spark, failsOnce, loss, sgd(), c).fit(data.train(), 2, null);
        assertEquals(1, INJECTED.get(), "the failure was injected once");
        assertArrayEquals(clean.parameters(), retried.parameters(), "a retried task gives the same step");
    }

    @Test
    void divergenceStopsAtTheSameStepAsOnOneMachine() {
        Split data = digits();
        Loss loss = Loss.softmaxCrossEntropy();
        Optimizer huge = Optimizers.sgd(1e4);
        TrainingConfig c =
                TrainingConfig.defaults().withBatchSize(100).withEpochs(2).withSeed(3);
        var local = assertThrows(
                TrainingDivergedException.class, () -> oneMachine(DIGITS_MLP, loss, huge, c, data.train(), null));
        var onSpark =
                assertThrows(TrainingDivergedException.class, () -> new SparkTrainer(spark, DIGITS_MLP, loss, huge, c)
                        .fit(data.train(), 2, null));
        assertEquals(local.step(), onSpark.step(), "diverged at the same step");
        assertTrue(onSpark.getMessage().startsWith("training diverged at step"), onSpark.getMessage());
    }
}
