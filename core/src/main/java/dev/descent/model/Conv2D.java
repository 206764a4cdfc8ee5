package dev.descent.model;

import dev.descent.backend.Backend;
import dev.descent.backend.ImageWindow;
import java.util.Arrays;
import java.util.List;

/**
 * A 2-D convolution over {@code [inChannels, H, W]} images (PyTorch's {@code nn.Conv2d} with zero
 * padding, no dilation, one group), giving {@code [outChannels, OH, OW]} with {@code OH = (H + 2·ph
 * − kh)/sh + 1} (floor) and likewise OW. Parameters: {@code weight [out, in, kh, kw]} and {@code
 * bias [out]}, PyTorch's layout and names, so checkpoints match {@code layers.N.weight/bias}.
 *
 * <p>Computed a block of rows at a time by the {@link Backend}'s {@link Backend#convolution} and
 * {@link Backend#convolutionBackward}: by default the block is unfolded (im2col) into {@code col
 * [in·kh·kw, rows·OH·OW]} in the layer's scratch, then {@code Y = W·col} ({@code [out, rows·OH·OW]})
 * is scattered into NCHW rows with the bias added; backward gathers dY the same way, {@code dW +=
 * dY·colᵀ}, {@code db += Σ dY}, and, unless it is the first layer, {@code dcol = Wᵀ·dY} folded back
 * into dx (col2im); a backend may compute the same block its own way. The block holds up to {@link
 * #BLOCK_FLOATS} floats, so the scratch does not grow with the batch and each product is wide enough
 * for the backend to split over the cores.
 *
 * <p>Initialisation follows the model's {@link Init} scheme with fan-in {@code in·kh·kw} and fan-out
 * {@code out·kh·kw}; {@link Init#AUTO} (the default) means PyTorch's own {@code nn.Conv2d} default,
 * kaiming-uniform with a = √5, that is U(±1/√fan_in) for weight and bias (as {@link Init#PYTORCH}).
 */
