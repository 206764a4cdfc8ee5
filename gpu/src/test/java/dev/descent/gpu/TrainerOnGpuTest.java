package dev.descent.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.Shared;
import dev.descent.backend.Activation;
import dev.descent.backend.Backend;
import dev.descent.backend.Backends;
import dev.descent.data.Csv;
import dev.descent.data.Split;
import dev.descent.data.Standardizer;
import dev.descent.loss.Loss;
import dev.descent.model.Models;
import dev.descent.model.Sequential;
import dev.descent.optim.Averaging;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Optimizers;
import dev.descent.optim.ParamGroup;
import dev.descent.schedule.ReduceOnPlateau;
import dev.descent.schedule.Schedules;
import dev.descent.train.Clipping;
import dev.descent.train.EarlyStopping;
import dev.descent.train.History;
import dev.descent.train.Trainer;
import dev.descent.train.TrainingConfig;
import dev.descent.train.TrainingResult;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The core {@link Trainer}, unchanged, on {@code gpu}: only the backend differs from a {@code simd}
 * run (one flag), and the run goes through the device-resident session. Schedule with warm-up and
 * cosine, reduce-on-plateau, gradient accumulation, norm clipping, validation and checkpoints.
 */
@RequiresOpenCl
class TrainerOnGpuTest {

    static final Sequential MODEL =
            Models.mlp(64).dense(32, Activation.TANH).dense(10).build();
    static final Loss LOSS = Loss.softmaxCrossEntropy();
    static final Split DIGITS = digits();

    static Split digits() {
        Split s = Split.benchmark(Csv.load(Shared.data().resolve("digits.csv")));
        Standardizer std = Standardizer.fit(s.train());
        return new Split(std.apply(s.train()), std.apply(s.test()));
    }

    static TrainingConfig config(int epochs) {
        return TrainingConfig.defaults()
                .withBatchSize(40)
                .withEpochs(epochs)
                .withSeed(11)
                .withAccumulation(2)
                .withSchedule(Schedules.warmup(20).then(Schedules.cosine(200, 0.05)))
                .withPlateau(ReduceOnPlateau.Config.DEFAULTS.withPatience(0).withFactor(0.7))
                .withClipping(Clipping.byNorm(5))
                .withEarlyStopping(EarlyStopping.patience(10));
    }

    /** One-cycle momentum cycling goes through the device session's per-step momentum too. */
    @Test
    void oneCycleMomentumCyclingMatchesSimd() {
        Backend gpu = Backends.byName("gpu"), simd = Backends.byName("simd");
        TrainingConfig config = TrainingConfig.defaults()
                .withBatchSize(64)
                .withEpochs(2)
                .withSeed(3)
                .withSchedule(Schedules.oneCycle(46));
        for (Optimizer opt : List.of(Optimizers.sgd(0.3).momentum(0.9), Optimizers.adam(0.01))) {
            TrainingResult g = new Trainer(gpu, MODEL, LOSS, opt, config).fit(DIGITS.train());
            TrainingResult s = new Trainer(simd, MODEL, LOSS, opt, config).fit(DIGITS.train());
            for (int e = 0; e < 2; e++) {
                double a = g.history().epochs().get(e).loss(),
                        b = s.history().epochs().get(e).loss();
                assertEquals(b, a, 1e-4 * b, opt + " epoch " + (e + 1));
            }
        }
    }

