package dev.descent.metric;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Every built-in metric against hand-computed values and against scikit-learn 1.2.1's numbers on
 * fixed small examples (each number's comment names the sklearn call that gave it), plus invariants:
 * batching does not change a value, AUC of a perfect ranking is 1, scores stay in [0, 1], nothing is
 * allocated per batch, and metrics that do not apply are refused by name.
 */
class MetricsTest {
    private static final double EPS = 1e-12;

    // One logit column (model trained with BCE on logits) and 0/1 targets; ties at 0.5 and -0.2.
    static final float[] BINARY_Y = {1, 0, 1, 1, 0, 0, 1, 0, 1, 0, 1, 1};
    static final float[] BINARY_SCORE = {2.0f, 0.8f, 0.5f, 0.5f, 0.5f, -2.0f, 1.5f, 0.3f, -0.2f, -0.2f, 3.0f, 0.0f};

    // Four classes as logits, class-index targets; a fifth output no row has or predicts.
    static final float[][] MULTI = {
        {2.0f, 1.0f, 0.1f, -1.0f},
        {0.5f, 2.5f, 0.3f, 0.0f},
        {0.2f, 0.1f, 1.9f, 0.4f},
        {1.2f, 1.1f, 0.0f, -0.5f},
        {0.0f, 0.9f, 1.0f, 0.1f},
        {3.0f, -1.0f, 0.5f, 0.2f},
        {0.1f, 0.2f, 0.3f, 0.4f},
        {1.0f, 2.0f, 3.0f, -4.0f},
        {-0.3f, 0.8f, 0.1f, 0.9f},
        {0.6f, 0.7f, -0.2f, 0.65f}
    };
    static final float[] MULTI_Y = {0, 1, 2, 1, 1, 0, 2, 0, 3, 1};

    static double binary(Metric m) {
        return value(m, new Metric.Shape(BINARY_Y.length, 1, 1, false), BINARY_SCORE, BINARY_Y, BINARY_Y.length);
    }

    static double value(Metric m, Metric.Shape shape, float[] out, float[] y, int rows) {
        Metric.Accumulator a = m.newAccumulator(shape);
        a.add(out, y, rows);
        return a.value();
    }

    /** The multi-class example with {@code extra} more outputs at -10 (never predicted). */
    static float[] multiOutputs(int extra) {
        int k = 4 + extra;
        float[] out = new float[MULTI.length * k];
        for (int r = 0; r < MULTI.length; r++) {
            System.arraycopy(MULTI[r], 0, out, r * k, 4);
            for (int c = 4; c < k; c++) out[r * k + c] = -10;
        }
        return out;
    }

    static double multi(Metric m, int extra) {
        return value(m, new Metric.Shape(MULTI.length, 4 + extra, 1, true), multiOutputs(extra), MULTI_Y, MULTI.length);
    }

    @Test
    void binaryScoresEqualScikitLearn() {
        // y_true = BINARY_Y, y_pred = (BINARY_SCORE > 0), y_score = BINARY_SCORE
        assertEquals(0.5833333333333334, binary(Metrics.accuracy()), EPS); // accuracy_score(y, y_pred)
        assertEquals(0.625, binary(Metrics.precision()), EPS); // precision_score(y, y_pred)
        assertEquals(0.7142857142857143, binary(Metrics.recall()), EPS); // recall_score(y, y_pred)
        assertEquals(0.6666666666666666, binary(Metrics.f1()), EPS); // f1_score(y, y_pred)
        assertEquals(0.5, binary(Metrics.precision(0, 0)), EPS); // precision_score(y, y_pred, pos_label=0)
        assertEquals(0.4, binary(Metrics.recall(0, 0)), EPS); // recall_score(y, y_pred, pos_label=0)
        assertEquals(0.4444444444444445, binary(Metrics.f1(0, 0)), EPS); // f1_score(y, y_pred, pos_label=0)
        assertEquals(0.5625, binary(Metrics.precisionMacro()), EPS); // precision_score(..., average='macro')
        assertEquals(0.5571428571428572, binary(Metrics.recallMacro()), EPS); // recall_score(..., average='macro')
        assertEquals(0.5555555555555556, binary(Metrics.f1Macro()), EPS); // f1_score(..., average='macro')
        assertEquals(0.5454545454545454, binary(Metrics.f1(1, 0.5)), EPS); // f1_score(y, BINARY_SCORE > 0.5)
        assertEquals(0.7285714285714286, binary(Metrics.auc()), EPS); // roc_auc_score(y, y_score), with ties
    }

    @Test
    void multiClassScoresEqualScikitLearn() {
        // y_pred = argmax = [0 1 2 0 2 0 3 2 3 1]
        for (int extra : new int[] {0, 1}) { // an output no row has or predicts does not enter the macro mean
            assertEquals(0.6, multi(Metrics.accuracy(), extra), EPS); // accuracy_score(y, y_pred)
            // top_k_accuracy_score(y, Z, k=k, labels=[0, 1, 2, 3])
            assertEquals(0.6, multi(Metrics.topK(1), extra), EPS);
            assertEquals(0.9, multi(Metrics.topK(2), extra), EPS);
            assertEquals(1.0, multi(Metrics.topK(3), extra), EPS);
            // precision/recall/f1_score(y, y_pred, average='macro', zero_division=0)
            assertEquals(0.625, multi(Metrics.precisionMacro(), extra), EPS);
            assertEquals(0.6666666666666666, multi(Metrics.recallMacro(), extra), EPS);
            assertEquals(0.6, multi(Metrics.f1Macro(), extra), EPS);
            // f1_score(y, y_pred, average=None)[2], precision_score(..., average=None)[1]
            assertEquals(0.4, multi(Metrics.f1(2, 0), extra), EPS);
            assertEquals(1.0, multi(Metrics.precision(1, 0), extra), EPS);
        }
    }

    @Test
    void twoClassSoftmaxAucUsesTheLogitDifference() {
        float[] z = {0.1f, 0.9f, 1.0f, 0.2f, 0.3f, 0.3f, 2.0f, 2.5f, 0.0f, -1.0f, 0.4f, 0.1f, 1.0f, 1.0f};
        float[] y = {1, 0, 1, 1, 0, 1, 0};
        // roc_auc_score(y, softmax(Z)[:, 1]) == roc_auc_score(y, Z[:, 1] - Z[:, 0])
        assertEquals(0.875, value(Metrics.auc(), new Metric.Shape(7, 2, 1, true), z, y, 7), EPS);
    }

    @Test
    void regressionErrorsEqualScikitLearn() {
        float[] out = {1.0f, 2.0f, 0.5f, -1.0f, 3.0f, 0.0f};
        float[] y = {1.5f, 2.0f, 0.0f, -3.0f, 2.0f, 0.25f};
        Metric.Shape shape = new Metric.Shape(3, 2, 2, false);
        // over all elements: mean_squared_error(T.ravel(), O.ravel(), squared=False), mean_absolute_error(T.ravel(),
        // O.ravel()) (sklearn's default multioutput='uniform_average' would average per-column RMSEs: 0.9354)
        assertEquals(0.962851667357612, value(Metrics.rmse(), shape, out, y, 3), 1e-12);
        assertEquals(0.7083333333333334, value(Metrics.mae(), shape, out, y, 3), 1e-12);
        // by hand: errors 0.5, 0, 0.5, 2, 1, 0.25
        assertEquals((0.5 + 0 + 0.5 + 2 + 1 + 0.25) / 6, value(Metrics.mae(), shape, out, y, 3), 1e-12);
        assertEquals(Math.sqrt((0.25 + 0 + 0.25 + 4 + 1 + 0.0625) / 6), value(Metrics.rmse(), shape, out, y, 3), 1e-12);
    }

    @Test
    void smallCasesByHand() {
        Metric.Shape four = new Metric.Shape(4, 1, 1, false);
        float[] y = {1, 1, 0, 0};
        float[] s = {1, -1, 1, -1}; // tp 1, fn 1, fp 1, tn 1
        assertEquals(0.5, value(Metrics.precision(), four, s, y, 4), EPS);
        assertEquals(0.5, value(Metrics.recall(), four, s, y, 4), EPS);
        assertEquals(0.5, value(Metrics.f1(), four, s, y, 4), EPS);
        assertEquals(0.5, value(Metrics.accuracy(), four, s, y, 4), EPS);
        // positives score 0.9 and 0.2, negatives 0.1 and 0.8: 3 of the 4 pairs ordered right
        assertEquals(0.75, value(Metrics.auc(), four, new float[] {0.9f, 0.2f, 0.1f, 0.8f}, y, 4), EPS);
        // every pair tied: one half each
        assertEquals(0.5, value(Metrics.auc(), four, new float[] {3, 3, 3, 3}, y, 4), EPS);
        // ±1 targets (hinge) count +1 as positive
        assertEquals(
                0.75,
                value(Metrics.auc(), four, new float[] {0.9f, 0.2f, 0.1f, 0.8f}, new float[] {1, 1, -1, -1}, 4),
                EPS);
        // no positive predicted: precision 0 (zero_division=0), not NaN
        assertEquals(0, value(Metrics.precision(), four, new float[] {-1, -1, -1, -1}, y, 4), EPS);
        // one class only: AUC undefined
        assertTrue(Double.isNaN(value(Metrics.auc(), four, s, new float[] {1, 1, 1, 1}, 4)));
        // top-2 with a tie at the boundary counts in (fewer than 2 classes strictly above the target)
        Metric.Shape three = new Metric.Shape(1, 3, 1, true);
        assertEquals(1, value(Metrics.topK(2), three, new float[] {5, 1, 1}, new float[] {2}, 1), EPS);
        assertEquals(0, value(Metrics.topK(1), three, new float[] {5, 1, 1}, new float[] {2}, 1), EPS);
    }

    @Test
    void batchesInAnySplitGiveTheWholeSetsValue() {
        List<Metric> all = List.of(
                Metrics.accuracy(),
                Metrics.precision(),
                Metrics.recall(),
                Metrics.f1(),
                Metrics.f1Macro(),
                Metrics.auc());
        int n = BINARY_Y.length;
        for (Metric m : all) {
            Metric.Accumulator a = m.newAccumulator(new Metric.Shape(n, 1, 1, false));
            for (int pass = 0; pass < 2; pass++) { // the second pass after a reset must give the same
                a.reset();
                for (int start = 0; start < n; ) {
                    int rows = Math.min(1 + start % 4, n - start);
                    float[] out = new float[rows], y = new float[rows];
                    System.arraycopy(BINARY_SCORE, start, out, 0, rows);
                    System.arraycopy(BINARY_Y, start, y, 0, rows);
                    a.add(out, y, rows);
                    start += rows;
                }
                assertEquals(binary(m), a.value(), EPS, m.name());
            }
        }
    }

    @Test
    void aucOfAPerfectRankingIsOneAndScoresStayInTheUnitInterval() {
        SplittableRandom rnd = new SplittableRandom(7);
        for (int trial = 0; trial < 200; trial++) {
            int n = 2 + rnd.nextInt(60);
            float[] y = new float[n], s = new float[n];
            y[0] = 1; // both classes present
            for (int i = 1; i < n; i++) y[i] = rnd.nextBoolean() ? 1 : 0;
            for (int i = 0; i < n; i++) s[i] = (float) rnd.nextGaussian();
            Metric.Shape shape = new Metric.Shape(n, 1, 1, false);
            for (Metric m : List.of(
                    Metrics.accuracy(),
                    Metrics.precision(),
                    Metrics.recall(),
                    Metrics.f1(),
                    Metrics.precisionMacro(),
                    Metrics.recallMacro(),
                    Metrics.f1Macro(),
                    Metrics.auc())) {
                double v = value(m, shape, s, y, n);
                assertTrue(Double.isNaN(v) || (v >= 0 && v <= 1), m.name() + " = " + v);
            }
            float[] perfect = new float[n], reversed = new float[n], negated = new float[n];
            for (int i = 0; i < n; i++) {
                perfect[i] = y[i] + 0.01f * (float) rnd.nextDouble(); // every positive above every negative
                reversed[i] = -perfect[i];
                negated[i] = -s[i];
            }
            if (y[0] == 1 && hasNegative(y)) {
                assertEquals(1, value(Metrics.auc(), shape, perfect, y, n), EPS);
                assertEquals(0, value(Metrics.auc(), shape, reversed, y, n), EPS);
                assertEquals(
                        1, value(Metrics.auc(), shape, s, y, n) + value(Metrics.auc(), shape, negated, y, n), 1e-12);
            }
        }
    }

    private static boolean hasNegative(float[] y) {
        for (float v : y) if (v == 0) return true;
        return false;
    }

    @Test
    void namesAndDirections() {
        assertEquals("accuracy", Metrics.accuracy().name());
        assertEquals("top5_accuracy", Metrics.topK(5).name());
        assertEquals("f1", Metrics.f1().name());
        assertEquals("recall_class0", Metrics.recall(0, 0).name());
        assertEquals("precision_macro", Metrics.precisionMacro().name());
        assertEquals("f1_macro", Metrics.f1Macro().name());
        assertEquals("auc", Metrics.auc().name());
        assertEquals("rmse", Metrics.rmse().name());
        assertEquals("mae", Metrics.mae().name());
        for (Metric m : List.of(Metrics.accuracy(), Metrics.topK(2), Metrics.f1Macro(), Metrics.auc()))
            assertTrue(m.higherIsBetter(), m.name());
        assertFalse(Metrics.rmse().higherIsBetter());
        assertFalse(Metrics.mae().higherIsBetter());
        assertEquals(Metrics.topK(3), Metrics.topK(3)); // records: equal specs compare equal
        assertEquals(Metrics.f1Macro(), Metrics.f1Macro());
    }

    @Test
    void metricsThatDoNotApplyAreRefusedByName() {
        Metric.Shape tenClasses = new Metric.Shape(5, 10, 1, true);
        var auc =
                assertThrows(IllegalArgumentException.class, () -> Metrics.auc().newAccumulator(tenClasses));
        assertTrue(auc.getMessage().contains("'auc'") && auc.getMessage().contains("10 classes"), auc.getMessage());
        var top = assertThrows(
                IllegalArgumentException.class, () -> Metrics.topK(11).newAccumulator(tenClasses));
        assertTrue(
                top.getMessage().contains("top11_accuracy") && top.getMessage().contains("k = 11"), top.getMessage());
        var rmse = assertThrows(
                IllegalArgumentException.class, () -> Metrics.rmse().newAccumulator(tenClasses));
        assertTrue(rmse.getMessage().contains("'rmse'"), rmse.getMessage());
        var f1 = assertThrows(
                IllegalArgumentException.class, () -> Metrics.f1().newAccumulator(new Metric.Shape(5, 3, 3, false)));
        assertTrue(
                f1.getMessage().contains("'f1'") && f1.getMessage().contains("3 real-valued output columns"),
                f1.getMessage());
        var topReal = assertThrows(
                IllegalArgumentException.class, () -> Metrics.topK(1).newAccumulator(new Metric.Shape(5, 1, 1, false)));
        assertTrue(topReal.getMessage().contains("class-index"), topReal.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Metrics.topK(0));
        assertThrows(IllegalArgumentException.class, () -> Metrics.f1(-1, 0));
        var cls = assertThrows(IllegalArgumentException.class, () -> Metrics.f1(3, 0)
                .newAccumulator(new Metric.Shape(5, 1, 1, false)));
        assertTrue(cls.getMessage().contains("positive class 3"), cls.getMessage());
        Metric.Accumulator a = Metrics.auc().newAccumulator(new Metric.Shape(2, 1, 1, false));
        var full = assertThrows(IllegalStateException.class, () -> a.add(new float[3], new float[3], 3));
        assertTrue(full.getMessage().contains("sized for"), full.getMessage());
    }

    @Test
    void addingABatchAllocatesNothing() {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        int k = 10, rows = 64, batches = 50;
        float[] out = new float[rows * k], y = new float[rows];
        SplittableRandom rnd = new SplittableRandom(1);
        for (int i = 0; i < out.length; i++) out[i] = (float) rnd.nextGaussian();
        for (int r = 0; r < rows; r++) y[r] = rnd.nextInt(k);
        float[] reals = new float[rows], realY = new float[rows];
        for (int r = 0; r < rows; r++) {
            reals[r] = (float) rnd.nextGaussian();
            realY[r] = rnd.nextInt(2);
        }
        MetricTracker classes = new MetricTracker(
                List.of(Metrics.accuracy(), Metrics.topK(3), Metrics.f1Macro(), Metrics.precision(2, 0)),
                new Metric.Shape(rows * batches, k, 1, true));
        MetricTracker binary = new MetricTracker(
                List.of(Metrics.auc(), Metrics.f1(), Metrics.rmse(), Metrics.mae(), Metrics.accuracy()),
                new Metric.Shape(rows * batches, 1, 1, false));
        long allocated = Long.MAX_VALUE;
        for (int round = 0; round < 30; round++) { // warm up; keep the best (quietest) round
            classes.reset();
            binary.reset();
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int b = 0; b < batches; b++) {
                classes.add(out, y, rows);
                binary.add(reals, realY, rows);
            }
            allocated = Math.min(allocated, threads.getCurrentThreadAllocatedBytes() - before);
        }
        assertEquals(0, allocated, "bytes allocated by " + batches + " batches");
    }
}
