package dev.descent.backend;

import java.util.Arrays;
import java.util.function.IntConsumer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link SimdBackend}'s convolution forward by Winograd's minimal filtering (Lavin and Gray, "Fast
 * Algorithms for Convolutional Neural Networks", 2016): F(m×m, r×r) on 8×8 input tiles, m = 9 − r
 * outputs a side (4 for a 5×5 kernel, 6 for 3×3), with the interpolation points 0, ±1, ±2, ±1/2 and
 * ∞. A tile's m×m outputs are {@code Aᵀ·[Σ_c (G·g_oc·Gᵀ) ∘ (Bᵀ·d_c·B)]·A}: the sum over the input
 * channels is, for each of the 64 points, one matrix product (tiles × channels)·(channels ×
 * out-channels), which the GEMM micro-kernel ({@link Gemm#kernel}) computes. MNIST's second
 * convolution (16→32, 5×5 on 12×12) takes 64·16·32 multiply-adds per 4×4 outputs instead of
 * 16·400·32: 6.25× fewer.
 *
 * <ul>
 *   <li><b>Kernels.</b> {@code U[p] = (G·g·Gᵀ)[p]}, 64 points × channels × out-channels, into the
 *       packed B slivers of the products (NR out-channels side by side per channel), once per call
 *       by the calling thread.
 *   <li><b>Inputs.</b> Per group of MR tiles and pair of channels (L = 2·MR lanes: MR tiles of
 *       channel c, then of c + 1), the 8×8 windows are staged lane by lane, then transformed as
 *       whole vectors, {@code Bᵀ·d·B} by the matrix's even and odd halves, and stored straight into
 *       the packed A slivers of the 64 products ({@code [point][tile group][channel][MR]}).
 *   <li><b>Products.</b> {@code M[p] = V[p]·U[p]}, (tiles × channels)·(channels × out-channels).
 *   <li><b>Outputs.</b> Per tile and vector of out-channels, {@code Aᵀ·M·A} plus the bias, written
 *       to the NCHW rows of y (the tiles at the bottom and right edges cropped).
 * </ul>
 *
 * <p>Tiles are cut into chunks that the threads claim; a tile's outputs depend on nothing else, so
 * the result is the same on any thread count. It is not the composition's (im2col and a product):
 * the transforms round differently, about 4·10⁻⁶ of the largest output on MNIST's second layer
 * against 4·10⁻⁷ for the direct sums (float sums against a double reference), which {@code
 * WinogradTest} bounds.
 *
 * <p>The input windows are staged with scalar copies into one of two buffers, and the other is
 * transformed meanwhile: vector loads of floats just written one by one wait for the stores
 * otherwise. Only {@code FloatVector}s of the preferred species appear here: a second vector shape
 * (a half-width species for MR tiles) enters the Vector API's shared helpers' profiles, and C2 then
 * boxes every kernel's vectors.
 */
final class Winograd {
    private Winograd() {}

    private static final VectorSpecies<Float> S = SimdBackend.S;
    private static final int L = S.length();
    private static final int MR = Gemm.MR, NR = Gemm.NR;
    /** Channels per vector of a staged window: L lanes hold MR tiles of each. */
    private static final int PER_VECTOR = L / MR;

    /** Input tile side, and the number of points per side. */
    static final int N = 8;
    /** The points: 0, ±1, ±2, ±1/2 and ∞ (the last row or column of each matrix). */
    private static final double[] POINTS = {0, 1, -1, 2, -2, 0.5, -0.5};

    /**
     * Bᵀ (N×N), the inverse transpose of the points' Vandermonde matrix: row a, column i at {@code
     * a·N + i}. Rows 1–6 come in pairs (2k − 1, 2k) that share their even columns and negate their
     * odd ones, which {@link #transformInput} uses.
     */
    static final float[] BT = inputMatrix();

    private static final float B04 = BT[4];
    private static final float P1 = BT[N + 1], P2 = BT[N + 2], P3 = BT[N + 3], P4 = BT[N + 4], P5 = BT[N + 5];
    private static final float P6 = BT[N + 6];
    private static final float Q1 = BT[3 * N + 1], Q2 = BT[3 * N + 2], Q3 = BT[3 * N + 3], Q4 = BT[3 * N + 4];
    private static final float Q5 = BT[3 * N + 5], Q6 = BT[3 * N + 6];
    private static final float R1 = BT[5 * N + 1], R2 = BT[5 * N + 2], R3 = BT[5 * N + 3], R4 = BT[5 * N + 4];
    private static final float R5 = BT[5 * N + 5], R6 = BT[5 * N + 6];

    /** Padding between two points' packed inputs, and two tiles' products: they do not all start on one cache set. */
    private static final int PAD = 16;

    /**
     * Floats of the packed inputs and products a chunk of tiles may take (256 KB, within L2 beside
     * the transformed kernels: 16 tiles of MNIST's second layer). 1 MB chunks ran the CNN step 1.07×
     * slower ({@code bench/cnn-ab}, 1 thread, A/A 1.00, 2026-12-08); 128 KB ran as fast as 256.
     */
    private static final int CHUNK_FLOATS = 1 << 16;

    /**
     * True for the windows this class computes: stride 1, no padding, a square 3×3 or 5×5 kernel and
     * an output of at least one whole tile a side (m×m), with at least two input channels (one is
     * {@link DirectConv}'s case).
     */
    static boolean applies(ImageWindow v) {
        int r = v.kernelHeight();
        return (r == 3 || r == 5)
                && v.kernelWidth() == r
                && v.strideHeight() == 1
                && v.strideWidth() == 1
                && v.paddingHeight() == 0
                && v.paddingWidth() == 0
                && v.channels() >= 2
                && v.outHeight() >= N + 1 - r
                && v.outWidth() >= N + 1 - r;
    }

    private static float[] inputMatrix() {
        double[][] v = new double[N][N];
        for (int a = 0; a < N; a++)
            for (int k = 0; k < N; k++) v[a][k] = a < N - 1 ? Math.pow(POINTS[a], k) : (k == N - 1 ? 1 : 0);
        double[][] inv = invert(v);
        float[] bt = new float[N * N];
        for (int a = 0; a < N; a++) for (int i = 0; i < N; i++) bt[a * N + i] = (float) inv[i][a];
        // the shape transformInput relies on: rows 0 and 7 of four terms ±1 and ±Bᵀ[0][4], then pairs
        float b = bt[4];
        float[] first = {1, 0, -b, 0, b, 0, -1, 0}, last = {0, -1, 0, b, 0, -b, 0, 1};
        for (int j = 0; j < N; j++)
            if (bt[j] != first[j] || bt[(N - 1) * N + j] != last[j]) throw new AssertionError("Bᵀ rows 0, 7");
        for (int k = 1; k <= 5; k += 2)
            for (int j = 0; j < N; j++) {
                float up = bt[k * N + j], down = bt[(k + 1) * N + j];
                boolean outer = j == 0 || j == N - 1;
                if (outer ? up != 0 || down != 0 : down != (j % 2 == 0 ? up : -up))
                    throw new AssertionError("Bᵀ rows " + k + ", " + (k + 1));
            }
        return bt;
    }

    /** The inverse of a small non-singular matrix, by Gauss–Jordan elimination with partial pivoting. */
    private static double[][] invert(double[][] a) {
        int n = a.length;
        double[][] m = new double[n][2 * n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(a[i], 0, m[i], 0, n);
            m[i][n + i] = 1;
        }
        for (int c = 0; c < n; c++) {
            int p = c;
            for (int r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
            double[] t = m[c];
            m[c] = m[p];
            m[p] = t;
            double d = m[c][c];
            for (int k = 0; k < 2 * n; k++) m[c][k] /= d;
            for (int r = 0; r < n; r++)
                if (r != c && m[r][c] != 0) {
                    double f = m[r][c];
                    for (int k = 0; k < 2 * n; k++) m[r][k] -= f * m[c][k];
                }
        }
        double[][] inverse = new double[n][n];
        for (int i = 0; i < n; i++) System.arraycopy(m[i], n, inverse[i], 0, n);
        return inverse;
    }

    /** G (N×r): row a is the point's powers 0..r−1 (∞: the last power alone), at {@code a·r + k}. */
    static float[] kernelMatrix(int r) {
        float[] g = new float[N * r];
        for (int a = 0; a < N; a++)
            for (int k = 0; k < r; k++)
                g[a * r + k] = (float) (a < N - 1 ? Math.pow(POINTS[a], k) : (k == r - 1 ? 1 : 0));
        return g;
    }

    /**
     * {@code y = conv(x, w) + bias} for {@code rows} NCHW images of x (from xOff) with {@code w [out,
     * C, r, r]} (from wOff) and {@code bias [out]}, into rows {@code [out, OH, OW]} of y (from yOff),
     * on up to {@code threads} threads. The window must satisfy {@link #applies}. Reads x, w and
     * bias; overwrites those rows of y.
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
        c.prepare(v, out, rows, threads);
        c.x = x;
        c.xOff = xOff;
        c.y = y;
        c.yOff = yOff;
        c.transformKernels(w, wOff);
        c.copyBias(bias, biasOff);
        try {
            Workers.forEach(c.chunks, c);
        } finally {
            c.x = c.y = null;
        }
    }

    private static final ThreadLocal<Call> CALLS = ThreadLocal.withInitial(Call::new);

    /** The calling thread's forward call, whose transformed kernels {@link WinogradGradient} reuses. */
    static Call call() {
        return CALLS.get();
    }

    private static final ThreadLocal<Chunk> CHUNKS = ThreadLocal.withInitial(Chunk::new);

    /**
     * One call's geometry, transformed kernels and bias, reused by its calling thread (no allocation
     * per call); the pool's workers read it while they run the call's chunks.
     */
    static final class Call implements IntConsumer {
        ImageWindow v;
        int r, m, out, channels, rows, tilesDown, tilesAcross, tiles, chunkTiles, chunks;
        /** Channels rounded up to {@link #PER_VECTOR}, out-channels to NR slivers. */
        int cPad, slivers, oPad;
        /** The kernels' transforms as the products' packed B: {@code [point][sliver][cPad][NR]}, uPoint apart. */
        float[] u = new float[0];
        /** Floats from one point's kernels in {@link #u} to the next's: the slivers plus PAD. */
        int uPoint;
        /**
         * The kernels {@link #u} was computed from ({@code out·C·r·r} floats), or none: a call with the
         * same values (a step's backward after its forward) reuses u.
         */
        float[] seen = new float[0];

        int seenLength = -1, seenR, seenChannels, seenOut;
        /** The bias, zero-padded to oPad. */
        float[] bias = new float[0];
        /** The kernels rearranged tap-major, {@code [r·r][cPad][oPad]}, for {@link #transformKernels}. */
        float[] taps = new float[0];
        /** One channel's kernels times G along their columns, {@code [N][r][L]}. */
        float[] half = new float[0];

        float[] g = new float[0];
        float[] x, y;
        int xOff, yOff;

        void prepare(ImageWindow v, int out, int rows, int threads) {
            this.v = v;
            this.out = out;
            this.rows = rows;
            channels = v.channels();
            if (r != v.kernelHeight()) {
                r = v.kernelHeight();
                g = kernelMatrix(r);
            }
            m = N + 1 - r;
            tilesDown = (v.outHeight() + m - 1) / m;
            tilesAcross = (v.outWidth() + m - 1) / m;
            tiles = rows * tilesDown * tilesAcross;
            cPad = Gemm.roundUp(channels, PER_VECTOR);
            slivers = (out + NR - 1) / NR;
            oPad = slivers * NR;
            uPoint = slivers * cPad * NR + PAD;
            // a chunk's packed inputs and products within CHUNK_FLOATS, in whole groups of MR tiles,
            // and at least one chunk per thread when the call is worth splitting
            // (a multiple of the threads, so that they share the chunks evenly)
            int most = Math.max(MR, CHUNK_FLOATS / (N * N * (cPad + oPad)) / MR * MR);
            long macs = (long) tiles * N * N * cPad * oPad;
            int split = macs < Gemm.PARALLEL_MIN ? 1 : threads;
            int least = (tiles + most - 1) / most;
            chunks = (least + split - 1) / split * split;
            chunkTiles = Gemm.roundUp((tiles + chunks - 1) / chunks, MR);
            chunks = (tiles + chunkTiles - 1) / chunkTiles;
        }

        /**
         * Fills {@link #u} with {@code G·g·Gᵀ} for every kernel of {@code w [out, C, r, r]} (from wOff).
         * Reads w.
         */
        void transformKernels(float[] w, int wOff) {
            int rr = r * r, n = out * channels * rr;
            if (n == seenLength
                    && r == seenR
                    && channels == seenChannels
                    && out == seenOut
                    && Arrays.equals(w, wOff, wOff + n, seen, 0, n)) return;
            if (u.length < N * N * uPoint) u = new float[N * N * uPoint];
            if (taps.length < rr * cPad * oPad) taps = new float[rr * cPad * oPad];
            if (half.length < N * r * L) half = new float[N * r * L];
            if (out < oPad || channels < cPad) Arrays.fill(taps, 0, rr * cPad * oPad, 0f);
            // L out-channels at a time: their rows of w read in order, taps written L floats at a time
            for (int o0 = 0; o0 < out; o0 += L)
                for (int ch = 0; ch < channels; ch++)
                    for (int k = 0; k < rr; k++)
                        for (int o = o0, to = (k * cPad + ch) * oPad, end = Math.min(out, o0 + L); o < end; o++)
                            taps[to + o] = w[wOff + (o * channels + ch) * rr + k];
            for (int ch = 0; ch < cPad; ch++) for (int o = 0; o < oPad; o += L) kernelVector(this, ch, o);
            if (seen.length < n) seen = new float[n];
            System.arraycopy(w, wOff, seen, 0, n);
            seenLength = n;
            seenR = r;
            seenChannels = channels;
            seenOut = out;
        }

        /** Copies {@code b[bOff, bOff + out)} into {@link #bias}, zero-padded. */
        void copyBias(float[] b, int bOff) {
            if (bias.length < oPad) bias = new float[oPad];
            for (int o = 0; o < oPad; o++) bias[o] = o < out ? b[bOff + o] : 0f;
        }

        @Override
        public void accept(int t) {
            int t0 = t * chunkTiles;
            CHUNKS.get().run(this, t0, Math.min(tiles, t0 + chunkTiles));
        }
    }

    /**
     * {@code U[p][ch][o..o+L)} for L out-channels: {@code G·g·Gᵀ}, first along the kernel's columns
     * into {@link Call#half}, then along its rows into {@link Call#u}.
     */
    private static void kernelVector(Call c, int ch, int o) {
        int r = c.r, cPad = c.cPad, oPad = c.oPad;
        float[] g = c.g, taps = c.taps, half = c.half, u = c.u;
        for (int a = 0; a < N; a++)
            for (int kb = 0; kb < r; kb++) {
                FloatVector s = FloatVector.zero(S);
                for (int ka = 0; ka < r; ka++)
                    s = FloatVector.fromArray(S, taps, ((ka * r + kb) * cPad + ch) * oPad + o)
                            .fma(FloatVector.broadcast(S, g[a * r + ka]), s);
                s.intoArray(half, (a * r + kb) * L);
            }
        int at = (o / NR * cPad + ch) * NR + o % NR, point = c.uPoint;
        for (int a = 0; a < N; a++)
            for (int b = 0; b < N; b++) {
                FloatVector s = FloatVector.zero(S);
                for (int kb = 0; kb < r; kb++)
                    s = FloatVector.fromArray(S, half, (a * r + kb) * L)
                            .fma(FloatVector.broadcast(S, g[b * r + kb]), s);
                s.intoArray(u, (a * N + b) * point + at);
            }
    }

    /** A thread's buffers for one chunk of tiles, grown on demand and reused. */
    private static final class Chunk {
        /** The transformed inputs, the 64 products' packed A: {@code [point][group][cPad][MR]}, PAD apart. */
        float[] in = new float[0];
        /** The products, {@code [tile][point][oPad]}, tiles PAD apart. */
        float[] products = new float[0];
        /** Two staging buffers of 8×8 windows, {@code [i·N + j][L]} each. */
        final float[] staged = new float[2 * N * N * L];
        /** A window after its column transform, {@code [a·N + j][L]}. */
        final float[] columns = new float[N * N * L];
        /** A tile's products after the output transform's first pass, {@code [i·N + b][L]}. */
        final float[] rowsOut = new float[N * N * L];
        /** Two tiles' outputs for L out-channels, {@code [i·m + j][L]} each, N·N·L apart. */
        final float[] outputs = new float[2 * N * N * L];
        /** Each tile's first input offset in x (-1 for a tile past the chunk), and its first row and column. */
        int[] at = new int[0], down = new int[0], across = new int[0];

        final float[] tile = new float[MR * NR];

        /** The tiles {@code [t0, t1)} of the call: inputs, products, outputs. */
        void run(Call c, int t0, int t1) {
            int count = t1 - t0, groups = (count + MR - 1) / MR, cPad = c.cPad, oPad = c.oPad;
            int inPoint = groups * cPad * MR + PAD, perTile = N * N * oPad + PAD;
            if (in.length < N * N * inPoint) in = new float[N * N * inPoint];
            if (products.length < groups * MR * perTile) products = new float[groups * MR * perTile];
            if (at.length < groups * MR) {
                at = new int[groups * MR];
                down = new int[groups * MR];
                across = new int[groups * MR];
            }
            int perImage = c.tilesDown * c.tilesAcross, m = c.m, width = c.v.width();
            for (int k = 0; k < groups * MR; k++) {
                int t = t0 + k, e = t / perImage, q = t % perImage;
                down[k] = (q / c.tilesAcross) * m;
                across[k] = (q % c.tilesAcross) * m;
                at[k] = t < t1 ? c.xOff + e * c.v.inputSize() + down[k] * width + across[k] : -1;
            }
            // inputs, staging one unit (a group of tiles × a pair of channels) ahead of its transform
            int pairs = cPad / PER_VECTOR, units = groups * pairs;
            for (int k = 0; k <= units; k++) {
                if (k < units) stage(c, k / pairs, (k % pairs) * PER_VECTOR, (k & 1) * N * N * L);
                if (k > 0) {
                    int done = k - 1, group = done / pairs, ch = (done % pairs) * PER_VECTOR;
                    transformWindow((done & 1) * N * N * L, (group * cPad + ch) * MR, inPoint);
                }
            }
            for (int p = 0; p < N * N; p++)
                for (int group = 0; group < groups; group++)
                    for (int s = 0; s < c.slivers; s++)
                        Gemm.kernel(
                                cPad,
                                in,
                                p * inPoint + group * cPad * MR,
                                Gemm.PACKED,
                                c.u,
                                p * c.uPoint + s * cPad * NR,
                                NR,
                                products,
                                group * MR * perTile + p * oPad + s * NR,
                                perTile,
                                MR,
                                NR,
                                false,
                                tile);
            // outputs, each tile written to y while the next is transformed (scalar loads of lanes just
            // stored as a vector wait for the store otherwise)
            int vectors = (c.out + L - 1) / L;
            for (int q = 0; q <= count * vectors; q++) {
                if (q < count * vectors) outputTile(c, q / vectors, q % vectors * L, perTile, (q & 1) * N * N * L);
                if (q > 0) {
                    int done = q - 1, k = done / vectors;
                    writeTile(c, k, done % vectors * L, (t0 + k) / perImage, (done & 1) * N * N * L);
                }
            }
        }

        /**
         * Copies the 8×8 windows of a group's MR tiles in channels {@code ch, ch + 1, …} (PER_VECTOR of
         * them) into {@code staged[base, base + N·N·L)}: lane {@code j·MR + k} is tile k of channel
         * ch + j; zeros past the image, the chunk or the channels.
         */
        private void stage(Call c, int group, int ch, int base) {
            float[] x = c.x, st = staged;
            int width = c.v.width(), height = c.v.height(), plane = height * width;
            for (int lane = 0; lane < L; lane++) {
                int k = group * MR + lane % MR, channel = ch + lane / MR;
                if (at[k] < 0 || channel >= c.channels) {
                    for (int ij = 0; ij < N * N; ij++) st[base + ij * L + lane] = 0f;
                    continue;
                }
                int from = at[k] + channel * plane, rows = Math.min(N, height - down[k]);
                int cols = Math.min(N, width - across[k]);
                if (rows == N && cols == N) {
                    for (int i = 0; i < N; i++)
                        for (int j = 0; j < N; j++) st[base + (i * N + j) * L + lane] = x[from + i * width + j];
                } else {
                    for (int i = 0; i < N; i++)
                        for (int j = 0; j < N; j++)
                            st[base + (i * N + j) * L + lane] = i < rows && j < cols ? x[from + i * width + j] : 0f;
                }
            }
        }

        /**
         * {@code Bᵀ·d·B} of the staged windows at {@code staged[base]}: each column into {@link
         * #columns}, then each row into the 64 points' packed A at {@code in[p·inPoint + at]}.
         */
        private void transformWindow(int base, int at, int inPoint) {
            for (int j = 0; j < N; j++) transformInput(staged, base + j * L, N * L, columns, j * L, N * L);
            for (int a = 0; a < N; a++) transformInput(columns, a * N * L, L, in, a * N * inPoint + at, inPoint);
        }

        /**
         * Tile k's outputs for out-channels {@code [o, o + L)}: {@code Aᵀ·M·A} of its 64 products plus
         * the bias, into {@code outputs[base, base + m·m·L)}.
         */
        private void outputTile(Call c, int k, int o, int perTile, int base) {
            int m = c.m, at = k * perTile + o, oPad = c.oPad;
            for (int b = 0; b < N; b++) transformOutput(products, at + b * oPad, N * oPad, m, rowsOut, b * L, N * L);
            for (int i = 0; i < m; i++) transformOutput(rowsOut, i * N * L, L, m, outputs, base + i * m * L, L);
            var bias = FloatVector.fromArray(S, c.bias, o);
            for (int ij = base; ij < base + m * m * L; ij += L)
                FloatVector.fromArray(S, outputs, ij).add(bias).intoArray(outputs, ij);
        }

        /**
         * Writes {@link #outputTile}'s outputs at {@code outputs[base]} to image e of y: tile k's rows
         * and columns inside the output plane, out-channels {@code [o, o + L)} below out.
         */
        private void writeTile(Call c, int k, int o, int e, int base) {
            int m = c.m, oh = c.v.outHeight(), ow = c.v.outWidth(), plane = oh * ow;
            int yb = c.yOff + e * c.out * plane + down[k] * ow + across[k], lanes = Math.min(L, c.out - o);
            float[] y = c.y;
            if (down[k] + m <= oh && across[k] + m <= ow) {
                for (int l = 0; l < lanes; l++)
                    for (int i = 0, yo = yb + (o + l) * plane, from = base + l; i < m; i++, yo += ow)
                        for (int j = 0; j < m; j++, from += L) y[yo + j] = outputs[from];
            } else {
                int rowsDown = Math.min(m, oh - down[k]), colsAcross = Math.min(m, ow - across[k]);
                for (int l = 0; l < lanes; l++)
                    for (int i = 0; i < rowsDown; i++)
                        for (int j = 0; j < colsAcross; j++)
                            y[yb + (o + l) * plane + i * ow + j] = outputs[base + (i * m + j) * L + l];
            }
        }
    }

    /**
     * {@code dst[to + a·toStride] = Σ_k Bᵀ[a][k]·src[from + k·stride]} for the 8 rows a of Bᵀ, on
     * vectors: rows 0 and 7 as their four terms, rows (1, 2), (3, 4) and (5, 6), which share their even
     * coefficients and negate their odd ones, as the sum and difference of their even and odd halves. Reads src; overwrites the 8 vectors of dst.
     */
    static void transformInput(float[] src, int from, int stride, float[] dst, int to, int toStride) {
        var v0 = FloatVector.fromArray(S, src, from);
        var v1 = FloatVector.fromArray(S, src, from + stride);
        var v2 = FloatVector.fromArray(S, src, from + 2 * stride);
        var v3 = FloatVector.fromArray(S, src, from + 3 * stride);
        var v4 = FloatVector.fromArray(S, src, from + 4 * stride);
        var v5 = FloatVector.fromArray(S, src, from + 5 * stride);
        var v6 = FloatVector.fromArray(S, src, from + 6 * stride);
        var v7 = FloatVector.fromArray(S, src, from + 7 * stride);
        var b04 = FloatVector.broadcast(S, B04);
        v4.sub(v2).fma(b04, v0.sub(v6)).intoArray(dst, to);
        v3.sub(v5).fma(b04, v7.sub(v1)).intoArray(dst, to + 7 * toStride);
        var even = v6.fma(
                FloatVector.broadcast(S, P6),
                v4.fma(FloatVector.broadcast(S, P4), v2.mul(FloatVector.broadcast(S, P2))));
        var odd = v5.fma(
                FloatVector.broadcast(S, P5),
                v3.fma(FloatVector.broadcast(S, P3), v1.mul(FloatVector.broadcast(S, P1))));
        even.add(odd).intoArray(dst, to + 1 * toStride);
        even.sub(odd).intoArray(dst, to + 2 * toStride);
        even = v6.fma(
                FloatVector.broadcast(S, Q6),
                v4.fma(FloatVector.broadcast(S, Q4), v2.mul(FloatVector.broadcast(S, Q2))));
        odd = v5.fma(
                FloatVector.broadcast(S, Q5),
                v3.fma(FloatVector.broadcast(S, Q3), v1.mul(FloatVector.broadcast(S, Q1))));
        even.add(odd).intoArray(dst, to + 3 * toStride);
        even.sub(odd).intoArray(dst, to + 4 * toStride);
        even = v6.fma(
                FloatVector.broadcast(S, R6),
                v4.fma(FloatVector.broadcast(S, R4), v2.mul(FloatVector.broadcast(S, R2))));
        odd = v5.fma(
                FloatVector.broadcast(S, R5),
                v3.fma(FloatVector.broadcast(S, R3), v1.mul(FloatVector.broadcast(S, R1))));
        even.add(odd).intoArray(dst, to + 5 * toStride);
        even.sub(odd).intoArray(dst, to + 6 * toStride);
    }

    /**
     * {@code dst[to + i·toStride] = Σ_a Aᵀ[i][a]·src[from + a·stride]} for the m rows i of Aᵀ (row i:
     * the points' i-th powers, 0⁰ = 1, and 1 at ∞ for the last), on vectors, by the sums and
     * differences of the point pairs ±1, ±2, ±1/2. Reads src; overwrites the m vectors of dst.
     */
    static void transformOutput(float[] src, int from, int stride, int m, float[] dst, int to, int toStride) {
        var v0 = FloatVector.fromArray(S, src, from);
        var v1 = FloatVector.fromArray(S, src, from + stride);
        var v2 = FloatVector.fromArray(S, src, from + 2 * stride);
        var v3 = FloatVector.fromArray(S, src, from + 3 * stride);
        var v4 = FloatVector.fromArray(S, src, from + 4 * stride);
        var v5 = FloatVector.fromArray(S, src, from + 5 * stride);
        var v6 = FloatVector.fromArray(S, src, from + 6 * stride);
        var v7 = FloatVector.fromArray(S, src, from + 7 * stride);
        var s1 = v1.add(v2);
        var d1 = v1.sub(v2);
        var s2 = v3.add(v4);
        var d2 = v3.sub(v4);
        var s3 = v5.add(v6);
        var d3 = v5.sub(v6);
        // straight-line: C2 boxed the vectors carried around a loop whose body branched (the first
        // version); here no vector is merged from two paths, each branch stores what it computes
        s1.add(s2).add(s3).add(v0).intoArray(dst, to);
        d3.fma(FloatVector.broadcast(S, 0.5f), d2.fma(FloatVector.broadcast(S, 2f), d1))
                .intoArray(dst, to + toStride);
        s3.fma(FloatVector.broadcast(S, 0.25f), s2.fma(FloatVector.broadcast(S, 4f), s1))
                .intoArray(dst, to + 2 * toStride);
        var row3 = d3.fma(FloatVector.broadcast(S, 0.125f), d2.fma(FloatVector.broadcast(S, 8f), d1));
        if (m == 4) row3.add(v7).intoArray(dst, to + 3 * toStride);
        else {
            row3.intoArray(dst, to + 3 * toStride);
            s3.fma(FloatVector.broadcast(S, 0.0625f), s2.fma(FloatVector.broadcast(S, 16f), s1))
                    .intoArray(dst, to + 4 * toStride);
            d3.fma(FloatVector.broadcast(S, 0.03125f), d2.fma(FloatVector.broadcast(S, 32f), d1))
                    .add(v7)
                    .intoArray(dst, to + 5 * toStride);
        }
    }

    /**
     * {@code dst[to + i·toStride] = Σ_a Bᵀ[a][i]·src[from + a·stride]} for the 8 columns i of Bᵀ (the
     * adjoint of {@link #transformInput}), on vectors: the row pairs of Bᵀ as the sum (even columns)
     * and difference (odd columns) of their two inputs, plus rows 0 and 7. Reads src; overwrites the
     * 8 vectors of dst. Its loads and pair sums repeat {@link #transformOutput}'s on purpose: a
     * helper would pass vectors across a call, boxed wherever C2 does not inline it.
     */
    static void transformInputAdjoint(float[] src, int from, int stride, float[] dst, int to, int toStride) {
        var v0 = FloatVector.fromArray(S, src, from);
        var v1 = FloatVector.fromArray(S, src, from + stride);
        var v2 = FloatVector.fromArray(S, src, from + 2 * stride);
        var v3 = FloatVector.fromArray(S, src, from + 3 * stride);
        var v4 = FloatVector.fromArray(S, src, from + 4 * stride);
        var v5 = FloatVector.fromArray(S, src, from + 5 * stride);
        var v6 = FloatVector.fromArray(S, src, from + 6 * stride);
        var v7 = FloatVector.fromArray(S, src, from + 7 * stride);
        var s1 = v1.add(v2);
        var d1 = v1.sub(v2);
        var s2 = v3.add(v4);
        var d2 = v3.sub(v4);
        var s3 = v5.add(v6);
        var d3 = v5.sub(v6);
        v0.intoArray(dst, to); // column 0: Bᵀ[0][0] = 1, the pairs' first column is 0
        // odd columns: the pairs' differences and row 7; even ones: their sums and row 0
        d3.fma(FloatVector.broadcast(S, R1), d2.fma(FloatVector.broadcast(S, Q1), d1.mul(FloatVector.broadcast(S, P1))))
                .sub(v7)
                .intoArray(dst, to + toStride);
        s3.fma(FloatVector.broadcast(S, R2), s2.fma(FloatVector.broadcast(S, Q2), s1.mul(FloatVector.broadcast(S, P2))))
                .sub(v0.mul(FloatVector.broadcast(S, B04)))
                .intoArray(dst, to + 2 * toStride);
        d3.fma(FloatVector.broadcast(S, R3), d2.fma(FloatVector.broadcast(S, Q3), d1.mul(FloatVector.broadcast(S, P3))))
                .add(v7.mul(FloatVector.broadcast(S, B04)))
                .intoArray(dst, to + 3 * toStride);
        s3.fma(FloatVector.broadcast(S, R4), s2.fma(FloatVector.broadcast(S, Q4), s1.mul(FloatVector.broadcast(S, P4))))
                .add(v0.mul(FloatVector.broadcast(S, B04)))
                .intoArray(dst, to + 4 * toStride);
        d3.fma(FloatVector.broadcast(S, R5), d2.fma(FloatVector.broadcast(S, Q5), d1.mul(FloatVector.broadcast(S, P5))))
                .sub(v7.mul(FloatVector.broadcast(S, B04)))
                .intoArray(dst, to + 5 * toStride);
        s3.fma(FloatVector.broadcast(S, R6), s2.fma(FloatVector.broadcast(S, Q6), s1.mul(FloatVector.broadcast(S, P6))))
                .sub(v0)
                .intoArray(dst, to + 6 * toStride);
        v7.intoArray(dst, to + (N - 1) * toStride); // column 7: Bᵀ[7][7] = 1, the pairs' last column is 0
    }

    /**
     * {@code dst[to + a·toStride] = Σ_i Aᵀ[i][a]·src[from + i·stride]} for the 8 points a (the adjoint
     * of {@link #transformOutput}: m vectors in, 8 out): point 0 takes the first input, ∞ the last,
     * each pair ±p the sum and difference of the even and odd powers. Reads src; overwrites the 8
     * vectors of dst.
     */
    static void transformOutputAdjoint(float[] src, int from, int stride, int m, float[] dst, int to, int toStride) {
        if (m == 4) adjoint4(src, from, stride, dst, to, toStride);
        else adjoint6(src, from, stride, dst, to, toStride);
    }

    /** {@link #transformOutputAdjoint} for m = 4, straight-line. */
    private static void adjoint4(float[] src, int from, int stride, float[] dst, int to, int toStride) {
        var v0 = FloatVector.fromArray(S, src, from);
        var v1 = FloatVector.fromArray(S, src, from + stride);
        var v2 = FloatVector.fromArray(S, src, from + 2 * stride);
        var v3 = FloatVector.fromArray(S, src, from + 3 * stride);
        var e1 = v0.add(v2);
        var e2 = v2.fma(FloatVector.broadcast(S, 4f), v0);
        var e3 = v2.fma(FloatVector.broadcast(S, 0.25f), v0);
        var o1 = v1.add(v3);
        var o2 = v3.fma(FloatVector.broadcast(S, 8f), v1.mul(FloatVector.broadcast(S, 2f)));
        var o3 = v3.fma(FloatVector.broadcast(S, 0.125f), v1.mul(FloatVector.broadcast(S, 0.5f)));
        v0.intoArray(dst, to);
        e1.add(o1).intoArray(dst, to + toStride);
        e1.sub(o1).intoArray(dst, to + 2 * toStride);
        e2.add(o2).intoArray(dst, to + 3 * toStride);
        e2.sub(o2).intoArray(dst, to + 4 * toStride);
        e3.add(o3).intoArray(dst, to + 5 * toStride);
        e3.sub(o3).intoArray(dst, to + 6 * toStride);
        v3.intoArray(dst, to + 7 * toStride);
    }

    /** {@link #transformOutputAdjoint} for m = 6, straight-line. */
    private static void adjoint6(float[] src, int from, int stride, float[] dst, int to, int toStride) {
        var v0 = FloatVector.fromArray(S, src, from);
        var v1 = FloatVector.fromArray(S, src, from + stride);
        var v2 = FloatVector.fromArray(S, src, from + 2 * stride);
        var v3 = FloatVector.fromArray(S, src, from + 3 * stride);
        var v4 = FloatVector.fromArray(S, src, from + 4 * stride);
        var v5 = FloatVector.fromArray(S, src, from + 5 * stride);
        var e1 = v0.add(v2).add(v4);
        var e2 = v4.fma(FloatVector.broadcast(S, 16f), v2.fma(FloatVector.broadcast(S, 4f), v0));
        var e3 = v4.fma(FloatVector.broadcast(S, 0.0625f), v2.fma(FloatVector.broadcast(S, 0.25f), v0));
        var o1 = v1.add(v3).add(v5);
        var o2 = v5.fma(
                FloatVector.broadcast(S, 32f),
                v3.fma(FloatVector.broadcast(S, 8f), v1.mul(FloatVector.broadcast(S, 2f))));
        var o3 = v5.fma(
                FloatVector.broadcast(S, 0.03125f),
                v3.fma(FloatVector.broadcast(S, 0.125f), v1.mul(FloatVector.broadcast(S, 0.5f))));
        v0.intoArray(dst, to);
        e1.add(o1).intoArray(dst, to + toStride);
        e1.sub(o1).intoArray(dst, to + 2 * toStride);
        e2.add(o2).intoArray(dst, to + 3 * toStride);
        e2.sub(o2).intoArray(dst, to + 4 * toStride);
        e3.add(o3).intoArray(dst, to + 5 * toStride);
        e3.sub(o3).intoArray(dst, to + 6 * toStride);
        v5.intoArray(dst, to + 7 * toStride);
    }
}
