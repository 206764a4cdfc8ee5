package dev.descent.model;

/**
 * Flattens one example's shape ({@code [c, h, w]}, or any) into {@code [c·h·w]}, as PyTorch's
 * {@code nn.Flatten()}: the data is already flat in NCHW order, so both passes copy (the feature
 * index is {@code c·H·W + h·W + w}). A {@link Dense} layer takes flat inputs only, so a model puts
 * a Flatten between its last convolution or pool and its first dense layer.
 */
public record Flatten() implements Layer {

    @Override
    public String kind() {
        return "flatten";
    }

    @Override
    public int[] outputShape(int[] inputShape) {
        return new int[] {Sequential.width(inputShape)};
    }

    /** Reads x; overwrites y. */
    @Override
    public void forward(LayerContext c, float[] x, float[] y) {
        c.backend().copy(x, 0, y, 0, c.rows() * c.inputWidth());
    }

    /** Reads dy; overwrites dx. */
    @Override
    public void backward(LayerContext c, float[] x, float[] y, float[] dy, float[] dx) {
        if (dx != null) c.backend().copy(dy, 0, dx, 0, c.rows() * c.inputWidth());
    }

    @Override
    public String toString() {
        return kind();
    }
}
