package dev.descent.model;

import dev.descent.backend.ImageWindow;
import java.util.Arrays;

/**
 * Max pooling (PyTorch's {@code nn.MaxPool2d(kernel, stride)}, no padding, floor mode): each output
 * is the largest element of its window (a NaN wins, as in PyTorch; among equal maxima the first in
 * row-major order). The forward pass remembers where each maximum sits in the scratch; backward
 * sends each output's gradient there.
 */
public record MaxPool2D(int kernelHeight, int kernelWidth, int strideHeight, int strideWidth) implements Layer {

    public MaxPool2D {
        Pool2D.check("max_pool2d", kernelHeight, kernelWidth, strideHeight, strideWidth);
    }

    /** A square window and stride. */
    public MaxPool2D(int kernel, int stride) {
        this(kernel, kernel, stride, stride);
    }

    /** Stride equal to the window, PyTorch's default. */
    public MaxPool2D(int kernel) {
        this(kernel, kernel);
    }

    @Override
    public String kind() {
        return "max_pool2d";
    }

    @Override
    public int[] outputShape(int[] inputShape) {
        int[] out = Pool2D.outputShape(this, kernelHeight, kernelWidth, strideHeight, strideWidth, inputShape);
        if ((long) inputShape[0] * inputShape[1] * inputShape[2] > 1 << 24)
            throw new IllegalArgumentException(this + " keeps the index of each maximum as a float: the input "
                    + Arrays.toString(inputShape) + " has more than 2^24 elements");
        return out;
    }

    /** The index within its input row of each output's maximum (a float holds it exactly). */
    @Override
    public int scratchPerRow(int[] inputShape) {
        return Sequential.width(outputShape(inputShape));
    }

    /** Reads x; overwrites y and the scratch (the argmax of each output). */
    @Override
    public void forward(LayerContext c, float[] x, float[] y) {
        c.backend().maxPool(window(c), x, 0, c.rows(), y, 0, c.scratch(), 0);
    }

    /** Reads dy and the scratch; overwrites dx (0 except at each window's maximum). */
    @Override
    public void backward(LayerContext c, float[] x, float[] y, float[] dy, float[] dx) {
        if (dx != null) c.backend().maxPoolBackward(window(c), dy, 0, c.scratch(), 0, c.rows(), dx, 0);
    }

    /** The pool's window over the input of context c. */
    ImageWindow window(LayerContext c) {
        return Pool2D.window(c, kernelHeight, kernelWidth, strideHeight, strideWidth);
    }

    @Override
    public String toString() {
        return Pool2D.describe(kind(), kernelHeight, kernelWidth, strideHeight, strideWidth);
    }
}
