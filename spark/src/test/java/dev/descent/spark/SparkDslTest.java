package dev.descent.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.Shared;
import dev.descent.backend.Activation;
import dev.descent.data.Csv;
import dev.descent.data.Split;
import dev.descent.data.Standardizer;
import dev.descent.dsl.Descent;
import dev.descent.dsl.Fit;
import dev.descent.dsl.TrainingBuilder;
import dev.descent.dsl.TrainingSpec;
import dev.descent.dsl.kotlin.TrainingKt;
import dev.descent.loss.Loss;
import dev.descent.model.Models;
import dev.descent.optim.Optimizers;
import dev.descent.schedule.Schedules;
import dev.descent.train.Clipping;
import dev.descent.train.History;
import dev.descent.train.TrainingResult;
import java.util.ArrayList;
import java.util.List;
import kotlin.Unit;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The DSL's {@code .spark(session)} setting (Java builder and Kotlin {@code spark = session}) trains
 * the same spec on Spark: equal to the same spec on one machine and to {@link SparkTrainer} directly.
 */
class SparkDslTest {

    private static SparkSession spark;
    private static Split data;

    @BeforeAll
    static void startSpark() {
        spark = SparkSession.builder()
                .master("local[2]")
                .appName("descent-spark-dsl-test")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .getOrCreate();
        Split s = Split.benchmark(Csv.load(Shared.data().resolve("digits.csv")));
        Standardizer std = Standardizer.fit(s.train());
        data = new Split(std.apply(s.train()), std.apply(s.test()));
    }

    @AfterAll
    static void stopSpark() {
        if (spark != null) spark.stop();
    }

    /** Digits 64-32-10, SGD with Nesterov momentum, warmup + cosine, clipping: the spec without a place to run. */
    private static TrainingBuilder spec() {
        return Descent.train(Models.mlp(64).dense(32, Activation.TANH).dense(10))
                .loss(Loss.softmaxCrossEntropy())
                .optimizer(Optimizers.sgd(0.1).momentum(0.9).nesterov().weightDecay(1e-4))
                .schedule(Schedules.warmup(5).then(Schedules.cosine(40)))
                .clipping(Clipping.byNorm(1.0))
                .batchSize(100)
                .epochs(2)
                .seed(11)
                .backend("simd")
                .progressBar(false);
    }

    @Test
    void javaBuilderOnSparkEqualsTheSameSpecOnOneMachineAndSparkTrainer() {
        List<History.Epoch> seen = new ArrayList<>();
        Fit oneMachine = spec().fit(data.train(), data.test());
        Fit onSpark = spec().spark(spark).partitions(2).onEpochEnd(seen::add).fit(data.train(), data.test());
        TrainingResult direct = new SparkTrainer(
                        spark,
                        () -> Models.mlp(64)
                                .dense(32, Activation.TANH)
                                .dense(10)
                                .build(),
                        Loss.softmaxCrossEntropy(),
                        Optimizers.sgd(0.1).momentum(0.9).nesterov().weightDecay(1e-4),
                        spec().build().config())
                .fit(data.train(), 2, data.test());

        assertTrue(onSpark.spec().onSpark());
        assertEquals(2, onSpark.spec().partitions());
        // the same Spark path: the same sums in the same order
        assertArrayEquals(direct.parameters(), onSpark.parameters(), "DSL on Spark vs SparkTrainer");
        // one machine sums the batch in one pass, Spark in two halves: float tolerance
        float[] a = oneMachine.parameters(), b = onSpark.parameters();
        assertEquals(a.length, b.length);
        for (int i = 0; i < a.length; i++)
            assertEquals(a[i], b[i], 2e-5 * (1 + Math.abs(a[i])), "parameter " + i + " vs one machine");
        History h1 = oneMachine.history(), h2 = onSpark.history();
        assertEquals(h1.steps().size(), h2.steps().size(), "steps");
        for (int e = 0; e < 2; e++) {
            History.Epoch x = h1.epochs().get(e), y = h2.epochs().get(e);
            assertEquals(x.loss(), y.loss(), 1e-5 * (1 + x.loss()), "train loss, epoch " + e);
            assertEquals(x.valLoss(), y.valLoss(), 1e-5 * (1 + x.valLoss()), "validation loss, epoch " + e);
            assertEquals(x.valAccuracy(), y.valAccuracy(), 1.0 / data.test().rows(), "accuracy, epoch " + e);
        }
        // the user's callbacks ran on the driver, once per epoch
        assertEquals(2, seen.size());
        // the same Fit: evaluation on the driver; digits after 2 epochs is well past chance (0.1)
        double acc = onSpark.accuracy(data.test());
        assertEquals(oneMachine.accuracy(data.test()), acc, 1.0 / data.test().rows());
        assertTrue(acc > 0.85, "test accuracy " + acc);
    }

    @Test
    void kotlinSparkSettingBuildsTheJavaSpecAndTrains() {
        TrainingSpec kotlin = TrainingKt.training(scope -> {
            scope.setModel(Models.mlp(64).dense(32, Activation.TANH).dense(10).build());
            scope.setLoss(Loss.softmaxCrossEntropy());
            scope.setOptimizer(Optimizers.sgd(0.1).momentum(0.9).nesterov().weightDecay(1e-4));
            scope.setSchedule(Schedules.warmup(5).then(Schedules.cosine(40)));
            scope.setClipping(Clipping.byNorm(1.0));
            scope.setBatchSize(100);
            scope.setEpochs(2);
            scope.setSeed(11);
            scope.setBackend(dev.descent.dsl.kotlin.Backend.SIMD);
            scope.setProgressBar(false);
            scope.setSpark(spark);
            scope.setPartitions(2);
            return Unit.INSTANCE;
        });
        TrainingSpec java = spec().spark(spark).partitions(2).build();
        assertEquals(java, kotlin);
        assertArrayEquals(
                java.fit(data.train()).parameters(), kotlin.fit(data.train()).parameters(), "Kotlin vs Java spec");
    }

    @Test
    void badSparkSettingsAreNamed() {
        var noSession = assertThrows(
                IllegalArgumentException.class, () -> spec().partitions(2).build());
        assertTrue(noSession.getMessage().contains("partitions is 2 but spark is not set"), noSession.getMessage());
        var zero = assertThrows(
                IllegalArgumentException.class,
                () -> spec().spark(spark).partitions(0).build());
        assertTrue(zero.getMessage().contains("partitions must be >= 1, got 0"), zero.getMessage());
        var gpu = assertThrows(
                IllegalArgumentException.class,
                () -> spec().backend("gpu").spark(spark).fit(data.train()));
        assertTrue(gpu.getMessage().contains("backend 'gpu' cannot run on Spark"), gpu.getMessage());
        var initial = assertThrows(IllegalArgumentException.class, () -> spec().spark(spark)
                .build()
                .fit(data.train(), null, new float[spec().build().model().parameterCount()]));
        assertTrue(initial.getMessage().contains("initialParameters"), initial.getMessage());
    }
}
