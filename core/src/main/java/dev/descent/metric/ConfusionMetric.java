package dev.descent.metric;

import java.util.Locale;

/**
 * Precision, recall or F1 from per-class counts of true positives, false positives and false
 * negatives, as sklearn's {@code precision_score}, {@code recall_score} and {@code f1_score} with
 * {@code zero_division=0} (a score whose denominator is 0 counts as 0).
 *
 * <ul>
 *   <li><b>binary</b> ({@code macro == false}): the score of {@code positiveClass} against the rest,
 *       sklearn's {@code average='binary', pos_label=positiveClass}. With class-index targets the
 *       prediction is the arg-max class (more than two classes give that class's one-vs-rest score,
 *       sklearn's {@code average=None} entry); with one output column it is positive when the
 *       output is above {@code threshold}, and {@code positiveClass} 0 scores the negative class.
 *   <li><b>macro</b>: the unweighted mean over the classes that occur among the targets or the
 *       predictions, sklearn's {@code average='macro'} (classes 0 and 1 for one output column).
 * </ul>
 *
 * @param score which score
 * @param macro whether to average over classes rather than score {@code positiveClass}
 * @param positiveClass the class scored by a binary metric ({@code >= 0}; 0 or 1 for one column)
 * @param threshold an output above it predicts class 1 (one output column only)
 */
public record ConfusionMetric(Score score, boolean macro, int positiveClass, double threshold) implements Metric {

    /** Which score. */
    public enum Score {
        PRECISION,
        RECALL,
        F1
    }

    public ConfusionMetric {
        if (score == null) throw new IllegalArgumentException("confusion metric score must not be null");
        if (positiveClass < 0)
            throw new IllegalArgumentException(
                    score.name().toLowerCase(Locale.ROOT) + ": positiveClass must be >= 0, got " + positiveClass);
        if (!Double.isFinite(threshold))
            throw new IllegalArgumentException(
                    score.name().toLowerCase(Locale.ROOT) + ": threshold must be finite, got " + threshold);
    }

    static ConfusionMetric binary(Score score, int positiveClass, double threshold) {
        return new ConfusionMetric(score, false, positiveClass, threshold);
    }

    static ConfusionMetric macro(Score score, double threshold) {
        return new ConfusionMetric(score, true, 0, threshold);
    }

    /** {@code f1}, {@code precision_macro}; a binary score of a class other than 1 adds it: {@code recall_class0}. */
    @Override
    public String name() {
        String base = score.name().toLowerCase(Locale.ROOT);
        if (macro) return base + "_macro";
        return positiveClass == 1 ? base : base + "_class" + positiveClass;
    }

    @Override
    public boolean higherIsBetter() {
        return true;
    }

    @Override
    public Accumulator newAccumulator(Shape shape) {
        if (!shape.classIndex() && shape.outputs() != 1)
            throw Decisions.refuse(this, shape, "class-index targets or one output column");
        int classes = shape.classIndex() ? shape.outputs() : 2;
        if (!macro && positiveClass >= classes)
            throw Decisions.refuse(
                    this, shape, "positive class " + positiveClass + " to be one of its " + classes + " classes");
        return new Counts(shape.classIndex(), shape.outputs(), classes);
    }

    /** Per-class counts, allocated once. */
    private final class Counts implements Accumulator {
        final boolean classIndex;
        final int k;
        final long[] tp, fp, fn;
        long rows;

        Counts(boolean classIndex, int k, int classes) {
            this.classIndex = classIndex;
            this.k = k;
            this.tp = new long[classes];
            this.fp = new long[classes];
            this.fn = new long[classes];
        }

        @Override
        public void reset() {
            java.util.Arrays.fill(tp, 0);
            java.util.Arrays.fill(fp, 0);
            java.util.Arrays.fill(fn, 0);
            rows = 0;
        }

        @Override
        public void add(float[] outputs, float[] targets, int n) {
            for (int r = 0; r < n; r++) {
                int predicted, actual;
                if (classIndex) {
                    predicted = Decisions.argMax(outputs, r * k, k);
                    actual = (int) targets[r];
                } else {
                    predicted = outputs[r] > threshold ? 1 : 0;
                    actual = Decisions.positiveTarget(targets[r]) ? 1 : 0;
                }
                if (predicted == actual) tp[actual]++;
                else {
                    fp[predicted]++;
                    fn[actual]++;
                }
            }
            rows += n;
        }

        @Override
        public double value() {
            if (rows == 0) return Double.NaN;
            if (!macro) return of(positiveClass);
            double sum = 0;
            int present = 0;
            for (int c = 0; c < tp.length; c++) {
                if (tp[c] + fp[c] + fn[c] == 0) continue; // neither a target nor a prediction
                sum += of(c);
                present++;
            }
            return sum / present;
        }

        /** The score of class c, 0 when its denominator is 0. */
        private double of(int c) {
            long denominator =
                    switch (score) {
                        case PRECISION -> tp[c] + fp[c];
                        case RECALL -> tp[c] + fn[c];
                        case F1 -> 2 * tp[c] + fp[c] + fn[c];
                    };
            long numerator = score == Score.F1 ? 2 * tp[c] : tp[c];
            return denominator == 0 ? 0 : (double) numerator / denominator;
        }
    }
}
