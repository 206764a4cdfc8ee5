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
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Local SGD (periodic averaging) on Spark ({@code local[2]}, up to 3 attempts per task): H = 1 with
 * plain SGD equals the synchronous mode and the core {@link Trainer}; H > 1 trains digits as well
 * as sync mode with a job per H steps; retries, the divergence guard and resume behave as in sync mode.
 */
class SparkLocalSgdTest {

    private static SparkSession spark;

    @BeforeAll
    static void startSpark() {
        spark = SparkSession.builder()
                .master("local[2,3]") // 2 threads; a failed task is tried up to 3 times
                .appName("descent-spark-local-sgd-test")
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
                .withSchedule(Schedules.warmup(5).then(Schedules.cosine(40)));
    }

    /** Mean wall time per step after the first epoch (the first warms up the JIT and Spark's caches). */
    private static double msPerStep(TrainingResult r) {
        java.util.List<History.Step> steps = r.history().steps();
        int first = (int) r.history().epochs().get(0).steps();
        return 1000
                * (steps.get(steps.size() - 1).seconds() - steps.get(first - 1).seconds())
                / (steps.size() - first);
    }

    private static double worstRelativeError(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, "parameter count");
        double worst = 0;
        for (int i = 0; i < expected.length; i++)
            worst = Math.max(worst, Math.abs(expected[i] - actual[i]) / (1 + Math.abs(expected[i])));
        return worst;
    }

    private static void assertClose(float[] expected, float[] actual, double tol, String what) {
        double worst = worstRelativeError(expected, actual);
        assertTrue(worst <= tol, what + ": worst relative parameter error " + worst + " > " + tol);
    }

    /** Epoch losses (training and validation) within tol, learning rates and step counts equal. */
    private static void assertSameLosses(History expected, History actual, double tol, String what) {
        assertEquals(expected.steps().size(), actual.steps().size(), what + ": steps");
        for (int i = 0; i < expected.steps().size(); i++) {
            History.Step e = expected.steps().get(i), a = actual.steps().get(i);
            assertEquals(e.loss(), a.loss(), tol * (1 + Math.abs(e.loss())), what + ": loss of step " + i);
            assertEquals(e.lr(), a.lr(), 0, what + ": the schedule counts batches, lr of step " + i);
        }
        for (int i = 0; i < expected.epochs().size(); i++) {
            History.Epoch e = expected.epochs().get(i), a = actual.epochs().get(i);
            assertEquals(e.loss(), a.loss(), tol * (1 + Math.abs(e.loss())), what + ": train loss " + i);
            assertEquals(e.valLoss(), a.valLoss(), tol * (1 + Math.abs(e.valLoss())), what + ": val loss " + i);
        }
    }

    @Test
    void oneLocalStepWithPlainSgdEqualsSyncModeAndOneMachine() {
        Split data = digits();
        Loss loss = Loss.softmaxCrossEntropy();
        Optimizer sgd = Optimizers.sgd(0.1).weightDecay(1e-4);
        TrainingResult local = new Trainer(Backends.byName("simd"), DIGITS_MLP.build(), loss, sgd, config())
                .fit(data.train(), data.test());
        TrainingResult sync =
                new SparkTrainer(spark, DIGITS_MLP, loss, sgd, config()).fit(data.train(), 3, data.test());
        for (int k = 2; k <= 3; k++) {
            SparkTrainer trainer = new SparkTrainer(spark, DIGITS_MLP, loss, sgd, config()).withLocalSgd(1);
            assertEquals("local-sgd", trainer.mode());
            TrainingResult avg = trainer.fit(data.train(), k, data.test());
            String what = "H = 1, " + k + " partitions";
            assertClose(sync.parameters(), avg.parameters(), 1e-5, what + " against sync mode");
            assertClose(local.parameters(), avg.parameters(), 1e-5, what + " against one machine");
            assertSameLosses(local.history(), avg.history(), 1e-5, what);
        }
    }

    @Test
    void oneLocalStepOnSparseLibsvmRowsEqualsSyncMode() {
        var file = Shared.data().resolve("breast_cancer.libsvm");
        var table = spark.read().format("libsvm").option("numFeatures", "30").load(file.toString());
        Dataset train = Libsvm.load(file, Labels.classification(), 30);
        ModelFactory model = () -> Models.softmaxRegression(30, 2);
        Loss loss = Loss.softmaxCrossEntropy();
        Optimizer sgd = Optimizers.sgd(1e-4);
        TrainingConfig c = config().withBatchSize(50);
        SparkTrainer sync = new SparkTrainer(spark, model, loss, sgd, c);
        assertTrue(
                sync.shards(table, "features", "label").map(Shard::sparse).collect().stream()
                        .allMatch(s -> s),
                "libsvm partitions stay sparse");
        TrainingResult local = new Trainer(Backends.byName("simd"), model.build(), loss, sgd, c).fit(train);
        TrainingResult avg = sync.withLocalSgd(1).fit(table, "features", "label", null);
        assertClose(sync.fit(table, "features", "label", null).parameters(), avg.parameters(), 1e-5, "sparse, H = 1");
        assertClose(local.parameters(), avg.parameters(), 1e-5, "sparse, H = 1, one machine");
    }

    @Test
    void fourLocalStepsWithMomentumTrainDigitsLikeSyncMode() {
        Split data = digits();
        Loss loss = Loss.softmaxCrossEntropy();
        Optimizer nesterov = Optimizers.sgd(0.1).momentum(0.9).nesterov();
        TrainingConfig c = config().withEpochs(3).withClipping(Clipping.byNorm(1.0));
        SparkTrainer trainer = new SparkTrainer(spark, DIGITS_MLP, loss, nesterov, c);
        TrainingResult sync = trainer.fit(data.train(), 2, data.test());
        TrainingResult averaged = trainer.withLocalSgd(4).fit(data.train(), 2, data.test());
        TrainingResult own = trainer.withLocalSgd(4, false).fit(data.train(), 2, data.test());
        double syncAcc = sync.history().lastEpoch().valAccuracy();
        for (TrainingResult r : new TrainingResult[] {averaged, own}) {
            History.Epoch last = r.history().lastEpoch();
            System.out.printf(
                    java.util.Locale.ROOT,
                    "digits, 3 epochs, 2 partitions: sync val accuracy %.4f (%.1f ms per step), local SGD H=4 %.4f"
                            + " (%.1f ms per step); val loss %.4f vs %.4f%n",
                    syncAcc,
                    msPerStep(sync),
                    last.valAccuracy(),
                    msPerStep(r),
                    sync.history().lastEpoch().valLoss(),
                    last.valLoss());
            assertTrue(last.valAccuracy() >= syncAcc - 0.03, "local SGD H=4 accuracy " + last.valAccuracy());
            assertTrue(worstRelativeError(sync.parameters(), r.parameters()) > 1e-4, "local steps differ from sync");
            assertEquals(sync.history().steps().size(), r.history().steps().size(), "one history step per batch");
            for (int i = 0; i < sync.history().steps().size(); i++)
                assertEquals(
                        sync.history().steps().get(i).lr(),
                        r.history().steps().get(i).lr(),
                        0,
                        "lr " + i);
        }
        assertTrue(
                worstRelativeError(averaged.parameters(), own.parameters()) > 1e-6,
                "keeping each partition's momentum changes the run");
    }

    /** Attempts of partition 1's first task that the failing model factory saw. */
    static final AtomicInteger INJECTED = new AtomicInteger();

    @Test
    void aRoundWhoseTaskFailsOnceIsRetriedAndTheRunIsUnchanged() {
        Split data = digits();
        ModelFactory failsOnce = () -> {
            TaskContext task = TaskContext.get();
            if (task != null && task.partitionId() == 1 && task.attemptNumber() == 0 && INJECTED.getAndIncrement() == 0)
                throw new IllegalStateException("injected failure of partition 1's first attempt");
            return DIGITS_MLP.build();
        };
        Loss loss = Loss.softmaxCrossEntropy();
        Optimizer adam = Optimizers.adam(0.003);
        TrainingConfig c = config().withEpochs(1);
        TrainingResult clean = new SparkTrainer(spark, DIGITS_MLP, loss, adam, c)
                .withLocalSgd(3)
                .fit(data.train(), 2, null);
        TrainingResult retried = new SparkTrainer(spark, failsOnce, loss, adam, c)
                .withLocalSgd(3)
                .fit(data.train(), 2, null);
        assertEquals(1, INJECTED.get(), "the failure was injected once");
        assertArrayEquals(clean.parameters(), retried.parameters(), "a retried round gives the same parameters");
    }

    @Test
    void aPartitionThatDivergesStopsTheRunWithTheGuard() {
        Split data = digits();
        Dataset train = data.train();
        float[] x = train.x().clone();
        int half = train.rows() / 2; // 2 partitions: rows [half, n) are partition 1's
        for (int i = half * train.features(); i < x.length; i++) x[i] *= 1e30f;
        Dataset poisoned = new Dataset(
                train.name() + ", second half scaled by 1e30",
                x,
                train.y(),
                train.rows(),
                train.features(),
                train.targetWidth(),
                train.classes());
        Loss loss = Loss.softmaxCrossEntropy();
        ModelFactory linear = () -> Models.softmaxRegression(64, 10); // its logits overflow within a round
        var e = assertThrows(TrainingDivergedException.class, () -> new SparkTrainer(
                        spark, linear, loss, Optimizers.sgd(0.5), config())
                .withLocalSgd(4)
                .fit(poisoned, 2, null));
        System.out.println(e.getMessage());
        assertTrue(e.getMessage().startsWith("training diverged at step"), e.getMessage());
        for (float v : e.partial().parameters())
            assertTrue(Float.isFinite(v), "the diverging round is undone: " + e.getMessage());
    }

    @Test
    void aLocalSgdCheckpointResumesBitIdentically(@TempDir Path dir) {
        Split data = digits();
        Loss loss = Loss.softmaxCrossEntropy();
        Optimizer nesterov = Optimizers.sgd(0.1).momentum(0.9).nesterov();
        TrainingConfig three = config().withEpochs(3);
        SparkTrainer trainer = new SparkTrainer(spark, DIGITS_MLP, loss, nesterov, three).withLocalSgd(3);
        TrainingResult straight = trainer.fit(data.train(), 2, data.test());
        new SparkTrainer(spark, DIGITS_MLP, loss, nesterov, config().withCheckpoints(dir, 1))
                .withLocalSgd(3)
                .fit(data.train(), 2, data.test());
        TrainingResult resumed = trainer.resume(dir, data.train(), 2, data.test());
        assertArrayEquals(straight.parameters(), resumed.parameters(), "2 epochs + resume = 3 epochs");
        assertEquals(
                straight.history().steps().size(), resumed.history().steps().size(), "steps");
        for (int i = 0; i < straight.history().steps().size(); i++) {
            History.Step a = straight.history().steps().get(i),
                    b = resumed.history().steps().get(i);
            assertEquals(a.loss(), b.loss(), 0, "loss of step " + i);
            assertEquals(a.gradNorm(), b.gradNorm(), 0, "gradient norm of step " + i);
        }
    }
}
