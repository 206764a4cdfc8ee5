package dev.descent.backend;

import java.util.Arrays;
import java.util.function.IntConsumer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The gradients of {@link Winograd}'s convolution, in the same transformed space: with {@code V =
 * Bᵀ·d·B} a window's transform, {@code U = G·g·Gᵀ} a kernel's and {@code dM = A·dY·Aᵀ} (8×8) an
 * output tile's gradient, for each of the 64 points
 *
 * <ul>
 *   <li>the kernels' gradient is {@code dU = Vᵀ·dM}, (channels × tiles)·(tiles × out-channels), and
 *       a kernel's {@code dW = Gᵀ·dU·G};
 *   <li>the windows' gradient is {@code dV = Uᵀ·dMᵀ}, (channels × out-channels)·(out-channels ×
 *       tiles), and a window's {@code dX = B·dV·Bᵀ}, added into the input where the windows overlap.
 * </ul>
 *
 * <p>The tiles go in blocks of NR ({@link #BLOCK}), one after the other, each through three passes
 * split over the threads: the transforms of its windows of x and of dy (by groups of L tiles), the
 * 64 points' products (by points; dU's sums continue over the blocks, each tile in order), and the
 * input gradient (by channels: a channel's overlapping windows are added in tile order). Then, on
 * the calling thread, dW and the bias gradient. So the result is the same on any thread count and
 * the same as in one block. The products run on the GEMM micro-kernel ({@link Gemm#kernel}), their
 * operands packed by the transforms as it reads them; the input windows and dy's tiles are staged
 * into one buffer while the other is transformed, as in {@link Winograd}.
 *
 * <p>The whole batch in one block wrote the operands of all its tiles (6 MB for 64 MNIST images)
 * through to L3 and read them back: blocks of NR tiles took the backward of MNIST's second layer
 * from 2,290 to 1,470 µs a batch of 64 (one thread, Zen 4, in-run timers, 2026-12-08).
 *
 * <p>MNIST's second convolution (16→32, 5×5 on 12×12): 2 × 64·16·32 multiply-adds per 4×4 outputs
 * against im2col's 2 × 16·400·32.
 */
final class WinogradGradient {
    private WinogradGradient() {}

    private static final VectorSpecies<Float> S = SimdBackend.S;
    private static final int L = S.length();
    private static final int MR = Gemm.MR, NR = Gemm.NR, N = Winograd.N, POINTS = N * N;
    /** Tiles per vector of a staged window for dU's A: L lanes hold MR channels of each. */
    private static final int TILES_PER_VECTOR = L / MR;
    /** Padding between two points' operands, so that the 64 of them do not start on one cache set. */
    private static final int PAD = 16;
    /**
     * Tiles a block: the passes run on one block of tiles after the other, so that its transformed
     * operands stay in L2 (24 KB a tile on MNIST's second layer: at 64 points, its window's 16
     * channels and their gradient, and dy's 32 out-channels in both layouts); one sliver of the
     * products' B, the fewest they take.
     */
    private static final int BLOCK = NR;

    /**
     * The gradients of {@link Winograd#forward} for {@code rows} images: adds {@code dL/dw} into
     * {@code grad[dwOff, dwOff + out·C·r·r)} and each channel's sum of dy into {@code grad[dbOff, dbOff
     * + out)}, and, unless dx is null, sets dx's rows (from dxOff) to {@code dL/dx}. Reads x, w and dy
     * ({@code rows} NCHW rows from dyOff). The window must satisfy {@link Winograd#applies}.
     */
    static void backward(
            ImageWindow v,
            int out,
            float[] x,
            int xOff,
            int rows,
            float[] w,
            int wOff,
            float[] dy,
            int dyOff,
            float[] grad,
            int dwOff,
            int dbOff,
            float[] dx,
            int dxOff,
            int threads) {
        Call c = CALLS.get();
        c.prepare(v, out, rows, threads, dx != null);
        c.x = x;
        c.xOff = xOff;
        c.dy = dy;
        c.dyOff = dyOff;
        c.dx = dx;
        c.dxOff = dxOff;
        try {
            if (dx != null) c.transposeKernels(w, wOff);
            for (c.first = 0; c.first < c.tiles; c.first += c.count) {
                c.count = Math.min(BLOCK, c.tiles - c.first);
                c.run(Phase.TRANSFORMS, BLOCK / L);
                c.run(Phase.PRODUCTS, POINTS);
                if (dx != null) c.run(Phase.INPUT_GRADIENT, v.channels());
            }
            c.weightGradient(grad, dwOff);
            c.biasGradient(grad, dbOff);
        } finally {
            c.x = c.dy = c.dx = null;
        }
    }

    private static final ThreadLocal<Call> CALLS = ThreadLocal.withInitial(Call::new);
    private static final ThreadLocal<Work> WORK = ThreadLocal.withInitial(Work::new);

    private enum Phase {
        TRANSFORMS,
        PRODUCTS,
        INPUT_GRADIENT
    }

    /**
     * One call's geometry and transformed operands, reused by its calling thread (no allocation per
     * call once grown); the pool's workers fill and read disjoint parts of them.
     */
    private static final class Call implements IntConsumer {
        ImageWindow v;
        int r, m, out, channels, rows, tilesAcross, perImage, tiles, cPad, oPad, slivers;
        /** The block of tiles the phases run on: its first tile and its count (up to {@link #BLOCK}). */
        int first, count;

        boolean inputGradient;
        /** Point strides of the operands and products below. */
        int vStride, wStride, xStride, uStride, duStride, dvStride;
        /** The windows' transforms, dU's packed A: {@code [point][channel group][tile of the block][MR]}. */
        float[] windows = new float[0];
        /** dM, dU's packed B: {@code [point][sliver of NR out-channels][tile of the block][NR]}. */
        float[] byChannel = new float[0];
        /** dM, dV's packed B: {@code [point][out-channel][tile of the block]} (one sliver). */
        float[] byTile = new float[0];
        /** Uᵀ, dV's packed A: {@code [point][channel group][out-channel][MR]}. */
        float[] kernelsT = new float[0];
        /** dU: {@code [point][channel][oPad]}. */
        float[] du = new float[0];
        /** dV: {@code [point][channel][BLOCK]}. */
        float[] dv = new float[0];
        /** G (N×r). */
        float[] g = new float[0];
        /**
         * Per tile: its window's first element in an image of x ({@code down·W + across}) plus the
         * image's offset ({@code e·C·H·W}); its first dy element likewise ({@code e·out·OH·OW + down·OW
         * + across}); its window's rows and columns inside x (up to N) and its outputs' inside dy (up
         * to m), as {@code rows·32 + columns}.
         */
        int[] xAt = new int[0], dyAt = new int[0], xShape = new int[0], dyShape = new int[0];

        /** The weight gradient's kernels: after the first pass {@code [r][N][L]}, then {@code [r·r][L]}. */
        final float[] half = new float[2 * N * N * L];

        Phase phase;
        int tasks, units;
        float[] x, dy, dx;
        int xOff, dyOff, dxOff;

        void prepare(ImageWindow v, int out, int rows, int threads, boolean inputGradient) {
            this.v = v;
            this.out = out;
            this.rows = rows;
            this.inputGradient = inputGradient;
            channels = v.channels();
            if (r != v.kernelHeight()) {
                r = v.kernelHeight();
                g = Winograd.kernelMatrix(r);
            }
            m = N + 1 - r;
            tilesAcross = (v.outWidth() + m - 1) / m;
            perImage = ((v.outHeight() + m - 1) / m) * tilesAcross;
            tiles = rows * perImage;
            cPad = Gemm.roundUp(channels, MR);
            slivers = (out + NR - 1) / NR;
            oPad = slivers * NR;
            vStride = cPad * BLOCK + PAD;
            wStride = slivers * BLOCK * NR + PAD;
            xStride = BLOCK * out + PAD;
            uStride = cPad * out + PAD;
            duStride = cPad * oPad + PAD;
            dvStride = cPad * BLOCK + PAD;
            windows = grown(windows, POINTS * vStride);
            byChannel = grown(byChannel, POINTS * wStride);
            du = grown(du, POINTS * duStride);
            if (inputGradient) {
                byTile = grown(byTile, POINTS * xStride);
                kernelsT = grown(kernelsT, POINTS * uStride);
                dv = grown(dv, POINTS * dvStride);
            }
            long macs = (long) tiles * POINTS * cPad * oPad;
            tasks = macs < Gemm.PARALLEL_MIN ? 1 : threads;
            if (xAt.length < tiles) {
                xAt = new int[tiles];
                dyAt = new int[tiles];
                xShape = new int[tiles];
                dyShape = new int[tiles];
            }
            int width = v.width(), height = v.height(), oh = v.outHeight(), ow = v.outWidth();
            for (int t = 0; t < tiles; t++) {
                int e = t / perImage, q = t % perImage, down = q / tilesAcross * m, across = q % tilesAcross * m;
                xAt[t] = e * v.inputSize() + down * width + across;
                dyAt[t] = e * out * oh * ow + down * ow + across;
                xShape[t] = Math.min(N, height - down) * 32 + Math.min(N, width - across);
                dyShape[t] = Math.min(m, oh - down) * 32 + Math.min(m, ow - across);
            }
        }

        private static float[] grown(float[] a, int size) {
            return a.length < size ? new float[size] : a;
        }

        /** Runs the phase's units (blocks of tiles, points or channels) as up to {@link #tasks} ranges. */
        void run(Phase phase, int units) {
            this.phase = phase;
            this.units = units;
            Workers.forEach(Math.min(tasks, units), this);
        }

        @Override
        public void accept(int t) {
            int n = Math.min(tasks, units), u0 = (int) ((long) units * t / n), u1 = (int) ((long) units * (t + 1) / n);
            Work k = WORK.get();
            for (int u = u0; u < u1; u++)
                switch (phase) {
                    case TRANSFORMS -> k.transforms(this, u * L);
                    case PRODUCTS -> k.products(this, u);
                    case INPUT_GRADIENT -> k.inputGradient(this, u);
                }
        }

        /**
         * {@link #kernelsT}: the forward's U (kernels transformed, or reused when the thread's last
         * forward had the same w) repacked as dV's A. Reads w.
         */
        void transposeKernels(float[] w, int wOff) {
            // the thread's forward call: after a step's forward its kernels are already transformed
            Winograd.Call kernels = Winograd.call();
            kernels.prepare(v, out, 1, 1);
            kernels.transformKernels(w, wOff);
            float[] u = kernels.u;
            int fwdPad = kernels.cPad, fwdPoint = kernels.uPoint;
            for (int p = 0; p < POINTS; p++)
                for (int group = 0; group < cPad / MR; group++)
                    for (int o = 0; o < out; o++)
                        for (int i = 0, ch = group * MR; i < MR; i++, ch++)
                            kernelsT[p * uStride + (group * out + o) * MR + i] =
                                    ch < channels ? u[p * fwdPoint + ((o / NR) * fwdPad + ch) * NR + o % NR] : 0f;
        }

        /**
         * Adds {@code Gᵀ·dU·G} of every kernel into {@code grad[dwOff, dwOff + out·C·r·r)}, L
         * out-channels at a time: first along dU's columns into {@link #half}, then along its rows.
         */
        void weightGradient(float[] grad, int dwOff) {
            int rr = r * r;
            float[] acc = half;
            for (int ch = 0; ch < channels; ch++)
                for (int o0 = 0; o0 < out; o0 += L) {
                    for (int ki = 0; ki < r; ki++)
                        for (int b = 0; b < N; b++) {
                            FloatVector s = FloatVector.zero(S);
                            for (int a = 0; a < N; a++)
                                s = FloatVector.fromArray(S, du, (a * N + b) * duStride + ch * oPad + o0)
                                        .fma(FloatVector.broadcast(S, g[a * r + ki]), s);
                            s.intoArray(acc, (ki * N + b) * L);
                        }
                    int lanes = Math.min(L, out - o0);
                    for (int ki = 0; ki < r; ki++)
                        for (int kj = 0; kj < r; kj++) {
                            FloatVector s = FloatVector.zero(S);
                            for (int b = 0; b < N; b++)
                                s = FloatVector.fromArray(S, acc, (ki * N + b) * L)
                                        .fma(FloatVector.broadcast(S, g[b * r + kj]), s);
                            s.intoArray(acc, (r * N + ki * r + kj) * L);
                        }
                    for (int l = 0; l < lanes; l++)
                        for (int k = 0, to = dwOff + ((o0 + l) * channels + ch) * rr; k < rr; k++)
                            grad[to + k] += acc[(r * N + k) * L + l];
                }
        }

        /** Adds each out-channel's sum of dy (over the rows and positions, in that order) into grad. */
        void biasGradient(float[] grad, int dbOff) {
            int plane = v.plane(), whole = plane / L * L;
            float[] lanes = half;
            for (int o = 0; o < out; o++) {
                Arrays.fill(lanes, 0, L, 0f);
                float tail = 0f;
                for (int e = 0; e < rows; e++) {
                    int at = dyOff + (e * out + o) * plane;
                    var s = FloatVector.fromArray(S, lanes, 0);
                    for (int q = 0; q < whole; q += L) s = s.add(FloatVector.fromArray(S, dy, at + q));
                    s.intoArray(lanes, 0);
                    for (int q = whole; q < plane; q++) tail += dy[at + q];
                }
                grad[dbOff + o] += SimdBackend.lanesSum(lanes, 0) + tail;
            }
        }
    }

    /** A thread's staging buffers, grown on demand and reused. */
    private static final class Work {
        /** Two staging buffers of 8×8 windows (or m×m tiles of dy), {@code [i·side + j][L]} each. */
        final float[] staged = new float[2 * N * N * L];
        /** A window after its first transform pass, {@code [a·N + j][L]}. */
        final float[] columns = new float[N * N * L];
        /** Two tiles' input gradients, {@code [i·N + j][L]} each. */
        final float[] windowGradients = new float[2 * N * N * L];

        final float[] tile = new float[MR * NR];

        /** The transforms of the block's tiles {@code [t0, t0 + L)}: their windows of x, and dy two ways. */
        void transforms(Call c, int t0) {
            int groups = c.cPad / MR;
            int units = L / TILES_PER_VECTOR * groups;
            for (int k = 0; k <= units; k++) {
                if (k < units) stageWindows(c, t0 + k / groups * TILES_PER_VECTOR, k % groups * MR, k & 1);
                if (k > 0) {
                    int done = k - 1, t = t0 + done / groups * TILES_PER_VECTOR, group = done % groups;
                    transformWindows(done & 1, c.windows, (group * BLOCK + t) * MR, c.vStride);
                }
            }
            int vectors = (c.out + L - 1) / L;
            units = L * vectors;
            for (int k = 0; k <= units; k++) {
                if (k < units) stageOutChannels(c, t0 + k / vectors, k % vectors * L, k & 1);
                if (k > 0) {
                    int done = k - 1, t = t0 + done / vectors, o0 = done % vectors * L;
                    transformGradients(c, done & 1, c.byChannel, ((o0 / NR) * BLOCK + t) * NR + o0 % NR, c.wStride);
                }
            }
            if (!c.inputGradient) return;
            for (int k = 0; k <= c.out; k++) {
                if (k < c.out) stageTiles(c, t0, k, k & 1);
                if (k > 0)
                    transformGradients(c, (k - 1) & 1, c.byTile, ((t0 / NR) * c.out + k - 1) * NR + t0 % NR, c.xStride);
            }
        }

        /**
         * Stages the 8×8 windows of x for TILES_PER_VECTOR tiles from t and MR channels from ch into
         * buffer {@code buf}: lane {@code j·MR + i} is tile t + j, channel ch + i; zeros past the
         * image, the tiles or the channels.
         */
        private void stageWindows(Call c, int t, int ch, int buf) {
            float[] x = c.x, st = staged;
            int base = buf * N * N * L, width = c.v.width(), plane = c.v.height() * width;
            for (int lane = 0; lane < L; lane++) {
                int tile = t + lane / MR, channel = ch + lane % MR;
                if (tile >= c.count || channel >= c.channels) {
                    for (int ij = 0; ij < N * N; ij++) st[base + ij * L + lane] = 0f;
                    continue;
                }
                int from = c.xOff + c.xAt[c.first + tile] + channel * plane, shape = c.xShape[c.first + tile];
                if (shape == N * 32 + N) {
                    for (int i = 0, to = base + lane; i < N; i++, from += width)
                        for (int j = 0; j < N; j++, to += L) st[to] = x[from + j];
                } else {
                    int rowsIn = shape >> 5, colsIn = shape & 31;
                    for (int i = 0; i < N; i++)
                        for (int j = 0; j < N; j++)
                            st[base + (i * N + j) * L + lane] = i < rowsIn && j < colsIn ? x[from + i * width + j] : 0f;
                }
            }
        }

        /** {@code Bᵀ·d·B} of staged buffer buf into the 64 points of dst at {@code p·stride + at}. */
        private void transformWindows(int buf, float[] dst, int at, int stride) {
            int base = buf * N * N * L;
            for (int j = 0; j < N; j++) Winograd.transformInput(staged, base + j * L, N * L, columns, j * L, N * L);
            for (int a = 0; a < N; a++)
                Winograd.transformInput(columns, a * N * L, L, dst, a * N * stride + at, stride);
        }

        /** Stages dy's m×m tile t for out-channels {@code [o0, o0 + L)} (a lane each) into buffer buf. */
        private void stageOutChannels(Call c, int t, int o0, int buf) {
            for (int lane = 0; lane < L; lane++) stageTile(c, t, o0 + lane, buf, lane);
        }

        /** Stages dy's m×m tiles {@code [t0, t0 + L)} (a lane each) of out-channel o into buffer buf. */
        private void stageTiles(Call c, int t0, int o, int buf) {
            for (int lane = 0; lane < L; lane++) stageTile(c, t0 + lane, o, buf, lane);
        }

        /** One lane of a staged dy tile: zeros past the output plane, the tiles or the out-channels. */
        private void stageTile(Call c, int t, int o, int buf, int lane) {
            float[] st = staged, dy = c.dy;
            int m = c.m, base = buf * N * N * L + lane;
            if (t >= c.count || o >= c.out) {
                for (int ij = 0; ij < m * m; ij++) st[base + ij * L] = 0f;
                return;
            }
            int ow = c.v.outWidth(), from = c.dyOff + c.dyAt[c.first + t] + o * c.v.plane();
            int shape = c.dyShape[c.first + t];
            if (shape == m * 32 + m) {
                for (int i = 0, to = base; i < m; i++, from += ow)
                    for (int j = 0; j < m; j++, to += L) st[to] = dy[from + j];
            } else {
                int rowsIn = shape >> 5, colsIn = shape & 31;
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < m; j++)
                        st[base + (i * m + j) * L] = i < rowsIn && j < colsIn ? dy[from + i * ow + j] : 0f;
            }
        }

        /** {@code A·dY·Aᵀ} (8×8) of the m×m tiles staged in buffer buf into the 64 points of dst. */
        private void transformGradients(Call c, int buf, float[] dst, int at, int stride) {
            int m = c.m, base = buf * N * N * L;
            for (int j = 0; j < m; j++)
                Winograd.transformOutputAdjoint(staged, base + j * L, m * L, m, columns, j * L, N * L);
            for (int a = 0; a < N; a++)
                Winograd.transformOutputAdjoint(columns, a * N * L, L, m, dst, a * N * stride + at, stride);
        }

        /**
         * Point p's products over the block: dU += Vᵀ·dM (continuing the sums of the blocks before),
         * and dV = Uᵀ·dMᵀ when dx is wanted.
         */
        void products(Call c, int p) {
            for (int group = 0; group < c.cPad / MR; group++) {
                for (int s = 0; s < c.slivers; s++)
                    Gemm.kernel(
                            c.count,
                            c.windows,
                            p * c.vStride + group * BLOCK * MR,
                            Gemm.PACKED,
                            c.byChannel,
                            p * c.wStride + s * BLOCK * NR,
                            NR,
                            c.du,
                            p * c.duStride + group * MR * c.oPad + s * NR,
                            c.oPad,
                            MR,
                            NR,
                            c.first > 0,
                            tile);
                if (c.inputGradient)
                    for (int s = 0; s < BLOCK / NR; s++)
                        Gemm.kernel(
                                c.out,
                                c.kernelsT,
                                p * c.uStride + group * c.out * MR,
                                Gemm.PACKED,
                                c.byTile,
                                p * c.xStride + s * c.out * NR,
                                NR,
                                c.dv,
                                p * c.dvStride + group * MR * BLOCK + s * NR,
                                BLOCK,
                                MR,
                                NR,
                                false,
                                tile);
            }
        }

        /**
         * Channel ch's input gradient over the block: its planes of dx set to 0 in the block that
         * holds their image's first tile, then each tile's {@code B·dV·Bᵀ} added at its window, tile
         * by tile in order (L tiles transformed at a time, each group added while the next is
         * transformed).
         */
        void inputGradient(Call c, int ch) {
            int height = c.v.height(), width = c.v.width(), plane = height * width;
            // the images whose first tile is in the block: their planes are still in cache for the adds
            int per = c.perImage, e1 = (c.first + c.count + per - 1) / per;
            for (int e = (c.first + per - 1) / per; e < e1; e++) {
                int at = c.dxOff + e * c.v.inputSize() + ch * plane;
                Arrays.fill(c.dx, at, at + plane, 0f);
            }
            int groups = BLOCK / L;
            for (int k = 0; k <= groups; k++) {
                if (k < groups) transformWindowGradients(c, ch, k * L, k & 1);
                if (k > 0) addWindowGradients(c, ch, (k - 1) * L, (k - 1) & 1);
            }
        }

        /** {@code B·dV·Bᵀ} of channel ch's tiles {@code [t0, t0 + L)} into windowGradients' buffer buf. */
        private void transformWindowGradients(Call c, int ch, int t0, int buf) {
            int at = ch * BLOCK + t0, stride = c.dvStride;
            for (int b = 0; b < N; b++)
                Winograd.transformInputAdjoint(c.dv, b * stride + at, N * stride, columns, b * L, N * L);
            for (int i = 0; i < N; i++)
                Winograd.transformInputAdjoint(columns, i * N * L, L, windowGradients, buf * N * N * L + i * N * L, L);
        }

        /** Adds buffer buf's window gradients (tiles {@code [t0, t0 + L)}, a lane each) into dx. */
        private void addWindowGradients(Call c, int ch, int t0, int buf) {
            float[] dx = c.dx, grads = windowGradients;
            int width = c.v.width(), plane = c.v.height() * width;
            for (int lane = 0; lane < L && t0 + lane < c.count; lane++) {
                int t = c.first + t0 + lane, to = c.dxOff + c.xAt[t] + ch * plane, shape = c.xShape[t];
                int rowsIn = shape >> 5, colsIn = shape & 31, from = buf * N * N * L + lane;
                for (int i = 0; i < rowsIn; i++, to += width)
                    for (int j = 0; j < colsIn; j++) dx[to + j] += grads[from + (i * N + j) * L];
            }
        }
    }
}
