package dev.descent.train;

import static dev.descent.train.TrainerTest.DIGITS;
import static dev.descent.train.TrainerTest.LOSS;
import static dev.descent.train.TrainerTest.MODEL;
import static dev.descent.train.TrainerTest.SIMD;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.descent.checkpoint.Checkpoint;
import dev.descent.optim.Averaging;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Optimizers;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Averaging through the Trainer: the result is the average, validation measures it, and a
 * checkpoint carries it so that a resumed run ends with the same average bit for bit.
 */
class AveragingTrainerTest {

    private static final Optimizer SGD = Optimizers.sgd(0.1).momentum(0.9);

    private static TrainingResult fit(TrainingConfig config) {
        return new Trainer(SIMD, MODEL, LOSS, SGD, config).fit(DIGITS.train(), DIGITS.test());
    }

    @Test
    void theResultIsTheAverageAndValidationMeasuresIt() {
        var config = CheckpointResumeTest.config(2).withEarlyStopping(null);
        TrainingResult raw = fit(config);
        // an EMA of decay 0 is the last iterate itself; an SWA that starts after the run has no average
        assertArrayEquals(
                raw.parameters(), fit(config.withAveraging(Averaging.ema(0))).parameters());
        assertArrayEquals(
                raw.parameters(),
                fit(config.withAveraging(Averaging.swa(1_000_000))).parameters());
        TrainingResult polyak = fit(config.withAveraging(Averaging.polyak()));
        assertFalse(Arrays.equals(raw.parameters(), polyak.parameters()));
        double averagedLoss = polyak.evaluate(DIGITS.test()).loss();
        assertEquals(averagedLoss, polyak.history().lastEpoch().valLoss(), 1e-9 * Math.abs(averagedLoss));
        assertNotEquals(
                raw.history().lastEpoch().valLoss(),
                polyak.history().lastEpoch().valLoss());
    }

    /** A callback's own mean of the parameters it reads after each step is the run's Polyak average. */
    @Test
    void callbacksReadTheParametersStateAndAverage() {
        int n = MODEL.parameterCount();
        double[] sum = new double[n];
        float[] p = new float[n];
        long[] steps = {0};
        Callback.View[] seen = new Callback.View[1];
        Callback mean = new Callback() {
            @Override
            public void onTrainStart(Plan plan, View view) {
                seen[0] = view;
            }

            @Override
            public void onStepEnd(History.Step step) {
                seen[0].readParameters(p);
                for (int i = 0; i < n; i++) sum[i] += p[i];
                steps[0]++;
                assertEquals(steps[0], seen[0].optimizerState().step());
            }
        };
        var config = CheckpointResumeTest.config(2).withEarlyStopping(null);
        TrainingResult r = fit(config.withAveraging(Averaging.polyak()).withCallbacks(mean));
        float[] avg = seen[0].averagedParameters();
        for (int i = 0; i < n; i++) {
            assertEquals(sum[i] / steps[0], avg[i], 1e-5 * Math.max(1, Math.abs(avg[i])), "parameter " + i);
            assertEquals(avg[i], r.parameters()[i]);
        }
    }

    @Test
    void aResumedRunEndsWithTheSameAverage(@TempDir Path dir) throws Exception {
        for (Averaging a : new Averaging[] {Averaging.swa(30), Averaging.ema(0.99)}) {
            Path ckpt = dir.resolve(a.getClass().getSimpleName());
            var config = CheckpointResumeTest.config(4).withAveraging(a);
            TrainingResult whole = fit(config);
            fit(CheckpointResumeTest.config(2).withAveraging(a).withCheckpoints(ckpt, 1));
            Checkpoint c = Checkpoint.read(ckpt);
            assertEquals(MODEL.parameterCount(), c.requireShape("averaged.parameters", MODEL.parameterCount()).length);
            TrainingResult resumed =
                    new Trainer(SIMD, MODEL, LOSS, SGD, config).resume(ckpt, DIGITS.train(), DIGITS.test());
            assertArrayEquals(whole.parameters(), resumed.parameters(), a + ": averaged parameters after resuming");
        }
    }
}
