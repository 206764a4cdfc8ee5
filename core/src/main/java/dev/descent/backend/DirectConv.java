package dev.descent.backend;

import java.util.Arrays;
import java.util.function.IntConsumer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link SimdBackend}'s direct convolution for a small patch (a first layer: few input channels),
 * where im2col's product has a short k and is bound by the unfolding, the packing of its B and C's
 * traffic: MNIST's 1→16 5×5 convolution (k = 25) ran at 53 GFLOP/s forward and 35 for the weight
 * gradient, plus the unfolding and the channel-major scatter and gather.
 *
 * <p>Nothing is unfolded or packed. Every tap (ch, i, j) of a vector of outputs from (a, b) along an
 * output row is one vector load of x at {@code (a·W + b) + (ch·H·W + i·W + j)}.
 *
 * <ul>
 *   <li>{@link #forward}: four channels × four position vectors per register tile, summed over the
 *       taps in order with FMA from zero and stored into y's NCHW rows, then the bias added by a
 *       plain loop: the same operations as the im2col product's (k in order) and its scatter, so
 *       the same bits.
 *   <li>{@link #weightGradient}: four channels × five taps per register tile, accumulated over each
 *       image's output plane read as whole vectors of consecutive positions (a vector that spans
 *       two output rows takes its x as two loads and a blend, once per image by {@link #join}; a
 *       plane that is not a whole number of vectors ends with one that overlaps the vector
 *       before, its repeated lanes of dy zeroed), while the image's x and dy planes sit in L1;
 *       then the bias sums. Each sum's lanes
 *       are added in lane order at the end of the call ({@link SimdBackend#lanesSum}), so dW
 *       differs from the product's only in rounding.
 * </ul>
 *
 * <p>Both split over the threads (forward by images, the weight gradient by groups of four
 * channels), each element computed as on one thread: the same bits on any thread count. Four
 * channels a forward tile beat two even with AVX2's 16 registers (1.17× there, 1.29× with
 * AVX-512's 32), as each x load then serves four FMAs; so does the weight gradient's (see {@link
 * #runsTile}). The two kernels' tiles have the same shape (a
 * load, then FMAs into named accumulators) on purpose: a helper taking the vectors would box them
 * where C2 does not inline it.
 *
 * <p>Against the composition in one JVM (MNIST's first layer, batch 64, medians of 21 alternating
 * rounds, 1 thread): forward 941 → 512 µs, weight and bias gradients 1,128 → 959 (813 → 363 and
 * 1,113 → 594 in a quieter hour with four channels in both tiles). On the 16→32 second layer (k =
 * 400) a direct form lost to the product (forward 0.83×, weight gradient 0.48×), hence {@link
 * #MAX_PATCH}.
 */
final class DirectConv {
    private DirectConv() {}

    private static final VectorSpecies<Float> S = SimdBackend.S;
    private static final int L = S.length();
    /** 0, 1, …, L − 1: the lane numbers, whose comparisons give {@link #splitsTile}'s blends. */
    private static final FloatVector LANES;

    static {
        float[] lanes = new float[L];
        for (int i = 0; i < L; i++) lanes[i] = i;
        LANES = FloatVector.fromArray(S, lanes, 0);
    }

    /** Patches (input channels × kernel taps) below this run direct; larger ones keep im2col's product. */
    static final int MAX_PATCH = 64;

    /** Position vectors per register tile of {@link #forward}. */
    private static final int POSITIONS = 4;

    /** Taps per register tile of {@link #weightGradient}: a 5-wide kernel row, no tap wasted. */
    private static final int TAPS = 5;

    /** Floats of {@link Call#sums} per group of four channels and tap tile: 20 vectors. */
    private static final int TILE_SUMS = 4 * TAPS * L;

    /** Multiply-adds below which a call stays on the calling thread. */
    private static final long SPLIT_MIN = 1 << 20;

    /**
     * True for windows this class computes: stride 1, no padding, a patch below {@link #MAX_PATCH}
     * and output rows at least a vector wide.
     */
    static boolean applies(ImageWindow v) {
        return v.strideHeight() == 1
                && v.strideWidth() == 1
                && v.paddingHeight() == 0
                && v.paddingWidth() == 0
                && v.patch() < MAX_PATCH
                && v.outWidth() >= L;
    }

    /**
     * One call's operands and tables, reused by its calling thread (no allocation per call); the
     * pool's workers read it while they run the call's tasks.
     */
    private static final class Call implements IntConsumer {
        /**
         * The patch's tap offsets in an input row ({@code ch·H·W + i·W + j}), then, for the forward,
         * per position vector (each output row's vectors in row order, the last one overlapping the
         * one before when the row is not a whole number of vectors) two ints: its offset in an input
         * plane ({@code a·W + b}) and in an output plane ({@code a·OW + b}); the list is padded to
         * whole tiles by repeating the last vector.
         */
        int[] table = new int[0];
        /**
         * The weight gradient's whole vectors of an output plane (positions {@code [q·L, q·L + L)})
         * that lie in one output row, two ints each: the offset of the first in an input plane
         * ({@code a·W + b}) and in an output plane ({@code q·L}).
         */
        int[] runs = new int[0];
        /**
         * Those that continue on the next output row, four ints each: the input-plane offset of the
         * first, that of the next row's first minus the lanes before it ({@code (a + 1)·W − r}), the
         * output-plane offset, and r, the first lane on the next row.
         */
        int[] splits = new int[0];
        /**
         * When the plane is not a whole number of vectors: its last vector, from {@code plane − L},
         * which lies in the last output row, as a split whose second load lends no lane (r = L), its
         * output-plane offset 0 in {@link #lastDy}.
         */
        final int[] overlap = new int[4];
        /**
         * That vector's dy per channel (L floats each, from {@code channel·L}), with the lanes the
         * whole vectors already cover set to 0; refilled per image and group.
         */
        float[] lastDy = new float[0];
        /** Per group of four channels: each tap tile's 20 sums, then the four bias sums, L lanes each. */
        float[] sums = new float[0];
        /**
         * For {@link #weightGradientThroughMaxPool}: one image's dy, {@code [out][plane]}, each group of
         * four channels spread from the pool's gradient just before its tiles read it (so the groups
         * the threads take apart never share a float).
         */
        float[] spread = new float[0];
        /** The pool's gradient and argmax, and the floats of one image of them, when dy comes from a pool. */
        float[] pooled, argmax;

        int pooledOff, argmaxOff, pooledWidth;
        boolean throughPool;

        ImageWindow v;
        boolean gradient;
        int out, rows, taps, listed, tiles, tasks, nRuns, nSplits, whole, covered;
        float[] x, w, bias, y;
        int xOff, wOff, biasOff, yOff;

        void prepare(ImageWindow v, int out, int rows, boolean gradient, int threads) {
            this.v = v;
            this.out = out;
            this.rows = rows;
            this.gradient = gradient;
            int oh = v.outHeight(), ow = v.outWidth(), width = v.width(), hw = v.height() * width;
            int perRow = (ow + L - 1) / L;
            taps = v.patch();
            tiles = (taps + TAPS - 1) / TAPS;
            int vectors = oh * perRow;
            listed = gradient ? 0 : (vectors + POSITIONS - 1) / POSITIONS * POSITIONS;
            int size = taps + 2 * listed;
            if (table.length < size) table = new int[size];
            int t = 0;
            for (int ch = 0; ch < v.channels(); ch++)
                for (int i = 0; i < v.kernelHeight(); i++)
                    for (int j = 0; j < v.kernelWidth(); j++) table[t++] = ch * hw + i * width + j;
            if (gradient) listWholeVectors(v);
            else {
                for (int a = 0; a < oh; a++)
                    for (int c = 0; c < perRow; c++) {
                        int b = Math.min(c * L, ow - L);
                        table[t++] = a * width + b;
                        table[t++] = a * ow + b;
                    }
                for (; t < size; t += 2) System.arraycopy(table, t - 2, table, t, 2);
            }
            long work = (long) rows * out * v.plane() * taps;
            tasks = work < SPLIT_MIN ? 1 : Math.max(1, Math.min(threads, gradient ? (out + 3) / 4 : rows));
        }

        /**
         * Fills {@link #runs}, {@link #splits} and {@link #overlap} for the weight gradient: the plane
         * (OH·OW positions in row order) as whole vectors, each lying in one output row or two
         * (OW ≥ L, see {@link #applies}).
         */
        private void listWholeVectors(ImageWindow v) {
            int ow = v.outWidth(), width = v.width(), plane = v.plane();
            whole = plane / L;
            if (runs.length < 2 * whole) runs = new int[2 * whole];
            if (splits.length < 4 * whole) splits = new int[4 * whole];
            nRuns = nSplits = 0;
            for (int q = 0; q < whole; q++) {
                int p = q * L, a = p / ow, b = p % ow, r = ow - b;
                if (r >= L) {
                    runs[2 * nRuns] = a * width + b;
                    runs[2 * nRuns + 1] = p;
                    nRuns++;
                } else {
                    int at = 4 * nSplits++;
                    splits[at] = a * width + b;
                    splits[at + 1] = (a + 1) * width - r;
                    splits[at + 2] = p;
                    splits[at + 3] = r;
                }
            }
            covered = whole * L - (plane - L); // lanes of the overlapping last vector already summed
            // the last L positions lie in the last output row (OW ≥ L): a split with nothing on a next row
            overlap[0] = overlap[1] = (v.outHeight() - 1) * width + ow - L;
            overlap[2] = 0;
            overlap[3] = L;
            if (whole * L < plane && lastDy.length < out * L) lastDy = new float[out * L];
        }

        /** Floats of {@link #sums} per group of four channels: the tap tiles' sums, then the bias sums. */
        int groupSums() {
            return tiles * TILE_SUMS + 4 * L;
        }

        void run() {
            try {
                Workers.forEach(tasks, this);
            } finally {
                x = w = bias = y = pooled = argmax = null;
                v = null;
                throughPool = false;
            }
        }

        /** Image e's first dy element in {@link #y}: its rows, or the spread image from a pool. */
        int dyBase(int e) {
            return throughPool ? 0 : yOff + e * out * v.plane();
        }

        @Override
        public void accept(int t) {
            if (gradient) {
                int groups = (out + 3) / 4;
                int g0 = (int) ((long) groups * t / tasks), g1 = (int) ((long) groups * (t + 1) / tasks);
                boolean partial = whole * L < v.plane();
                float[] joined = JOINED.get();
                int size = (nSplits + 1) * taps * L;
                if (joined.length < size) JOINED.set(joined = new float[size]);
                for (int e = 0; e < rows; e++) {
                    join(this, e, joined, partial);
                    for (int g = g0; g < g1; g++) {
                        if (throughPool) spread(this, e, 4 * g);
                        if (partial) fillLastDy(this, e, 4 * g);
                        for (int k = 0; k < taps; k += TAPS) {
                            runsTile(this, e, 4 * g, k);
                            splitsTile(this, joined, e, 4 * g, k, false);
                            if (partial) splitsTile(this, joined, e, 4 * g, k, true);
                        }
                        biasSums(this, e, 4 * g);
                    }
                }
            } else {
                int e0 = (int) ((long) rows * t / tasks), e1 = (int) ((long) rows * (t + 1) / tasks);
                for (int e = e0; e < e1; e++)
                    for (int o = 0; o < out; o += 4) {
                        for (int q = 0; q < listed; q += POSITIONS) forwardTile(this, e, o, taps + 2 * q);
                        addBias(this, e, o);
                    }
            }
        }
    }

    private static final ThreadLocal<Call> CALLS = ThreadLocal.withInitial(Call::new);

    /**
     * A thread's x of one image along the vectors that span two output rows ({@link Call#splits},
     * then {@link Call#overlap}), joined: {@code [vector][tap][L]} (see {@link #join}).
     */
    private static final ThreadLocal<float[]> JOINED = ThreadLocal.withInitial(() -> new float[0]);

    /**
     * Image e's x at every tap of the vectors that span two output rows, and of the overlapping
     * last vector when the plane has one, into joined: each one load per row and a blend at the
     * lane where the next row starts, once per image instead of once per group of four channels
     * and tap tile in {@link #splitsTile}. Reads x; overwrites those vectors of joined.
     */
    private static void join(Call c, int e, float[] joined, boolean partial) {
        int[] t = c.table;
        float[] x = c.x;
        int taps = c.taps, xb = c.xOff + e * c.v.inputSize();
        for (int q = 0, n = c.nSplits + (partial ? 1 : 0); q < n; q++) {
            int[] r = q < c.nSplits ? c.splits : c.overlap;
            int at = q < c.nSplits ? 4 * q : 0, p = xb + r[at], p2 = xb + r[at + 1], lane = r[at + 3];
            for (int k = 0; k < taps; k++) {
                VectorMask<Float> next = LANES.compare(VectorOperators.GE, lane);
                FloatVector.fromArray(S, x, p + t[k])
                        .blend(FloatVector.fromArray(S, x, p2 + t[k]), next)
                        .intoArray(joined, (q * taps + k) * L);
            }
        }
    }

    /**
     * {@link Backend#convolution} for a window that {@link #applies}: y's rows {@code [out, OH, OW]}
     * (from yOff) for {@code rows} images of x (from xOff), with {@code w [out, patch]} and bias.
     * Reads x, w and bias; overwrites those rows of y.
     */
    static void forward(
            ImageWindow v,
            int out,
            float[] x,
            int xOff,
            int rows,
            float[] w,
            int wOff,
            float[] bias,
            int biasOff,
            float[] y,
            int yOff,
            int threads) {
        Call c = CALLS.get();
        c.prepare(v, out, rows, false, threads);
        c.x = x;
        c.xOff = xOff;
        c.w = w;
        c.wOff = wOff;
        c.bias = bias;
        c.biasOff = biasOff;
        c.y = y;
        c.yOff = yOff;
        c.run();
    }

    /**
     * The weight and bias gradients of {@link #forward}: adds {@code dY·colᵀ} into {@code grad[dwOff,
     * dwOff + out·patch)} and each channel's sum of dy into {@code grad[dbOff, dbOff + out)}, for
     * dy's {@code rows} NCHW rows (from dyOff). Reads x and dy; adds into those gradients.
     */
    static void weightGradient(
            ImageWindow v,
            int out,
            float[] x,
            int xOff,
            int rows,
            float[] dy,
            int dyOff,
            float[] grad,
            int dwOff,
            int dbOff,
            int threads) {
        Call c = CALLS.get();
        c.prepare(v, out, rows, true, threads);
        c.y = dy;
        c.yOff = dyOff;
        sumGradients(c, x, xOff, grad, dwOff, dbOff);
    }

    /**
     * {@link #weightGradient} for a convolution whose output a max-pool took, from the pool's
     * gradient: dy is 0 but at each pool window's argmax, where it is the window's gradient (summed
     * where windows overlap), as {@link Backend#maxPoolBackward} writes it. Each image's dy is spread
     * from {@code dPooled} and {@code argmax} ({@code pooledWidth} floats an image, the argmax an
     * offset in the image's convolution output) a group of four channels at a time, into a buffer
     * that stays in L1, just before that group's tiles read it: the same values as the pool's
     * backward, so the same bits, without writing the batch's dy (2.4 MB for MNIST's first layer)
     * through to L3 and reading it back. Reads x, dPooled and argmax; adds into those gradients.
     */
    static void weightGradientThroughMaxPool(
            ImageWindow v,
            int out,
            float[] x,
            int xOff,
            int rows,
            int pooledWidth,
            float[] dPooled,
            int dPooledOff,
            float[] argmax,
            int argmaxOff,
            float[] grad,
            int dwOff,
            int dbOff,
            int threads) {
        Call c = CALLS.get();
        c.prepare(v, out, rows, true, threads);
        if (c.spread.length < out * v.plane()) c.spread = new float[out * v.plane()];
        c.y = c.spread;
        c.yOff = 0;
        c.throughPool = true;
        c.pooled = dPooled;
        c.pooledOff = dPooledOff;
        c.argmax = argmax;
        c.argmaxOff = argmaxOff;
        c.pooledWidth = pooledWidth;
        sumGradients(c, x, xOff, grad, dwOff, dbOff);
    }

    /** Runs the prepared gradient call c over x and adds its sums into dW and the bias gradient. */
    private static void sumGradients(Call c, float[] x, int xOff, float[] grad, int dwOff, int dbOff) {
        c.x = x;
        c.xOff = xOff;
        int out = c.out, groups = (out + 3) / 4, perGroup = c.groupSums(), taps = c.taps;
        if (c.sums.length < groups * perGroup) c.sums = new float[groups * perGroup];
        float[] sums = c.sums;
        Arrays.fill(sums, 0, groups * perGroup, 0f);
        c.run();
        for (int o = 0; o < out; o++) {
            int base = o / 4 * perGroup, r = o % 4;
            for (int t = 0; t < taps; t++)
                grad[dwOff + o * taps + t] +=
                        SimdBackend.lanesSum(sums, base + t / TAPS * TILE_SUMS + (r * TAPS + t % TAPS) * L);
            grad[dbOff + o] += SimdBackend.lanesSum(sums, base + c.tiles * TILE_SUMS + r * L);
        }
    }

    /**
     * One register tile: image e's output channels o to o + 3 (the last one again past the end) at
     * the four position vectors from {@code table[q]}, their sums of products stored into y ({@link
     * #addBias} adds the bias once the group's tiles are done).
     *
     * <p>One tile a call, as {@link Gemm}'s kernel, so no loop around tiles holds vectors where the
     * JIT may compile it on-stack-replaced (such compiles of the earlier per-image kernels were 5–8
     * times the size of the standard ones). And no vector operation but the 16 FMAs: C2 adds up the
     * class-check trap counts of every method it inlines into one compile, and each vector
     * operation inlines the JVM-wide {@code VectorOperators.ImplCache.find} and a {@code
     * lanewiseTemplate}, whose profiles gather traps from all the code that ran before. Past {@code
     * -XX:PerMethodTrapLimit} (100) the later operations' type checks compile as calls and their
     * vectors are boxed. With the bias added here (16 more additions, 4 + 2 traps each) the count
     * reached 128 in one full test run in ten (and in CI), and the tile boxed five vectors a call
     * (0.37 MB a CNN step); the FMAs alone count 16 × find's traps (0–2 seen).
     */
    private static void forwardTile(Call c, int e, int o, int q) {
        int[] t = c.table;
        float[] x = c.x, w = c.w, y = c.y;
        int taps = c.taps, plane = c.v.plane(), om = c.out - 1;
        int o1 = Math.min(o + 1, om), o2 = Math.min(o + 2, om), o3 = Math.min(o + 3, om);
        int xb = c.xOff + e * c.v.inputSize(), yb = c.yOff + e * c.out * plane;
        int w0 = c.wOff + o * taps, w1 = c.wOff + o1 * taps, w2 = c.wOff + o2 * taps, w3 = c.wOff + o3 * taps;
        int y0 = yb + o * plane, y1 = yb + o1 * plane, y2 = yb + o2 * plane, y3 = yb + o3 * plane;
        int p0 = xb + t[q], p1 = xb + t[q + 2], p2 = xb + t[q + 4], p3 = xb + t[q + 6];
        var a00 = FloatVector.zero(S);
        var a01 = FloatVector.zero(S);
        var a02 = FloatVector.zero(S);
        var a03 = FloatVector.zero(S);
        var a10 = FloatVector.zero(S);
        var a11 = FloatVector.zero(S);
        var a12 = FloatVector.zero(S);
        var a13 = FloatVector.zero(S);
        var a20 = FloatVector.zero(S);
        var a21 = FloatVector.zero(S);
        var a22 = FloatVector.zero(S);
        var a23 = FloatVector.zero(S);
        var a30 = FloatVector.zero(S);
        var a31 = FloatVector.zero(S);
        var a32 = FloatVector.zero(S);
        var a33 = FloatVector.zero(S);
        for (int k = 0; k < taps; k++) {
            int d = t[k];
            var wa = FloatVector.broadcast(S, w[w0 + k]);
            var wb = FloatVector.broadcast(S, w[w1 + k]);
            var wc = FloatVector.broadcast(S, w[w2 + k]);
            var wd = FloatVector.broadcast(S, w[w3 + k]);
            var v = FloatVector.fromArray(S, x, p0 + d);
            a00 = v.fma(wa, a00);
            a10 = v.fma(wb, a10);
            a20 = v.fma(wc, a20);
            a30 = v.fma(wd, a30);
            v = FloatVector.fromArray(S, x, p1 + d);
            a01 = v.fma(wa, a01);
            a11 = v.fma(wb, a11);
            a21 = v.fma(wc, a21);
            a31 = v.fma(wd, a31);
            v = FloatVector.fromArray(S, x, p2 + d);
            a02 = v.fma(wa, a02);
            a12 = v.fma(wb, a12);
            a22 = v.fma(wc, a22);
            a32 = v.fma(wd, a32);
            v = FloatVector.fromArray(S, x, p3 + d);
            a03 = v.fma(wa, a03);
            a13 = v.fma(wb, a13);
            a23 = v.fma(wc, a23);
            a33 = v.fma(wd, a33);
        }
        int q0 = t[q + 1], q1 = t[q + 3], q2 = t[q + 5], q3 = t[q + 7];
        a00.intoArray(y, y0 + q0);
        a01.intoArray(y, y0 + q1);
        a02.intoArray(y, y0 + q2);
        a03.intoArray(y, y0 + q3);
        a10.intoArray(y, y1 + q0);
        a11.intoArray(y, y1 + q1);
        a12.intoArray(y, y1 + q2);
        a13.intoArray(y, y1 + q3);
        a20.intoArray(y, y2 + q0);
        a21.intoArray(y, y2 + q1);
        a22.intoArray(y, y2 + q2);
        a23.intoArray(y, y2 + q3);
        a30.intoArray(y, y3 + q0);
        a31.intoArray(y, y3 + q1);
        a32.intoArray(y, y3 + q2);
        a33.intoArray(y, y3 + q3);
    }

    /**
     * One register tile of the gradient sums: image e's share for channels o to o + 3 (clamped to
     * the last channel, whose repeated sums go unused) and the five taps from k (the last tile
     * repeating the last tap), over the plane's whole vectors that lie in one output row ({@link
     * Call#runs}), added to {@link Call#sums} in the rows of o's group. One x load serves four FMAs.
     *
     * <p>One tile a call, and no vector operation but loads, stores and the 20 FMAs (see {@link
     * #forwardTile} on C2's per-compile trap budget); vectors spanning two rows have their own
     * method ({@link #splitsTile}). Against the two-channel, six-tap tile over each row's vectors
     * (the last one overlapping, its dy masked by a multiplication) that this replaced, on MNIST's
     * first layer (batch 64, alternating JVMs, 2026-12-07, Zen 4): 487–490 µs against 727–769 on
     * one thread with 16 lanes; with 8 ({@code -XX:UseAVX=2}, where 24-wide rows are whole vectors
     * and the 20 accumulators spill from 16 registers) 696–702 against 667–684.
     */
    private static void runsTile(Call c, int e, int o, int k) {
        int[] t = c.table;
        float[] x = c.x, sums = c.sums;
        int taps = c.taps, last = taps - 1;
        int xb = c.xOff + e * c.v.inputSize();
        int s = o / 4 * c.groupSums() + k / TAPS * TILE_SUMS;
        int d0 = t[k], d1 = t[Math.min(k + 1, last)], d2 = t[Math.min(k + 2, last)];
        int d3 = t[Math.min(k + 3, last)], d4 = t[Math.min(k + 4, last)];
        int plane = c.v.plane(), om = c.out - 1, yb = c.dyBase(e);
        int y0 = yb + o * plane, y1 = yb + Math.min(o + 1, om) * plane;
        int y2 = yb + Math.min(o + 2, om) * plane, y3 = yb + Math.min(o + 3, om) * plane;
        int[] r = c.runs;
        float[] dy = c.y;
        var a00 = FloatVector.fromArray(S, sums, s + 0 * L);
        var a01 = FloatVector.fromArray(S, sums, s + 1 * L);
        var a02 = FloatVector.fromArray(S, sums, s + 2 * L);
        var a03 = FloatVector.fromArray(S, sums, s + 3 * L);
        var a04 = FloatVector.fromArray(S, sums, s + 4 * L);
        var a10 = FloatVector.fromArray(S, sums, s + 5 * L);
        var a11 = FloatVector.fromArray(S, sums, s + 6 * L);
        var a12 = FloatVector.fromArray(S, sums, s + 7 * L);
        var a13 = FloatVector.fromArray(S, sums, s + 8 * L);
        var a14 = FloatVector.fromArray(S, sums, s + 9 * L);
        var a20 = FloatVector.fromArray(S, sums, s + 10 * L);
        var a21 = FloatVector.fromArray(S, sums, s + 11 * L);
        var a22 = FloatVector.fromArray(S, sums, s + 12 * L);
        var a23 = FloatVector.fromArray(S, sums, s + 13 * L);
        var a24 = FloatVector.fromArray(S, sums, s + 14 * L);
        var a30 = FloatVector.fromArray(S, sums, s + 15 * L);
        var a31 = FloatVector.fromArray(S, sums, s + 16 * L);
        var a32 = FloatVector.fromArray(S, sums, s + 17 * L);
        var a33 = FloatVector.fromArray(S, sums, s + 18 * L);
        var a34 = FloatVector.fromArray(S, sums, s + 19 * L);
        for (int q = 0, end = 2 * c.nRuns; q < end; q += 2) {
            int p = xb + r[q], yq = r[q + 1];
            var u0 = FloatVector.fromArray(S, dy, y0 + yq);
            var u1 = FloatVector.fromArray(S, dy, y1 + yq);
            var u2 = FloatVector.fromArray(S, dy, y2 + yq);
            var u3 = FloatVector.fromArray(S, dy, y3 + yq);
            FloatVector v;
            v = FloatVector.fromArray(S, x, p + d0);
            a00 = v.fma(u0, a00);
            a10 = v.fma(u1, a10);
            a20 = v.fma(u2, a20);
            a30 = v.fma(u3, a30);
            v = FloatVector.fromArray(S, x, p + d1);
            a01 = v.fma(u0, a01);
            a11 = v.fma(u1, a11);
            a21 = v.fma(u2, a21);
            a31 = v.fma(u3, a31);
            v = FloatVector.fromArray(S, x, p + d2);
            a02 = v.fma(u0, a02);
            a12 = v.fma(u1, a12);
            a22 = v.fma(u2, a22);
            a32 = v.fma(u3, a32);
            v = FloatVector.fromArray(S, x, p + d3);
            a03 = v.fma(u0, a03);
            a13 = v.fma(u1, a13);
            a23 = v.fma(u2, a23);
            a33 = v.fma(u3, a33);
            v = FloatVector.fromArray(S, x, p + d4);
            a04 = v.fma(u0, a04);
            a14 = v.fma(u1, a14);
            a24 = v.fma(u2, a24);
            a34 = v.fma(u3, a34);
        }
        a00.intoArray(sums, s + 0 * L);
        a01.intoArray(sums, s + 1 * L);
        a02.intoArray(sums, s + 2 * L);
        a03.intoArray(sums, s + 3 * L);
        a04.intoArray(sums, s + 4 * L);
        a10.intoArray(sums, s + 5 * L);
        a11.intoArray(sums, s + 6 * L);
        a12.intoArray(sums, s + 7 * L);
        a13.intoArray(sums, s + 8 * L);
        a14.intoArray(sums, s + 9 * L);
        a20.intoArray(sums, s + 10 * L);
        a21.intoArray(sums, s + 11 * L);
        a22.intoArray(sums, s + 12 * L);
        a23.intoArray(sums, s + 13 * L);
        a24.intoArray(sums, s + 14 * L);
        a30.intoArray(sums, s + 15 * L);
        a31.intoArray(sums, s + 16 * L);
        a32.intoArray(sums, s + 17 * L);
        a33.intoArray(sums, s + 18 * L);
        a34.intoArray(sums, s + 19 * L);
    }

    /**
     * {@link #runsTile} over the whole vectors that continue on the next output row ({@link
     * Call#splits}), or, when lastVector, over the plane's overlapping last vector ({@link
     * Call#overlap}, its dy from {@link Call#lastDy}), their x from the image's joined vectors
     * ({@link #join}).
     */
    private static void splitsTile(Call c, float[] joined, int e, int o, int k, boolean lastVector) {
        float[] sums = c.sums;
        int taps = c.taps, last = taps - 1;
        int s = o / 4 * c.groupSums() + k / TAPS * TILE_SUMS;
        int d0 = k * L, d1 = Math.min(k + 1, last) * L, d2 = Math.min(k + 2, last) * L;
        int d3 = Math.min(k + 3, last) * L, d4 = Math.min(k + 4, last) * L;
        int om = c.out - 1, stride = lastVector ? L : c.v.plane();
        int yb = lastVector ? 0 : c.dyBase(e);
        int y0 = yb + o * stride, y1 = yb + Math.min(o + 1, om) * stride;
        int y2 = yb + Math.min(o + 2, om) * stride, y3 = yb + Math.min(o + 3, om) * stride;
        int[] r = lastVector ? c.overlap : c.splits;
        float[] dy = lastVector ? c.lastDy : c.y;
        var a00 = FloatVector.fromArray(S, sums, s + 0 * L);
        var a01 = FloatVector.fromArray(S, sums, s + 1 * L);
        var a02 = FloatVector.fromArray(S, sums, s + 2 * L);
        var a03 = FloatVector.fromArray(S, sums, s + 3 * L);
        var a04 = FloatVector.fromArray(S, sums, s + 4 * L);
        var a10 = FloatVector.fromArray(S, sums, s + 5 * L);
        var a11 = FloatVector.fromArray(S, sums, s + 6 * L);
        var a12 = FloatVector.fromArray(S, sums, s + 7 * L);
        var a13 = FloatVector.fromArray(S, sums, s + 8 * L);
        var a14 = FloatVector.fromArray(S, sums, s + 9 * L);
        var a20 = FloatVector.fromArray(S, sums, s + 10 * L);
        var a21 = FloatVector.fromArray(S, sums, s + 11 * L);
        var a22 = FloatVector.fromArray(S, sums, s + 12 * L);
        var a23 = FloatVector.fromArray(S, sums, s + 13 * L);
        var a24 = FloatVector.fromArray(S, sums, s + 14 * L);
        var a30 = FloatVector.fromArray(S, sums, s + 15 * L);
        var a31 = FloatVector.fromArray(S, sums, s + 16 * L);
        var a32 = FloatVector.fromArray(S, sums, s + 17 * L);
        var a33 = FloatVector.fromArray(S, sums, s + 18 * L);
        var a34 = FloatVector.fromArray(S, sums, s + 19 * L);
        int first = lastVector ? c.nSplits : 0; // the vector's place in the joined ones
        for (int q = 0, end = lastVector ? 4 : 4 * c.nSplits; q < end; q += 4) {
            int p = (first + q / 4) * taps * L, yq = r[q + 2];
            var u0 = FloatVector.fromArray(S, dy, y0 + yq);
            var u1 = FloatVector.fromArray(S, dy, y1 + yq);
            var u2 = FloatVector.fromArray(S, dy, y2 + yq);
            var u3 = FloatVector.fromArray(S, dy, y3 + yq);
            FloatVector v;
            v = FloatVector.fromArray(S, joined, p + d0);
            a00 = v.fma(u0, a00);
            a10 = v.fma(u1, a10);
            a20 = v.fma(u2, a20);
            a30 = v.fma(u3, a30);
            v = FloatVector.fromArray(S, joined, p + d1);
            a01 = v.fma(u0, a01);
            a11 = v.fma(u1, a11);
            a21 = v.fma(u2, a21);
            a31 = v.fma(u3, a31);
            v = FloatVector.fromArray(S, joined, p + d2);
            a02 = v.fma(u0, a02);
            a12 = v.fma(u1, a12);
            a22 = v.fma(u2, a22);
            a32 = v.fma(u3, a32);
            v = FloatVector.fromArray(S, joined, p + d3);
            a03 = v.fma(u0, a03);
            a13 = v.fma(u1, a13);
            a23 = v.fma(u2, a23);
            a33 = v.fma(u3, a33);
            v = FloatVector.fromArray(S, joined, p + d4);
            a04 = v.fma(u0, a04);
            a14 = v.fma(u1, a14);
            a24 = v.fma(u2, a24);
            a34 = v.fma(u3, a34);
        }
        a00.intoArray(sums, s + 0 * L);
        a01.intoArray(sums, s + 1 * L);
        a02.intoArray(sums, s + 2 * L);
        a03.intoArray(sums, s + 3 * L);
        a04.intoArray(sums, s + 4 * L);
        a10.intoArray(sums, s + 5 * L);
        a11.intoArray(sums, s + 6 * L);
        a12.intoArray(sums, s + 7 * L);
        a13.intoArray(sums, s + 8 * L);
        a14.intoArray(sums, s + 9 * L);
        a20.intoArray(sums, s + 10 * L);
        a21.intoArray(sums, s + 11 * L);
        a22.intoArray(sums, s + 12 * L);
        a23.intoArray(sums, s + 13 * L);
        a24.intoArray(sums, s + 14 * L);
        a30.intoArray(sums, s + 15 * L);
        a31.intoArray(sums, s + 16 * L);
        a32.intoArray(sums, s + 17 * L);
        a33.intoArray(sums, s + 18 * L);
        a34.intoArray(sums, s + 19 * L);
    }

    /**
     * Image e's dy of channels o to o + 3 (those below out) into {@link Call#spread}: their planes
     * zeroed, then each pooled gradient added at its argmax, in the pool's order.
     */
    private static void spread(Call c, int e, int o) {
        float[] dy = c.spread, pooled = c.pooled, arg = c.argmax;
        int plane = c.v.plane(), end = Math.min(o + 4, c.out), per = c.pooledWidth / c.out;
        Arrays.fill(dy, o * plane, end * plane, 0f);
        int from = e * c.pooledWidth + o * per, to = e * c.pooledWidth + end * per;
        for (int q = from; q < to; q++) dy[(int) arg[c.argmaxOff + q]] += pooled[c.pooledOff + q];
    }

    /**
     * Image e's dy of channels o to o + 3 (those below out) over the plane's overlapping last
     * vector, into {@link Call#lastDy}, with the lanes the whole vectors already cover set to 0.
     */
    private static void fillLastDy(Call c, int e, int o) {
        int plane = c.v.plane(), from = c.dyBase(e) + plane - L;
        for (int ch = o; ch < Math.min(o + 4, c.out); ch++)
            for (int l = 0; l < L; l++) c.lastDy[ch * L + l] = l < c.covered ? 0f : c.y[from + ch * plane + l];
    }

    /**
     * Adds the bias of channels o to o + 3 (those below out) to image e's planes of y, once {@link
     * #forwardTile} has stored their sums: the composition's one rounded addition per element.
     */
    private static void addBias(Call c, int e, int o) {
        float[] y = c.y;
        int plane = c.v.plane(), yb = c.yOff + e * c.out * plane;
        for (int ch = o; ch < Math.min(o + 4, c.out); ch++) {
            float b = c.bias[c.biasOff + ch];
            for (int i = yb + ch * plane, end = i + plane; i < end; i++) y[i] += b;
        }
    }

    /**
     * Image e's share of the sums of dy of channels o to o + 3, added to {@link Call#sums}: the
     * plane's whole vectors, then its overlapping last vector from {@link Call#lastDy}.
     */
    private static void biasSums(Call c, int e, int o) {
        float[] dy = c.y, sums = c.sums;
        int plane = c.v.plane(), om = c.out - 1, yb = c.dyBase(e);
        int y0 = yb + o * plane,
                y1 = yb + Math.min(o + 1, om) * plane,
                y2 = yb + Math.min(o + 2, om) * plane,
                y3 = yb + Math.min(o + 3, om) * plane;
        int s = o / 4 * c.groupSums() + c.tiles * TILE_SUMS;
        var g0 = FloatVector.fromArray(S, sums, s);
        var g1 = FloatVector.fromArray(S, sums, s + L);
        var g2 = FloatVector.fromArray(S, sums, s + 2 * L);
        var g3 = FloatVector.fromArray(S, sums, s + 3 * L);
        for (int q = 0, end = c.whole * L; q < end; q += L) {
            g0 = g0.add(FloatVector.fromArray(S, dy, y0 + q));
            g1 = g1.add(FloatVector.fromArray(S, dy, y1 + q));
            g2 = g2.add(FloatVector.fromArray(S, dy, y2 + q));
            g3 = g3.add(FloatVector.fromArray(S, dy, y3 + q));
        }
        g0.intoArray(sums, s);
        g1.intoArray(sums, s + L);
        g2.intoArray(sums, s + 2 * L);
        g3.intoArray(sums, s + 3 * L);
        if (c.whole * L < plane)
            for (int r = 0; r < 4; r++) {
                int ch = Math.min(o + r, om);
                for (int l = 0; l < L; l++) sums[s + r * L + l] += c.lastDy[ch * L + l];
            }
    }
}
