package dev.descent.metric;

/**
 * A quality measure of a model's outputs against the targets, accumulated batch by batch over a
 * whole data set. A metric is an immutable description (a record, so that two equal specs compare
 * equal); {@link #newAccumulator} makes the mutable state once per data set, sized for its rows, and
 * the state then takes batches without allocating.
 *
 * <p>A new metric is one class implementing this interface (and its test); {@link Metrics} lists the
 * built-ins.
 */
public interface Metric {

    /**
     * The name it is recorded under in the history and its CSV ({@code "accuracy"}, {@code
     * "f1_macro"}); on validation data the name gets the prefix {@code val_}. Lower case, no commas.
     */
    String name();

    /** Whether a higher value is better (accuracy, F1, AUC) rather than a lower one (RMSE, MAE). */
    boolean higherIsBetter();

    /**
     * The state for one data set of {@code shape}: zeroed, ready for {@link Accumulator#add}.
     *
     * @throws IllegalArgumentException naming the metric and why, if it does not apply to this model
     *     and targets (AUC of a 10-class model, RMSE of class labels...)
     */
    Accumulator newAccumulator(Shape shape);

    /**
     * What the model's outputs and the targets look like.
     *
     * @param rows the most rows that will be added between two {@link Accumulator#reset resets}
     * @param outputs the model's output width k
     * @param targetWidth target values per row t (1 for class indices)
     * @param classIndex whether a target is a class index in {@code [0, outputs)} (softmax
     *     cross-entropy) rather than {@code outputs} real values (0/1 for a logistic output)
     */
    record Shape(int rows, int outputs, int targetWidth, boolean classIndex) {
        public Shape {
            if (rows < 1) throw new IllegalArgumentException("metric shape: rows must be >= 1, got " + rows);
            if (outputs < 1) throw new IllegalArgumentException("metric shape: outputs must be >= 1, got " + outputs);
            if (targetWidth < 1)
                throw new IllegalArgumentException("metric shape: targetWidth must be >= 1, got " + targetWidth);
            if (classIndex && targetWidth != 1)
                throw new IllegalArgumentException(
                        "metric shape: class-index targets have width 1, got " + targetWidth);
            if (!classIndex && targetWidth != outputs)
                throw new IllegalArgumentException("metric shape: " + targetWidth + " target columns for " + outputs
                        + " outputs (real-valued targets compare one to one)");
        }

        /** Whether each row has one binary decision: one output column, or two classes. */
        boolean binary() {
            return classIndex ? outputs == 2 : outputs == 1;
        }
    }

    /** The running state of one metric over one data set. Not thread-safe. */
    interface Accumulator {

        /** Forgets everything added: the state of a fresh accumulator. */
        void reset();

        /**
         * Adds a batch: reads {@code outputs[rows×k]} and {@code targets[rows×t]} (row-major from
         * offset 0), changes neither; allocates nothing.
         *
         * @throws IllegalStateException if more rows are added than the shape allows
         */
        void add(float[] outputs, float[] targets, int rows);

        /** The metric over every row added since the last reset; NaN when undefined (no rows...). */
        double value();
    }
}
