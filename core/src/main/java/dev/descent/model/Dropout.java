package dev.descent.model;

import java.util.Arrays;

/**
 * Dropout, PyTorch's {@code nn.Dropout(p)}: in a training pass each element is zeroed with
 * probability p and the others scaled by {@code 1/(1-p)}; in evaluation (prediction, validation)
 * it is the identity. The mask of an element is drawn from {@link LayerContext#uniform}, a function
 * of the run's seed, the optimizer step, the micro-batch and the element: the same run draws the
 * same masks, and a run resumed from a checkpoint continues bit-identically. No parameters; the mask
 * is kept in the scratch buffer between forward and backward.
 */
public record Dropout(double p) implements Layer {

    public Dropout {
        if (!(p >= 0 && p < 1)) throw new IllegalArgumentException("dropout p must be in [0, 1), got " + p);
    }

    @Override
    public String kind() {
        return "dropout";
    }

    @Override
    public int[] outputShape(int[] inputShape) {
        return inputShape.clone();
    }

    @Override
    public int scratchPerRow(int[] inputShape) {
        return Arrays.stream(inputShape).reduce(1, Math::multiplyExact);
    }

    @Override
    public void forward(LayerContext c, float[] x, float[] y) {
        int n = c.rows() * c.inputWidth();
        if (!c.training() || p == 0) {
            System.arraycopy(x, 0, y, 0, n);
            return;
        }
        float[] mask = c.scratch();
        float keep = (float) (1 / (1 - p));
        for (int i = 0; i < n; i++) {
            mask[i] = c.uniform(i) < p ? 0f : keep;
            y[i] = x[i] * mask[i];
        }
    }

    @Override
    public void backward(LayerContext c, float[] x, float[] y, float[] dy, float[] dx) {
        if (dx == null) return;
        int n = c.rows() * c.inputWidth();
        if (!c.training() || p == 0) {
            System.arraycopy(dy, 0, dx, 0, n);
            return;
        }
        float[] mask = c.scratch();
        for (int i = 0; i < n; i++) dx[i] = dy[i] * mask[i];
    }

    @Override
    public String toString() {
        return "dropout(" + p + ")";
    }
}
