package dev.descent.model;

import dev.descent.backend.ImageWindow;

/**
 * Average pooling (PyTorch's {@code nn.AvgPool2d(kernel, stride)}, no padding, floor mode): each
 * output is the mean of its {@code kh·kw} window; backward spreads each output's gradient evenly
 * over its window.
 */
public record AvgPool2D(int kernelHeight, int kernelWidth, int strideHeight, int strideWidth) implements Layer {

    public AvgPool2D {
        Pool2D.check("avg_pool2d", kernelHeight, kernelWidth, strideHeight, strideWidth);
    }

    /** A square window and stride. */
    public AvgPool2D(int kernel, int stride) {
        this(kernel, kernel, stride, stride);
    }

    /** Stride equal to the window, PyTorch's default. */
    public AvgPool2D(int kernel) {
        this(kernel, kernel);
    }

    @Override
    public String kind() {
        return "avg_pool2d";
    }

    @Override
    public int[] outputShape(int[] inputShape) {
        return Pool2D.outputShape(this, kernelHeight, kernelWidth, strideHeight, strideWidth, inputShape);
    }

    /** Reads x; overwrites y. */
    @Override
    public void forward(LayerContext c, float[] x, float[] y) {
        c.backend().avgPool(window(c), x, 0, c.rows(), y, 0);
    }

    /** Reads dy; overwrites dx. */
    @Override
    public void backward(LayerContext c, float[] x, float[] y, float[] dy, float[] dx) {
        if (dx != null) c.backend().avgPoolBackward(window(c), dy, 0, c.rows(), dx, 0);
    }

    private ImageWindow window(LayerContext c) {
        return Pool2D.window(c, kernelHeight, kernelWidth, strideHeight, strideWidth);
    }

    @Override
    public String toString() {
        return Pool2D.describe(kind(), kernelHeight, kernelWidth, strideHeight, strideWidth);
    }
}
