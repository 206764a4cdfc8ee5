package dev.descent.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.Shared;
import dev.descent.backend.Activation;
import dev.descent.backend.Backend;
import dev.descent.backend.Backends;
import dev.descent.data.Batch;
import dev.descent.data.Batches;
import dev.descent.data.Csv;
import dev.descent.data.Dataset;
import dev.descent.data.Split;
import dev.descent.data.Standardizer;
import dev.descent.loss.Loss;
import dev.descent.model.Models;
import dev.descent.model.Sequential;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Optimizers;
import dev.descent.schedule.ReduceOnPlateau;
import dev.descent.schedule.Schedule;
import dev.descent.schedule.Schedules;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The training loop on the digits data set: the 7-step loop, accumulation, schedules, callbacks, guards. */
class TrainerTest {
    static final Split DIGITS = split();
    static final Sequential MODEL =
            Models.mlp(64).dense(32, Activation.TANH).dense(10).build();
    static final Loss LOSS = Loss.softmaxCrossEntropy();
    static final Backend SIMD = Backends.byName("simd");

    private static Split split() {
        Split s = Split.benchmark(Csv.load(Shared.data().resolve("digits.csv")));
        Standardizer std = Standardizer.fit(s.train());
        return new Split(std.apply(s.train()), std.apply(s.test()));
    }

    static Trainer trainer(Optimizer opt, TrainingConfig config) {
        return new Trainer(SIMD, MODEL, LOSS, opt, config);
    }

    @Test
    void theLoopIsPredictLossGradientStepZeroPerBatch() {
        Optimizer opt = Optimizers.sgd(0.1).momentum(0.9);
        TrainingConfig config =
                TrainingConfig.defaults().withBatchSize(50).withEpochs(3).withSeed(5);
        float[] trained = trainer(opt, config).fit(DIGITS.train()).parameters();

        Batches batches = new Batches(DIGITS.train(), 50, 5);
        Batch batch = batches.newBatch();
        float[] manual = new float[MODEL.parameterCount()];
        try (var s = TrainingSession.open(SIMD, MODEL, LOSS, opt, MODEL.initialParameters(5))) {
            for (int e = 0; e < 3; e++) {
                batches.startEpoch(e);
                while (batches.next(batch)) {
                    s.accumulate(batch.x(), batch.y(), batch.rows(), 1f);
                    s.step(0.1);
                }
            }
            s.readParameters(manual);
        }
        assertArrayEquals(manual, trained, "the trainer is exactly the hand-written loop");
    }

    @Test
    void kMicroBatchesGiveTheUpdateOfOneBatchOfKTimesTheRows() {
        for (Optimizer opt : List.of(Optimizers.sgd(0.2).momentum(0.9), Optimizers.adam(0.01))) {
            Schedule warmup = Schedules.warmup(10).then(Schedules.cosine(100));
            TrainingConfig big =
                    TrainingConfig.defaults().withBatchSize(64).withEpochs(2).withSchedule(warmup);
            TrainingConfig micro = big.withBatchSize(16).withAccumulation(4);
            TrainingResult a = trainer(opt, big).fit(DIGITS.train());
            TrainingResult b = trainer(opt, micro).fit(DIGITS.train());
            assertEquals(
                    a.history().steps().size(), b.history().steps().size(), "one schedule step per optimizer step");
            for (int i = 0; i < a.history().steps().size(); i++) {
                var sa = a.history().steps().get(i);
                var sb = b.history().steps().get(i);
                assertEquals(sa.lr(), sb.lr(), 0, "lr of step " + i);
                assertEquals(sa.loss(), sb.loss(), 1e-5 * sa.loss(), "loss of step " + i);
            }
            float[] pa = a.parameters(), pb = b.parameters();
            double maxErr = 0;
            for (int i = 0; i < pa.length; i++)
                maxErr = Math.max(maxErr, Math.abs(pa[i] - pb[i]) / Math.max(1, Math.abs(pa[i])));
            System.out.printf(
                    "%s: 4×16 vs 64 after %d steps: max rel param difference %.3g%n",
                    opt, a.history().steps().size(), maxErr);
            assertTrue(maxErr < 1e-4, opt + ": accumulated and single batch differ by " + maxErr);
        }
    }

