package dev.descent.backend;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
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

    /** True when {@link #im2col} and {@link #col2im} take this window: stride 1 across, no padding. */
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

    /** True when {@link #unfolding} describes the window's im2col matrix: no padding (any stride). */
    static boolean gathers(ImageWindow v) {
        return v.paddingHeight() == 0 && v.paddingWidth() == 0;
    }

    /**
     * im2col's matrix of a block as offsets into x, for a product that gathers it ({@link
     * Gemm.Product#gathered}): {@code col[r][q] = x[xOff + taps[r] + positions[q]]} for the patch's
     * taps r = (ch·kh + i)·kw + j ({@code taps[r] = ch·H·W + i·W + j}) and the block's output
     * positions q = (e·OH + a)·OW + b ({@code positions[q] = e·C·H·W + a·sh·W + b·sw}). The arrays
     * are the calling thread's, valid until its next call, and may be longer than the patch and
     * {@code rows·P}.
     */
    record Unfolding(int[] taps, int[] positions) {}

    private static final ThreadLocal<Unfolding> UNFOLDINGS =
            ThreadLocal.withInitial(() -> new Unfolding(new int[0], new int[0]));

    /** The calling thread's {@link Unfolding} of {@code rows} images through window v (with {@link #gathers}). */
    static Unfolding unfolding(ImageWindow v, int rows) {
        Unfolding u = UNFOLDINGS.get();
        int patch = v.patch(), oh = v.outHeight(), ow = v.outWidth(), w = v.width(), hw = v.height() * w;
        if (u.taps().length < patch || u.positions().length < rows * oh * ow)
            UNFOLDINGS.set(
                    u = new Unfolding(
                            new int[Math.max(patch, u.taps().length)],
                            new int[Math.max(rows * oh * ow, u.positions().length)]));
        int[] taps = u.taps(), positions = u.positions();
        int t = 0, q = 0;
        for (int ch = 0; ch < v.channels(); ch++)
            for (int i = 0; i < v.kernelHeight(); i++)
                for (int j = 0; j < v.kernelWidth(); j++) taps[t++] = ch * hw + i * w + j;
        for (int e = 0; e < rows; e++)
            for (int a = 0; a < oh; a++)
                for (int b = 0; b < ow; b++)
                    positions[q++] = e * v.inputSize() + a * v.strideHeight() * w + b * v.strideWidth();
        return u;
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
        col2im(v, col, colOff, rows, dx, dxOff, 0, rows);
    }

    /**
     * {@link #col2im} for images {@code [e0, e1)} of the rows in col: overwrites only their dx, so
     * ranges of images can run on different threads.
     */
    static void col2im(ImageWindow v, float[] col, int colOff, int rows, float[] dx, int dxOff, int e0, int e1) {
        int h = v.height(), w = v.width(), oh = v.outHeight(), ow = v.outWidth(), kh = v.kernelHeight();
        int kw = v.kernelWidth(), sh = v.strideHeight(), plane = oh * ow, gp = rows * plane, hw = h * w;
        // a vector past a row spills into the next one, stored after it: never past the range's images
        int inWidth = v.inputSize(), end = dxOff + e1 * inWidth;
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
        int cs = kh * kw * gp; // col's rows of one channel
        for (int e = e0; e < e1; e++)
            for (int ch = 0; ch < v.channels(); ch++) {
                int first = colOff + ch * cs + e * plane; // tap (0, 0), output (0, 0)
                int plane0 = dxOff + e * inWidth + ch * hw;
                // four channels at once, whole vectors only (each from the table as below)
                // (rows of L/2 or more, so that a row's spill stays within the next row)
                if (ch + 4 <= v.channels()
                        && 2 * w >= L
                        && plane0 + 4 * hw + L <= end
                        && first + 3 * cs + maxTap + w + L <= col.length) {
                    col2imFour(t, starts, h, w, hw, col, first, cs, dx, plane0);
                    ch += 3;
                    continue;
                }
                for (int y = 0, row = plane0; y < h; y++, row += w)
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

    /** Per-thread room for the first rows that {@link #col2imFour} stores again: 3 rows of L. */
    private static final ThreadLocal<float[]> FIRST_ROWS = ThreadLocal.withInitial(() -> new float[3 * L]);

    /**
     * {@link #col2im}'s vectors for four channels' planes at once (from dx[plane0], hw apart; their
     * taps from col[first], cs apart): four independent chains of additions instead of one, each
     * element's in the same order. A row narrower than a vector (but at least half one) spills into
     * the next row, which is stored after it, except that a plane's last row spills into the next
     * plane's first, stored before: those first rows are kept aside and written back (w floats each)
     * at the end. The caller checks that every whole-vector load and store lies in col and dx.
     */
    private static void col2imFour(
            int[] t, int starts, int h, int w, int hw, float[] col, int first, int cs, float[] dx, int plane0) {
        float[] firstRows = FIRST_ROWS.get();
        for (int y = 0, row = plane0; y < h; y++, row += w)
            for (int w0 = 0; w0 < w; w0 += L) {
                int x0 = Math.min(w0, Math.max(0, w - L)); // the last vector may overlap the one before
                var acc0 = FloatVector.zero(S);
                var acc1 = FloatVector.zero(S);
                var acc2 = FloatVector.zero(S);
                var acc3 = FloatVector.zero(S);
                for (int q = t[starts + y], last = t[starts + y + 1], at = first + x0; q < last; q += 2) {
                    var m = IntVector.fromArray(I, t, t[q + 1] + x0);
                    int c = at + t[q];
                    acc0 = acc0.add(FloatVector.fromArray(S, col, c)
                            .reinterpretAsInts()
                            .and(m)
                            .reinterpretAsFloats());
                    acc1 = acc1.add(FloatVector.fromArray(S, col, c + cs)
                            .reinterpretAsInts()
                            .and(m)
                            .reinterpretAsFloats());
                    acc2 = acc2.add(FloatVector.fromArray(S, col, c + 2 * cs)
                            .reinterpretAsInts()
                            .and(m)
                            .reinterpretAsFloats());
                    acc3 = acc3.add(FloatVector.fromArray(S, col, c + 3 * cs)
                            .reinterpretAsInts()
                            .and(m)
                            .reinterpretAsFloats());
                }
                acc0.intoArray(dx, row + x0);
                acc1.intoArray(dx, row + hw + x0);
                acc2.intoArray(dx, row + 2 * hw + x0);
                acc3.intoArray(dx, row + 3 * hw + x0);
                if (y == 0 && w < L) {
                    acc1.intoArray(firstRows, 0);
                    acc2.intoArray(firstRows, L);
                    acc3.intoArray(firstRows, 2 * L);
                }
            }
        if (w < L) for (int k = 1; k < 4; k++) System.arraycopy(firstRows, (k - 1) * L, dx, plane0 + k * hw, w);
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

    /** Lane shuffles of {@link #maxPool2x2}: the even (odd) lanes of two vectors, taken as their two halves. */
    private static final VectorShuffle<Float> EVEN, ODD;

    /** The upper half of the lanes. */
    private static final VectorMask<Float> HIGH;

    /** 0, 2, 4, …: each output lane's offset, in input columns, from its row's first window. */
    private static final float[] TWICE = new float[L];

    /**
     * Lane shuffles of {@link #maxPool2x2PairedRows}: from {@code [a, b, c, d]} (quarters of a
     * vector), {@code [a, c, ·, ·]} in the low half and {@code [·, ·, a, c]} in the high; {@code
     * [b, d, ·, ·]} and {@code [·, ·, b, d]}.
     */
    private static final VectorShuffle<Float> FIRST_AND_THIRD, SECOND_AND_FOURTH;

    /** Each output lane's window in {@link #maxPool2x2PairedRows}: input offset from its first row pair's. */
    private static final float[] PAIRED_FIRSTS = new float[L];

    static {
        int[] even = new int[L], odd = new int[L], firstThird = new int[L], secondFourth = new int[L];
        boolean[] high = new boolean[L];
        int q = L / 4;
        for (int i = 0; i < L; i++) {
            even[i] = 2 * i % L;
            odd[i] = (2 * i + 1) % L;
            high[i] = i >= L / 2;
            TWICE[i] = 2 * i;
            int group = i % (L / 2) / q, lane = i % q; // the quarter of its half, the lane in it
            firstThird[i] = 2 * group * q + lane;
            secondFourth[i] = (2 * group + 1) * q + lane;
            PAIRED_FIRSTS[i] = i / q * L + 2 * (i % q);
        }
        EVEN = VectorShuffle.fromArray(S, even, 0);
        ODD = VectorShuffle.fromArray(S, odd, 0);
        HIGH = VectorMask.fromArray(S, high, 0);
        FIRST_AND_THIRD = VectorShuffle.fromArray(S, firstThird, 0);
        SECOND_AND_FOURTH = VectorShuffle.fromArray(S, secondFourth, 0);
    }

    /**
     * {@link Backend#maxPool} for a 2×2 window with stride 2. A max-pool's comparisons, branchy as
     * plain Java, mispredict on real activations (half of them go either way); here a vector of
     * outputs along an output row reads two vectors of each of its two input rows, takes their even
     * lanes (the windows' left columns) and odd lanes (right columns) by lane shuffles, and vector
     * compares and blends pick the winner under {@link LayerLoops#maxPool}'s rule taken in the same
     * row-major order (a larger value or a NaN replaces the maximum so far), so y and argmax are the
     * same. A row shorter than a vector is stored as a whole vector whose tail spills into the next
     * row, stored after it; rows too close to an array's end for whole vectors go output by output.
     */
    static void maxPool2x2(ImageWindow v, float[] x, int xOff, int rows, float[] y, int yOff, float[] arg, int argOff) {
        if (2 * v.width() == L && v.height() % 2 == 0 && v.channels() * v.outHeight() >= 4) {
            maxPool2x2PairedRows(v, x, xOff, rows, y, yOff, arg, argOff);
            return;
        }
        int ch = v.channels(), w = v.width(), oh = v.outHeight(), ow = v.outWidth(), hw = v.height() * w;
        int inWidth = v.inputSize(), outWidth = ch * oh * ow, yEnd = yOff + rows * outWidth;
        int argEnd = argOff + rows * outWidth;
        float right = 1, below = w, diagonal = w + 1;
        var twice = FloatVector.fromArray(S, TWICE, 0);
        for (int n = 0; n < rows; n++)
            for (int k = 0; k < ch; k++)
                for (int a = 0; a < oh; a++) {
                    int first = k * hw + 2 * a * w, src = xOff + n * inWidth + first;
                    int o = n * outWidth + (k * oh + a) * ow;
                    for (int b0 = 0; b0 < ow; b0 += L) {
                        int b = Math.min(b0, Math.max(0, ow - L)); // the last vector may overlap the one before
                        int s = src + 2 * b;
                        if (s + w + 2 * L > x.length || yOff + o + b + L > yEnd || argOff + o + b + L > argEnd) {
                            for (int q = b; q < Math.min(ow, b + L); q++)
                                maxPoolOne(x, src + 2 * q, w, y, yOff + o + q, arg, argOff + o + q, first + 2 * q);
                            continue;
                        }
                        var t0 = FloatVector.fromArray(S, x, s);
                        var t1 = FloatVector.fromArray(S, x, s + L);
                        var u0 = FloatVector.fromArray(S, x, s + w);
                        var u1 = FloatVector.fromArray(S, x, s + w + L);
                        var max = t0.rearrange(EVEN).blend(t1.rearrange(EVEN), HIGH);
                        var off = FloatVector.zero(S);
                        var c = t0.rearrange(ODD).blend(t1.rearrange(ODD), HIGH);
                        // c ≠ c: NaN lanes (test(IS_NAN) reinterprets lanes, which C2 boxed on JDK 17 here)
                        VectorMask<Float> t = c.compare(VectorOperators.GT, max).or(c.compare(VectorOperators.NE, c));
                        max = max.blend(c, t);
                        off = off.blend(right, t);
                        c = u0.rearrange(EVEN).blend(u1.rearrange(EVEN), HIGH);
                        t = c.compare(VectorOperators.GT, max).or(c.compare(VectorOperators.NE, c));
                        max = max.blend(c, t);
                        off = off.blend(below, t);
                        c = u0.rearrange(ODD).blend(u1.rearrange(ODD), HIGH);
                        t = c.compare(VectorOperators.GT, max).or(c.compare(VectorOperators.NE, c));
                        max = max.blend(c, t);
                        off = off.blend(diagonal, t);
                        max.intoArray(y, yOff + o + b);
                        twice.add(first + 2 * b).add(off).intoArray(arg, argOff + o + b);
                    }
                }
    }

    /**
     * {@link #maxPool2x2} for images whose rows are half a vector (W = L/2) and of even height: each
     * vector of x is then one row pair of windows (the top row, then the bottom one), an output row
     * of L/4 windows, and a plane's row pairs follow the previous plane's. Four such vectors give L
     * outputs at once instead of L/4 (the outputs of consecutive rows are side by side in y too):
     * their windows' four corners are gathered by lane shuffles (even and odd lanes, then the first
     * and third or second and fourth quarters), and compared and blended in the same order under the
     * same rule as in {@link #maxPool2x2}, so the same y and argmax. An image's last group of four
     * overlaps the one before it when its row pairs are not a multiple of four. The compare-and-blend
     * chain repeats {@link #maxPool2x2}'s on purpose: a helper taking the vectors would box them
     * wherever C2 does not inline it.
     */
    private static void maxPool2x2PairedRows(
            ImageWindow v, float[] x, int xOff, int rows, float[] y, int yOff, float[] arg, int argOff) {
        int pairs = v.channels() * v.outHeight(), q = L / 4, inWidth = v.inputSize(), outWidth = pairs * q;
        float right = 1, below = L / 2, diagonal = L / 2 + 1;
        var firsts = FloatVector.fromArray(S, PAIRED_FIRSTS, 0);
        for (int n = 0; n < rows; n++)
            for (int p0 = 0; p0 < pairs; p0 += 4) {
                int p = Math.min(p0, pairs - 4), src = xOff + n * inWidth + p * L, out = n * outWidth + p * q;
                var v0 = FloatVector.fromArray(S, x, src);
                var v1 = FloatVector.fromArray(S, x, src + L);
                var v2 = FloatVector.fromArray(S, x, src + 2 * L);
                var v3 = FloatVector.fromArray(S, x, src + 3 * L);
                // per row pair, quarters [top-left, bottom-left, top-left, bottom-left] of two pairs
                var left01 = v0.rearrange(EVEN).blend(v1.rearrange(EVEN), HIGH);
                var left23 = v2.rearrange(EVEN).blend(v3.rearrange(EVEN), HIGH);
                var right01 = v0.rearrange(ODD).blend(v1.rearrange(ODD), HIGH);
                var right23 = v2.rearrange(ODD).blend(v3.rearrange(ODD), HIGH);
                var max = left01.rearrange(FIRST_AND_THIRD).blend(left23.rearrange(FIRST_AND_THIRD), HIGH);
                var off = FloatVector.zero(S);
                var c = right01.rearrange(FIRST_AND_THIRD).blend(right23.rearrange(FIRST_AND_THIRD), HIGH);
                VectorMask<Float> t = c.compare(VectorOperators.GT, max).or(c.compare(VectorOperators.NE, c));
                max = max.blend(c, t);
                off = off.blend(right, t);
                c = left01.rearrange(SECOND_AND_FOURTH).blend(left23.rearrange(SECOND_AND_FOURTH), HIGH);
                t = c.compare(VectorOperators.GT, max).or(c.compare(VectorOperators.NE, c));
                max = max.blend(c, t);
                off = off.blend(below, t);
                c = right01.rearrange(SECOND_AND_FOURTH).blend(right23.rearrange(SECOND_AND_FOURTH), HIGH);
                t = c.compare(VectorOperators.GT, max).or(c.compare(VectorOperators.NE, c));
                max = max.blend(c, t);
                off = off.blend(diagonal, t);
                max.intoArray(y, yOff + out);
                firsts.add(p * L).add(off).intoArray(arg, argOff + out);
            }
    }

    /** One output of {@link #maxPool2x2}, the window's top-left at x[s] (index {@code first} in its row). */
    private static void maxPoolOne(float[] x, int s, int w, float[] y, int yAt, float[] arg, int argAt, int first) {
        float max = x[s], off = 0;
        float c = x[s + 1];
        if (c > max || Float.isNaN(c)) {
            max = c;
            off = 1;
        }
        c = x[s + w];
        if (c > max || Float.isNaN(c)) {
            max = c;
            off = w;
        }
        c = x[s + w + 1];
        if (c > max || Float.isNaN(c)) {
            max = c;
            off = w + 1;
        }
        y[yAt] = max;
        arg[argAt] = first + off;
    }
}
