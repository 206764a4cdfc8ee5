package dev.descent.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.descent.data.Batch;
import dev.descent.data.Batches;
import dev.descent.data.Dataset;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every built-in loss and option: gradients against central finite differences in double (with
 * and without per-sample weights, every reduction), weighted means against hand-computed values,
 * and clear errors for bad input.
 */
class LossTest {

    static Stream<Loss> allLosses() {
        return Stream.of(
                Loss.mse(),
                Loss.l1(),
                Loss.smoothL1(0.5),
                Loss.smoothL1(0),
                Loss.huber(0.3),
                Loss.hinge(),
                Loss.bceWithLogits(),
                Loss.bceWithLogits().posWeight(0.5, 2, 3, 1.5),
                Loss.softmaxCrossEntropy(),
                Loss.softmaxCrossEntropy().labelSmoothing(0.2),
                Loss.softmaxCrossEntropy().classWeights(0.5, 2, 1, 0.25),
                Loss.softmaxCrossEntropy().labelSmoothing(0.1).classWeights(0.5, 2, 1, 0.25),
                Loss.nll(),
                Loss.nll().classWeights(0.5, 2, 1, 0.25),
                Loss.klDiv(),
                Loss.klDiv().logTarget(true));
    }

    static Stream<Arguments> cases() {
        return allLosses().flatMap(l -> Stream.of(Loss.Reduction.values())
                .flatMap(r -> Stream.of(Arguments.of(l.reduction(r), false), Arguments.of(l.reduction(r), true))));
    }

    @ParameterizedTest(name = "{0} sample weights {1}")
    @MethodSource("cases")
    void gradientMatchesFiniteDifferences(Loss loss, boolean weighted) {
        int rows = 6, cols = 4;
        SplittableRandom rnd = new SplittableRandom(7);
        float[] pred = new float[rows * cols];
        for (int i = 0; i < pred.length; i++) pred[i] = (float) (rnd.nextDouble() * 4 - 2);
        float[] target = targets(loss, rnd, rows, cols);
        float[] sw = null;
        if (weighted) {
            sw = new float[rows];
            for (int r = 0; r < rows; r++) sw[r] = (float) (0.2 + rnd.nextDouble() * 2);
        }
        float[] grad = new float[pred.length];
        loss.valueAndGradient(pred, 0, target, 0, sw, 0, rows, cols, grad, 0, 1f);
        float[] w = sw;
        for (int i = 0; i < pred.length; i++) {
            float saved = pred[i], up = saved + 1e-3f, down = saved - 1e-3f;
            pred[i] = up;
            double fUp = loss.valueAndGradient(pred, 0, target, 0, w, 0, rows, cols, null, 0, 1f);
            pred[i] = down;
            double fDown = loss.valueAndGradient(pred, 0, target, 0, w, 0, rows, cols, null, 0, 1f);
            pred[i] = saved;
            double fd = (fUp - fDown) / ((double) up - down);
            assertEquals(fd, grad[i], 1e-4 + 1e-3 * Math.abs(fd), loss + " element " + i);
        }
        float[] scaled = new float[pred.length];
        loss.valueAndGradient(pred, 0, target, 0, w, 0, rows, cols, scaled, 0, 0.25f);
        for (int i = 0; i < pred.length; i++) assertEquals(grad[i] * 0.25f, scaled[i], 1e-7, "gradScale");
    }

    /** Targets in each loss's domain: classes, 0/1, ±1 (away from hinge's kink), probabilities, reals. */
    static float[] targets(Loss loss, SplittableRandom rnd, int rows, int cols) {
        if (loss.classIndexTargets()) {
            float[] t = new float[rows];
            for (int i = 0; i < rows; i++) t[i] = rnd.nextInt(cols);
            return t;
        }
        float[] t = new float[rows * cols];
        for (int i = 0; i < t.length; i++)
            t[i] = loss instanceof BceWithLogits
                    ? rnd.nextInt(2)
                    : loss instanceof Hinge
                            ? (rnd.nextBoolean() ? 1f : -1f)
                            : loss instanceof KlDivergence kl && !kl.logTarget()
                                    ? (float) (0.05 + rnd.nextDouble())
                                    : (float) (rnd.nextDouble() * 2 - 1);
        return t;
    }

