package dev.descent.model;

import dev.descent.backend.Backend;
import java.util.Arrays;
import java.util.List;

/**
 * A 2-D convolution over {@code [inChannels, H, W]} images (PyTorch's {@code nn.Conv2d} with zero
 * padding, no dilation, one group), giving {@code [outChannels, OH, OW]} with {@code OH = (H + 2·ph
 * − kh)/sh + 1} (floor) and likewise OW. Parameters: {@code weight [out, in, kh, kw]} and {@code
 * bias [out]}, PyTorch's layout and names, so checkpoints match {@code layers.N.weight/bias}.
 *
 * <p>Computed as matrix products on the {@link Backend} (its packed GEMM): a block of rows at a time
 * is unfolded (im2col) into {@code col [in·kh·kw, rows·OH·OW]} in the layer's scratch, then {@code
 * Y = W·col} ({@code [out, rows·OH·OW]}) is scattered into NCHW rows with the bias added. Backward
 * gathers dY the same way, {@code dW += dY·colᵀ}, {@code db += Σ dY}, and, unless it is the first
 * layer, {@code dcol = Wᵀ·dY} folded back into dx (col2im). The block holds up to {@link
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
        int h = c.inputDim(1), w = c.inputDim(2);
        int oh = outSize(h, kernelHeight, strideHeight, paddingHeight);
        int ow = outSize(w, kernelWidth, strideWidth, paddingWidth);
        int plane = oh * ow, k = patch(), outWidth = outChannels * plane, rows = c.rows();
        int block = blockRows(h, w, plane);
        float[] s = c.scratch(), p = c.params();
        int yOff = block * plane * k, wOff = c.parameterOffset(0), bOff = c.parameterOffset(1);
        Backend b = c.backend();
        for (int n0 = 0; n0 < rows; n0 += block) {
            int g = Math.min(block, rows - n0), gp = g * plane;
            im2col(x, n0, g, h, w, oh, ow, s);
            b.matmul(p, wOff, s, 0, s, yOff, outChannels, gp, k, false);
            for (int o = 0; o < outChannels; o++) {
                float bias = p[bOff + o];
                for (int e = 0; e < g; e++) {
                    int src = yOff + o * gp + e * plane, dst = (n0 + e) * outWidth + o * plane;
                    for (int q = 0; q < plane; q++) y[dst + q] = s[src + q] + bias;
                }
            }
        }
    }

    /**
     * Reads x, dy and the weight; adds (or, when {@code !c.accumulate()}, writes) the weight and bias
     * gradients; overwrites dx unless it is null, and the scratch.
     */
    @Override
    public void backward(LayerContext c, float[] x, float[] y, float[] dy, float[] dx) {
        int h = c.inputDim(1), w = c.inputDim(2);
        int oh = outSize(h, kernelHeight, strideHeight, paddingHeight);
        int ow = outSize(w, kernelWidth, strideWidth, paddingWidth);
        int plane = oh * ow, k = patch(), outWidth = outChannels * plane, inWidth = c.inputWidth(), rows = c.rows();
        int block = blockRows(h, w, plane);
        float[] s = c.scratch(), p = c.params(), gr = c.grads();
        int dyOff = block * plane * k, wOff = c.parameterOffset(0), bOff = c.parameterOffset(1);
        Backend b = c.backend();
        if (!c.accumulate()) {
            Arrays.fill(gr, wOff, wOff + outChannels * k, 0f);
            Arrays.fill(gr, bOff, bOff + outChannels, 0f);
        }
        for (int n0 = 0; n0 < rows; n0 += block) {
            int g = Math.min(block, rows - n0), gp = g * plane;
            im2col(x, n0, g, h, w, oh, ow, s);
            for (int o = 0; o < outChannels; o++) {
                for (int e = 0; e < g; e++)
                    System.arraycopy(dy, (n0 + e) * outWidth + o * plane, s, dyOff + o * gp + e * plane, plane);
                float sum = 0;
                for (int q = dyOff + o * gp, end = q + gp; q < end; q++) sum += s[q];
                gr[bOff + o] += sum;
            }
            b.matmulNT(s, dyOff, s, 0, gr, wOff, outChannels, k, gp, true); // dW += dY·colᵀ
            if (dx == null) continue;
            b.matmulTN(p, wOff, s, dyOff, s, 0, k, gp, outChannels, false); // col = Wᵀ·dY
            Arrays.fill(dx, n0 * inWidth, (n0 + g) * inWidth, 0f);
            col2im(s, n0, g, h, w, oh, ow, dx);
        }
    }

    private int blockRows(int h, int w, int plane) {
        return (int) Math.max(1, BLOCK_FLOATS / ((long) plane * (patch() + outChannels)));
    }

    /** First output column whose kernel column j reads inside the image: {@code ow·sw − pw + j >= 0}. */
    private int firstInside(int j) {
        int need = paddingWidth - j;
        return need <= 0 ? 0 : (need + strideWidth - 1) / strideWidth;
    }

    /** One past the last output column whose kernel column j reads inside an image of width w. */
    private int endInside(int j, int w, int ow) {
        return Math.min(ow, Math.floorDiv(w - 1 + paddingWidth - j, strideWidth) + 1);
    }

    /**
     * Unfolds rows {@code [n0, n0+g)} of x into {@code col[(ch·kh + i)·kw + j][e·P + oh·OW + ow]}
     * (row length {@code g·P}) = {@code x[n0+e][ch][oh·sh − ph + i][ow·sw − pw + j]}, or 0 in the
     * padding. Reads x; overwrites {@code col[0, patch·g·P)}.
     */
    private void im2col(float[] x, int n0, int g, int h, int w, int oh, int ow, float[] col) {
        int plane = oh * ow, gp = g * plane, hw = h * w, inWidth = inChannels * hw;
        for (int ch = 0; ch < inChannels; ch++)
            for (int i = 0; i < kernelHeight; i++)
                for (int j = 0; j < kernelWidth; j++) {
                    int r = (ch * kernelHeight + i) * kernelWidth + j;
                    int lo = firstInside(j), hi = endInside(j, w, ow);
                    for (int e = 0; e < g; e++) {
                        int xBase = (n0 + e) * inWidth + ch * hw, cBase = r * gp + e * plane;
                        for (int a = 0; a < oh; a++) {
                            int ih = a * strideHeight - paddingHeight + i, d = cBase + a * ow;
                            if (ih < 0 || ih >= h || lo >= hi) {
                                Arrays.fill(col, d, d + ow, 0f);
                                continue;
                            }
                            if (lo > 0) Arrays.fill(col, d, d + lo, 0f);
                            int src = xBase + ih * w - paddingWidth + j;
                            if (strideWidth == 1) System.arraycopy(x, src + lo, col, d + lo, hi - lo);
                            else for (int q = lo; q < hi; q++) col[d + q] = x[src + q * strideWidth];
                            if (hi < ow) Arrays.fill(col, d + hi, d + ow, 0f);
                        }
                    }
                }
    }

    /** The adjoint of {@link #im2col}: adds each element of col into the dx it was read from. Overwrites dx. */
    private void col2im(float[] col, int n0, int g, int h, int w, int oh, int ow, float[] dx) {
        int plane = oh * ow, gp = g * plane, hw = h * w, inWidth = inChannels * hw;
        for (int ch = 0; ch < inChannels; ch++)
            for (int i = 0; i < kernelHeight; i++)
                for (int j = 0; j < kernelWidth; j++) {
                    int r = (ch * kernelHeight + i) * kernelWidth + j;
                    int lo = firstInside(j), hi = endInside(j, w, ow);
                    if (lo >= hi) continue;
                    for (int e = 0; e < g; e++) {
                        int xBase = (n0 + e) * inWidth + ch * hw, cBase = r * gp + e * plane;
                        for (int a = 0; a < oh; a++) {
                            int ih = a * strideHeight - paddingHeight + i;
                            if (ih < 0 || ih >= h) continue;
                            int d = cBase + a * ow, dst = xBase + ih * w - paddingWidth + j;
                            if (strideWidth == 1) for (int q = lo; q < hi; q++) dx[dst + q] += col[d + q];
                            else for (int q = lo; q < hi; q++) dx[dst + q * strideWidth] += col[d + q];
                        }
                    }
                }
    }

    @Override
    public String toString() {
        return "conv2d(" + inChannels + "→" + outChannels + ", kernel " + kernelHeight + "×" + kernelWidth
                + (strideHeight == 1 && strideWidth == 1 ? "" : ", stride " + strideHeight + "×" + strideWidth)
                + (paddingHeight == 0 && paddingWidth == 0 ? "" : ", padding " + paddingHeight + "×" + paddingWidth)
                + ")";
    }
}
