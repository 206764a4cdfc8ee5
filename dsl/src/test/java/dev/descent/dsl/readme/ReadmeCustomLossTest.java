package dev.descent.dsl.readme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.data.Dataset;
import dev.descent.dsl.Descent;
import dev.descent.dsl.Fit;
import dev.descent.loss.Loss;
import dev.descent.model.Models;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The README's user-written loss ({@link LogCosh}): gradient check, values, and training with it. */
class ReadmeCustomLossTest {

    @Test
    void logCoshGradientMatchesFiniteDifferences() {
        // README:begin my-loss-test
        Loss loss = new LogCosh();
        int rows = 5, cols = 3;
        SplittableRandom rnd = new SplittableRandom(1);
        float[] pred = new float[rows * cols], target = new float[rows * cols], grad = new float[rows * cols];
        for (int i = 0; i < pred.length; i++) {
            pred[i] = (float) (rnd.nextDouble() * 6 - 3);
            target[i] = (float) rnd.nextGaussian();
        }
        loss.valueAndGradient(pred, 0, target, 0, rows, cols, grad, 0, 1f);
        for (int i = 0; i < pred.length; i++) {
            float saved = pred[i], up = saved + 1e-3f, down = saved - 1e-3f;
            pred[i] = up;
            double fUp = loss.value(pred, 0, target, 0, rows, cols);
            pred[i] = down;
            double fDown = loss.value(pred, 0, target, 0, rows, cols);
            pred[i] = saved;
            double fd = (fUp - fDown) / ((double) up - down); // central difference in double
            assertEquals(fd, grad[i], 1e-4 + 1e-3 * Math.abs(fd), "element " + i);
        }
        // README:end
        // log cosh(0) = 0; log cosh(1) by hand; the mean divides by rows·cols
        assertEquals(0, loss.value(new float[] {2}, 0, new float[] {2}, 0, 1, 1), 1e-15);
        assertEquals(Math.log(Math.cosh(1)) / 2, loss.value(new float[] {1, 0}, 0, new float[] {0, 0}, 0, 1, 2), 1e-12);
        assertEquals(Math.log(Math.cosh(30)), loss.sum().value(new float[] {30}, 0, new float[] {0}, 0, 1, 1), 1e-9);
    }

    @Test
    void logCoshTrainsALinearRegressionIgnoringZeroWeightOutliers() {
        SplittableRandom rnd = new SplittableRandom(2);
        int n = 200;
        float[] x = new float[n * 2], y = new float[n], w = new float[n];
        for (int i = 0; i < n; i++) {
            x[2 * i] = (float) rnd.nextGaussian();
            x[2 * i + 1] = (float) rnd.nextGaussian();
            y[i] = 3 * x[2 * i] - 2 * x[2 * i + 1] + 0.5f;
            w[i] = 0.5f + i % 3; // per-sample weights: applied by ElementwiseLoss
            if (i % 4 == 0) { // outliers of weight 0: ignored when the weights reach the loss
                y[i] = 100;
                w[i] = 0;
            }
        }
        Dataset train = Dataset.regression("line", x, 2, y, 1).withSampleWeights(w);
        // README:begin my-loss-training
        Fit fit = Descent.train(Models.mlp(2).dense(1))
                .loss(new LogCosh()) // your loss, like any built-in
                .optimizer(dev.descent.optim.Optimizers.sgd(0.1))
                .batchSize(20)
                .epochs(60)
                .seed(7)
                .backend("simd")
                .fit(train);
        // README:end
        double last = fit.history().lastEpoch().loss();
        assertTrue(last < 1e-3, "final training loss " + last);
    }
}