    @Test
    void accumulationWithARaggedLastStepWeighsRowsNotMicroBatches() {
        // 1437 training rows, micro-batches of 100 → 15 batches, the last of 37 rows; k = 4 → 4 steps,
        // the last of 3 micro-batches (237 rows). Same updates as batches of 400 with the last of 237.
        Optimizer opt = Optimizers.sgd(0.1);
        TrainingConfig micro = TrainingConfig.defaults()
                .withBatchSize(100)
                .withAccumulation(4)
                .withEpochs(1)
                .withSampling(Batches.Sampling.SEQUENTIAL, false);
        TrainingConfig big = micro.withBatchSize(400).withAccumulation(1);
        float[] a = trainer(opt, micro).fit(DIGITS.train()).parameters();
        float[] b = trainer(opt, big).fit(DIGITS.train()).parameters();
        for (int i = 0; i < a.length; i++) assertEquals(b[i], a[i], 1e-5 * Math.max(1, Math.abs(b[i])), "param " + i);
    }

    @Test
    void scheduleGivesEveryStepItsLearningRate() {
        Schedule cos = Schedules.cosine(200, 0.1);
        TrainingConfig config =
                TrainingConfig.defaults().withBatchSize(100).withEpochs(3).withSchedule(cos);
        History h = trainer(Optimizers.sgd(0.5), config).fit(DIGITS.train()).history();
        for (History.Step s : h.steps()) assertEquals(0.5 * cos.at(s.step()), s.lr(), 1e-15);
        // per-epoch: constant within an epoch, the schedule's epoch value
        TrainingConfig perEpoch = config.withEpochSchedule(Schedules.exponential(0.5));
        History e = trainer(Optimizers.sgd(0.5), perEpoch).fit(DIGITS.train()).history();
        for (History.Step s : e.steps()) assertEquals(0.5 * Math.pow(0.5, s.epoch() - 1), s.lr(), 1e-15);
    }

    @Test
    void oneCycleCyclesTheMomentumLikePyTorch() {
        var cycle = Schedules.oneCycle(60);
        TrainingConfig config = TrainingConfig.defaults()
                .withBatchSize(100)
                .withEpochs(4)
                .withSchedule(cycle)
                .withSampling(Batches.Sampling.SEQUENTIAL, false);
        for (Optimizer opt : List.of(Optimizers.sgd(0.5).momentum(0.9), Optimizers.adam(0.01))) {
            float[] trained = trainer(opt, config).fit(DIGITS.train()).parameters();
            // by hand: each step's optimizer has the cycle's momentum (β₁ for Adam)
            float[] p = MODEL.initialParameters(config.seed()), g = new float[p.length];
            var state = opt.withMomentum(cycle.momentumAt(0)).newState(p.length);
            Batches batches = new Batches(DIGITS.train(), 100, config.seed(), Batches.Sampling.SEQUENTIAL, false);
            Batch batch = batches.newBatch();
            long step = 0;
            for (int e = 0; e < 4; e++) {
                batches.startEpoch(e);
                while (batches.next(batch)) {
                    try (var s = TrainingSession.open(SIMD, MODEL, LOSS, Optimizers.sgd(0), p)) {
                        s.accumulate(batch.x(), batch.y(), batch.rows(), 1f);
                        s.readGradient(g);
                    }
                    opt.withMomentum(cycle.momentumAt(step)).step(SIMD, p, g, state, opt.lr() * cycle.at(step));
                    step++;
                }
            }
            assertArrayEquals(p, trained, opt + ": momentum follows the cycle");
        }
        var e = assertThrows(IllegalArgumentException.class, () -> trainer(Optimizers.adagrad(0.1), config)
                .fit(DIGITS.train()));
        assertTrue(e.getMessage().contains("has no momentum or beta1 to cycle"), e.getMessage());
    }

