package dev.descent.backend;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-precision matrix product {@code C (+)= op(A)·op(B)} for the three layouts of a dense
 * layer, in the GotoBLAS/BLIS shape: cache blocks over n ({@link #NC}), k ({@link #KC}) and m
 * ({@link #MC}); panels of A and B packed into per-thread scratch; a register-blocked micro-kernel
 * computing an {@link #MR}×{@link #NR} tile of C with FMA accumulators (8 or 4 rows, as the vector
 * registers allow).
 *
 * <p>Layouts differ only in how the packing routines read A and B: A(i, p) lives at {@code aOff +
 * i·rsA + p·csA} and B(p, j) at {@code bOff + p·rsB + j·csB}. B row-major ({@code csB = 1}) is read
 * by the 4-row micro-kernel in place when that is cheaper than packing it (the 8-row one reads
 * packed B only). When A is small (a batch of rows, {@link #SHARED_A_MAX}) it is packed once and
 * C's columns are split into small tasks that share it ({@link #panels}); A·Bᵀ with such an A (a
 * dense layer's forward X·Wᵀ) is computed as its transpose, reading B's rows in place ({@link
 * #transposed}). A dense layer's bias and activation can run as the product's epilogue ({@link
 * Product#epilogue}). A call is {@code product().operands(...).run(threads)}; it allocates nothing.
 *
 * <p>Every element of C is accumulated in the same order whatever the partitioning (k-blocks of
 * {@link #KC}, FMA chain inside a block, then added to C), so the result does not depend on the
 * number of threads.
 */
final class Gemm {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** The upper half of a vector's lanes, for {@link #packGathered}'s runs of L/2. */
    private static final VectorMask<Float> UPPER_HALF;
    /** 0, 1, …, L − 1: the lane numbers, whose comparisons give {@link #packGathered}'s masks. */
    private static final FloatVector LANES;

    static {
        boolean[] upper = new boolean[L];
        for (int i = L / 2; i < L; i++) upper[i] = true;
        UPPER_HALF = VectorMask.fromArray(S, upper, 0);
        float[] lanes = new float[L];
        for (int i = 0; i < L; i++) lanes[i] = i;
        LANES = FloatVector.fromArray(S, lanes, 0);
    }

    /**
     * Rows of the register tile (broadcast A values): 8 where the vectors are 512 bits wide (x86's
     * AVX-512, which has 32 vector registers), else 4 (AVX2 has 16; {@link #kernel4} on why not 6).
     * Round-robin in one JVM on AVX-512 (2026-12-06, Emerald Rapids, same bits), four runs: 8 rows ran
     * the MLP step's products at 1.07–1.19× the speed of 6 in three (0.93× for two of them in a noisy
     * one), 1024³ at 0.98–1.18×; limited to AVX2's 16 registers ({@code -XX:UseAVX=2}) the JIT
     * spills, and 8 rows took 1.04–1.5× the time of 6.
     */
    static final int MR = S.vectorBitSize() >= 512 ? 8 : 4;
    /**
     * Whether the micro-kernel reads B only as packed slivers ({@link #kernel8}, at the constant stride
     * NR); the 4-row kernel also reads row-major B in place.
     */
    private static final boolean PACKED_B_ONLY = MR == 8;
    /** The kernel's aRow for a packed A sliver ({@link #packA}) rather than rows read in place. */
    static final int PACKED = 0;

    /** Columns of the register tile: two vectors of B. */
    static final int NR = 2 * L;
    /**
     * Most depth of a k-block. Each k-block loads and stores every tile of C once more, and C's tiles
     * come from L3 (Java has no prefetch), so deep blocks win although an A sliver and a B sliver
     * then stream from L2 and L3 rather than sit in L1: round-robin in one JVM (2026-12-07, Zen 4,
     * same bits), KC 1024 ran 1024³ and 2048³ at 1.03–1.20× the speed of KC 256 on one thread and
     * 1.05–1.26× on two (A/A 0.95–1.07×); 2048 gained 0–8 % more on 2048³ only, for twice the
     * scratch; 384–512 gained less, 128–192 lost 7–13 %.
     */
    static final int KC = 1024;
    /** Rows of an A block ({@code MC×KC}, kept in L2); a multiple of MR. */
    static final int MC = 96;
    /** Columns of a B panel ({@code KC×NC}); a multiple of NR. */
    static final int NC = 1024;

    private Gemm() {}

    /** Per-thread packing buffers, grown on demand and then reused. */
    private static final class Scratch {
        final float[] tile = new float[MR * NR];
        /** The lanes of a dot-product tile's accumulators ({@link #dotTile}). */
        final float[] lanes = new float[DOT_MB * DOT_NB * L];

        float[] ap = new float[0];
        float[] bp = new float[0];
        float[] aAll = new float[0];
        float[] cT = new float[0];

        float[] ap(int size) {
            if (ap.length < size) ap = new float[size];
            return ap;
        }

        float[] bp(int size) {
            if (bp.length < size) bp = new float[size];
            return bp;
        }

        float[] aAll(int size) {
            if (aAll.length < size) aAll = new float[size];
            return aAll;
        }

        float[] cT(int size) {
            if (cT.length < size) cT = new float[size];
            return cT;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * Products with fewer multiply-adds than this run on the calling thread alone: {@link
     * SimdBackend#productThreads} passes 1 thread for them.
     */
    static final long PARALLEL_MIN = 1L << 20;

    /**
     * Largest A (floats, rows rounded up to MR) packed once and shared by all tasks ({@link #panels}):
     * up to 512 KB, e.g. a batch of 64 or 128 rows at any MNIST-like width.
     */
    static final int SHARED_A_MAX = 128 * 1024;

    /**
     * Column tasks per thread in {@link #panels}: small tasks claimed in order, so when the other
     * core is busy (a shared machine) the caller simply takes more of them instead of waiting.
     */
    static final int TASKS_PER_THREAD = 4;

    /**
     * The calling thread's product, to be set up and run: {@code product().operands(...).run(threads)},
     * with {@code .epilogue(...)} before {@code run} for a dense layer's forward pass.
     */
    static Product product() {
        return PRODUCTS.get();
    }

    private static final ThreadLocal<Product> PRODUCTS = ThreadLocal.withInitial(Product::new);

    /** How a product is computed: {@link #dotNT}, {@link #panels}, {@link #transposed} or {@link #block}. */
    private enum Path {
        DOT,
        PANELS,
        TRANSPOSED,
        BLOCK
    }

    /**
     * One call's operands, epilogue and split. Each calling thread keeps one ({@link #product}) and
     * reuses it, so a call allocates nothing; the pool's workers read it while they run the call's
     * tasks ({@link #accept}).
     */
    static final class Product implements IntConsumer {
        float[] a, b, c;
        int aOff, rsA, csA, bOff, rsB, csB, cOff, m, n, k;
        boolean transA, transB, accumulate;
        /** The epilogue ({@link #epilogue}), applied after the last k-block: none when f is null. */
        Activation f;

        /**
         * A gathered B ({@link #gathered}): {@code B(r, c) = b[bOff + bRowAt[r] + bColAt[c]]}; null for
         * a B in an array of its own.
         */
        int[] bRowAt, bColAt;

        float[] bias, out;
        int biasOff, outOff;
        /** The split: C's columns (byCols) or rows in {@code units} of {@code unit}, over {@code tasks}. */
        Path path;

        boolean byCols;
        int unit, units, tasks;
        /**
         * All of A, packed once for {@link Path#PANELS} and for {@link Path#TRANSPOSED} on one thread
         * (null when its tasks pack their own).
         */
        float[] aAll;
        /** Cᵀ, n×m, for {@link Path#TRANSPOSED}. */
        float[] cT;
        /** Tasks that pack a share of A's rows before the column tasks (shared A, threaded). */
        int packTasks;

        final AtomicInteger packed = new AtomicInteger();
        /**
         * A packing task failed: the pool then skips the tasks not yet started, perhaps a packing
         * one, so the column tasks must not wait for {@link #packed} to be complete.
         */
        volatile boolean packFailed;

        /**
         * {@code C[m×n] (+)= op(A)·op(B)}: A is {@code m×k} row-major, or {@code k×m} when transA; B
         * is {@code k×n} row-major, or {@code n×k} when transB. {@link #run} reads a and b and
         * overwrites c (adds into it when accumulate).
         */
        Product operands(
                boolean transA,
                boolean transB,
                float[] a,
                int aOff,
                float[] b,
                int bOff,
                float[] c,
                int cOff,
                int m,
                int n,
                int k,
                boolean accumulate) {
            this.transA = transA;
            this.transB = transB;
            this.a = a;
            this.aOff = aOff;
            this.rsA = transA ? 1 : k;
            this.csA = transA ? m : 1;
            this.b = b;
            this.bOff = bOff;
            this.rsB = transB ? 1 : n;
            this.csB = transB ? k : 1;
            this.c = c;
            this.cOff = cOff;
            this.m = m;
            this.n = n;
            this.k = k;
            this.accumulate = accumulate;
            this.f = null;
            this.bRowAt = this.bColAt = null;
            return this;
        }

        /**
         * Makes B, set by {@link #operands} as row-major {@code k×n} at bOff, a gathered matrix
         * instead: {@code B(r, c) = b[bOff + rowAt[r] + colAt[c]]} for {@code r < k}, {@code c < n}
         * (a convolution's unfolded input, im2col or its transpose, read straight from the images
         * into the packed slivers). Every such index must lie in b. {@link #run} reads rowAt and
         * colAt.
         */
        Product gathered(int[] rowAt, int[] colAt) {
            if (transB) throw new IllegalStateException("a gathered B is k×n: set it up with transB false");
            this.bRowAt = rowAt;
            this.bColAt = colAt;
            return this;
        }

        /**
         * Packs rows {@code [i0, i1)} of A (i0 a multiple of {@link #packUnit}) into dst ({@link #aAll}),
         * k-block by k-block ({@link #kStep}): the block starting at depth pc at {@code
         * aAll[pc·mPad]} (mPad = m rounded up to the unit), those rows at {@code i0·kc} in it, in
         * {@link Gemm#packA}'s layout, or for {@link Path#TRANSPOSED} as {@link Gemm#packB}'s
         * slivers of Aᵀ.
         */
        private void packRowsOfA(int i0, int i1, float[] dst) {
            int mPad = roundUp(m, packUnit()), kStep = kStep(k);
            for (int pc = 0; pc < k; pc += kStep) {
                int kc = Math.min(kStep, k - pc);
                if (path == Path.TRANSPOSED)
                    for (int i = i0; i < i1; i += NR)
                        packB(a, aOff, csA, rsA, pc, kc, i, Math.min(NR, i1 - i), dst, pc * mPad + i * kc);
                else packA(a, aOff, rsA, csA, i0, i1 - i0, pc, kc, dst, pc * mPad + i0 * kc);
            }
        }

        /**
         * The rows of A in one packed sliver of {@link #aAll}: MR (A as {@link #packA}'s left
         * operand) or NR (Aᵀ as {@link #packB}'s right operand, {@link Path#TRANSPOSED}).
         */
        private int packUnit() {
            return path == Path.TRANSPOSED ? NR : MR;
        }

        /**
         * A dense layer's epilogue for {@code C = X·Wᵀ}: {@code C += bias} (one value per column),
         * then {@code out = f(C)}, applied to each tile of C as its last k-block leaves the
         * micro-kernel, while the tile is in L1. The result is the same as the product, {@link
         * ScalarBackend#addRowVector} and {@link Activation#apply} in turn. {@link #run} reads bias
         * and overwrites out (which may be c itself).
         */
        Product epilogue(Activation f, float[] bias, int biasOff, float[] out, int outOff) {
            this.f = f;
            this.bias = bias;
            this.biasOff = biasOff;
            this.out = out;
            this.outOff = outOff;
            return this;
        }

        /**
         * Chooses the path and split, computes the product (and epilogue) on up to {@code threads}
         * threads, then drops the references to the operands.
         */
        void run(int threads) {
            try {
                if (m > 0 && n > 0) {
                    if (k > 0) {
                        split(threads);
                        Workers.forEach(packTasks + tasks, this);
                    } else {
                        if (!accumulate) Arrays.fill(c, cOff, cOff + m * n, 0f);
                        finish(this, 0, m, 0, n);
                    }
                }
            } finally {
                a = b = c = bias = out = null;
                f = null;
                bRowAt = bColAt = null;
            }
        }

        private void split(int threads) {
            packTasks = 0;
            int nUnits = (n + NR - 1) / NR, mUnits = (m + MR - 1) / MR;
            // Split C along its longer side (columns on a tie): each task packs its share of the
            // operand along the split and all of the other, so the packing done twice is the smaller
            // operand's.
            byCols = (n >= m && nUnits >= 2) || mUnits < 2;
            int most = threads;
            int mPad = mUnits * MR;
            if (!transA && transB && n < NR && k >= DOT_MIN_K) {
                // A·Bᵀ narrower than one register tile (a classifier's logits): rows of A and B are
                // both contiguous along k, so dot products need no packing and waste no tile columns.
                // (Measured on AVX2: about 2× faster at 64×10×128; for wider C the packed kernel wins.)
                path = Path.DOT;
                unit = byCols ? DOT_NB : DOT_MB;
            } else if (!transA && transB && (long) roundUp(m, NR) * k <= SHARED_A_MAX) {
                // A·Bᵀ with a small A (a dense layer's forward X·Wᵀ): computed as Cᵀ = B·Aᵀ, with the
                // rows of B (the weights) read in place and only A packed, once; packing Wᵀ cost
                // as much as the product's FMAs (64×128×784: 60 µs of 140 µs on AVX-512). Threaded,
                // one column task per thread, each packing all of A into its own scratch: a shared
                // packed A, written by one core and read by both, and smaller tasks, which stream it
                // through L1 once more each, made the split call slower (92 µs against 80)
                path = Path.TRANSPOSED;
                aAll = null;
                if (most == 1) packRowsOfA(0, m, aAll = SCRATCH.get().aAll(roundUp(m, NR) * k));
                cT = SCRATCH.get().cT(n * m);
                byCols = true;
                unit = MR;
            } else if (byCols && (long) mPad * k <= SHARED_A_MAX) {
                // A small enough to pack once: C's columns go to small tasks that share it, so a
                // second thread costs no duplicated packing and a late one costs nothing.
                most = shareA(Path.PANELS, threads, most, MR, mPad * k, TASKS_PER_THREAD);
                unit = NR;
            } else {
                path = Path.BLOCK;
                unit = byCols ? NR : MR;
            }
            units = byCols ? (n + unit - 1) / unit : (m + unit - 1) / unit;
            tasks = Math.min(most, units);
        }

        /**
         * Sets up a path on which all of A is packed once into {@link #aAll} (size floats, slivers of
         * packUnit rows) and shared by the column tasks: packed now on one thread, or else by
         * {@link #packTasks} tasks claimed before the column tasks, which wait until all of A is
         * packed. Returns the most column tasks: tasksPerThread per thread when threaded.
         */
        private int shareA(Path path, int threads, int most, int packUnit, int size, int tasksPerThread) {
            this.path = path;
            aAll = SCRATCH.get().aAll(size);
            if (most == 1) {
                packRowsOfA(0, m, aAll);
                return 1;
            }
            packTasks = Math.min(threads, (m + packUnit - 1) / packUnit);
            packed.set(0);
            packFailed = false;
            return most * tasksPerThread;
        }

        /**
         * Task t of the split: first the {@link #packTasks} shares of A's packing, then the shares of
         * C's columns (or rows).
         */
        @Override
        public void accept(int t) {
            if (t < packTasks) {
                int pu = packUnit(), mUnits = (m + pu - 1) / pu;
                try {
                    packRowsOfA(
                            (int) ((long) mUnits * t / packTasks) * pu,
                            Math.min(m, (int) ((long) mUnits * (t + 1) / packTasks) * pu),
                            aAll);
                } catch (RuntimeException | Error e) {
                    packFailed = true;
                    throw e;
                } finally {
                    packed.incrementAndGet();
                }
                return;
            }
            t -= packTasks;
            // packing tasks are claimed first and wait for nothing, so this wait ends: they all
            // finish, or one fails (the rest may then be skipped) and the call fails with it
            while (packed.get() < packTasks && !packFailed) Thread.onSpinWait();
            int u0 = (int) ((long) units * t / tasks), u1 = (int) ((long) units * (t + 1) / tasks);
            int i0 = byCols ? 0 : u0 * unit, i1 = byCols ? m : Math.min(m, u1 * unit);
            int j0 = byCols ? u0 * unit : 0, j1 = byCols ? Math.min(n, u1 * unit) : n;
            switch (path) {
                case DOT -> dotNT(this, i0, i1, j0, j1);
                case PANELS -> panels(this, j0, j1);
                case TRANSPOSED -> transposed(this, j0, j1);
                case BLOCK -> block(this, i0, i1, j0, j1);
            }
        }
    }

    /**
     * The epilogue on C's rows {@code [i0, i1)} × columns {@code [j0, j1)}, when the product has one
     * ({@link Product#epilogue}): adds the bias to each row, then writes f of it to out. Overwrites that block
     * of c and of out.
     */
    private static void finish(Product p, int i0, int i1, int j0, int j1) {
        if (p.f == null) return;
        float[] c = p.c, bias = p.bias;
        int bj = p.biasOff + j0;
        for (int i = i0; i < i1; i++) {
            int ci = p.cOff + i * p.n + j0;
            for (int col = 0; col < j1 - j0; col++) c[ci + col] += bias[bj + col];
            SimdBackend.apply(p.f, c, ci, p.out, p.outOff + i * p.n + j0, j1 - j0);
        }
    }

    /** Rows of A and of B (rows of C, columns of C) in one tile of the dot-product kernel. */
    static final int DOT_MB = 4, DOT_NB = 3;
    /** The dot-product kernel serves A·Bᵀ from this depth on (shorter ones are mostly lane sums). */
    static final int DOT_MIN_K = 4 * 8;

    /**
     * {@code C[i0..i1) × [j0..j1) (+)= A·Bᵀ} with A {@code m×k} and B {@code n×k} row-major, as dot
     * products of rows along k: {@value #DOT_MB}×{@value #DOT_NB} tiles with one vector accumulator
     * per element of C, then a lane sum and a scalar tail; then the epilogue on the block. Reads a
     * and b; overwrites (or adds into) the block of c. Each element is summed in the same order
     * whatever the block, so the result does not depend on the split.
     */
    private static void dotNT(Product pr, int i0, int i1, int j0, int j1) {
        float[] a = pr.a, b = pr.b, c = pr.c;
        int aOff = pr.aOff, bOff = pr.bOff, cOff = pr.cOff, ldc = pr.n, k = pr.k;
        boolean accumulate = pr.accumulate;
        float[] lanes = SCRATCH.get().lanes;
        int i = i0;
        for (; i + DOT_MB <= i1; i += DOT_MB) {
            int j = j0;
            for (; j + DOT_NB <= j1; j += DOT_NB)
                dotTile(a, aOff + i * k, b, bOff + j * k, c, cOff + i * ldc + j, ldc, k, accumulate, lanes);
            for (; j < j1; j++)
                for (int r = i; r < i + DOT_MB; r++)
                    dot1(a, aOff + r * k, b, bOff + j * k, c, cOff + r * ldc + j, k, accumulate, lanes);
        }
        for (; i < i1; i++)
            for (int j = j0; j < j1; j++)
                dot1(a, aOff + i * k, b, bOff + j * k, c, cOff + i * ldc + j, k, accumulate, lanes);
        finish(pr, i0, i1, j0, j1);
    }

    /** One 4×3 tile of {@link #dotNT}: A rows at ai, ai+k, …; B rows at bi, bi+k, bi+2k; C at ci. */
    private static void dotTile(
            float[] a, int ai, float[] b, int bi, float[] c, int ci, int ldc, int k, boolean add, float[] lanes) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00;
        FloatVector c30 = c00, c31 = c00, c32 = c00;
        int a1 = ai + k, a2 = a1 + k, a3 = a2 + k, b1 = bi + k, b2 = b1 + k;
        int p = 0;
        for (int bound = S.loopBound(k); p < bound; p += L) {
            FloatVector y0 = FloatVector.fromArray(S, b, bi + p);
            FloatVector y1 = FloatVector.fromArray(S, b, b1 + p);
            FloatVector y2 = FloatVector.fromArray(S, b, b2 + p);
            FloatVector x = FloatVector.fromArray(S, a, ai + p);
            c00 = x.fma(y0, c00);
            c01 = x.fma(y1, c01);
            c02 = x.fma(y2, c02);
            x = FloatVector.fromArray(S, a, a1 + p);
            c10 = x.fma(y0, c10);
            c11 = x.fma(y1, c11);
            c12 = x.fma(y2, c12);
            x = FloatVector.fromArray(S, a, a2 + p);
            c20 = x.fma(y0, c20);
            c21 = x.fma(y1, c21);
            c22 = x.fma(y2, c22);
            x = FloatVector.fromArray(S, a, a3 + p);
            c30 = x.fma(y0, c30);
            c31 = x.fma(y1, c31);
            c32 = x.fma(y2, c32);
        }
        c00.intoArray(lanes, 0);
        c01.intoArray(lanes, L);
        c02.intoArray(lanes, 2 * L);
        c10.intoArray(lanes, 3 * L);
        c11.intoArray(lanes, 4 * L);
        c12.intoArray(lanes, 5 * L);
        c20.intoArray(lanes, 6 * L);
        c21.intoArray(lanes, 7 * L);
        c22.intoArray(lanes, 8 * L);
        c30.intoArray(lanes, 9 * L);
        c31.intoArray(lanes, 10 * L);
        c32.intoArray(lanes, 11 * L);
        store(lanes, 0, a, ai, b, bi, p, k, c, ci, add);
        store(lanes, L, a, ai, b, b1, p, k, c, ci + 1, add);
        store(lanes, 2 * L, a, ai, b, b2, p, k, c, ci + 2, add);
        store(lanes, 3 * L, a, a1, b, bi, p, k, c, ci + ldc, add);
        store(lanes, 4 * L, a, a1, b, b1, p, k, c, ci + ldc + 1, add);
        store(lanes, 5 * L, a, a1, b, b2, p, k, c, ci + ldc + 2, add);
        store(lanes, 6 * L, a, a2, b, bi, p, k, c, ci + 2 * ldc, add);
        store(lanes, 7 * L, a, a2, b, b1, p, k, c, ci + 2 * ldc + 1, add);
        store(lanes, 8 * L, a, a2, b, b2, p, k, c, ci + 2 * ldc + 2, add);
        store(lanes, 9 * L, a, a3, b, bi, p, k, c, ci + 3 * ldc, add);
        store(lanes, 10 * L, a, a3, b, b1, p, k, c, ci + 3 * ldc + 1, add);
        store(lanes, 11 * L, a, a3, b, b2, p, k, c, ci + 3 * ldc + 2, add);
    }

    /** One element of {@link #dotNT}, in the same order as a tile computes it. */
    private static void dot1(
            float[] a, int ai, float[] b, int bi, float[] c, int ci, int k, boolean add, float[] lanes) {
        FloatVector acc = FloatVector.zero(S);
        int p = 0;
        for (int bound = S.loopBound(k); p < bound; p += L)
            acc = FloatVector.fromArray(S, a, ai + p).fma(FloatVector.fromArray(S, b, bi + p), acc);
        acc.intoArray(lanes, 0);
        store(lanes, 0, a, ai, b, bi, p, k, c, ci, add);
    }

    /**
     * An accumulator's lanes (at {@code lanes[off]}, summed in lane order: {@link
     * SimdBackend#lanesSum}) plus the scalar tail {@code p..k}, into (or added to) {@code c[ci]}.
     */
    private static void store(
            float[] lanes,
            int off,
            float[] a,
            int ai,
            float[] b,
            int bi,
            int p,
            int k,
            float[] c,
            int ci,
            boolean add) {
        float sum = SimdBackend.lanesSum(lanes, off);
        for (; p < k; p++) sum = Math.fma(a[ai + p], b[bi + p], sum);
        c[ci] = add ? c[ci] + sum : sum;
    }

    /**
     * {@code C[i0..i1) × [j0..j1) (+)= A[i0..i1, :]·B[:, j0..j1)} where C is {@code m×n} row-major at
     * cOff (leading dimension n) and A, B are addressed through their strides; then the epilogue on
     * each finished tile. Reads a and b, overwrites (or adds into, when accumulate) the block of c.
     */
    private static void block(Product pr, int i0, int i1, int j0, int j1) {
        float[] a = pr.a, b = pr.b, c = pr.c;
        int aOff = pr.aOff, rsA = pr.rsA, csA = pr.csA, bOff = pr.bOff, rsB = pr.rsB, csB = pr.csB;
        int cOff = pr.cOff, ldc = pr.n, k = pr.k;
        boolean accumulate = pr.accumulate;
        Scratch s = SCRATCH.get();
        // B is packed when the kernel reads packed B only, when it is not row-major, or when it is
        // reused over many A blocks (then the contiguous panel is worth more than the copy).
        boolean packB = PACKED_B_ONLY || csB != 1 || i1 - i0 > MC || pr.bRowAt != null;
        // k-blocks of equal depth (1536 = 2 × 768, not 1024 + 512): no short block whose C loads and
        // stores outweigh its FMAs. The kernel continues the FMA chain from C, so blocking does not
        // change the result.
        int kStep = kStep(k);
        float[] ap = s.ap(MC * kStep);
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc);
            int slivers = (nc + NR - 1) / NR;
            for (int pc = 0; pc < k; pc += kStep) {
                int kc = Math.min(kStep, k - pc);
                boolean add = accumulate || pc > 0;
                float[] bp = s.bp(kc * slivers * NR);
                if (packB) {
                    for (int q = 0; q < slivers; q++)
                        packB(pr, pc, kc, jc + q * NR, Math.min(NR, jc + nc - (jc + q * NR)), bp, q * kc * NR);
                } else if (nc % NR != 0) {
                    // only the ragged last sliver is copied (zero-padded); full ones are read in place
                    int q = slivers - 1;
                    packB(pr, pc, kc, jc + q * NR, nc - q * NR, bp, 0);
                }
                for (int ic = i0; ic < i1; ic += MC) {
                    int mc = Math.min(MC, i1 - ic);
                    packA(a, aOff, rsA, csA, ic, mc, pc, kc, ap, 0);
                    for (int q = 0; q < slivers; q++) {
                        int j = jc + q * NR;
                        int nr = Math.min(NR, jc + nc - j);
                        float[] bs;
                        int bi, bStride;
                        if (packB) {
                            bs = bp;
                            bi = q * kc * NR;
                            bStride = NR;
                        } else if (nr < NR) {
                            bs = bp;
                            bi = 0;
                            bStride = NR;
                        } else {
                            bs = b;
                            bi = bOff + pc * rsB + j;
                            bStride = rsB;
                        }
                        for (int ir = 0; ir < mc; ir += MR) {
                            int mr = Math.min(MR, mc - ir);
                            kernel(
                                    kc,
                                    ap,
                                    ir * kc,
                                    PACKED,
                                    bs,
                                    bi,
                                    bStride,
                                    c,
                                    cOff + (ic + ir) * ldc + j,
                                    ldc,
                                    mr,
                                    nr,
                                    add,
                                    s.tile);
                            if (pc + kc == k) finish(pr, ic + ir, ic + ir + mr, j, j + nr);
                        }
                    }
                }
            }
        }
    }

    /**
     * {@code C[:, j0..j1) (+)= A·B[j0..j1, :]ᵀ} (B n×k row-major) computed as its transpose: for each
     * k-block, each NR-row sliver of A (packed by {@link Product#packRowsOfA} as {@link #packB}'s
     * operand, by the caller or by this task into its thread's scratch) against groups of MR rows of
     * B read in place, into rows {@code [j0, j1)} of {@link Product#cT}; then those rows transposed
     * into C and the epilogue. Every element is summed as in {@link #block}. Reads the packed A and
     * b; overwrites (or adds into) those columns of c and those rows of cT.
     */
    private static void transposed(Product pr, int j0, int j1) {
        float[] aAll = pr.aAll, b = pr.b, c = pr.c, cT = pr.cT;
        int m = pr.m, n = pr.n, k = pr.k, bOff = pr.bOff, cOff = pr.cOff;
        Scratch s = SCRATCH.get();
        int mPad = roundUp(m, NR), kStep = kStep(k);
        if (aAll == null) pr.packRowsOfA(0, m, aAll = s.aAll(mPad * k));
        if (pr.accumulate)
            for (int j = j0; j < j1; j++) for (int i = 0; i < m; i++) cT[j * m + i] = c[cOff + i * n + j];
        for (int pc = 0; pc < k; pc += kStep) {
            int kc = Math.min(kStep, k - pc);
            boolean add = pr.accumulate || pc > 0;
            for (int i = 0; i < m; i += NR) {
                int nr = Math.min(NR, m - i);
                for (int j = j0; j < j1; j += MR) {
                    int mr = Math.min(MR, j1 - j);
                    float[] as = b;
                    int ai = bOff + j * k + pc, aRow = k;
                    if (mr < MR) {
                        // the kernel reads MR rows: a ragged group is packed, zero-padded
                        packA(b, bOff, k, 1, j, mr, pc, kc, as = s.ap(MR * kStep), 0);
                        ai = 0;
                        aRow = PACKED;
                    }
                    kernel(kc, as, ai, aRow, aAll, pc * mPad + i * kc, NR, cT, j * m + i, m, mr, nr, add, s.tile);
                }
            }
        }
        // Cᵀ's rows into C's columns, two at a time (two neighbouring floats of each row of C)
        int j = j0;
        for (; j + 2 <= j1; j += 2)
            for (int i = 0, t0 = j * m, t1 = t0 + m, ci = cOff + j; i < m; i++, ci += n) {
                c[ci] = cT[t0 + i];
                c[ci + 1] = cT[t1 + i];
            }
        if (j < j1) for (int i = 0; i < m; i++) c[cOff + i * n + j] = cT[j * m + i];
        finish(pr, 0, m, j0, j1);
    }

    /** x rounded up to a multiple of unit. */
    static int roundUp(int x, int unit) {
        return (x + unit - 1) / unit * unit;
    }

    /** The k-blocks of a product of depth k: equal depths of at most {@link #KC}. */
    private static int kStep(int k) {
        int kBlocks = (k + KC - 1) / KC;
        return (k + kBlocks - 1) / kBlocks;
    }

    /**
     * {@code C[:, j0..j1) (+)= A·B[:, j0..j1)} with A packed by {@link Product#packRowsOfA}: for each k-block,
     * each NR-column sliver of B (read in place by the 4-row kernel when row-major, full and used by
     * few row tiles, else packed to per-thread scratch) against all of A; then the epilogue on each
     * finished tile. Reads the packed A and b; overwrites (or adds into) those columns of c. Same
     * summation order as {@link #block}.
     */
    private static void panels(Product pr, int j0, int j1) {
        float[] aAll = pr.aAll, b = pr.b, c = pr.c;
        int m = pr.m, bOff = pr.bOff, rsB = pr.rsB, csB = pr.csB, cOff = pr.cOff, ldc = pr.n, k = pr.k;
        boolean accumulate = pr.accumulate;
        Scratch s = SCRATCH.get();
        int mPad = (m + MR - 1) / MR * MR, kStep = kStep(k);
        // as in block: a row-major sliver is copied when many row tiles reuse it (measured ~8 % faster
        // for the weight gradient 128×784×64 than reading it in place), and always for kernel8
        boolean packB = PACKED_B_ONLY || csB != 1 || m > MC || pr.bRowAt != null;
        for (int pc = 0; pc < k; pc += kStep) {
            int kc = Math.min(kStep, k - pc);
            boolean add = accumulate || pc > 0;
            float[] bp = s.bp(kc * NR);
            for (int j = j0; j < j1; j += NR) {
                int nr = Math.min(NR, j1 - j);
                float[] bs = b;
                int bi = bOff + pc * rsB + j, bStride = rsB;
                if (packB || nr < NR) {
                    packB(pr, pc, kc, j, nr, bp, 0);
                    bs = bp;
                    bi = 0;
                    bStride = NR;
                }
                for (int ir = 0; ir < m; ir += MR) {
                    int mr = Math.min(MR, m - ir);
                    kernel(
                            kc,
                            aAll,
                            pc * mPad + ir * kc,
                            PACKED,
                            bs,
                            bi,
                            bStride,
                            c,
                            cOff + ir * ldc + j,
                            ldc,
                            mr,
                            nr,
                            add,
                            s.tile);
                    if (pc + kc == k) finish(pr, ir, ir + mr, j, j + nr);
                }
            }
        }
    }

    /**
     * Packs A[i0..i0+mc, p0..p0+kc) into slivers of MR rows, the MR values of each step p side by side:
     * element (i0 + q·MR + r, p0 + p) goes to {@code ap[apOff + q·MR·kc + p·MR + r]}; rows past mc
     * are zero. The kernel then reads step p's column of the sliver at one index with constant
     * displacements ({@link #kernel}). Reads a; overwrites that part of ap.
     */
    private static void packA(
            float[] a, int aOff, int rsA, int csA, int i0, int mc, int p0, int kc, float[] ap, int apOff) {
        if (csA != 1) {
            packTransposedA(a, aOff + i0 * rsA + p0 * csA, csA, mc, kc, ap, apOff);
            return;
        }
        for (int ir = 0, d = apOff; ir < mc; ir += MR, d += MR * kc) {
            int mr = Math.min(MR, mc - ir);
            int src = aOff + (i0 + ir) * rsA + p0;
            // A row-major: each row's values go MR apart
            for (int r = 0; r < MR; r++) {
                int sr = src + r * rsA;
                if (r < mr) for (int p = 0; p < kc; p++) ap[d + p * MR + r] = a[sr + p];
                else for (int p = 0; p < kc; p++) ap[d + p * MR + r] = 0f;
            }
        }
    }

    /**
     * {@link #packA} of an A stored transposed (Aᵀ row-major, row p of it at {@code src + p·ldA}):
     * each stored row's mc values are read once, in order, and dealt out MR at a time to the slivers
     * (a sliver at a time, the 2·kc half-lines of one sliver all fall in one L1 set when ldA is a
     * multiple of 1024, and each line was read twice from L2). Reads a; overwrites mc rounded up to
     * MR, times kc, floats of ap from apOff.
     */
    private static void packTransposedA(float[] a, int src, int ldA, int mc, int kc, float[] ap, int apOff) {
        int full = mc / MR * MR, rest = mc - full;
        for (int p = 0; p < kc; p++) {
            int sp = src + p * ldA, dp = apOff + p * MR;
            for (int ir = 0; ir < full; ir += MR, dp += MR * kc) System.arraycopy(a, sp + ir, ap, dp, MR);
            if (rest > 0) {
                System.arraycopy(a, sp + full, ap, dp, rest);
                Arrays.fill(ap, dp + rest, dp + MR, 0f);
            }
        }
    }

    /** {@link #packB} of the product's B, gathered ({@link Product#gathered}) or in an array of its own. */
    private static void packB(Product pr, int p0, int kc, int j, int nr, float[] bp, int d) {
        if (pr.bRowAt != null) packGathered(pr.b, pr.bOff, pr.bRowAt, pr.bColAt, p0, kc, j, nr, bp, d);
        else packB(pr.b, pr.bOff, pr.rsB, pr.csB, p0, kc, j, nr, bp, d);
    }

    /**
     * {@link #packB} for a gathered B, {@code B(r, c) = b[bOff + rowAt[r] + colAt[c]]}. A full
     * sliver's L columns at a time: when they are one run of consecutive offsets, one vector load a
     * step; when two runs of L/2 (a convolution's 8-wide output rows on 16 lanes), two loads and a
     * blend; when up to four runs (the taps of a 5-wide kernel row: 16 lanes hold four runs), a load
     * per run, lined up with its lanes, and three blends (half the time of a gather on the 2-core
     * Zen 4: 2.0 µs against 3.9 for 576 steps); else a vector gather (indices in b by contract, so no
     * gather throws: see {@link #packB}). Reads b, rowAt and colAt; overwrites that sliver of bp.
     */
    private static void packGathered(
            float[] b, int bOff, int[] rowAt, int[] colAt, int p0, int kc, int j, int nr, float[] bp, int d) {
        if (nr < NR) {
            for (int p = 0; p < kc; p++) {
                int r = bOff + rowAt[p0 + p], dp = d + p * NR;
                for (int col = 0; col < nr; col++) bp[dp + col] = b[r + colAt[j + col]];
                Arrays.fill(bp, dp + nr, dp + NR, 0f);
            }
            return;
        }
        int lo = Integer.MAX_VALUE, hi = Integer.MIN_VALUE; // the rows' offsets, to bound whole-vector loads
        for (int p = 0; p < kc; p++) {
            lo = Math.min(lo, rowAt[p0 + p]);
            hi = Math.max(hi, rowAt[p0 + p]);
        }
        for (int half = 0; half < NR; half += L) {
            int c = j + half, first = colAt[c], second = colAt[c + L / 2];
            boolean one = runs(colAt, c, L), two = !one && runs(colAt, c, L / 2) && runs(colAt, c + L / 2, L / 2);
            // the lanes where the second, third and fourth runs start (L when there is none); four:
            // no fifth run
            int r1 = runEnd(colAt, c, 0), r2 = runEnd(colAt, c, r1), r3 = runEnd(colAt, c, r2);
            boolean four = !one && !two && runEnd(colAt, c, r3) == L;
            // a run starting at lane r is loaded whole from colAt[c + r] - r, so its values land in its lanes
            int s1 = r1 < L ? colAt[c + r1] - r1 : first,
                    s2 = r2 < L ? colAt[c + r2] - r2 : first,
                    s3 = r3 < L ? colAt[c + r3] - r3 : first;
            // a whole vector from each run's start must lie in b for every row
            int from = first, to = first;
            if (two) {
                from = Math.min(first, second - L / 2);
                to = Math.max(first, second - L / 2);
            } else if (four) {
                from = Math.min(Math.min(first, s1), Math.min(s2, s3));
                to = Math.max(Math.max(first, s1), Math.max(s2, s3));
            }
            boolean inside = bOff + lo + from >= 0 && (long) bOff + hi + to + L <= b.length;
            // one loop per case: a vector merged from two branches is boxed by C2
            if (one && inside)
                for (int p = 0, dp = d + half; p < kc; p++, dp += NR)
                    FloatVector.fromArray(S, b, bOff + rowAt[p0 + p] + first).intoArray(bp, dp);
            else if (two && inside)
                for (int p = 0, dp = d + half; p < kc; p++, dp += NR) {
                    int r = bOff + rowAt[p0 + p];
                    FloatVector.fromArray(S, b, r + first)
                            .blend(FloatVector.fromArray(S, b, r + second - L / 2), UPPER_HALF)
                            .intoArray(bp, dp);
                }
            else if (four && inside) {
                // each later run's load replaces the lanes from its first on (none when it is absent)
                VectorMask<Float> m1 = LANES.compare(VectorOperators.GE, r1),
                        m2 = LANES.compare(VectorOperators.GE, r2),
                        m3 = LANES.compare(VectorOperators.GE, r3);
                for (int p = 0, dp = d + half; p < kc; p++, dp += NR) {
                    int r = bOff + rowAt[p0 + p];
                    FloatVector.fromArray(S, b, r + first)
                            .blend(FloatVector.fromArray(S, b, r + s1), m1)
                            .blend(FloatVector.fromArray(S, b, r + s2), m2)
                            .blend(FloatVector.fromArray(S, b, r + s3), m3)
                            .intoArray(bp, dp);
                }
            } else
                for (int p = 0, dp = d + half; p < kc; p++, dp += NR)
                    FloatVector.fromArray(S, b, bOff + rowAt[p0 + p], colAt, c).intoArray(bp, dp);
        }
    }

    /**
     * The first lane after lane i (of the L from c) whose offset does not follow the one before by 1,
     * or L: where the run holding lane i ends. L when i is L.
     */
    private static int runEnd(int[] at, int c, int i) {
        if (i >= L) return L;
        int e = i + 1;
        while (e < L && at[c + e] == at[c + e - 1] + 1) e++;
        return e;
    }

    /** True when {@code at[c + 1 .. c + n)} each follow the one before by 1. */
    private static boolean runs(int[] at, int c, int n) {
        for (int i = 1; i < n; i++) if (at[c + i] != at[c] + i) return false;
        return true;
    }

    /**
     * Packs B[p0..p0+kc, j..j+nr) into one sliver: element (p0 + p, j + c) goes to {@code bp[d + p·NR +
     * c]}; columns past nr are zero.
     */
    private static void packB(float[] b, int bOff, int rsB, int csB, int p0, int kc, int j, int nr, float[] bp, int d) {
        int src = bOff + p0 * rsB + j * csB;
        if (csB == 1 && nr == NR) {
            for (int p = 0; p < kc; p++) {
                int sp = src + p * rsB, dp = d + p * NR;
                FloatVector.fromArray(S, b, sp).intoArray(bp, dp);
                FloatVector.fromArray(S, b, sp + L).intoArray(bp, dp + L);
            }
            return;
        }
        if (csB == 1) {
            for (int p = 0; p < kc; p++) {
                int sp = src + p * rsB, dp = d + p * NR;
                for (int col = 0; col < nr; col++) bp[dp + col] = b[sp + col];
            }
        } else if (nr == NR && rsB == 1) {
            packTransposedB(b, src, csB, kc, bp, d);
        } else {
            // B stored transposed (n×k): each column of B is a contiguous row in memory, read in order
            // (measured about 2× faster than reading NR rows side by side per p)
            for (int col = 0; col < nr; col++) {
                int sc = src + col * csB;
                for (int p = 0; p < kc; p++) bp[d + p * NR + col] = b[sc + p * rsB];
            }
        }
        if (nr < NR) {
            for (int p = 0; p < kc; p++) Arrays.fill(bp, d + p * NR + nr, d + p * NR + NR, 0f);
        }
    }

    /**
     * {@link #packB} of a full sliver of a B stored transposed (n×k, row j of it at {@code src +
     * j·csB}): two of B's columns (rows in memory) at a time, read in order, so each step writes two
     * neighbouring floats of the sliver. Plain loads and stores: in the MLP step (64×784 batch, the
     * forward's operand; 2026-12-07, 2-core Zen 4, {@code bench/cnn-ab} round robin) the step ran
     * 1.03–1.04× faster than with L-lane gathers down B's rows (A/A 1.00–1.02); four columns at a time
     * ran as fast. Reads b; overwrites kc·NR floats of bp from d.
     */
    private static void packTransposedB(float[] b, int src, int csB, int kc, float[] bp, int d) {
        for (int col = 0; col < NR; col += 2) {
            int s0 = src + col * csB, s1 = s0 + csB;
            for (int p = 0, dp = d + col; p < kc; p++, dp += NR) {
                bp[dp] = b[s0 + p];
                bp[dp + 1] = b[s1 + p];
            }
        }
    }

    /**
     * The micro-kernel: an MR×NR tile {@code acc = Σ_p Ap[:, p]·Bs[p, :]} over kc steps, held in
     * 2·MR vector registers, then {@code C = acc} or {@code C += acc} for the top-left {@code mr×nr}
     * part. A is a packed sliver when aRow is {@link #PACKED}: Ap(r, p) at {@code ai + p·MR + r} ({@link
     * #packA}); else MR rows read in place, aRow apart: Ap(r, p) at {@code ai + r·aRow + p}. All MR
     * rows are read, those past mr are dropped.
     * Bs holds NR floats per p at {@code bi + p·bStride}. tile is a scratch MR×NR array for ragged
     * tiles. Each element of the tile is one FMA chain over p, continued from C when adding, in
     * every kernel: {@link #kernel8} for 32 vector registers, {@link #kernel4} for 16, each with a
     * twin for rows read in place.
     */
    static void kernel(
            int kc,
            float[] ap,
            int ai,
            int aRow,
            float[] bs,
            int bi,
            int bStride,
            float[] c,
            int ci,
            int ldc,
            int mr,
            int nr,
            boolean add,
            float[] tile) {
        // a ragged tile goes through the scratch tile, so that the kernels load and store whole
        // tiles only (see kernel8 on the registers the FMA loop needs)
        boolean ragged = mr < MR || nr < NR;
        if (ragged && add) tileIn(c, ci, ldc, mr, nr, tile);
        float[] d = ragged ? tile : c;
        int di = ragged ? 0 : ci, ld = ragged ? NR : ldc;
        if (MR == 8) {
            assert bStride == NR : "the 8-row kernel reads packed B only, got stride " + bStride;
            if (aRow == PACKED) kernel8(kc, ap, ai, bs, bi, d, di, ld, add);
            else kernel8Rows(kc, ap, ai, aRow, bs, bi, d, di, ld, add);
        } else if (aRow == PACKED) kernel4(kc, ap, ai, bs, bi, bStride, d, di, ld, add);
        else kernel4Rows(kc, ap, ai, aRow, bs, bi, bStride, d, di, ld, add);
        if (ragged) tileOut(tile, c, ci, ldc, mr, nr);
    }

    /**
     * {@link #kernel} with 8 rows of packed A: 16 accumulators, 2 vectors of B and a broadcast in
     * registers. Step p's 8 values of A sit side by side, so the loop keeps one index into A and
     * broadcasts at constant displacements from it. With the rows kc apart instead (8 indices, which
     * C2 spilled: a load from the stack and moves from vector registers, on the FMA ports, every
     * step) the kernel alone on L1 operands ran 117–136 GFLOP/s against 167–176 for this one and a
     * 174 peak; the products ran 1.04–1.15× faster (1024³ to 2048³, 1 and 2 threads, round-robin in
     * one JVM, 2026-12-06, Emerald Rapids). B is a packed sliver, its stride the constant NR (C2's
     * range-check elimination wants a constant scale): with the stride a parameter, as in {@link
     * #kernel4}, the products ran 5–20 % slower here, so for this kernel B is always packed. The
     * AVX2 kernel keeps the parameter: with NR in its place (measured with 6 rows, its size then) it
     * ran 18–25 % slower on the 1024³ and 2048³ products ({@code -XX:UseAVX=2} on the same machine).
     *
     * <p>Every value live across the FMA loop takes a general register from it. The kernels store
     * whole tiles only ({@link #kernel} sends ragged ones through a scratch tile), and walk the rows
     * of C for the stores ({@code r += ldc}) rather than reuse the loads' {@code ci + k·ldc}, which
     * C2 kept in registers across the loop. Before, two JVMs in three (AMD Zen 4, 2026-12-07)
     * compiled this loop with A's and B's array bases moved in from vector registers and their
     * offsets loaded from the stack every step: 73–82 GFLOP/s on 1024³ and 2048³ against 86–96.
     * Since, nine JVMs in nine compiled it without them.
     */
    private static void kernel8(
            int kc, float[] ap, int ai, float[] bs, int bi, float[] c, int ci, int ldc, boolean add) {
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71;
        if (!add) {
            c00 = c01 = c10 =
                    c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = c60 = c61 = c70 = c71 = FloatVector.zero(S);
        } else {
            // continue the FMA chain from C: the result is the same however k is blocked
            c00 = FloatVector.fromArray(S, c, ci);
            c01 = FloatVector.fromArray(S, c, ci + L);
            c10 = FloatVector.fromArray(S, c, ci + ldc);
            c11 = FloatVector.fromArray(S, c, ci + ldc + L);
            c20 = FloatVector.fromArray(S, c, ci + 2 * ldc);
            c21 = FloatVector.fromArray(S, c, ci + 2 * ldc + L);
            c30 = FloatVector.fromArray(S, c, ci + 3 * ldc);
            c31 = FloatVector.fromArray(S, c, ci + 3 * ldc + L);
            c40 = FloatVector.fromArray(S, c, ci + 4 * ldc);
            c41 = FloatVector.fromArray(S, c, ci + 4 * ldc + L);
            c50 = FloatVector.fromArray(S, c, ci + 5 * ldc);
            c51 = FloatVector.fromArray(S, c, ci + 5 * ldc + L);
            c60 = FloatVector.fromArray(S, c, ci + 6 * ldc);
            c61 = FloatVector.fromArray(S, c, ci + 6 * ldc + L);
            c70 = FloatVector.fromArray(S, c, ci + 7 * ldc);
            c71 = FloatVector.fromArray(S, c, ci + 7 * ldc + L);
        }
        for (int p = 0; p < kc; p++) {
            int bp = bi + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, bs, bp);
            FloatVector b1 = FloatVector.fromArray(S, bs, bp + L);
            int a = ai + p * 8;
            FloatVector x = FloatVector.broadcast(S, ap[a]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, ap[a + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, ap[a + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, ap[a + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, ap[a + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, ap[a + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(S, ap[a + 6]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(S, ap[a + 7]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
        }
        int r = ci;
        c00.intoArray(c, r);
        c01.intoArray(c, r + L);
        r += ldc;
        c10.intoArray(c, r);
        c11.intoArray(c, r + L);
        r += ldc;
        c20.intoArray(c, r);
        c21.intoArray(c, r + L);
        r += ldc;
        c30.intoArray(c, r);
        c31.intoArray(c, r + L);
        r += ldc;
        c40.intoArray(c, r);
        c41.intoArray(c, r + L);
        r += ldc;
        c50.intoArray(c, r);
        c51.intoArray(c, r + L);
        r += ldc;
        c60.intoArray(c, r);
        c61.intoArray(c, r + L);
        r += ldc;
        c70.intoArray(c, r);
        c71.intoArray(c, r + L);
    }

    /**
     * {@link #kernel8} with MR rows of A read in place, aRow apart (a dense layer's weights, {@link
     * #transposed}). Its own method: with both loops in one, C2 compiled the packed one 5–25 %
     * slower. The loop walks one index down the rows, which kept the addresses out of the stack
     * (160 GFLOP/s on L1 operands against 130 with an index per row). Its loading and storing of the
     * tile repeat {@link #kernel8}'s on purpose: a helper taking the 16 accumulators would box them
     * wherever C2 declined to inline it.
     */
    private static void kernel8Rows(
            int kc, float[] ap, int ai, int aRow, float[] bs, int bi, float[] c, int ci, int ldc, boolean add) {
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71;
        if (!add) {
            c00 = c01 = c10 =
                    c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = c60 = c61 = c70 = c71 = FloatVector.zero(S);
        } else {
            // continue the FMA chain from C: the result is the same however k is blocked
            c00 = FloatVector.fromArray(S, c, ci);
            c01 = FloatVector.fromArray(S, c, ci + L);
            c10 = FloatVector.fromArray(S, c, ci + ldc);
            c11 = FloatVector.fromArray(S, c, ci + ldc + L);
            c20 = FloatVector.fromArray(S, c, ci + 2 * ldc);
            c21 = FloatVector.fromArray(S, c, ci + 2 * ldc + L);
            c30 = FloatVector.fromArray(S, c, ci + 3 * ldc);
            c31 = FloatVector.fromArray(S, c, ci + 3 * ldc + L);
            c40 = FloatVector.fromArray(S, c, ci + 4 * ldc);
            c41 = FloatVector.fromArray(S, c, ci + 4 * ldc + L);
            c50 = FloatVector.fromArray(S, c, ci + 5 * ldc);
            c51 = FloatVector.fromArray(S, c, ci + 5 * ldc + L);
            c60 = FloatVector.fromArray(S, c, ci + 6 * ldc);
            c61 = FloatVector.fromArray(S, c, ci + 6 * ldc + L);
            c70 = FloatVector.fromArray(S, c, ci + 7 * ldc);
            c71 = FloatVector.fromArray(S, c, ci + 7 * ldc + L);
        }
        for (int p = 0; p < kc; p++) {
            int bp = bi + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, bs, bp);
            FloatVector b1 = FloatVector.fromArray(S, bs, bp + L);
            int q = ai + p;
            FloatVector x = FloatVector.broadcast(S, ap[q]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            q += aRow;
            x = FloatVector.broadcast(S, ap[q]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            q += aRow;
            x = FloatVector.broadcast(S, ap[q]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            q += aRow;
            x = FloatVector.broadcast(S, ap[q]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            q += aRow;
            x = FloatVector.broadcast(S, ap[q]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            q += aRow;
            x = FloatVector.broadcast(S, ap[q]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            q += aRow;
            x = FloatVector.broadcast(S, ap[q]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            q += aRow;
            x = FloatVector.broadcast(S, ap[q]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
        }
        int r = ci;
        c00.intoArray(c, r);
        c01.intoArray(c, r + L);
        r += ldc;
        c10.intoArray(c, r);
        c11.intoArray(c, r + L);
        r += ldc;
        c20.intoArray(c, r);
        c21.intoArray(c, r + L);
        r += ldc;
        c30.intoArray(c, r);
        c31.intoArray(c, r + L);
        r += ldc;
        c40.intoArray(c, r);
        c41.intoArray(c, r + L);
        r += ldc;
        c50.intoArray(c, r);
        c51.intoArray(c, r + L);
        r += ldc;
        c60.intoArray(c, r);
        c61.intoArray(c, r + L);
        r += ldc;
        c70.intoArray(c, r);
        c71.intoArray(c, r + L);
    }

    /**
     * {@link #kernel} with 4 rows of packed A: 8 accumulators, 2 vectors of B and a broadcast, 11 of
     * AVX2's 16 vector registers. The same layout of A as {@link #kernel8}. Not 6 rows: their 12
     * accumulators, 2 B vectors and broadcast took 15 of the 16 registers, and C2 compiled the loop
     * one of two ways (the same inlining, different block frequencies), one twice as slow: the
     * weight gradient TN 128×784×64 at 262–336 µs in about half the JVMs, 141–150 in the others
     * (2026-12-07, Zen 4 with {@code -XX:UseAVX=2}). With 4 rows it ran 144–161 µs in 18 JVMs of 19
     * (197 in the other), 1024³ as fast as the fast 6-row compile, the MLP step as fast as that
     * compile (0.96–1.00×) and about 1.4× faster than the slow one, the CNN step 1.12–1.20×.
     */
    private static void kernel4(
            int kc, float[] ap, int ai, float[] bs, int bi, int bStride, float[] c, int ci, int ldc, boolean add) {
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31;
        if (!add) {
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = FloatVector.zero(S);
        } else {
            // continue the FMA chain from C: the result is the same however k is blocked
            c00 = FloatVector.fromArray(S, c, ci);
            c01 = FloatVector.fromArray(S, c, ci + L);
            c10 = FloatVector.fromArray(S, c, ci + ldc);
            c11 = FloatVector.fromArray(S, c, ci + ldc + L);
            c20 = FloatVector.fromArray(S, c, ci + 2 * ldc);
            c21 = FloatVector.fromArray(S, c, ci + 2 * ldc + L);
            c30 = FloatVector.fromArray(S, c, ci + 3 * ldc);
            c31 = FloatVector.fromArray(S, c, ci + 3 * ldc + L);
        }
        for (int p = 0; p < kc; p++) {
            int bp = bi + p * bStride;
            FloatVector b0 = FloatVector.fromArray(S, bs, bp);
            FloatVector b1 = FloatVector.fromArray(S, bs, bp + L);
            int a = ai + p * 4;
            FloatVector x = FloatVector.broadcast(S, ap[a]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, ap[a + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, ap[a + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, ap[a + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
        }
        int r = ci;
        c00.intoArray(c, r);
        c01.intoArray(c, r + L);
        r += ldc;
        c10.intoArray(c, r);
        c11.intoArray(c, r + L);
        r += ldc;
        c20.intoArray(c, r);
        c21.intoArray(c, r + L);
        r += ldc;
        c30.intoArray(c, r);
        c31.intoArray(c, r + L);
    }

    /** {@link #kernel4} with MR rows of A read in place, aRow apart: as {@link #kernel8Rows}. */
    private static void kernel4Rows(
            int kc,
            float[] ap,
            int ai,
            int aRow,
            float[] bs,
            int bi,
            int bStride,
            float[] c,
            int ci,
            int ldc,
            boolean add) {
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31;
        if (!add) {
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = FloatVector.zero(S);
        } else {
            // continue the FMA chain from C: the result is the same however k is blocked
            c00 = FloatVector.fromArray(S, c, ci);
            c01 = FloatVector.fromArray(S, c, ci + L);
            c10 = FloatVector.fromArray(S, c, ci + ldc);
            c11 = FloatVector.fromArray(S, c, ci + ldc + L);
            c20 = FloatVector.fromArray(S, c, ci + 2 * ldc);
            c21 = FloatVector.fromArray(S, c, ci + 2 * ldc + L);
            c30 = FloatVector.fromArray(S, c, ci + 3 * ldc);
            c31 = FloatVector.fromArray(S, c, ci + 3 * ldc + L);
        }
        for (int p = 0; p < kc; p++) {
            int bp = bi + p * bStride;
            FloatVector b0 = FloatVector.fromArray(S, bs, bp);
            FloatVector b1 = FloatVector.fromArray(S, bs, bp + L);
            int q = ai + p;
            FloatVector x = FloatVector.broadcast(S, ap[q]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            q += aRow;
            x = FloatVector.broadcast(S, ap[q]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            q += aRow;
            x = FloatVector.broadcast(S, ap[q]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            q += aRow;
            x = FloatVector.broadcast(S, ap[q]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
        }
        int r = ci;
        c00.intoArray(c, r);
        c01.intoArray(c, r + L);
        r += ldc;
        c10.intoArray(c, r);
        c11.intoArray(c, r + L);
        r += ldc;
        c20.intoArray(c, r);
        c21.intoArray(c, r + L);
        r += ldc;
        c30.intoArray(c, r);
        c31.intoArray(c, r + L);
    }

    /** Copies the mr×nr block of C at ci into tile (MR×NR), zero elsewhere. Overwrites tile. */
    private static void tileIn(float[] c, int ci, int ldc, int mr, int nr, float[] tile) {
        for (int r = 0; r < MR; r++)
            for (int col = 0; col < NR; col++) tile[r * NR + col] = r < mr && col < nr ? c[ci + r * ldc + col] : 0f;
    }

    /** Copies the top-left mr×nr part of tile into C at ci. Overwrites that block of c. */
    private static void tileOut(float[] tile, float[] c, int ci, int ldc, int mr, int nr) {
        for (int r = 0; r < mr; r++) System.arraycopy(tile, r * NR, c, ci + r * ldc, nr);
    }
}