    @Test
    void weightedMeansDivideByTheSumOfTheWeights() {
        // two rows, two columns; hand-computed
        float[] pred = {1, 2, 3, 5}, target = {0, 0, 1, 1}, sw = {1, 3};
        // mse terms: row 0: 1, 4; row 1: 4, 16 -> weighted sum 1·5 + 3·20 = 65; divisor cols·Σs = 2·4 = 8
        assertEquals(65.0 / 8, Loss.mse().valueAndGradient(pred, 0, target, 0, sw, 0, 2, 2, null, 0, 1f), 1e-12);
        assertEquals(65.0, Loss.mse().sum().valueAndGradient(pred, 0, target, 0, sw, 0, 2, 2, null, 0, 1f), 1e-12);
        assertEquals(
                65.0 / 4,
                Loss.mse()
                        .reduction(Loss.Reduction.BATCHMEAN)
                        .valueAndGradient(pred, 0, target, 0, sw, 0, 2, 2, null, 0, 1f),
                1e-12);
        // nll with class weights w = (0.5, 2) and sample weights s = (1, 3), classes y = (1, 0):
        // Σ sᵢ w[yᵢ]·(-x[i, yᵢ]) = 1·2·(-(-0.25)) + 3·0.5·(-(-1)) = 0.5 + 1.5 = 2; divisor 1·2 + 3·0.5 = 3.5
        float[] logProbs = {-2, -0.25f, -1, -4}, classes = {1, 0};
        float[] grad = new float[4];
        Loss nll = Loss.nll().classWeights(0.5, 2);
        assertEquals(2 / 3.5, nll.valueAndGradient(logProbs, 0, classes, 0, sw, 0, 2, 2, grad, 0, 1f), 1e-12);
        assertEquals(0f, grad[0]);
        assertEquals(-2 / 3.5, grad[1], 1e-7);
        assertEquals(-1.5 / 3.5, grad[2], 1e-7);
        assertEquals(0f, grad[3]);
        // without weights: the plain means
        assertEquals(25.0 / 4, Loss.mse().value(pred, 0, target, 0, 2, 2), 1e-12);
        assertEquals((0.25 + 1) / 2, Loss.nll().value(logProbs, 0, classes, 0, 2, 2), 1e-12);
    }

    @Test
    void sampleWeightsOfOneChangeNothing() {
        SplittableRandom rnd = new SplittableRandom(3);
        float[] pred = new float[12];
        for (int i = 0; i < pred.length; i++) pred[i] = (float) rnd.nextGaussian();
        float[] ones = {1, 1, 1};
        allLosses().forEach(loss -> {
            float[] t = targets(loss, rnd, 3, 4), g1 = new float[12], g2 = new float[12];
            double a = loss.valueAndGradient(pred, 0, t, 0, 3, 4, g1, 0, 1f);
            double b = loss.valueAndGradient(pred, 0, t, 0, ones, 0, 3, 4, g2, 0, 1f);
            assertEquals(a, b, 1e-12 * Math.max(1, Math.abs(a)), loss.toString());
            for (int i = 0; i < 12; i++) assertEquals(g1[i], g2[i], 1e-7f, loss + " gradient " + i);
        });
    }

    @Test
    void batchesGatherSampleWeights() {
        Dataset d = Dataset.regression("d", new float[] {1, 2, 3, 4}, 1, new float[] {0, 0, 0, 0}, 1)
                .withSampleWeights(new float[] {10, 20, 30, 40});
        Batches batches = new Batches(d, 2, 5);
        Batch b = batches.newBatch();
        batches.startEpoch(0);
        while (batches.next(b))
            for (int r = 0; r < b.rows(); r++) assertEquals(10 * b.x()[r], b.sampleWeights()[r], "row " + r);
        Dataset selected = d.select(new int[] {3, 0}, "s");
        assertEquals(40f, selected.sampleWeights()[0]);
        assertEquals(10f, selected.sampleWeights()[1]);
    }

