package dev.descent.train;

import static dev.descent.train.TrainerTest.DIGITS;
import static dev.descent.train.TrainerTest.LOSS;
import static dev.descent.train.TrainerTest.MODEL;
import static dev.descent.train.TrainerTest.SIMD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.optim.Optimizers;
import org.junit.jupiter.api.Test;

class LrFinderTest {

    @Test
    void sweepsExponentiallyStopsOnDivergenceAndSuggestsARateThatTrains() {
        LrFinder finder = LrFinder.defaults().withRange(1e-5, 100).withSteps(120);
        float[] init = MODEL.initialParameters(3);
        float[] before = init.clone();
        LrFinder.Curve c = finder.run(SIMD, MODEL, LOSS, Optimizers.sgd(1), DIGITS.train(), 32, 3, init);
        System.out.printf(
                "lr finder: %d steps, diverged=%s, suggested lr %.4g%n", c.size(), c.diverged(), c.suggestedLr());
        assertTrue(c.diverged(), "lr 100 with plain SGD diverges before the end");
        assertTrue(c.size() < 120);
        for (int i = 0; i < c.size(); i++)
            assertEquals(1e-5 * Math.pow(1e7, i / 119.0), c.lrs()[i], 1e-12 * c.lrs()[i]);
        assertEquals(c.losses()[0], c.smoothed()[0], 1e-12, "bias-corrected average starts at the first loss");
        assertTrue(c.suggestedLr() > 1e-3 && c.suggestedLr() < 5, "suggested lr " + c.suggestedLr());
        assertTrue(java.util.Arrays.equals(before, init), "initial parameters untouched");

        TrainingConfig config =
                TrainingConfig.defaults().withBatchSize(32).withEpochs(3).withSeed(3);
        TrainingResult r = new Trainer(SIMD, MODEL, LOSS, Optimizers.sgd(c.suggestedLr()), config)
                .fit(DIGITS.train(), DIGITS.test());
        double acc = r.history().lastEpoch().valAccuracy();
        System.out.printf("3 epochs at the suggested lr: validation accuracy %.4f%n", acc);
        assertTrue(acc > 0.9, "accuracy at the suggested lr " + acc);
    }

    @Test
    void suggestionIsTheSteepestDescentOfTheSmoothedCurve() {
        double[] lrs = new double[20], loss = new double[20];
        for (int i = 0; i < 20; i++) {
            lrs[i] = Math.pow(10, -4 + i * 0.25);
            loss[i] = i < 12 ? 2 - 1.0 / (1 + Math.exp(-(i - 8) * 1.5)) : 1 + (i - 12) * 0.5;
        }
        // the logistic drop is steepest at i = 8
        assertEquals(lrs[8], LrFinder.suggest(lrs, loss, true), 1e-15);
    }

    @Test
    void impossibleSettingsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> LrFinder.defaults().withRange(0, 1));
        var e = assertThrows(
                IllegalArgumentException.class, () -> LrFinder.defaults().withRange(1, 0.5));
        assertTrue(e.getMessage().contains("maxLr must be finite and > minLr 1.0, got 0.5"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LrFinder.defaults().withSteps(2));
    }

    @Test
    void batchScalingRules() {
        assertEquals(0.2, BatchScaling.linear(0.1, 64, 128), 1e-15);
        assertEquals(0.1 * Math.sqrt(2), BatchScaling.sqrt(0.1, 64, 128), 1e-15);
        var e = assertThrows(IllegalArgumentException.class, () -> BatchScaling.linear(0.1, 0, 128));
        assertTrue(e.getMessage().contains("batch size must be > 0, got 0"));
    }
}