    @Test
    void plateauReducesTheRateWhenTheMonitoredLossStopsImproving() {
        // an improvement must beat best·(1-0.9): never happens after the first epoch → reduce every epoch
        var plateau = ReduceOnPlateau.Config.DEFAULTS
                .withPatience(0)
                .withFactor(0.5)
                .withThreshold(0.9, ReduceOnPlateau.ThresholdMode.REL);
        TrainingConfig config =
                TrainingConfig.defaults().withBatchSize(200).withEpochs(4).withPlateau(plateau);
        History h = trainer(Optimizers.sgd(0.1), config)
                .fit(DIGITS.train(), DIGITS.test())
                .history();
        double[] expected = {0.1, 0.1, 0.05, 0.025};
        for (int i = 0; i < 4; i++) assertEquals(expected[i], h.epochs().get(i).lr(), 1e-12, "epoch " + (i + 1));
    }

    @Test
    void validationMetricsAndHistoryCsv(@TempDir Path dir) throws Exception {
        TrainingConfig config = TrainingConfig.defaults().withBatchSize(32).withEpochs(4);
        TrainingResult r = trainer(Optimizers.sgd(0.1).momentum(0.9), config).fit(DIGITS.train(), DIGITS.test());
        History.Epoch last = r.history().lastEpoch();
        assertEquals(4, r.history().epochs().size());
        assertEquals(r.history().steps().size(), last.steps());
        assertEquals(4L * DIGITS.train().rows(), last.samples());
        assertTrue(last.valAccuracy() > 0.93, "digits validation accuracy " + last.valAccuracy());
        Evaluation again = r.evaluate(DIGITS.test());
        assertEquals(last.valLoss(), again.loss(), 1e-12, "history holds the final evaluation");
        assertTrue(Double.isNaN(last.valRmse()), "no RMSE for classification");
        double first = r.history().epochs().get(0).loss();
        assertTrue(last.loss() < first, "training loss falls: " + first + " → " + last.loss());

        r.history().writeEpochsCsv(dir.resolve("epochs.csv"));
        r.history().writeStepsCsv(dir.resolve("steps.csv"));
        List<String> epochs = Files.readAllLines(dir.resolve("epochs.csv"));
        assertEquals("epoch,steps,samples,loss,val_loss,val_accuracy,val_rmse,lr,seconds", epochs.get(0));
        assertEquals(5, epochs.size());
        assertTrue(epochs.get(4).startsWith("4," + last.steps() + "," + last.samples() + "," + last.loss()));
        assertEquals(
                r.history().steps().size() + 1,
                Files.readAllLines(dir.resolve("steps.csv")).size());
    }

    @Test
    void earlyStoppingStopsAfterPatienceAndRestoresTheBestEpoch() {
        // a high constant lr makes the validation loss bounce; patience 1 stops at the first rise
        TrainingConfig config =
                TrainingConfig.defaults().withBatchSize(16).withEpochs(40).withEarlyStopping(EarlyStopping.patience(2));
        TrainingResult r = trainer(Optimizers.sgd(0.3).momentum(0.9), config).fit(DIGITS.train(), DIGITS.test());
        assertEquals(TrainingResult.StopReason.EARLY_STOPPED, r.stopReason(), r.stopDetail());
        List<History.Epoch> epochs = r.history().epochs();
        assertTrue(epochs.size() < 40);
        double best = epochs.stream().mapToDouble(History.Epoch::valLoss).min().orElseThrow();
        int bestEpoch = epochs.stream()
                .filter(e -> e.valLoss() == best)
                .findFirst()
                .orElseThrow()
                .epoch();
        assertEquals(bestEpoch + 2, epochs.size(), "stops 2 epochs after the best");
        assertEquals(best, r.evaluate(DIGITS.test()).loss(), 1e-12, "the best epoch's parameters are restored");
    }