    @Test
    void badInputFailsNamingTheValue() {
        float[] pred = new float[6];
        var e = assertThrows(IllegalArgumentException.class, () -> Loss.softmaxCrossEntropy()
                .value(pred, 0, new float[] {0, 3}, 0, 2, 3));
        assertEquals("class index 3.0 in row 1 is outside [0, 3)", e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> Loss.nll().classWeights(1, 2).value(pred, 0, new float[] {0, 1}, 0, 2, 3));
        assertEquals(
                "nll(class_weights=[1.0, 2.0]): class_weights has 2 values but the predictions have 3 columns (one per"
                        + " class)",
                e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> Loss.bceWithLogits().posWeight(1, -2));
        assertEquals("pos_weight[1] must be finite and >= 0, got -2.0 (in [1.0, -2.0])", e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> Loss.softmaxCrossEntropy().classWeights(1, Double.NaN));
        assertEquals("class_weights[1] must be finite and >= 0, got NaN (in [1.0, NaN])", e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> Loss.softmaxCrossEntropy().labelSmoothing(1));
        assertEquals("label_smoothing must be in [0, 1), got 1.0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Loss.smoothL1(-1));
        assertEquals("smooth_l1 beta must be finite and >= 0, got -1.0", e.getMessage());
        Dataset d = Dataset.regression("d", new float[] {1, 2}, 1, new float[] {0, 0}, 1);
        e = assertThrows(IllegalArgumentException.class, () -> d.withSampleWeights(new float[] {1}));
        assertEquals("d: 1 sample weights for 2 rows (one per row)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> d.withSampleWeights(new float[] {1, Float.NaN}));
        assertEquals("d: sample weight of row 1 is NaN, expected a finite value >= 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Loss.named("focal", Loss.Reduction.MEAN));
        assertEquals(true, e.getMessage().startsWith("unknown loss 'focal' (expected mse, l1,"), e.getMessage());
    }

    @Test
    void namedLossesAndTheirOptions() {
        assertEquals(Loss.smoothL1(0.5).sum(), Loss.named("smooth_l1(beta=0.5)", Loss.Reduction.SUM));
        assertEquals(Loss.huber(2), Loss.named("huber(delta=2)", Loss.Reduction.MEAN));
        assertEquals(Loss.klDiv(), Loss.named("kl_div", Loss.Reduction.BATCHMEAN));
        assertEquals(
                Loss.softmaxCrossEntropy().classWeights(1, 2),
                Loss.softmaxCrossEntropy().classWeights(1, 2));
        assertEquals(Loss.Accuracy.ARGMAX, Loss.nll().accuracy());
        assertEquals(Loss.Accuracy.POSITIVE_LOGIT, Loss.bceWithLogits().accuracy());
        assertEquals(Loss.Accuracy.SIGN, Loss.hinge().accuracy());
        assertEquals(Loss.Accuracy.NONE, Loss.l1().accuracy());
    }

    /**
     * Softmax cross-entropy without smoothing or class weights takes a short path for its gradient;
     * it gives the bits of the general formula, which class weights of exactly 1 run through.
     */
    @Test
    void plainSoftmaxCrossEntropyEqualsTheGeneralFormulaBitForBit() {
        SplittableRandom r = new SplittableRandom(5);
        int rows = 64, cols = 10;
        float[] pred = new float[rows * cols], y = new float[rows];
        for (int i = 0; i < pred.length; i++) pred[i] = (float) (r.nextDouble() * 20 - 10);
        for (int i = 0; i < rows; i++) y[i] = r.nextInt(cols);
        pred[3] = 30f; // a row whose softmax saturates: p = 1 at its class or elsewhere
        y[0] = 3;
        double[] ones = new double[cols];
        java.util.Arrays.fill(ones, 1.0);
        for (Loss.Reduction red : new Loss.Reduction[] {Loss.Reduction.MEAN, Loss.Reduction.SUM}) {
            float[] plain = new float[rows * cols], general = new float[rows * cols];
            double a = Loss.softmaxCrossEntropy()
                    .reduction(red)
                    .valueAndGradient(pred, 0, y, 0, rows, cols, plain, 0, 0.5f);
            double b = Loss.softmaxCrossEntropy()
                    .classWeights(ones)
                    .reduction(red)
                    .valueAndGradient(pred, 0, y, 0, rows, cols, general, 0, 0.5f);
            assertEquals(b, a, red + ": value");
            org.junit.jupiter.api.Assertions.assertArrayEquals(general, plain, red + ": gradient");
        }
    }

    /**
     * Softmax cross-entropy over a batch, many rows (500 of 10 classes) or many classes (3 rows of
     * 5,000): the summed loss and every gradient are the bits of the same rows taken one at a time,
     * and each row's value is within 1e-12 of the formula computed here with {@code Math.exp}.
     */
    @ParameterizedTest
    @CsvSource({"500,10", "3,5000", "1,1"})
    void softmaxCrossEntropyOfABatchEqualsRowByRow(int rows, int cols) {
        SplittableRandom r = new SplittableRandom(rows + cols);
        float[] pred = new float[rows * cols], y = new float[rows];
        for (int i = 0; i < pred.length; i++) pred[i] = (float) (r.nextDouble() * 40 - 20);
        for (int i = 0; i < rows; i++) y[i] = r.nextInt(cols);
        Loss loss = Loss.softmaxCrossEntropy().reduction(Loss.Reduction.SUM);
        float[] whole = new float[rows * cols], one = new float[rows * cols];
        double all = loss.valueAndGradient(pred, 0, y, 0, rows, cols, whole, 0, 1f), byRow = 0;
        for (int i = 0; i < rows; i++) {
            double v = loss.valueAndGradient(pred, i * cols, y, i, 1, cols, one, i * cols, 1f);
            byRow += v;
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int j = 0; j < cols; j++) max = Math.max(max, pred[i * cols + j]);
            for (int j = 0; j < cols; j++) sum += Math.exp(pred[i * cols + j] - max);
            double want = Math.log(sum) + max - pred[i * cols + (int) y[i]];
            assertEquals(want, v, 1e-12 * Math.max(1, Math.abs(want)), "row " + i);
        }
        assertEquals(byRow, all, "summed loss");
        org.junit.jupiter.api.Assertions.assertArrayEquals(one, whole, "gradient");
    }
}
