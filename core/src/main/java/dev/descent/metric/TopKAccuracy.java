package dev.descent.metric;

/**
 * Fraction of rows whose target class is among the {@code k} highest outputs. A tie at the boundary
 * counts in (the target is a hit when fewer than {@code k} classes score strictly higher), as
 * TensorFlow's {@code in_top_k}; without ties it equals sklearn's {@code top_k_accuracy_score}.
 * Needs class-index targets and {@code k <= } the number of classes.
 *
 * @param k how many of the highest outputs count, {@code >= 1}
 */
public record TopKAccuracy(int k) implements Metric {

    public TopKAccuracy {
        if (k < 1) throw new IllegalArgumentException("top-k accuracy: k must be >= 1, got " + k);
    }

    @Override
    public String name() {
        return "top" + k + "_accuracy";
    }

    @Override
    public boolean higherIsBetter() {
        return true;
    }

    @Override
    public Accumulator newAccumulator(Shape shape) {
        if (!shape.classIndex()) throw Decisions.refuse(this, shape, "class-index targets (softmax cross-entropy)");
        if (k > shape.outputs()) throw Decisions.refuse(this, shape, "at least k = " + k + " classes");
        int n = shape.outputs();
        return new Accumulator() {
            long hits, total;

            @Override
            public void reset() {
                hits = total = 0;
            }

            @Override
            public void add(float[] outputs, float[] targets, int rows) {
                for (int r = 0; r < rows; r++) {
                    int off = r * n;
                    float target = outputs[off + (int) targets[r]];
                    int higher = 0;
                    for (int c = 0; c < n; c++) if (outputs[off + c] > target) higher++;
                    if (higher < k && !Float.isNaN(target)) hits++;
                }
                total += rows;
            }

            @Override
            public double value() {
                return total == 0 ? Double.NaN : (double) hits / total;
            }
        };
    }
}
