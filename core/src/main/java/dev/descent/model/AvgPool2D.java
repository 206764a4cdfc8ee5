package dev.descent.model;

import java.util.Arrays;

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
        int ch = c.inputDim(0), h = c.inputDim(1), w = c.inputDim(2);
        int oh = (h - kernelHeight) / strideHeight + 1, ow = (w - kernelWidth) / strideWidth + 1;
        int inWidth = c.inputWidth(), outWidth = c.outputWidth();
        float inv = 1f / (kernelHeight * kernelWidth);
        for (int n = 0; n < c.rows(); n++) {
            int xRow = n * inWidth, o = n * outWidth;
            for (int k = 0; k < ch; k++)
                for (int a = 0; a < oh; a++)
                    for (int b = 0; b < ow; b++, o++) {
                        int first = xRow + k * h * w + a * strideHeight * w + b * strideWidth;
                        float sum = 0;
                        for (int i = 0; i < kernelHeight; i++)
                            for (int j = 0; j < kernelWidth; j++) sum += x[first + i * w + j];
                        y[o] = sum * inv;
                    }
        }
    }

    /** Reads dy; overwrites dx. */
    @Override
    public void backward(LayerContext c, float[] x, float[] y, float[] dy, float[] dx) {
        if (dx == null) return;
        int ch = c.inputDim(0), h = c.inputDim(1), w = c.inputDim(2);
        int oh = (h - kernelHeight) / strideHeight + 1, ow = (w - kernelWidth) / strideWidth + 1;
        int inWidth = c.inputWidth(), outWidth = c.outputWidth(), rows = c.rows();
        float inv = 1f / (kernelHeight * kernelWidth);
        Arrays.fill(dx, 0, rows * inWidth, 0f);
        for (int n = 0; n < rows; n++) {
            int xRow = n * inWidth, o = n * outWidth;
            for (int k = 0; k < ch; k++)
                for (int a = 0; a < oh; a++)
                    for (int b = 0; b < ow; b++, o++) {
                        int first = xRow + k * h * w + a * strideHeight * w + b * strideWidth;
                        float g = dy[o] * inv;
                        for (int i = 0; i < kernelHeight; i++)
                            for (int j = 0; j < kernelWidth; j++) dx[first + i * w + j] += g;
                    }
        }
    }

    @Override
    public String toString() {
        return Pool2D.describe(kind(), kernelHeight, kernelWidth, strideHeight, strideWidth);
    }
}
