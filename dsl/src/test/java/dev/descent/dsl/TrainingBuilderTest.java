package dev.descent.dsl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.backend.Activation;
import dev.descent.backend.Backends;
import dev.descent.data.Dataset;
import dev.descent.loss.Loss;
import dev.descent.model.Init;
import dev.descent.model.Models;
import dev.descent.optim.Optimizers;
import dev.descent.schedule.Schedule;
import dev.descent.schedule.Schedules;
import dev.descent.train.Clipping;
import dev.descent.train.EarlyStopping;
import dev.descent.train.History;
import dev.descent.train.StopTraining;
import dev.descent.train.TrainingResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java fluent builder: what it builds, the learning-rate convention, equality, and what a fit returns. */
class TrainingBuilderTest {

    private static TrainingBuilder digitsMlp() {
        return Descent.train(Models.mlp(64).dense(32, Activation.TANH).dense(10))
                .loss(Loss.softmaxCrossEntropy())
                .optimizer(Optimizers.sgd(0.1).momentum(0.9))
                .batchSize(32)
                .epochs(3)
                .seed(7)
                .backend("scalar")
                .progressBar(false);
    }

    @Test
    void buildsTheConfiguredSpec() {
        Path dir = Path.of("target", "ckpt");
        TrainingSpec spec = Descent.train(
                        Models.mlp(784).dense(128, Activation.RELU).dense(10))
                .loss(Loss.softmaxCrossEntropy())
                .optimizer(Optimizers.sgd(0.1).momentum(0.9).nesterov())
                .schedule(Schedules.warmup(500).then(Schedules.cosine(20_000)))
                .batchSize(64)
                .epochs(10)
                .accumulation(2)
                .clipping(Clipping.byNorm(1))
                .earlyStopping(EarlyStopping.patience(3))
                .checkpoints(dir, 2)
                .checkpointEverySteps(500)
                .overwriteCheckpoint(true)
                .seed(42)
                .backend("SIMD")
                .build();
        assertEquals(784, spec.model().inputs());
        assertEquals(10, spec.model().outputs());
        assertEquals(Loss.softmaxCrossEntropy(), spec.loss());
        assertEquals(Optimizers.sgd(0.1).momentum(0.9).nesterov(), spec.optimizer());
        assertEquals(64, spec.config().batchSize());
        assertEquals(10, spec.config().epochs());
        assertEquals(2, spec.config().accumulation());
        assertEquals(Clipping.byNorm(1), spec.config().clipping());
        assertEquals(EarlyStopping.patience(3), spec.config().earlyStopping());
        assertEquals(dir, spec.config().checkpointDir());
        assertEquals(2, spec.config().checkpointEvery());
        assertEquals(500, spec.config().checkpointEverySteps());
        assertTrue(spec.config().checkpointOverwrite());
        assertEquals(42, spec.config().seed());
        assertEquals("simd", spec.backendName(), "backend names are normalised");
        assertEquals(0.0, spec.lrAt(0));
        assertEquals(0.1, spec.lrAt(500), 1e-12);
        assertTrue(spec.config().callbacks().isEmpty());
    }

    @Test
    void defaultsAreTrainingConfigDefaults() {
        TrainingSpec spec = Descent.train(Models.linearRegression(3, 1))
                .loss(Loss.mse())
                .optimizer(Optimizers.sgd(0.01))
                .build();
        assertEquals(dev.descent.train.TrainingConfig.defaults(), spec.config());
        assertNull(spec.backendName(), "no backend: -Ddescent.backend or auto at fit time");
        assertNull(spec.progressBar(), "no setting: on when a console is attached");
    }

    @Test
    void aNumberOrAScheduleGoesWhereALearningRateGoes() {
        Schedule shape = Schedules.warmup(500).then(Schedules.cosine(20_000));
        TrainingSpec multiplier =
                digitsMlp().optimizer(Optimizers.sgd(0.1)).schedule(shape).build();
        TrainingSpec replaced = digitsMlp()
                .optimizer(Optimizers.sgd(0.5))
                .lr(0.1)
                .schedule(shape)
                .build();
        TrainingSpec absolute =
                digitsMlp().optimizer(Optimizers.sgd(0.1)).lr(shape.scale(0.1)).build();
        TrainingSpec scaledByHand = digitsMlp()
                .optimizer(Optimizers.sgd(1))
                .schedule(shape.scale(0.1))
                .build();
        assertEquals(multiplier, replaced);
        assertEquals(absolute, scaledByHand);
        assertEquals(1.0, absolute.optimizer().lr(), "lr(schedule) is the optimizer at lr 1 × that schedule");
        for (long step : new long[] {0, 1, 250, 500, 501, 7_000, 20_499})
            assertEquals(multiplier.lrAt(step), absolute.lrAt(step), 1e-15, "lr at step " + step);
    }

    @Test
    void aModelBuilderIsBuiltWithTheSpecAndEqualSpecsAreEqual() {
        TrainingSpec a = digitsMlp().build();
        TrainingSpec b = Descent.train(
                        Models.mlp(64).dense(32, Activation.TANH).dense(10).build())
                .loss(Loss.softmaxCrossEntropy())
                .optimizer(Optimizers.sgd(0.1).momentum(0.9))
                .batchSize(32)
                .epochs(3)
                .seed(7)
                .backend("scalar")
                .progressBar(false)
                .onEpochEnd(e -> {})
                .build();
        assertEquals(a, b, "callbacks do not take part in equality");
        assertEquals(a.hashCode(), b.hashCode());
        assertEquals(1, b.callbacks().size());
        assertNotEquals(a, digitsMlp().seed(8).build());
        assertNotEquals(a, digitsMlp().batchSize(16).build());
        assertNotEquals(
                a,
                digitsMlp()
                        .model(Models.mlp(64).dense(32, Activation.RELU).dense(10))
                        .build());
        assertNotEquals(
                a,
                digitsMlp()
                        .model(Models.mlp(64)
                                .dense(32, Activation.TANH)
                                .dense(10)
                                .init(Init.HE))
                        .build());
        assertNotEquals(a, digitsMlp().backend("simd").build());
        assertTrue(a.toString().contains("batchSize 32"), a.toString());
    }