    /** Per-epoch training and validation losses within 1e-4 relative (measured on PoCL: below 1e-7). */
    @Test
    void theSameTrainerGivesTheSameCurvesOnGpuAsOnSimd() {
        Backend gpu = Backends.byName("gpu"), simd = Backends.byName("simd");
        for (Optimizer opt : List.of(Optimizers.sgd(0.1).momentum(0.9).nesterov(), Optimizers.adamW(0.003))) {
            TrainingResult g = new Trainer(gpu, MODEL, LOSS, opt, config(4)).fit(DIGITS.train(), DIGITS.test());
            TrainingResult s = new Trainer(simd, MODEL, LOSS, opt, config(4)).fit(DIGITS.train(), DIGITS.test());
            assertEquals(s.history().epochs().size(), g.history().epochs().size());
            double worst = 0;
            for (int e = 0; e < s.history().epochs().size(); e++) {
                History.Epoch a = g.history().epochs().get(e),
                        b = s.history().epochs().get(e);
                double rel = Math.max(
                        Math.abs(a.loss() - b.loss()) / b.loss(), Math.abs(a.valLoss() - b.valLoss()) / b.valLoss());
                worst = Math.max(worst, rel);
                assertTrue(rel <= 1e-4, opt + " epoch " + e + ": gpu " + a + " vs simd " + b);
                assertEquals(b.lr(), a.lr(), 1e-12 * b.lr(), "the schedule and plateau controller agree");
            }
            assertEquals(
                    s.history().epochs().get(3).valAccuracy(),
                    g.history().epochs().get(3).valAccuracy(),
                    0.01);
            double accG = g.evaluate(DIGITS.test()).accuracy(),
                    accS = s.evaluate(DIGITS.test()).accuracy();
            assertEquals(accS, accG, 0.01, "test accuracy of the trained parameters, evaluated on each backend");
            assertTrue(accS > 0.8, "it learned: " + accS);
            System.out.printf(
                    "Trainer on digits, %s: gpu vs simd worst epoch-loss rel diff %.2e, accuracy gpu %.4f simd %.4f%n",
                    opt, worst, accG, accS);
        }
    }

    /** A checkpoint written on the device resumes on the device bit for bit. */
    @Test
    void resumingFromACheckpointOnGpuIsBitIdentical(@TempDir Path dir) {
        Backend gpu = Backends.byName("gpu");
        Optimizer opt = Optimizers.adamW(0.003);
        TrainingResult whole = new Trainer(gpu, MODEL, LOSS, opt, config(3)).fit(DIGITS.train(), DIGITS.test());
        new Trainer(gpu, MODEL, LOSS, opt, config(1).withCheckpoints(dir, 1)).fit(DIGITS.train(), DIGITS.test());
        TrainingResult resumed =
                new Trainer(gpu, MODEL, LOSS, opt, config(3)).resume(dir, DIGITS.train(), DIGITS.test());
        assertArrayEquals(whole.parameters(), resumed.parameters(), "parameters after resuming on gpu");
        assertEquals(whole.history().steps().size(), resumed.history().steps().size());
    }

    /**
     * A user-written optimizer ({@link Signum}, written with the generic element-wise operations
     * only) with parameter groups and EMA averaging, through the unchanged Trainer: its state lives on
     * the device, and the run equals simd's; a checkpoint of it resumes on the device bit for bit.
     */
    @Test
    void aUserWrittenOptimizerWithGroupsAndAveragingMatchesSimdAndResumes(@TempDir Path dir) {
        Backend gpu = Backends.byName("gpu"), simd = Backends.byName("simd");
        Optimizer opt = new Signum(0.002, 0.9)
                .groups(
                        ParamGroup.of("head", ParamGroup.Selector.names("layers.1.*"))
                                .lrMultiplier(0.5),
                        ParamGroup.of("stem-bias", ParamGroup.Selector.names("layers.0.bias"))
                                .frozen());
        TrainingConfig averaged = config(3).withAveraging(Averaging.ema(0.9));
        TrainingResult g = new Trainer(gpu, MODEL, LOSS, opt, averaged).fit(DIGITS.train(), DIGITS.test());
        TrainingResult s = new Trainer(simd, MODEL, LOSS, opt, averaged).fit(DIGITS.train(), DIGITS.test());
        for (int e = 0; e < s.history().epochs().size(); e++) {
            double a = g.history().epochs().get(e).valLoss(),
                    b = s.history().epochs().get(e).valLoss();
            assertEquals(b, a, 1e-4 * b, "validation loss of the average, epoch " + (e + 1));
        }
        double accG = g.evaluate(DIGITS.test()).accuracy(),
                accS = s.evaluate(DIGITS.test()).accuracy();
        assertEquals(accS, accG, 0.01);
        assertTrue(accS > 0.7, "it learned (10 classes): " + accS);
        new Trainer(
                        gpu,
                        MODEL,
                        LOSS,
                        opt,
                        config(1).withAveraging(Averaging.ema(0.9)).withCheckpoints(dir, 1))
                .fit(DIGITS.train(), DIGITS.test());
        TrainingResult resumed =
                new Trainer(gpu, MODEL, LOSS, opt, averaged).resume(dir, DIGITS.train(), DIGITS.test());
        assertArrayEquals(g.parameters(), resumed.parameters(), "parameters after resuming on gpu");
        System.out.printf("Signum + groups + EMA on digits: accuracy gpu %.4f simd %.4f%n", accG, accS);
    }
}