public record Conv2D(
        int inChannels,
        int outChannels,
        int kernelHeight,
        int kernelWidth,
        int strideHeight,
        int strideWidth,
        int paddingHeight,
        int paddingWidth)
        implements Layer {

    /** Floats of the im2col block (col plus the block's output), about 1 MB; at least one row. */
    static final int BLOCK_FLOATS = 1 << 18;

    public Conv2D {
        positive("in channels", inChannels);
        positive("out channels", outChannels);
        positive("kernel height", kernelHeight);
        positive("kernel width", kernelWidth);
        positive("stride height", strideHeight);
        positive("stride width", strideWidth);
        if (paddingHeight < 0 || paddingWidth < 0)
            throw new IllegalArgumentException(
                    "conv2d padding must be >= 0, got [" + paddingHeight + ", " + paddingWidth + "]");
    }

    /** A square kernel, stride and padding: PyTorch's {@code nn.Conv2d(in, out, kernel, stride, padding)}. */
    public Conv2D(int inChannels, int outChannels, int kernel, int stride, int padding) {
        this(inChannels, outChannels, kernel, kernel, stride, stride, padding, padding);
    }

    /** Stride 1, no padding. */
    public Conv2D(int inChannels, int outChannels, int kernel) {
        this(inChannels, outChannels, kernel, 1, 0);
    }

    private static void positive(String what, int v) {
        if (v <= 0) throw new IllegalArgumentException("conv2d " + what + " must be > 0, got " + v);
    }

    @Override
    public String kind() {
        return "conv2d";
    }

    /** Floats in one column of im2col: {@code in·kh·kw}. */
    public int patch() {
        return inChannels * kernelHeight * kernelWidth;
    }

    @Override
    public int[] outputShape(int[] inputShape) {
        if (inputShape.length != 3 || inputShape[0] != inChannels)
            throw new IllegalArgumentException(this + " takes input shape [" + inChannels + ", height, width], got "
                    + Arrays.toString(inputShape));
        int oh = outSize(inputShape[1], kernelHeight, strideHeight, paddingHeight);
        int ow = outSize(inputShape[2], kernelWidth, strideWidth, paddingWidth);
        if (oh <= 0 || ow <= 0)
            throw new IllegalArgumentException(this + ": the kernel " + kernelHeight + "×" + kernelWidth
                    + " is larger than the padded input " + Arrays.toString(inputShape));
        return new int[] {outChannels, oh, ow};
    }

    private static int outSize(int in, int kernel, int stride, int padding) {
        int span = in + 2 * padding - kernel;
        return span < 0 ? 0 : span / stride + 1;
    }

    /** {@code weight [out, in, kh, kw]}, then {@code bias [out]}; see the class comment for the scheme. */
    @Override
    public List<Parameter> parameters(int[] inputShape) {
        int fanIn = patch(), fanOut = outChannels * kernelHeight * kernelWidth;
        return List.of(
                new Parameter(
                        "weight",
                        new int[] {outChannels, inChannels, kernelHeight, kernelWidth},
                        (p, off, n, scheme, rnd) -> Init.uniform(p, off, n, limit(scheme, fanIn, fanOut), rnd)),
                new Parameter("bias", new int[] {outChannels}, (p, off, n, scheme, rnd) -> {
                    if (scheme == Init.AUTO || scheme == Init.PYTORCH)
                        Init.uniform(p, off, n, limit(scheme, fanIn, fanOut), rnd);
                    else Arrays.fill(p, off, off + n, 0f);
                }));
    }

    private static double limit(Init scheme, int fanIn, int fanOut) {
        return (scheme == Init.AUTO ? Init.PYTORCH : scheme).limit(fanIn, fanOut);
    }

    /** Rows unfolded at a time for an input of this shape. */
    int blockRows(int[] inputShape) {
        int[] out = outputShape(inputShape);
        long perRow = (long) out[1] * out[2] * (patch() + outChannels);
        return (int) Math.max(1, BLOCK_FLOATS / perRow);
    }

    /** The im2col block: {@code col [patch, b·P]} then the block's output {@code [out, b·P]} (b block rows). */
    @Override
    public int scratchFixed(int[] inputShape) {
        int[] out = outputShape(inputShape);
        long n = (long) blockRows(inputShape) * out[1] * out[2] * (patch() + outChannels);
        if (n > Integer.MAX_VALUE)
            throw new IllegalArgumentException(this + ": one row's im2col matrix is larger than an array holds");
        return (int) n;
    }

    /**
     * Reads x ({@code rows×in·H·W}), the weight and bias; overwrites y ({@code rows×out·OH·OW}) and
     * the scratch.
     */
    @Override
    public void forward(LayerContext c, float[] x, float[] y) {
        ImageWindow win =
                c.imageWindow(kernelHeight, kernelWidth, strideHeight, strideWidth, paddingHeight, paddingWidth);
        int plane = win.plane(), outWidth = outChannels * plane, rows = c.rows();
        Backend b = c.backend();
        int inWidth = c.inputWidth(), block = b.convolutionRows(win, outChannels, blockRows(plane), rows);
        float[] p = c.params();
        int wOff = c.parameterOffset(0), bOff = c.parameterOffset(1);
        for (int n0 = 0; n0 < rows; n0 += block) {
            int g = Math.min(block, rows - n0);
            b.convolution(win, outChannels, x, n0 * inWidth, g, p, wOff, p, bOff, y, n0 * outWidth, c.scratch(), 0);
        }
    }

    /**
     * Reads x, dy and the weight; adds (or, when {@code !c.accumulate()}, writes) the weight and bias
     * gradients; overwrites dx unless it is null, and the scratch.
     */
    @Override
    public void backward(LayerContext c, float[] x, float[] y, float[] dy, float[] dx) {
        ImageWindow win =
                c.imageWindow(kernelHeight, kernelWidth, strideHeight, strideWidth, paddingHeight, paddingWidth);
        int plane = win.plane(), outWidth = outChannels * plane, inWidth = c.inputWidth();
        Backend b = c.backend();
        int rows = c.rows(), block = b.convolutionRows(win, outChannels, blockRows(plane), rows);
        float[] p = c.params(), gr = c.grads();
        int wOff = c.parameterOffset(0), bOff = c.parameterOffset(1);
        clearGradientsUnlessAccumulating(c);
        for (int n0 = 0; n0 < rows; n0 += block) {
            int g = Math.min(block, rows - n0);
            b.convolutionBackward(
                    win,
                    outChannels,
                    x,
                    n0 * inWidth,
                    g,
                    p,
                    wOff,
                    dy,
                    n0 * outWidth,
                    gr,
                    wOff,
                    bOff,
                    dx,
                    dx == null ? 0 : n0 * inWidth,
                    c.scratch(),
                    0);
        }
    }

    /**
     * {@link #backward} without the input gradient (a first layer) when {@code pool}, whose context
     * {@code pc} holds its argmax, took this layer's output: from {@code dPooled}, the gradient at
     * the pool's outputs, through {@link Backend#convolutionBackwardThroughMaxPool}, which may spare
     * writing dy. Reads x, dPooled and the argmax; adds (or writes) the gradients as {@link
     * #backward} does; overwrites dy (or leaves it undefined) and the scratch.
     */
    void backwardThroughMaxPool(
            LayerContext c, float[] x, MaxPool2D pool, LayerContext pc, float[] dPooled, float[] dy) {
        ImageWindow win =
                c.imageWindow(kernelHeight, kernelWidth, strideHeight, strideWidth, paddingHeight, paddingWidth);
        ImageWindow pw = pool.window(pc);
        int plane = win.plane(), outWidth = outChannels * plane, inWidth = c.inputWidth();
        int pooledWidth = pw.channels() * pw.plane();
        Backend b = c.backend();
        int rows = c.rows(), block = b.convolutionRows(win, outChannels, blockRows(plane), rows);
        int wOff = c.parameterOffset(0), bOff = c.parameterOffset(1);
        clearGradientsUnlessAccumulating(c);
        for (int n0 = 0; n0 < rows; n0 += block) {
            int g = Math.min(block, rows - n0), at = n0 * pooledWidth;
            b.convolutionBackwardThroughMaxPool(
                    win,
                    outChannels,
                    x,
                    n0 * inWidth,
                    g,
                    pw,
                    dPooled,
                    at,
                    pc.scratch(),
                    at,
                    dy,
                    n0 * outWidth,
                    c.grads(),
                    wOff,
                    bOff,
                    c.scratch(),
                    0);
        }
    }

    /** Sets the weight and bias gradients to 0 when the pass overwrites them ({@code !c.accumulate()}). */
    private void clearGradientsUnlessAccumulating(LayerContext c) {
        if (c.accumulate()) return;
        c.backend().fill(c.grads(), c.parameterOffset(0), outChannels * patch(), 0f);
        c.backend().fill(c.grads(), c.parameterOffset(1), outChannels, 0f);
    }

    private int blockRows(int plane) {
        return (int) Math.max(1, BLOCK_FLOATS / ((long) plane * (patch() + outChannels)));
    }

    @Override
    public String toString() {
        return "conv2d(" + inChannels + "→" + outChannels + ", kernel " + kernelHeight + "×" + kernelWidth
                + (strideHeight == 1 && strideWidth == 1 ? "" : ", stride " + strideHeight + "×" + strideWidth)
                + (paddingHeight == 0 && paddingWidth == 0 ? "" : ", padding " + paddingHeight + "×" + paddingWidth)
                + ")";
    }
}
