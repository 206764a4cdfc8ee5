package dev.descent.backend;

/**
 * The geometry of a window sliding over NCHW images, what a convolution's im2col and a pooling
 * layer share: {@code channels} planes of {@code height×width} per example (element (c, h, w) of a
 * row at {@code c·H·W + h·W + w}), a {@code kernelHeight×kernelWidth} window moved {@code stride}
 * apart over the image zero-padded by {@code padding} on each side, giving {@link #outHeight} ×
 * {@link #outWidth} positions ({@code (H + 2·ph − kh)/sh + 1}, floor). Pooling uses padding 0.
 */
public record ImageWindow(
        int channels,
        int height,
        int width,
        int kernelHeight,
        int kernelWidth,
        int strideHeight,
        int strideWidth,
        int paddingHeight,
        int paddingWidth) {

    public ImageWindow {
        if (channels <= 0 || height <= 0 || width <= 0 || kernelHeight <= 0 || kernelWidth <= 0)
            throw new IllegalArgumentException("image window needs positive channels, size and kernel, got " + this);
        if (strideHeight <= 0 || strideWidth <= 0 || paddingHeight < 0 || paddingWidth < 0)
            throw new IllegalArgumentException(
                    "image window needs positive strides and non-negative padding, got " + this);
        if (height + 2 * paddingHeight < kernelHeight || width + 2 * paddingWidth < kernelWidth)
            throw new IllegalArgumentException("image window: the kernel is larger than the padded image, " + this);
    }

    /** Output rows: {@code (H + 2·ph − kh)/sh + 1}. */
    public int outHeight() {
        return (height + 2 * paddingHeight - kernelHeight) / strideHeight + 1;
    }

    /** Output columns: {@code (W + 2·pw − kw)/sw + 1}. */
    public int outWidth() {
        return (width + 2 * paddingWidth - kernelWidth) / strideWidth + 1;
    }

    /** Window positions per channel: {@code OH·OW}. */
    public int plane() {
        return outHeight() * outWidth();
    }

    /** Floats of one example: {@code C·H·W}. */
    public int inputSize() {
        return channels * height * width;
    }

    /** Floats of one unfolded window (one im2col column): {@code C·kh·kw}. */
    public int patch() {
        return channels * kernelHeight * kernelWidth;
    }
}
