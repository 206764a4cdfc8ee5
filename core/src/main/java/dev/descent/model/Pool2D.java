package dev.descent.model;

import dev.descent.backend.ImageWindow;
import java.util.Arrays;

/**
 * What {@link MaxPool2D} and {@link AvgPool2D} share: windows of {@code kernelHeight×kernelWidth}
 * over each channel of a {@code [channels, H, W]} image, {@code stride} apart, no padding, floor
 * mode ({@code OH = (H − kh)/sh + 1}: a trailing row or column no window covers is dropped and gets
 * gradient 0), as PyTorch's defaults.
 */
final class Pool2D {
    private Pool2D() {}

    static void check(String kind, int kernelHeight, int kernelWidth, int strideHeight, int strideWidth) {
        if (kernelHeight <= 0 || kernelWidth <= 0)
            throw new IllegalArgumentException(kind + " kernel must be > 0, got " + kernelHeight + "×" + kernelWidth);
        if (strideHeight <= 0 || strideWidth <= 0)
            throw new IllegalArgumentException(kind + " stride must be > 0, got " + strideHeight + "×" + strideWidth);
    }

    /** {@code [channels, OH, OW]}, or an error naming the layer and the shape. */
    static int[] outputShape(Layer l, int kernelHeight, int kernelWidth, int strideHeight, int strideWidth, int[] in) {
        if (in.length != 3)
            throw new IllegalArgumentException(
                    l + " takes an image [channels, height, width], got shape " + Arrays.toString(in));
        if (in[1] < kernelHeight || in[2] < kernelWidth)
            throw new IllegalArgumentException(l + ": the window " + kernelHeight + "×" + kernelWidth
                    + " is larger than the input " + Arrays.toString(in));
        return new int[] {in[0], (in[1] - kernelHeight) / strideHeight + 1, (in[2] - kernelWidth) / strideWidth + 1};
    }

    /** The pooling window over the context's {@code [channels, H, W]} input, padding 0. */
    static ImageWindow window(LayerContext c, int kernelHeight, int kernelWidth, int strideHeight, int strideWidth) {
        return c.imageWindow(kernelHeight, kernelWidth, strideHeight, strideWidth, 0, 0);
    }

    static String describe(String kind, int kernelHeight, int kernelWidth, int strideHeight, int strideWidth) {
        return kind + "(" + kernelHeight + "×" + kernelWidth
                + (strideHeight == kernelHeight && strideWidth == kernelWidth
                        ? ""
                        : ", stride " + strideHeight + "×" + strideWidth)
                + ")";
    }
}
