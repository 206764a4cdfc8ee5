package dev.descent.metric;

/**
 * Root mean squared error or mean absolute error of the outputs against real-valued targets, over
 * every output of every row: sklearn's {@code mean_squared_error(y.ravel(), out.ravel(),
 * squared=False)} and {@code mean_absolute_error(y.ravel(), out.ravel())} (for several columns this
 * is the mean over all elements, not sklearn's default mean of per-column errors). Sums in double.
 *
 * @param kind which error
 */
public record RegressionError(Kind kind) implements Metric {

    /** Which error. */
    public enum Kind {
        RMSE,
        MAE
    }

    public RegressionError {
        if (kind == null) throw new IllegalArgumentException("regression error kind must not be null");
    }

    @Override
    public String name() {
        return kind == Kind.RMSE ? "rmse" : "mae";
    }

    @Override
    public boolean higherIsBetter() {
        return false;
    }

    @Override
    public Accumulator newAccumulator(Shape shape) {
        if (shape.classIndex()) throw Decisions.refuse(this, shape, "real-valued targets (not class labels)");
        int k = shape.outputs();
        boolean squared = kind == Kind.RMSE;
        return new Accumulator() {
            double sum;
            long count;

            @Override
            public void reset() {
                sum = 0;
                count = 0;
            }

            @Override
            public void add(float[] outputs, float[] targets, int rows) {
                int n = rows * k;
                double s = 0;
                for (int i = 0; i < n; i++) {
                    double d = (double) outputs[i] - targets[i];
                    s += squared ? d * d : Math.abs(d);
                }
                sum += s;
                count += n;
            }

            @Override
            public double value() {
                if (count == 0) return Double.NaN;
                double mean = sum / count;
                return squared ? Math.sqrt(mean) : mean;
            }
        };
    }
}
