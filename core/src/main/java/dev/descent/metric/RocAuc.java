package dev.descent.metric;

import java.util.Arrays;

/**
 * Area under the ROC curve of a binary model: the probability that a random positive row scores
 * higher than a random negative one, ties counting one half. Equal to sklearn's {@code
 * roc_auc_score(y_true, y_score)}, ties included (its trapezoids through tied scores give exactly
 * this Mann–Whitney statistic with mid-ranks).
 *
 * <p>The score of a row is its output for one output column (a logit; positive target above 0.5),
 * or {@code output[1] - output[0]} for two classes (monotone in the softmax probability of class 1).
 * More than two classes are refused (no one-vs-rest average): use {@link Metrics#f1Macro()} or
 * {@link Metrics#topK(int)} there. NaN when the rows hold only one class or a NaN score.
 *
 * <p>The accumulator keeps every row's score and label in one {@code long[rows]} sized once (the
 * score's order-preserving bits and the label in the lowest bit), sorted in place when the value is read.
 */
public record RocAuc() implements Metric {

    @Override
    public String name() {
        return "auc";
    }

    @Override
    public boolean higherIsBetter() {
        return true;
    }

    @Override
    public Accumulator newAccumulator(Shape shape) {
        if (!shape.binary())
            throw Decisions.refuse(
                    this, shape, "a binary model (one output column or two classes; one-vs-rest AUC is not offered)");
        return new Ranks(shape.rows(), shape.classIndex());
    }

    /**
     * The ROC curve of scores (positive above 0.5 in {@code targets}, as {@link Decisions}): points
     * (false positive rate, true positive rate, threshold) from (0, 0, +∞) down through each distinct
     * score, highest first, as sklearn's {@code roc_curve(drop_intermediate=False)}; the trapezoids
     * under it sum to the AUC. Reads {@code scores[0..n)} and {@code targets[0..n)}.
     */
    public static double[][] curve(float[] scores, float[] targets, int n) {
        if (n < 0 || n > scores.length || n > targets.length)
            throw new IllegalArgumentException("roc curve: n = " + n + " rows, but " + scores.length + " scores and "
                    + targets.length + " targets");
        long[] keys = new long[n];
        long positives = 0;
        for (int i = 0; i < n; i++) {
            boolean p = Decisions.positiveTarget(targets[i]);
            if (p) positives++;
            keys[i] = Ranks.key(scores[i], p);
        }
        Arrays.sort(keys);
        long negatives = n - positives;
        java.util.List<double[]> points = new java.util.ArrayList<>();
        points.add(new double[] {0, 0, Double.POSITIVE_INFINITY});
        long tp = 0, fp = 0;
        for (int i = n - 1; i >= 0; ) {
            long score = keys[i] >> 1;
            int j = i;
            for (; j >= 0 && (keys[j] >> 1) == score; j--)
                if ((keys[j] & 1) != 0) tp++;
                else fp++;
            points.add(new double[] {
                (double) fp / Math.max(1, negatives), (double) tp / Math.max(1, positives), Ranks.score(keys[i])
            });
            i = j;
        }
        return points.toArray(new double[0][]);
    }

    /** The rows' keys: score bits above, label below. */
    private static final class Ranks implements Accumulator {
        final long[] keys;
        final boolean twoClasses;
        int n;
        boolean sawNaN;

        Ranks(int capacity, boolean twoClasses) {
            this.keys = new long[capacity];
            this.twoClasses = twoClasses;
        }

        @Override
        public void reset() {
            n = 0;
            sawNaN = false;
        }

        @Override
        public void add(float[] outputs, float[] targets, int rows) {
            if (n + rows > keys.length)
                throw new IllegalStateException(
                        "auc: " + (n + rows) + " rows added, more than the " + keys.length + " it was sized for");
            for (int r = 0; r < rows; r++) {
                float score = twoClasses ? outputs[2 * r + 1] - outputs[2 * r] : outputs[r];
                boolean positive = twoClasses ? (int) targets[r] == 1 : Decisions.positiveTarget(targets[r]);
                if (Float.isNaN(score)) sawNaN = true;
                keys[n++] = key(score, positive);
            }
        }

        /** A long whose signed order is the score's order (then the label): −0 and +0 are one score. */
        static long key(float score, boolean positive) {
            int bits = Float.floatToIntBits(score + 0.0f);
            bits ^= (bits >> 31) & 0x7fffffff; // negative floats: reverse their order
            return ((long) bits << 1) | (positive ? 1 : 0);
        }

        /** The score of a {@link #key}. */
        static float score(long key) {
            int bits = (int) (key >> 1);
            bits ^= (bits >> 31) & 0x7fffffff;
            return Float.intBitsToFloat(bits);
        }

        /** Mann–Whitney U / (positives · negatives) with mid-ranks for tied scores. */
        @Override
        public double value() {
            if (n == 0 || sawNaN) return Double.NaN;
            Arrays.sort(keys, 0, n);
            double rankSum = 0; // sum of the (1-based, mid) ranks of the positives
            long positives = 0;
            for (int i = 0; i < n; ) {
                int j = i;
                long tiedPositives = 0;
                while (j < n && (keys[j] >> 1) == (keys[i] >> 1)) tiedPositives += keys[j++] & 1;
                double midRank = (i + 1 + j) / 2.0; // ranks i+1..j
                rankSum += tiedPositives * midRank;
                positives += tiedPositives;
                i = j;
            }
            long negatives = n - positives;
            if (positives == 0 || negatives == 0) return Double.NaN;
            return (rankSum - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
        }
    }
}
