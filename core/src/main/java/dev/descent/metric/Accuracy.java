package dev.descent.metric;

/**
 * Fraction of correct predictions. Class-index targets: rows whose arg-max output is the target
 * class (sklearn's {@code accuracy_score} of the arg-max). Real-valued targets: elements whose
 * decision (output above {@code threshold}) matches the target's (above 0.5), over all rows × columns
 * (for one column: sklearn's {@code accuracy_score} of the thresholded outputs).
 *
 * @param threshold an output above it is a positive prediction (real-valued targets only)
 */
public record Accuracy(double threshold) implements Metric {

    public Accuracy {
        if (!Double.isFinite(threshold))
            throw new IllegalArgumentException("accuracy threshold must be finite, got " + threshold);
    }

    @Override
    public String name() {
        return "accuracy";
    }

    @Override
    public boolean higherIsBetter() {
        return true;
    }

    @Override
    public Accumulator newAccumulator(Shape shape) {
        int k = shape.outputs();
        boolean classIndex = shape.classIndex();
        return new Accumulator() {
            long correct, total;

            @Override
            public void reset() {
                correct = total = 0;
            }

            @Override
            public void add(float[] outputs, float[] targets, int rows) {
                if (classIndex) {
                    for (int r = 0; r < rows; r++)
                        if (Decisions.argMax(outputs, r * k, k) == (int) targets[r]) correct++;
                    total += rows;
                } else {
                    for (int i = 0; i < rows * k; i++)
                        if ((outputs[i] > threshold) == Decisions.positiveTarget(targets[i])) correct++;
                    total += (long) rows * k;
                }
            }

            @Override
            public double value() {
                return total == 0 ? Double.NaN : (double) correct / total;
            }
        };
    }
}
