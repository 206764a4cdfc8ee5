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

    /** Reads x; overwrites y and, in training, the scratch (the mask: 0 or {@code 1/(1-p)}). */
    @Override
    public void forward(LayerContext c, float[] x, float[] y) {
        int n = c.rows() * c.inputWidth();
        if (!c.training() || p == 0) c.backend().copy(x, 0, y, 0, n);
        else c.backend().dropout(x, 0, y, 0, c.scratch(), 0, n, c.randomKey(), p);
    }

    /** Reads dy and the mask; overwrites dx. */
    @Override
    public void backward(LayerContext c, float[] x, float[] y, float[] dy, float[] dx) {
        if (dx == null) return;
        int n = c.rows() * c.inputWidth();
        if (!c.training() || p == 0) c.backend().copy(dy, 0, dx, 0, n);
        else c.backend().addcmul(dx, 0f, dx, 1f, dy, c.scratch(), 0, n);
    }

    @Override
    public String toString() {
        return "dropout(" + p + ")";
    }
}
