package dev.descent.backend;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API kernels of {@link SimdBackend}'s layer operations where the plain loops of {@link
 * LayerLoops} are slow: each gives the same result as the loop it replaces (same values, same
 * argmax), which stays the reference.
 */
final class ConvKernels {
    private ConvKernels() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, S.vectorShape());

    /** True when {@link #im2col}, {@link #col2im} and {@link #im2row} take this window: stride 1 across, no padding. */
    static boolean unpadded(ImageWindow v) {
        return v.strideWidth() == 1 && v.paddingHeight() == 0 && v.paddingWidth() == 0;
    }

    /**
     * Copies {@code n} floats from {@code src[s]} to {@code dst[d]} as whole vectors where the arrays
     * allow it: a segment shorter than a vector is stored as a whole vector whose tail spills into
     * what follows it in dst, so callers write their segments in increasing address order (each
     * spill is overwritten by the segments after it) and pass {@code end}, the end of the region
     * they may write: a vector that would cross it is copied as n floats instead.
     */
    private static void copySegment(float[] src, int s, float[] dst, int d, int n, int end) {
        if (n <= L) {
            if (d + L <= end && s + L <= src.length)
                FloatVector.fromArray(S, src, s).intoArray(dst, d);
            else System.arraycopy(src, s, dst, d, n);
            return;
        }
        int q = 0;
        for (; q + L <= n; q += L) FloatVector.fromArray(S, src, s + q).intoArray(dst, d + q);
        if (q < n) FloatVector.fromArray(S, src, s + n - L).intoArray(dst, d + n - L); // overlaps, same values
    }

    /**
     * {@link Backend#im2col} for an {@link #unpadded} window: each output row's segment of a col row
     * is one vector copy ({@link #copySegment}), written in increasing address order. The same
     * values as {@link LayerLoops#im2col}.
     */
    static void im2col(ImageWindow v, float[] x, int xOff, int rows, float[] col, int colOff) {
        int w = v.width(), oh = v.outHeight(), ow = v.outWidth(), kh = v.kernelHeight(), kw = v.kernelWidth();
        int sh = v.strideHeight(), plane = oh * ow, hw = v.height() * w, inWidth = v.inputSize();
        int end = colOff + v.patch() * rows * plane, d = colOff;
        for (int ch = 0; ch < v.channels(); ch++)
            for (int i = 0; i < kh; i++)
                for (int j = 0; j < kw; j++)
                    for (int e = 0; e < rows; e++) {
                        int src = xOff + e * inWidth + ch * hw + i * w + j;
                        for (int a = 0; a < oh; a++, d += ow, src += sh * w) copySegment(x, src, col, d, ow, end);
                    }
    }

    /**
     * The transposed unfolding for an {@link #unpadded} window: {@code colT [rows·P, patch]}, row q =
     * (e, a, b) holding the patch of output position q in im2col's row order, {@code colT[q·patch +
     * (ch·kh + i)·kw + j] = x[e][ch][a·sh + i][b + j]} (so {@code dW = dY·colT} is a product with B
     * row-major). Each kernel row is one vector copy, in increasing address order. Reads x;
     * overwrites {@code colT[off, off + rows·P·patch)}.
     */
    static void im2row(ImageWindow v, float[] x, int xOff, int rows, float[] colT, int off) {
        int w = v.width(), oh = v.outHeight(), ow = v.outWidth(), kh = v.kernelHeight(), kw = v.kernelWidth();
        int sh = v.strideHeight(), hw = v.height() * w, inWidth = v.inputSize(), ch = v.channels();
        int end = off + v.patch() * rows * oh * ow, d = off;
        for (int e = 0; e < rows; e++)
            for (int a = 0; a < oh; a++)
                for (int b = 0; b < ow; b++) {
                    int base = xOff + e * inWidth + a * sh * w + b;
                    for (int c = 0; c < ch; c++)
                        for (int i = 0, src = base + c * hw; i < kh; i++, d += kw, src += w)
                            copySegment(x, src, colT, d, kw, end);
                }
    }

    /** Per-thread tables of {@link #col2im}: lane masks, then each dx row's taps. */
    private static final ThreadLocal<int[]> COL2IM_TABLES = ThreadLocal.withInitial(() -> new int[0]);

    /**
     * {@link Backend#col2im} for an {@link #unpadded} window, as a gather: each vector of a dx row
     * sums, for every kernel tap (i, j) in order, the col segment that lands on it, shifted by j,
     * with the lanes outside it cleared by a bitwise and (so a NaN there is dropped, not added).
     * Each dx element receives the same additions in the same order as in {@link LayerLoops#col2im}
     * (from 0, taps in row order), so the result is the same, and is stored once. Rows too close to
     * an array's ends for whole vectors use that loop's arithmetic lane by lane.
     *
     * <p>A dx row's taps come from a table (col offset and mask offset per tap), so the accumulator
     * lives in one flat loop: nested loops around a vector accumulator make C2 box it (an allocation
     * per addition).
     */
    static void col2im(ImageWindow v, float[] col, int colOff, int rows, float[] dx, int dxOff) {
        int h = v.height(), w = v.width(), oh = v.outHeight(), ow = v.outWidth(), kh = v.kernelHeight();
        int kw = v.kernelWidth(), sh = v.strideHeight(), plane = oh * ow, gp = rows * plane, hw = h * w;
        int inWidth = v.inputSize(), end = dxOff + rows * inWidth;
        // masks [0, M): -1 for t in [kw, kw + ow), else 0; lane l of tap j's segment read from column
        // x0 − j is kept when masks[kw − j + x0 + l] is set. Then per dx row y, from starts[y] to
        // starts[y + 1]: pairs (col offset from the channel's tap (0, 0) at column x0, kw − j).
        int masks = 2 * kw + ow + L, starts = masks, taps = starts + h + 1, size = taps + 2 * kh * kw * h;
        int[] t = COL2IM_TABLES.get();
        if (t.length < size) COL2IM_TABLES.set(t = new int[size]);
        java.util.Arrays.fill(t, 0, masks, 0);
        java.util.Arrays.fill(t, kw, kw + ow, -1);
        int n = taps, maxTap = 0;
        for (int y = 0; y < h; y++) {
            t[starts + y] = n;
            for (int i = 0; i < kh; i++) {
                int a = y - i;
                if (a < 0 || a >= oh * sh || a % sh != 0) continue;
                for (int j = 0; j < kw; j++) {
                    t[n++] = (i * kw + j) * gp + a / sh * ow - j;
                    t[n++] = kw - j;
                    maxTap = Math.max(maxTap, t[n - 2]);
                }
            }
        }
        t[starts + h] = n;
        for (int e = 0; e < rows; e++)
            for (int ch = 0; ch < v.channels(); ch++) {
                int first = colOff + ch * kh * kw * gp + e * plane; // tap (0, 0), output (0, 0)
                for (int y = 0, row = dxOff + e * inWidth + ch * hw; y < h; y++, row += w)
                    for (int w0 = 0; w0 < w; w0 += L) {
                        int x0 = Math.min(w0, Math.max(0, w - L)); // the last vector may overlap the one before
                        if (row + x0 + L > end || first + x0 + maxTap + L > col.length) {
                            col2imScalar(v, col, colOff, rows, dx, e, ch, y, row, x0, Math.min(w, x0 + L));
                            continue;
                        }
                        var acc = FloatVector.zero(S);
                        for (int q = t[starts + y], last = t[starts + y + 1], at = first + x0; q < last; q += 2) {
                            var c = FloatVector.fromArray(S, col, at + t[q]).reinterpretAsInts();
                            acc = acc.add(c.and(IntVector.fromArray(I, t, t[q + 1] + x0))
                                    .reinterpretAsFloats());
                        }
                        // lanes past the row hold 0 and spill into the next row, which is stored after this one
                        acc.intoArray(dx, row + x0);
                    }
            }
    }

    /** dx[row + x] for x in [from, to): {@link LayerLoops#col2im}'s additions for those elements, in its order. */
    private static void col2imScalar(
            ImageWindow v,
            float[] col,
            int colOff,
            int rows,
            float[] dx,
            int e,
            int ch,
            int y,
            int row,
            int from,
            int to) {
        int oh = v.outHeight(), ow = v.outWidth(), kh = v.kernelHeight(), kw = v.kernelWidth(), sh = v.strideHeight();
        int plane = oh * ow, gp = rows * plane;
        for (int x = from; x < to; x++) {
            float sum = 0f;
            for (int i = 0; i < kh; i++) {
                int a = y - i;
                if (a < 0 || a % sh != 0 || a / sh >= oh) continue;
                a /= sh;
                for (int j = 0; j < kw; j++) {
                    int b = x - j;
                    if (b < 0 || b >= ow) continue;
                    sum += col[colOff + ((ch * kh + i) * kw + j) * gp + e * plane + a * ow + b];
                }
            }
            dx[row + x] = sum;
        }
    }

    /** Outputs of a 2×2 max-pool handled per chunk: the five staging arrays stay in L1. */
    private static final int POOL_CHUNK = 1024;

    /** Per-thread staging of {@link #maxPool2x2}: the four corners of each window and its first index. */
    private static final ThreadLocal<float[]> POOL_STAGE = ThreadLocal.withInitial(() -> new float[5 * POOL_CHUNK]);

    /**
     * {@link Backend#maxPool} for a 2×2 window with stride 2. A max-pool's comparisons, branchy as
     * plain Java, mispredict on real activations (half of them go either way); here each chunk of
     * outputs first has its window's four corners (top-left, top-right, bottom-left, bottom-right)
     * copied side by side, then vector compares and blends pick the winner, under {@link
     * LayerLoops#maxPool}'s rule taken in the same row-major order (a larger value or a NaN replaces
     * the maximum so far), so y and argmax are the same.
     */
    static void maxPool2x2(ImageWindow v, float[] x, int xOff, int rows, float[] y, int yOff, float[] arg, int argOff) {
        int ch = v.channels(), w = v.width(), oh = v.outHeight(), ow = v.outWidth(), hw = v.height() * w;
        int inWidth = v.inputSize(), plane = oh * ow, outWidth = ch * plane;
        float[] st = POOL_STAGE.get();
        int t0 = 0, t1 = POOL_CHUNK, b0 = 2 * POOL_CHUNK, b1 = 3 * POOL_CHUNK, at = 4 * POOL_CHUNK;
        float right = 1, below = w, diagonal = w + 1;
        // whole output rows per chunk (an output row longer than a chunk is split)
        for (int n = 0; n < rows; n++) {
            int xRow = xOff + n * inWidth;
            for (int o0 = 0; o0 < outWidth; ) {
                int count = 0, o = o0;
                while (o < outWidth && count < POOL_CHUNK) {
                    int k = o / plane, rem = o - k * plane, a = rem / ow, b = rem - a * ow;
                    int take = Math.min(ow - b, POOL_CHUNK - count);
                    int first = k * hw + 2 * a * w + 2 * b;
                    for (int q = 0; q < take; q++, count++) {
                        int src = xRow + first + 2 * q;
                        st[t0 + count] = x[src];
                        st[t1 + count] = x[src + 1];
                        st[b0 + count] = x[src + w];
                        st[b1 + count] = x[src + w + 1];
                        st[at + count] = first + 2 * q;
                    }
                    o += take;
                }
                int out = yOff + n * outWidth + o0, args = argOff + n * outWidth + o0, q = 0;
                for (int bound = S.loopBound(count); q < bound; q += L) {
                    var max = FloatVector.fromArray(S, st, t0 + q);
                    var off = FloatVector.zero(S);
                    var c = FloatVector.fromArray(S, st, t1 + q);
                    VectorMask<Float> t = c.compare(VectorOperators.GT, max).or(c.test(VectorOperators.IS_NAN));
                    max = max.blend(c, t);
                    off = off.blend(right, t);
                    c = FloatVector.fromArray(S, st, b0 + q);
                    t = c.compare(VectorOperators.GT, max).or(c.test(VectorOperators.IS_NAN));
                    max = max.blend(c, t);
                    off = off.blend(below, t);
                    c = FloatVector.fromArray(S, st, b1 + q);
                    t = c.compare(VectorOperators.GT, max).or(c.test(VectorOperators.IS_NAN));
                    max = max.blend(c, t);
                    off = off.blend(diagonal, t);
                    max.intoArray(y, out + q);
                    FloatVector.fromArray(S, st, at + q).add(off).intoArray(arg, args + q);
                }
                for (; q < count; q++) {
                    float max = st[t0 + q], off = 0;
                    float c = st[t1 + q];
                    if (c > max || Float.isNaN(c)) {
                        max = c;
                        off = right;
                    }
                    c = st[b0 + q];
                    if (c > max || Float.isNaN(c)) {
                        max = c;
                        off = below;
                    }
                    c = st[b1 + q];
                    if (c > max || Float.isNaN(c)) {
                        max = c;
                        off = diagonal;
                    }
                    y[out + q] = max;
                    arg[args + q] = st[at + q] + off;
                }
                o0 = o;
            }
        }
    }
}