    @Test
    void callbacksSeeEveryStepAndEpochAndMayStopTraining() {
        List<String> seen = new ArrayList<>();
        Callback recorder = new Callback() {
            @Override
            public void onTrainStart(Plan plan) {
                seen.add("start " + plan.firstEpoch() + ".." + plan.epochs() + " x" + plan.stepsPerEpoch());
            }

            @Override
            public void onStepEnd(History.Step step) {
                if (step.step() == 0) seen.add("step 0");
            }

            @Override
            public void onEpochEnd(History.Epoch epoch) {
                seen.add("epoch " + epoch.epoch());
                if (epoch.epoch() == 2) throw new StopTraining("enough");
            }

            @Override
            public void onTrainEnd(History history) {
                seen.add("end " + history.epochs().size());
            }
        };
        TrainingConfig config =
                TrainingConfig.defaults().withBatchSize(500).withEpochs(5).withCallbacks(recorder);
        TrainingResult r = trainer(Optimizers.sgd(0.1), config).fit(DIGITS.train());
        assertEquals(List.of("start 1..5 x3", "step 0", "epoch 1", "epoch 2", "end 2"), seen);
        assertEquals(TrainingResult.StopReason.STOPPED_BY_CALLBACK, r.stopReason());
        assertTrue(r.stopDetail().contains("enough"), r.stopDetail());
    }

    @Test
    void divergenceStopsWithStepRateAndHintAndKeepsFiniteParameters() {
        TrainingConfig config = TrainingConfig.defaults().withBatchSize(32).withEpochs(5);
        var e = assertThrows(TrainingDivergedException.class, () -> trainer(Optimizers.sgd(1e4), config)
                .fit(DIGITS.train()));
        System.out.println(e.getMessage());
        assertTrue(e.getMessage().contains("step " + e.step()), e.getMessage());
        assertTrue(e.getMessage().contains("learning rate 10000"), e.getMessage());
        assertTrue(e.getMessage().contains("lower the learning rate"), e.getMessage());
        assertNotNull(e.partial());
        for (float p : e.partial().parameters()) assertTrue(Float.isFinite(p));
        assertEquals(TrainingResult.StopReason.DIVERGED, e.partial().stopReason());
        assertEquals(e.step(), e.partial().history().steps().size(), "the diverged step is not recorded");
    }

    @Test
    void badInputIsRejectedWithTheFieldAndValue() {
        TrainingConfig d = TrainingConfig.defaults();
        assertMessage("batchSize must be > 0, got 0", () -> d.withBatchSize(0));
        assertMessage("accumulation steps must be >= 1, got 0", () -> d.withAccumulation(0));
        assertMessage("epochs must be > 0, got -1", () -> d.withEpochs(-1));
        assertMessage("early stopping patience must be >= 1, got 0", () -> EarlyStopping.patience(0));
        Trainer wide = new Trainer(SIMD, Models.mlp(65).dense(10).build(), LOSS, Optimizers.sgd(0.1), d);
        assertMessage(
                "training set 'digits.csv/train' has 64 features but the model's input width is 65",
                () -> wide.fit(DIGITS.train()));
        Trainer regression = new Trainer(SIMD, Models.linearRegression(64, 1), LOSS, Optimizers.sgd(0.1), d);
        assertMessage(
                "needs class labels", () -> regression.fit(new Dataset("r", new float[64], new float[1], 1, 64, 1, 0)));
        assertMessage(
                "learning rate of step 0 must be finite and >= 0, got -0.1",
                () -> trainer(Optimizers.sgd(0.1), d.withSchedule(s -> -1)).fit(DIGITS.train()));
    }

    private static void assertMessage(String part, org.junit.jupiter.api.function.Executable run) {
        var e = assertThrows(IllegalArgumentException.class, run);
        assertTrue(e.getMessage().contains(part), "message '" + e.getMessage() + "' should contain '" + part + "'");
    }
}