    @Test
    void theBuilderCanBeReusedWithoutChangingBuiltSpecs() {
        TrainingBuilder builder = digitsMlp();
        TrainingSpec first = builder.build();
        TrainingSpec second = builder.epochs(5).build();
        assertEquals(3, first.config().epochs());
        assertEquals(5, second.config().epochs());
    }

    @Test
    void fitReturnsModelHistoryAndTimings() {
        Dataset train = Digits.train(), test = Digits.test();
        List<History.Epoch> seen = new ArrayList<>();
        Fit fit = digitsMlp().onEpochEnd(seen::add).fit(train, test);
        assertEquals(TrainingResult.StopReason.COMPLETED, fit.stopReason());
        assertEquals(3, fit.history().epochs().size());
        assertEquals(fit.history().epochs(), seen);
        assertEquals(3 * 45, fit.history().steps().size(), "1438 rows in batches of 32: 45 steps an epoch");
        assertEquals(fit.model().parameterCount(), fit.parameters().length);
        assertEquals("scalar", fit.backend().name());
        assertTrue(fit.seconds() > 0 && fit.wallSeconds() >= fit.seconds(), fit.toString());
        assertTrue(fit.samplesPerSecond() > 0, fit.toString());
        double acc = fit.accuracy(test);
        assertTrue(acc > 0.9, "test accuracy " + acc);
        assertEquals(acc, seen.get(2).valAccuracy(), 1e-12, "validation is the test set here");
        float[] out = fit.predict(test.x(), 2);
        assertEquals(20, out.length);
        assertSame(fit.spec().model(), fit.model());
    }

    @Test
    void sameSpecSameSeedGivesBitIdenticalParameters() {
        TrainingSpec spec = digitsMlp().epochs(1).build();
        float[] a = spec.fit(Digits.train()).parameters();
        float[] b = spec.fit(Digits.train()).parameters();
        assertArrayEquals(a, b);
        assertFalse(java.util.Arrays.equals(
                a, digitsMlp().epochs(1).seed(8).fit(Digits.train()).parameters()));
    }

    @Test
    void fitCanStartFromGivenParameters() {
        TrainingSpec spec = digitsMlp().epochs(1).lr(0.0).build();
        float[] start = new float[spec.model().parameterCount()];
        java.util.Arrays.fill(start, 0.01f);
        Fit fit = spec.fit(Digits.train(), null, start);
        assertArrayEquals(start, fit.parameters(), "lr 0 from the given start stays there");
        assertEquals(0.01f, start[0], "the start is not modified");
    }

    @Test
    void aCallbackCanStopTraining() {
        Fit fit = digitsMlp()
                .onStepEnd(s -> {
                    if (s.step() == 9) throw new StopTraining("enough");
                })
                .fit(Digits.train());
        assertEquals(TrainingResult.StopReason.STOPPED_BY_CALLBACK, fit.stopReason());
        assertEquals(10, fit.history().steps().size());
    }

    @Test
    void epochScheduleCountsEpochs() {
        TrainingSpec spec =
                digitsMlp().epochSchedule(Schedules.step(1, 0.5)).epochs(2).build();
        assertTrue(spec.config().schedulePerEpoch());
        Fit fit = spec.fit(Digits.train());
        List<History.Epoch> epochs = fit.history().epochs();
        assertEquals(0.1, epochs.get(0).lr(), 1e-12);
        assertEquals(0.05, epochs.get(1).lr(), 1e-12);
    }

    @Test
    void resumesFromACheckpointExactly(@TempDir Path dir) {
        Path ckpt = dir.resolve("run");
        float[] whole = digitsMlp().epochs(3).fit(Digits.train()).parameters();
        digitsMlp().epochs(1).checkpoints(ckpt, 1).fit(Digits.train());
        Fit resumed = digitsMlp().epochs(3).build().resume(ckpt, Digits.train(), null);
        assertArrayEquals(whole, resumed.parameters());
        assertEquals(3, resumed.history().epochs().size());
    }

    @Test
    void withNoBackendInTheScriptTheSystemPropertyChooses() {
        String before = System.getProperty(Backends.PROPERTY);
        try {
            System.setProperty(Backends.PROPERTY, "scalar");
            TrainingSpec spec = digitsMlp().backend(null).epochs(1).build();
            assertEquals("scalar", spec.fit(Digits.train()).backend().name());
            System.setProperty(Backends.PROPERTY, "simd");
            assertEquals("simd", spec.backend().name());
            assertEquals("scalar", digitsMlp().build().backend().name(), "a name in the script wins");
        } finally {
            if (before == null) System.clearProperty(Backends.PROPERTY);
            else System.setProperty(Backends.PROPERTY, before);
        }
    }

    @Test
    void autoSaysInOneLogLineWhichBackendItPicked() {
        Logger log = Logger.getLogger(Backends.class.getName());
        List<String> lines = new ArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord r) {
                lines.add(r.getMessage());
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        log.addHandler(handler);
        try {
            String name = digitsMlp().backend("auto").build().backend().name();
            assertEquals(1, lines.size(), lines.toString());
            assertTrue(lines.get(0).startsWith("descent: backend auto -> " + name), lines.get(0));
        } finally {
            log.removeHandler(handler);
        }
    }
}
