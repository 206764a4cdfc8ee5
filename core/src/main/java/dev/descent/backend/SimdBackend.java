package dev.descent.backend;

import dev.descent.optim.Sgd;
import java.util.Arrays;
import java.util.function.IntConsumer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API backend. Matrix products run through {@link Gemm} (packed panels, register-blocked
 * micro-kernel, split over {@link #threads()} threads when large); reductions and column sums use
 * explicit SIMD, as do the (leaky) ReLU forward and backward and the sign; element-wise operations and
 * optimizer updates are inherited from {@link ScalarBackend}, whose plain loops the JIT already
 * auto-vectorises, and the SGD update is split over the threads when the buffer is large.
 *
 * <p>Results do not depend on the thread count: every element of a product is summed in the same
 * order however the work is split, and an element-wise pass computes each element alone.
 *
 * <p>Loading this class needs {@code --add-modules jdk.incubator.vector}; {@link Backends} checks
 * for the module before it touches this class.
 */
public class SimdBackend extends ScalarBackend {

    /** System property with the default thread count for matrix products ({@code -Ddescent.threads=1}). */
    public static final String THREADS_PROPERTY = "descent.threads";

    /**
     * System property with the default {@link #splitIntensity()} ({@code -Ddescent.splitIntensity=16}):
     * {@link #DEFAULT_SPLIT_INTENSITY} when unset.
     */
    public static final String SPLIT_INTENSITY_PROPERTY = "descent.splitIntensity";

    /**
     * System property with the default {@link #winograd()} ({@code -Ddescent.winograd=false} for
     * im2col's products and their bits): true when unset.
     */
    public static final String WINOGRAD_PROPERTY = "descent.winograd";

    /**
     * Whether the threads run on separate cores that share a last-level cache ({@link
     * CpuTopology#separateCoresSharingCache}): there splitting small work over them pays, and the
     * thresholds {@link #DEFAULT_SPLIT_INTENSITY} and {@link #ELEMENTWISE_TASK_MIN} are lower.
     */
    static final boolean CLOSE_CORES = CpuTopology.separateCoresSharingCache();

    /**
     * Multiply-adds per float of A, B and C below which a product stays on the calling thread: 16 on
     * {@link #CLOSE_CORES}, else 64. A split product pays for its packing twice or shares packed
     * panels between cores, and the phases after it read what the other core wrote. On the 2-vCPU
     * guests of earlier figures (Zen 5, and Emerald Rapids, whose two vCPUs were one core's
     * hyperthreads), the MNIST MLP's products (64×128×784 and 128×784×64, 40.5 per float), split,
     * made the training step slower than on one thread (whether the Zen 5 guest's vCPUs shared a core
     * or a cache was not recorded). On a 2-core AMD EPYC (Zen 4) guest sharing
     * its L3, split, the forward ran 1.33× and the weight gradient 1.57× as fast, and the step 1.32×
     * (with the SGD update split too). 1024² has 341.
     */
    public static final int DEFAULT_SPLIT_INTENSITY = CLOSE_CORES ? 16 : 64;

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, S.vectorShape());
    private static final int L = S.length();
    /** Floats summed in float registers before the partial sum is added to the double total. */
    private static final int CHUNK = 128 * L;

    private volatile int threads;
    private volatile int splitIntensity = defaultSplitIntensity();
    private volatile boolean winograd = defaultWinograd();

    /** A backend using {@code -Ddescent.threads} threads, or all available processors when unset. */
    public SimdBackend() {
        this(defaultThreads());
    }

    /** A backend splitting large matrix products over at most {@code threads} threads. */
    public SimdBackend(int threads) {
        setThreads(threads);
    }

    /** The value of {@code -Ddescent.threads}, or {@code availableProcessors()} when unset. */
    static int defaultThreads() {
        return intProperty(THREADS_PROPERTY, Runtime.getRuntime().availableProcessors(), 1, "a positive integer");
    }

    /**
     * The integer system property {@code name}, or {@code unset} when it is unset or blank; a value
     * below {@code min} or not an integer is refused, naming the property and the value.
     */
    private static int intProperty(String name, int unset, int min, String mustBe) {
        String v = System.getProperty(name);
        if (v == null || v.isBlank()) return unset;
        try {
            int t = Integer.parseInt(v.trim());
            if (t >= min) return t;
        } catch (NumberFormatException e) {
            // fall through to the error below
        }
        throw new IllegalArgumentException("-D" + name + " must be " + mustBe + ", got '" + v + "'");
    }

    /** The value of {@code -Ddescent.splitIntensity}, or {@link #DEFAULT_SPLIT_INTENSITY} when unset. */
    static int defaultSplitIntensity() {
        return intProperty(SPLIT_INTENSITY_PROPERTY, DEFAULT_SPLIT_INTENSITY, 0, "a non-negative integer");
    }

    /** The value of {@code -Ddescent.winograd} ({@code true} or {@code false}), or true when unset. */
    static boolean defaultWinograd() {
        String v = System.getProperty(WINOGRAD_PROPERTY);
        if (v == null || v.isBlank() || v.trim().equalsIgnoreCase("true")) return true;
        if (v.trim().equalsIgnoreCase("false")) return false;
        throw new IllegalArgumentException("-D" + WINOGRAD_PROPERTY + " must be true or false, got '" + v + "'");
    }

    /**
     * Whether a 3×3 or 5×5 convolution over several channels runs Winograd's minimal filtering
     * ({@link Winograd}, {@link WinogradGradient}): 6.25× fewer multiply-adds for 5×5, results within
     * about 10⁻⁵ of each tensor's largest element. Off, it runs im2col's products, whose bits are
     * the composition's ({@link Backend#convolution}).
     */
    public boolean winograd() {
        return winograd;
    }

    /** Sets {@link #winograd()}. */
    public SimdBackend setWinograd(boolean on) {
        this.winograd = on;
        return this;
    }

    /**
     * The fewest multiply-adds per float of A, B and C for which a matrix product of more than 2²⁰
     * multiply-adds is split over the threads ({@link #DEFAULT_SPLIT_INTENSITY}); 0 splits every
     * such product. The result does not depend on it.
     */
    public int splitIntensity() {
        return splitIntensity;
    }

    /**
     * Sets {@link #splitIntensity()}: lower it where splitting smaller products pays (compare {@code
     * ./descent bench --threads N} with {@code -Ddescent.splitIntensity=0} and without).
     */
    public SimdBackend setSplitIntensity(int multiplyAddsPerFloat) {
        if (multiplyAddsPerFloat < 0)
            throw new IllegalArgumentException("split intensity must be at least 0, got " + multiplyAddsPerFloat);
        this.splitIntensity = multiplyAddsPerFloat;
        return this;
    }

    /**
     * The threads a product {@code m×n×k} is split over: {@link #threads()}, or 1 below {@link
     * Gemm#PARALLEL_MIN} multiply-adds or below the split intensity.
     */
    int productThreads(int m, int n, int k) {
        long fmas = (long) m * n * k, floats = (long) m * k + (long) k * n + (long) m * n;
        return fmas >= Gemm.PARALLEL_MIN && fmas >= splitIntensity * floats ? threads : 1;
    }

    /** The most threads a matrix product is split over (the caller's thread counts as one). */
    public int threads() {
        return threads;
    }

    /** Sets the most threads a matrix product is split over; 1 keeps all work on the caller's thread. */
    public SimdBackend setThreads(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        this.threads = threads;
        return this;
    }

    @Override
    public String name() {
        return "simd";
    }

    @Override
    public String device() {
        return "CPU, Vector API, " + L + " float lanes, " + threads + (threads == 1 ? " thread" : " threads");
    }

    // ---- matrix products ----------------------------------------------------------------------

    @Override
    public void matmul(
            float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int m, int n, int k, boolean accumulate) {
        Gemm.product()
                .operands(false, false, a, aOff, b, bOff, c, cOff, m, n, k, accumulate)
                .run(productThreads(m, n, k));
    }

    @Override
    public void matmulTN(
            float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int m, int n, int k, boolean accumulate) {
        Gemm.product()
                .operands(true, false, a, aOff, b, bOff, c, cOff, m, n, k, accumulate)
                .run(productThreads(m, n, k));
    }

    @Override
    public void matmulNT(
            float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int m, int n, int k, boolean accumulate) {
        Gemm.product()
                .operands(false, true, a, aOff, b, bOff, c, cOff, m, n, k, accumulate)
                .run(productThreads(m, n, k));
    }

    // ---- sparse (CSR) input: split over threads when large ------------------------------------

    /**
     * Batches with fewer non-zeros run the sparse kernels on the caller's thread alone. The hand-off
     * costs more than it saves below this: spam's batches (~50k non-zeros) trained slower on 2
     * threads than on 1 when split from 2^14 (idle, 135,744 against 181,652 docs/s warm); from 2^17
     * they run on one thread, and a 2-thread fit took 234 ms against 271 ms (loaded machine, medians).
     */
    private static final int SPARSE_SPLIT = 1 << 17;

    private static final ThreadLocal<SparseJob> SPARSE_JOBS = ThreadLocal.withInitial(SparseJob::new);

    /** The rows split over the threads; each row's sums as on one thread (the same bits). */
    @Override
    public void sparseLinear(
            int[] rowStart,
            int[] columns,
            float[] values,
            int rows,
            float[] w,
            int wOff,
            int inputs,
            float[] bias,
            int biasOff,
            float[] z,
            int zOff,
            int outputs) {
        int tasks = Math.min(threads, rows);
        if (tasks <= 1 || rowStart[rows] - rowStart[0] < SPARSE_SPLIT) {
            LayerLoops.sparseLinear(
                    rowStart, columns, values, 0, rows, w, wOff, inputs, bias, biasOff, z, zOff, outputs);
            return;
        }
        SparseJob job = SPARSE_JOBS.get();
        job.set(false, rowStart, columns, values, rows, w, wOff, inputs, bias, biasOff, z, zOff, outputs, tasks);
        job.run();
    }

    /**
     * The columns split over the threads (each scans the batch and adds into its own columns), so
     * every gradient element gets its terms in row order, as on one thread (the same bits).
     */
    @Override
    public void sparseWeightGradient(
            float[] dz,
            int dzOff,
            int outputs,
            int[] rowStart,
            int[] columns,
            float[] values,
            int rows,
            float[] g,
            int gOff,
            int inputs) {
        int tasks = Math.min(threads, inputs);
        if (tasks <= 1 || rowStart[rows] - rowStart[0] < SPARSE_SPLIT) {
            LayerLoops.sparseWeightGradient(
                    dz, dzOff, outputs, rowStart, columns, values, rows, g, gOff, inputs, 0, inputs);
            return;
        }
        SparseJob job = SPARSE_JOBS.get();
        job.set(true, rowStart, columns, values, rows, g, gOff, inputs, dz, dzOff, null, 0, outputs, tasks);
        job.run();
    }

    /** One split sparse kernel call, reused by its calling thread (no allocation per call). */
    private static final class SparseJob implements java.util.function.IntConsumer {
        boolean scatter;
        int[] rowStart, columns;
        float[] values, w, bias, z;
        int rows, wOff, inputs, biasOff, zOff, outputs, tasks;

        /** For the scatter, w is the gradient and bias holds dz ({@code biasOff} its offset). */
        void set(
                boolean scatter,
                int[] rowStart,
                int[] columns,
                float[] values,
                int rows,
                float[] w,
                int wOff,
                int inputs,
                float[] bias,
                int biasOff,
                float[] z,
                int zOff,
                int outputs,
                int tasks) {
            this.scatter = scatter;
            this.rowStart = rowStart;
            this.columns = columns;
            this.values = values;
            this.rows = rows;
            this.w = w;
            this.wOff = wOff;
            this.inputs = inputs;
            this.bias = bias;
            this.biasOff = biasOff;
            this.z = z;
            this.zOff = zOff;
            this.outputs = outputs;
            this.tasks = tasks;
        }

        void run() {
            try {
                Workers.forEach(tasks, this);
            } finally {
                rowStart = columns = null;
                values = w = bias = z = null;
            }
        }

        @Override
        public void accept(int t) {
            if (scatter) {
                int from = (int) ((long) inputs * t / tasks), to = (int) ((long) inputs * (t + 1) / tasks);
                LayerLoops.sparseWeightGradient(
                        bias, biasOff, outputs, rowStart, columns, values, rows, w, wOff, inputs, from, to);
            } else {
                int from = (int) ((long) rows * t / tasks), to = (int) ((long) rows * (t + 1) / tasks);
                LayerLoops.sparseLinear(
                        rowStart, columns, values, from, to, w, wOff, inputs, bias, biasOff, z, zOff, outputs);
            }
        }
    }

    /**
     * The bias and activation run as the product's epilogue, on each tile of z as it leaves the
     * micro-kernel ({@link Gemm.Product#epilogue}); the result is bit-identical to the unfused default.
     */
    @Override
    public void dense(
            Activation f,
            float[] x,
            int xOff,
            float[] w,
            int wOff,
            float[] bias,
            int biasOff,
            float[] z,
            int zOff,
            float[] out,
            int outOff,
            int rows,
            int outputs,
            int inputs) {
        Gemm.product()
                .operands(false, true, x, xOff, w, wOff, z, zOff, rows, outputs, inputs, false)
                .epilogue(f, bias, biasOff, out, outOff)
                .run(productThreads(rows, outputs, inputs));
    }

    // ---- layer operations ----------------------------------------------------------------------

    /** An unpadded window with stride 1 across copies whole vectors; the same col as the scalar loop. */
    /**
     * The channel-major product to NCHW rows as whole vectors plus the broadcast bias (the plain
     * loop's additions, so the same bits): C2 compiled the loop's 64-float planes with scalar pre-
     * and post-loops around few vector steps, 53 µs against 23 a CNN step in one JVM.
     */
    @Override
    public void channelMajorToRows(
            float[] src,
            int srcOff,
            int rows,
            int channels,
            int plane,
            float[] bias,
            int biasOff,
            float[] dst,
            int dstOff) {
        int gp = rows * plane, width = channels * plane, whole = S.loopBound(plane);
        for (int o = 0; o < channels; o++) {
            float b = bias[biasOff + o];
            for (int e = 0; e < rows; e++) {
                int s = srcOff + o * gp + e * plane, d = dstOff + e * width + o * plane, q = 0;
                for (; q < whole; q += L)
                    FloatVector.fromArray(S, src, s + q).add(b).intoArray(dst, d + q);
                for (; q < plane; q++) dst[d + q] = src[s + q] + b;
            }
        }
    }

    @Override
    public void im2col(ImageWindow window, float[] x, int xOff, int rows, float[] col, int colOff) {
        if (ConvKernels.unpadded(window)) ConvKernels.im2col(window, x, xOff, rows, col, colOff);
        else super.im2col(window, x, xOff, rows, col, colOff);
    }

    /**
     * An unpadded window with stride 1 across gathers whole vectors of dx, split by images ({@link
     * #imageTasks} of the col it reads, patch·plane floats an image: each float of dx sums up to a
     * patch's worth of them); the same dx as the scalar loop.
     */
    @Override
    public void col2im(ImageWindow window, float[] col, int colOff, int rows, float[] dx, int dxOff) {
        if (!ConvKernels.unpadded(window)) super.col2im(window, col, colOff, rows, dx, dxOff);
        else {
            int tasks = imageTasks((int) Math.min(Integer.MAX_VALUE, (long) rows * window.patch() * window.plane()));
            if (tasks == 1) ConvKernels.col2im(window, col, colOff, rows, dx, dxOff);
            else
                SPLIT_PASSES
                        .get()
                        .run(SplitPass.Kind.COL2IM, null, window, tasks, rows, col, colOff, dx, dxOff, null, 0);
        }
    }

    /**
     * A window {@link Winograd} computes takes all the rows at once: it needs none of the layer's
     * scratch (both passes hold only a chunk or block of tiles' operands at a time), its kernels are
     * transformed once per call, and its weight gradient sums over the call's tiles.
     */
    @Override
    public int convolutionRows(ImageWindow window, int outChannels, int blockRows, int rows) {
        return usesWinograd(window) ? Math.max(blockRows, rows) : blockRows;
    }

    /** Whether this backend runs the window's convolution by Winograd ({@link #winograd()}). */
    private boolean usesWinograd(ImageWindow window) {
        return winograd && !DirectConv.applies(window) && Winograd.applies(window);
    }

    /**
     * A window {@link DirectConv#applies} to runs the direct convolution, with the composition's
     * bits; a 3×3 or 5×5 one that {@link Winograd#applies} to runs Winograd's minimal filtering,
     * which rounds differently (within a few 10⁻⁶ of the largest output); another unpadded one
     * multiplies with im2col's matrix gathered from x as the product packs it ({@link
     * ConvKernels#unfolding}), with the composition's bits.
     */
    @Override
    public void convolution(
            ImageWindow window,
            int outChannels,
            float[] x,
            int xOff,
            int rows,
            float[] w,
            int wOff,
            float[] bias,
            int biasOff,
            float[] y,
            int yOff,
            float[] scratch,
            int scratchOff) {
        if (DirectConv.applies(window)) {
            DirectConv.forward(window, outChannels, x, xOff, rows, w, wOff, bias, biasOff, y, yOff, threads);
            return;
        }
        if (usesWinograd(window)) {
            Winograd.forward(window, outChannels, x, xOff, rows, w, wOff, bias, biasOff, y, yOff, threads);
            return;
        }
        if (!ConvKernels.gathers(window)) {
            super.convolution(window, outChannels, x, xOff, rows, w, wOff, bias, biasOff, y, yOff, scratch, scratchOff);
            return;
        }
        // Y = W·col with col's slivers gathered from x as they are packed: col itself is never written
        int k = window.patch(), plane = window.plane(), gp = rows * plane, at = scratchOff + k * gp;
        ConvKernels.Unfolding u = ConvKernels.unfolding(window, rows);
        Gemm.product()
                .operands(false, false, w, wOff, x, xOff, scratch, at, outChannels, gp, k, false)
                .gathered(u.taps(), u.positions())
                .run(productThreads(outChannels, gp, k));
        channelMajorToRows(scratch, at, rows, outChannels, plane, bias, biasOff, y, yOff);
    }

    /**
     * A window {@link Winograd} computes takes all its gradients in Winograd's transformed space
     * ({@link WinogradGradient}); one {@link DirectConv#applies} to sums its weight and bias gradients
     * directly from x and dy (no unfolding), then, unless dx is null, takes the composition's input
     * gradient; anything else runs the composition.
     */
    @Override
    public void convolutionBackward(
            ImageWindow window,
            int outChannels,
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
            float[] scratch,
            int scratchOff) {
        if (usesWinograd(window)) {
            WinogradGradient.backward(
                    window, outChannels, x, xOff, rows, w, wOff, dy, dyOff, grad, dwOff, dbOff, dx, dxOff, threads);
            return;
        }
        if (!DirectConv.applies(window)) {
            super.convolutionBackward(
                    window,
                    outChannels,
                    x,
                    xOff,
                    rows,
                    w,
                    wOff,
                    dy,
                    dyOff,
                    grad,
                    dwOff,
                    dbOff,
                    dx,
                    dxOff,
                    scratch,
                    scratchOff);
            return;
        }
        DirectConv.weightGradient(window, outChannels, x, xOff, rows, dy, dyOff, grad, dwOff, dbOff, threads);
        if (dx == null) return;
        int plane = window.plane(), at = scratchOff + window.patch() * rows * plane;
        rowsToChannelMajor(dy, dyOff, rows, outChannels, plane, scratch, at);
        convolutionInputGradient(window, outChannels, w, wOff, scratch, at, rows, dx, dxOff, scratch, scratchOff);
    }

    /**
     * A small patch ({@link DirectConv#applies}) takes the pool's gradient straight into its weight
     * gradient: each image's dy, a group of four channels at a time, is spread from dPooled at the
     * argmax into a buffer that stays in L1 (the same values as the pool's backward, so the same
     * bits), and dy is never written. Anything else runs the composition.
     */
    @Override
    public void convolutionBackwardThroughMaxPool(
            ImageWindow window,
            int outChannels,
            float[] x,
            int xOff,
            int rows,
            ImageWindow pool,
            float[] dPooled,
            int dPooledOff,
            float[] argmax,
            int argmaxOff,
            float[] dy,
            int dyOff,
            float[] grad,
            int dwOff,
            int dbOff,
            float[] scratch,
            int scratchOff) {
        if (DirectConv.applies(window))
            DirectConv.weightGradientThroughMaxPool(
                    window,
                    outChannels,
                    x,
                    xOff,
                    rows,
                    pool.channels() * pool.plane(),
                    dPooled,
                    dPooledOff,
                    argmax,
                    argmaxOff,
                    grad,
                    dwOff,
                    dbOff,
                    threads);
        else
            super.convolutionBackwardThroughMaxPool(
                    window,
                    outChannels,
                    x,
                    xOff,
                    rows,
                    pool,
                    dPooled,
                    dPooledOff,
                    argmax,
                    argmaxOff,
                    dy,
                    dyOff,
                    grad,
                    dwOff,
                    dbOff,
                    scratch,
                    scratchOff);
    }

    /**
     * An unpadded window with a patch of at least four vectors computes {@code dW += dY·colT} with
     * colT, the transposed unfolding, gathered from x as the product packs it ({@link
     * ConvKernels#unfolding}): never written, and read as a B of patch columns, where {@code dY·colᵀ}
     * packs a transposed B. The same sums, each in k order, so dW differs from the default's only in
     * rounding. Reads x and dy; col is not used.
     */
    @Override
    public void convolutionWeightGradient(
            ImageWindow window,
            int outChannels,
            float[] x,
            int xOff,
            int rows,
            float[] dy,
            int dyOff,
            float[] grad,
            int dwOff,
            float[] col,
            int colOff) {
        int k = window.patch(), gp = rows * window.plane();
        if (!ConvKernels.gathers(window) || k < 4 * L) { // a narrow colT is a slow B
            super.convolutionWeightGradient(window, outChannels, x, xOff, rows, dy, dyOff, grad, dwOff, col, colOff);
            return;
        }
        ConvKernels.Unfolding u = ConvKernels.unfolding(window, rows);
        Gemm.product()
                .operands(false, false, dy, dyOff, x, xOff, grad, dwOff, outChannels, k, gp, true)
                .gathered(u.positions(), u.taps())
                .run(productThreads(outChannels, k, gp));
    }

    /** A 2×2 window with stride 2 runs a vectorised kernel: the same y and argmax as the scalar loop. */
    @Override
    public void maxPool(
            ImageWindow window, float[] x, int xOff, int rows, float[] y, int yOff, float[] argmax, int argmaxOff) {
        if (window.kernelHeight() == 2
                && window.kernelWidth() == 2
                && window.strideHeight() == 2
                && window.strideWidth() == 2) {
            int tasks = imageTasks(rows * window.inputSize());
            if (tasks == 1) ConvKernels.maxPool2x2(window, x, xOff, rows, y, yOff, argmax, argmaxOff);
            else
                SPLIT_PASSES
                        .get()
                        .run(SplitPass.Kind.MAX_POOL, null, window, tasks, rows, x, xOff, y, yOff, argmax, argmaxOff);
        } else super.maxPool(window, x, xOff, rows, y, yOff, argmax, argmaxOff);
    }

    /**
     * {@link Backend#maxPoolBackward}'s loop, split by images as {@link #maxPool} is (each image's
     * dx is its own): the same bits on any thread count.
     */
    @Override
    public void maxPoolBackward(
            ImageWindow window, float[] dy, int dyOff, float[] argmax, int argmaxOff, int rows, float[] dx, int dxOff) {
        int tasks = imageTasks(rows * window.inputSize());
        if (tasks == 1) LayerLoops.maxPoolBackward(window, dy, dyOff, argmax, argmaxOff, rows, dx, dxOff);
        else
            SPLIT_PASSES
                    .get()
                    .run(
                            SplitPass.Kind.MAX_POOL_BACKWARD,
                            null,
                            window,
                            tasks,
                            rows,
                            dy,
                            dyOff,
                            dx,
                            dxOff,
                            argmax,
                            argmaxOff);
    }

    /**
     * {@code lanes[off] + lanes[off+1] + … + lanes[off+L-1]}, in that order: the sum of a vector's
     * lanes after {@code intoArray(lanes, off)}. {@code reduceLanes(ADD)} may sum float lanes in
     * another order once the JIT compiles it (JDK 21 and later sum them as a tree in compiled code,
     * in lane order in the interpreter), so its result can change with the caller's compilation
     * tier; this gives the same bits in every tier, which bit-identical resumes and
     * thread-count-independent products need. (It takes the array, not the vector: a vector passed
     * to a method the JIT does not inline is boxed.)
     */
    static float lanesSum(float[] lanes, int off) {
        float sum = lanes[off];
        for (int i = 1; i < L; i++) sum += lanes[off + i];
        return sum;
    }

    /** Per-thread room for one vector's lanes, for {@link #lanesSum}. */
    private static final ThreadLocal<float[]> LANES = ThreadLocal.withInitial(() -> new float[L]);

    // ---- reductions -----------------------------------------------------------------------------

    @Override
    public float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        var s0 = FloatVector.zero(S);
        var s1 = FloatVector.zero(S);
        var s2 = FloatVector.zero(S);
        var s3 = FloatVector.zero(S);
        int i = 0;
        for (int bound = n - n % (4 * L); i < bound; i += 4 * L) {
            s0 = FloatVector.fromArray(S, a, aOff + i).fma(FloatVector.fromArray(S, b, bOff + i), s0);
            s1 = FloatVector.fromArray(S, a, aOff + i + L).fma(FloatVector.fromArray(S, b, bOff + i + L), s1);
            s2 = FloatVector.fromArray(S, a, aOff + i + 2 * L).fma(FloatVector.fromArray(S, b, bOff + i + 2 * L), s2);
            s3 = FloatVector.fromArray(S, a, aOff + i + 3 * L).fma(FloatVector.fromArray(S, b, bOff + i + 3 * L), s3);
        }
        for (int bound = S.loopBound(n); i < bound; i += L)
            s0 = FloatVector.fromArray(S, a, aOff + i).fma(FloatVector.fromArray(S, b, bOff + i), s0);
        float[] lanes = LANES.get();
        s0.add(s1).add(s2.add(s3)).intoArray(lanes, 0);
        float sum = lanesSum(lanes, 0);
        for (; i < n; i++) sum += a[aOff + i] * b[bOff + i];
        return sum;
    }

    /**
     * Below this many floats {@link #sumSquares} runs {@link #sumSquaresLanes}: a plain loop that
     * the JIT compiles after a few calls (a Vector API loop runs ~100× slower until C2 compiles it,
     * and a short one, such as the lazy sparse update's compact gradient, needs hundreds of calls).
     */
    static final int SCALAR_SUM_SQUARES_BELOW = 1 << 16;

    /** Per-thread room for the four accumulators' lanes of {@link #sumSquaresLanes}. */
    private static final ThreadLocal<float[]> ACCUMULATORS = ThreadLocal.withInitial(() -> new float[4 * L]);

    @Override
    public double sumSquares(float[] a, int off, int n) {
        return n < SCALAR_SUM_SQUARES_BELOW ? sumSquaresLanes(a, off, n) : sumSquaresVector(a, off, n);
    }

    /**
     * {@link #sumSquaresVector}'s arithmetic lane by lane in plain Java (the same fused multiply-adds
     * in the same order, so the same bits).
     */
    static double sumSquaresLanes(float[] a, int off, int n) {
        double sum = 0;
        float[] acc = ACCUMULATORS.get(), lanes = LANES.get();
        int i = 0;
        for (int bound = n - n % (4 * L); i < bound; ) {
            Arrays.fill(acc, 0f);
            for (int end = Math.min(bound, i + CHUNK); i < end; i += 4 * L)
                for (int j = 0; j < 4 * L; j++) {
                    float v = a[off + i + j];
                    acc[j] = Math.fma(v, v, acc[j]);
                }
            for (int l = 0; l < L; l++) lanes[l] = (acc[l] + acc[L + l]) + (acc[2 * L + l] + acc[3 * L + l]);
            sum += lanesSum(lanes, 0);
        }
        for (; i < n; i++) {
            double v = a[off + i];
            sum += v * v;
        }
        return sum;
    }

    /** The sum of squares on the Vector API: four accumulators, summed to double every {@link #CHUNK} floats. */
    static double sumSquaresVector(float[] a, int off, int n) {
        double sum = 0;
        float[] lanes = LANES.get();
        int i = 0;
        for (int bound = n - n % (4 * L); i < bound; ) {
            var s0 = FloatVector.zero(S);
            var s1 = FloatVector.zero(S);
            var s2 = FloatVector.zero(S);
            var s3 = FloatVector.zero(S);
            for (int end = Math.min(bound, i + CHUNK); i < end; i += 4 * L) {
                var v0 = FloatVector.fromArray(S, a, off + i);
                var v1 = FloatVector.fromArray(S, a, off + i + L);
                var v2 = FloatVector.fromArray(S, a, off + i + 2 * L);
                var v3 = FloatVector.fromArray(S, a, off + i + 3 * L);
                s0 = v0.fma(v0, s0);
                s1 = v1.fma(v1, s1);
                s2 = v2.fma(v2, s2);
                s3 = v3.fma(v3, s3);
            }
            s0.add(s1).add(s2.add(s3)).intoArray(lanes, 0);
            sum += lanesSum(lanes, 0);
        }
        for (; i < n; i++) {
            double v = a[off + i];
            sum += v * v;
        }
        return sum;
    }

    @Override
    public double sumAbs(float[] a, int off, int n) {
        double sum = 0;
        float[] lanes = LANES.get();
        int i = 0;
        for (int bound = n - n % (4 * L); i < bound; ) {
            var s0 = FloatVector.zero(S);
            var s1 = FloatVector.zero(S);
            var s2 = FloatVector.zero(S);
            var s3 = FloatVector.zero(S);
            for (int end = Math.min(bound, i + CHUNK); i < end; i += 4 * L) {
                s0 = s0.add(FloatVector.fromArray(S, a, off + i).abs());
                s1 = s1.add(FloatVector.fromArray(S, a, off + i + L).abs());
                s2 = s2.add(FloatVector.fromArray(S, a, off + i + 2 * L).abs());
                s3 = s3.add(FloatVector.fromArray(S, a, off + i + 3 * L).abs());
            }
            s0.add(s1).add(s2.add(s3)).intoArray(lanes, 0);
            sum += lanesSum(lanes, 0);
        }
        for (; i < n; i++) sum += Math.abs(a[off + i]);
        return sum;
    }

    /**
     * Max of |a[i]| on the IEEE bit patterns with the sign cleared: as integers they order like the
     * magnitudes, and every NaN sorts above infinity, so one integer max finds both.
     */
    @Override
    public float maxAbs(float[] a, int off, int n) {
        var m0 = IntVector.zero(I);
        var m1 = IntVector.zero(I);
        int i = 0;
        for (int bound = n - n % (2 * L); i < bound; i += 2 * L) {
            m0 = m0.max(FloatVector.fromArray(S, a, off + i).reinterpretAsInts().and(0x7fffffff));
            m1 = m1.max(
                    FloatVector.fromArray(S, a, off + i + L).reinterpretAsInts().and(0x7fffffff));
        }
        int max = m0.max(m1).reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) max = Math.max(max, Float.floatToRawIntBits(a[off + i]) & 0x7fffffff);
        return max > 0x7f800000 ? Float.NaN : Float.intBitsToFloat(max);
    }

    /**
     * The sign runs on the Vector API ({@link Math#signum} is not auto-vectorised on JDK 17: about
     * 5× slower than the other element-wise operations); the same bits as the scalar loop, zeros
     * (±0) and NaN passed through. The square root and absolute value are inherited: the JIT
     * vectorises those loops already.
     */
    @Override
    public void map(Unary f, float[] out, float s, float[] x, float c, int off, int n) {
        if (f != Unary.SIGN) {
            super.map(f, out, s, x, c, off, n);
            return;
        }
        int i = off, end = off + n;
        for (int bound = off + S.loopBound(n); i < bound; i += L) {
            var v = FloatVector.fromArray(S, x, i).mul(s).add(c);
            v.blend(1f, v.compare(VectorOperators.GT, 0f))
                    .blend(-1f, v.compare(VectorOperators.LT, 0f))
                    .intoArray(out, i);
        }
        for (; i < end; i++) out[i] = Math.signum(s * x[i] + c);
    }

    /**
     * ReLU and leaky ReLU on the Vector API: the JIT compiles the scalar loop's {@code Math.max}
     * with a branch per element, which real pre-activations (half negative) mispredict (the CNN's
     * first ReLU: ~0.9 ms a batch). The same bits as {@link Activation#apply}: a NaN stays NaN, −0
     * gives 0 under ReLU ({@code Math.max(−0, 0)}) and −0 under leaky ReLU ({@code slope·−0}). The
     * other activations are inherited.
     */
    @Override
    public void activate(Activation f, float[] z, int zOff, float[] out, int outOff, int n) {
        int tasks = imageTasks(n);
        if (tasks == 1 || (f.kind() != Activation.Kind.RELU && f.kind() != Activation.Kind.LEAKY_RELU)) {
            apply(f, z, zOff, out, outOff, n);
            return;
        }
        SPLIT_PASSES.get().run(SplitPass.Kind.ACTIVATE, f, null, tasks, n, z, zOff, out, outOff, null, 0);
    }

    /**
     * Ranges a pass over n floats of a layer's activations is cut into: one per thread, in order
     * (the caller takes the first), so that each core reads the images it wrote in the layer before
     * ({@link DirectConv} splits by images the same way); one below two {@link #ELEMENTWISE_TASK_MIN}.
     */
    int imageTasks(int n) {
        return threads == 1 ? 1 : Math.max(1, Math.min(threads, n / ELEMENTWISE_TASK_MIN));
    }

    /**
     * A layer's pass cut into {@link #imageTasks} contiguous ranges, one per task (the caller takes
     * the first): the (leaky) ReLU and its gradient over floats (ranges of whole vectors), the 2×2
     * max-pool and its backward over images. Each element or image is computed as on one thread.
     */
    private static final class SplitPass implements IntConsumer {
        enum Kind {
            /** a = z, b = out. */
            ACTIVATE,
            /** a = z, b = dz, c = dOut. */
            ACTIVATION_GRAD,
            /** a = x, b = y, c = argmax. */
            MAX_POOL,
            /** a = dy, b = dx, c = argmax. */
            MAX_POOL_BACKWARD,
            /** a = col, b = dx. */
            COL2IM
        }

        Kind kind;
        Activation f;
        ImageWindow v;
        float[] a, b, c;
        int aOff, bOff, cOff, n, tasks;

        /** Runs the pass over n floats (activations) or n images (pools, col2im) as tasks ranges. */
        void run(
                Kind kind,
                Activation f,
                ImageWindow v,
                int tasks,
                int n,
                float[] a,
                int aOff,
                float[] b,
                int bOff,
                float[] c,
                int cOff) {
            this.kind = kind;
            this.f = f;
            this.v = v;
            this.tasks = tasks;
            this.n = n;
            this.a = a;
            this.aOff = aOff;
            this.b = b;
            this.bOff = bOff;
            this.c = c;
            this.cOff = cOff;
            try {
                Workers.forEach(tasks, this);
            } finally {
                this.f = null;
                this.v = null;
                this.a = this.b = this.c = null;
            }
        }

        @Override
        public void accept(int t) {
            int r0 = (int) ((long) n * t / tasks), r1 = (int) ((long) n * (t + 1) / tasks);
            switch (kind) {
                case ACTIVATE, ACTIVATION_GRAD -> {
                    int s = r0 / L * L, e = t == tasks - 1 ? n : r1 / L * L;
                    if (kind == Kind.ACTIVATE) apply(f, a, aOff + s, b, bOff + s, e - s);
                    else reluGrad(f, a, aOff + s, c, cOff + s, b, bOff + s, e - s);
                }
                case MAX_POOL -> {
                    int image = v.inputSize(), pooled = v.channels() * v.plane();
                    ConvKernels.maxPool2x2(
                            v, a, aOff + r0 * image, r1 - r0, b, bOff + r0 * pooled, c, cOff + r0 * pooled);
                }
                case MAX_POOL_BACKWARD -> {
                    int image = v.inputSize(), pooled = v.channels() * v.plane();
                    LayerLoops.maxPoolBackward(
                            v, a, aOff + r0 * pooled, c, cOff + r0 * pooled, r1 - r0, b, bOff + r0 * image);
                }
                case COL2IM -> ConvKernels.col2im(v, a, aOff, n, b, bOff, r0, r1);
            }
        }
    }

    private static final ThreadLocal<SplitPass> SPLIT_PASSES = ThreadLocal.withInitial(SplitPass::new);

    /**
     * {@link Activation#apply} with (leaky) ReLU on the Vector API, for {@link #activate} and the
     * products' epilogue ({@link Gemm}). Reads z; overwrites out (which may be z).
     */
    static void apply(Activation f, float[] z, int zOff, float[] out, int outOff, int n) {
        Activation.Kind kind = f.kind();
        // one loop each: a mask chosen by a condition inside the loop is boxed by C2 (32 B a vector)
        int i = 0, bound = S.loopBound(n);
        if (kind == Activation.Kind.RELU) {
            var zero = FloatVector.zero(S);
            for (; i < bound; i += L) {
                var v = FloatVector.fromArray(S, z, zOff + i);
                // v where v > 0 or v is NaN, else +0
                zero.blend(v, v.compare(VectorOperators.GT, 0f).or(v.compare(VectorOperators.NE, v)))
                        .intoArray(out, outOff + i);
            }
        } else if (kind == Activation.Kind.LEAKY_RELU) {
            float slope = f.slope();
            for (; i < bound; i += L) {
                var v = FloatVector.fromArray(S, z, zOff + i);
                v.mul(slope).blend(v, v.compare(VectorOperators.GT, 0f)).intoArray(out, outOff + i);
            }
        }
        if (i < n) f.apply(z, zOff + i, out, outOff + i, n - i);
    }

    /**
     * ReLU and leaky ReLU on the Vector API (the JIT does not vectorise the scalar loop's select:
     * about 1 ns per element); the same bits as the scalar loop ({@code z > 0 ? d : 0}, NaN z gives
     * 0, or {@code slope·d}). The other activations are inherited.
     */
    @Override
    public void activationGrad(
            Activation f,
            float[] z,
            int zOff,
            float[] out,
            int outOff,
            float[] dOut,
            int dOutOff,
            float[] dz,
            int dzOff,
            int n) {
        Activation.Kind kind = f.kind();
        if (kind != Activation.Kind.RELU && kind != Activation.Kind.LEAKY_RELU) {
            super.activationGrad(f, z, zOff, out, outOff, dOut, dOutOff, dz, dzOff, n);
            return;
        }
        int tasks = imageTasks(n);
        if (tasks == 1) reluGrad(f, z, zOff, dOut, dOutOff, dz, dzOff, n);
        else
            SPLIT_PASSES
                    .get()
                    .run(SplitPass.Kind.ACTIVATION_GRAD, f, null, tasks, n, z, zOff, dz, dzOff, dOut, dOutOff);
    }

    /** {@link #activationGrad} of (leaky) ReLU: reads z and dOut; overwrites dz. */
    private static void reluGrad(
            Activation f, float[] z, int zOff, float[] dOut, int dOutOff, float[] dz, int dzOff, int n) {
        boolean relu = f.kind() == Activation.Kind.RELU;
        float slope = relu ? 0f : f.slope();
        var zero = FloatVector.zero(S);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            var d = FloatVector.fromArray(S, dOut, dOutOff + i);
            var positive = FloatVector.fromArray(S, z, zOff + i).compare(VectorOperators.GT, 0f);
            (relu ? zero : d.mul(slope)).blend(d, positive).intoArray(dz, dzOff + i);
        }
        for (; i < n; i++) {
            float d = dOut[dOutOff + i];
            dz[dzOff + i] = z[zOff + i] > 0f ? d : relu ? 0f : slope * d;
        }
    }

    /** Column sums, four vectors of columns at a time down all rows; same summation order as scalar. */
    @Override
    public void sumRows(float[] a, int aOff, int rows, int cols, float[] out, int outOff, boolean accumulate) {
        int j = 0;
        for (; j + 4 * L <= cols; j += 4 * L) {
            int o = outOff + j;
            var s0 = accumulate ? FloatVector.fromArray(S, out, o) : FloatVector.zero(S);
            var s1 = accumulate ? FloatVector.fromArray(S, out, o + L) : FloatVector.zero(S);
            var s2 = accumulate ? FloatVector.fromArray(S, out, o + 2 * L) : FloatVector.zero(S);
            var s3 = accumulate ? FloatVector.fromArray(S, out, o + 3 * L) : FloatVector.zero(S);
            for (int i = 0, ai = aOff + j; i < rows; i++, ai += cols) {
                s0 = s0.add(FloatVector.fromArray(S, a, ai));
                s1 = s1.add(FloatVector.fromArray(S, a, ai + L));
                s2 = s2.add(FloatVector.fromArray(S, a, ai + 2 * L));
                s3 = s3.add(FloatVector.fromArray(S, a, ai + 3 * L));
            }
            s0.intoArray(out, o);
            s1.intoArray(out, o + L);
            s2.intoArray(out, o + 2 * L);
            s3.intoArray(out, o + 3 * L);
        }
        for (; j + L <= cols; j += L) {
            int o = outOff + j;
            var s0 = accumulate ? FloatVector.fromArray(S, out, o) : FloatVector.zero(S);
            for (int i = 0, ai = aOff + j; i < rows; i++, ai += cols) s0 = s0.add(FloatVector.fromArray(S, a, ai));
            s0.intoArray(out, o);
        }
        for (; j < cols; j++) {
            float s = accumulate ? out[outOff + j] : 0f;
            for (int i = 0, ai = aOff + j; i < rows; i++, ai += cols) s += a[ai];
            out[outOff + j] = s;
        }
    }

    // ---- element-wise work and optimizer updates ------------------------------------------------

    /**
     * Floats of one element-wise task: a pass over fewer than two of these runs on the calling
     * thread alone. 128 K, or 16 K on {@link #CLOSE_CORES}. At 16 K on a Zen 5 guest, the MNIST MLP's
     * SGD update over 101,770 floats took 33 µs split on 2 threads against 11.5 µs on one, idle. On a
     * 2-core Zen 4 guest sharing its L3 the same update took 14.5 µs split against 22 on one thread,
     * and in the step, after a weight gradient split over both cores, 29 µs against 45.
     */
    static final int ELEMENTWISE_TASK_MIN = (CLOSE_CORES ? 16 : 128) * 1024;

    /**
     * How many ranges an element-wise pass over n floats is cut into: one on one thread, else up to
     * one per thread, none smaller than {@link #ELEMENTWISE_TASK_MIN}. One range a thread lets each
     * core take the same range of parameters and momentum every step (the caller claims first), so
     * they stay in its L2: in the 2-thread MLP step (2-core Zen 4, 2026-12-07, {@code
     * StepPartsTimeline}, three pairs of alternating JVMs) the SGD update took 17 µs against 27–29
     * with up to two ranges a thread, claimed by whichever thread came first.
     */
    int elementwiseTasks(int n) {
        int t = threads;
        return t == 1 ? 1 : Math.max(1, Math.min(t, n / ELEMENTWISE_TASK_MIN));
    }

    /**
     * {@link ScalarBackend#sgdUpdate}'s loop (which the JIT vectorises: a Vector API form measured
     * no faster), split into ranges over the threads when the buffer is large: each element is
     * computed alone, so the bits equal the scalar backend's for any thread count.
     */
    @Override
    public void sgdUpdate(
            Sgd rule, Sgd.State s, float[] p, float[] g, int n, float lr, float momentum, boolean firstStep) {
        int tasks = elementwiseTasks(n);
        if (tasks == 1) {
            super.sgdUpdate(rule, s, p, g, n, lr, momentum, firstStep);
            return;
        }
        SgdSplit split = SGD_SPLITS.get();
        split.rule = rule;
        split.state = s;
        split.p = p;
        split.g = g;
        split.lr = lr;
        split.momentum = momentum;
        split.firstStep = firstStep;
        split.n = n;
        split.chunk = (n / tasks + 2 * L - 1) / (2 * L) * (2 * L);
        try {
            Workers.forEach((n + split.chunk - 1) / split.chunk, split);
        } finally {
            split.rule = null;
            split.state = null;
            split.p = split.g = null;
        }
    }

    /**
     * {@link Backend#gatherRows}, its rows split over the threads like an element-wise pass ({@link
     * #elementwiseTasks} of count·width floats): a batch's rows come from memory at about 8 GB/s a
     * core, and two cores copied 64 MNIST rows in 12–15 µs against 24 on one (2-core Zen 4). A copy,
     * so the same bits on any thread count.
     */
    @Override
    public void gatherRows(float[] src, int width, int[] rows, int rowsOff, int count, float[] dst, int dstOff) {
        int tasks = elementwiseTasks(count * width);
        if (tasks == 1) {
            gatherEightAtATime(src, width, rows, rowsOff, count, dst, dstOff);
            return;
        }
        GatherSplit split = gatherSplits.get();
        split.src = src;
        split.dst = dst;
        split.rows = rows;
        split.width = width;
        split.rowsOff = rowsOff;
        split.count = count;
        split.dstOff = dstOff;
        split.chunk = (count + tasks - 1) / tasks;
        try {
            Workers.forEach(tasks, split);
        } finally {
            split.src = split.dst = null;
            split.rows = null;
        }
    }

    /**
     * {@link Backend#gatherRows} on the calling thread, eight rows side by side: one vector from each
     * of the eight, then the next vector of each. A row from a data set larger than the caches comes
     * from memory at the pace of its misses, and eight rows in flight at once hide more of them than
     * one: 64 random MNIST rows from 10,000 in 15.5–15.9 µs against 20.4–20.9 for a row at a time
     * ({@code System.arraycopy}), 16.3–17.7 four at a time (2-core Zen 4, JDK 17, three rounds of
     * 156 batches). The rows past the last eight are copied one at a time. Reads src and rows;
     * overwrites those rows of dst.
     */
    static void gatherEightAtATime(
            float[] src, int width, int[] rows, int rowsOff, int count, float[] dst, int dstOff) {
        int whole = width - width % L, i = 0;
        for (; i + 8 <= count; i += 8) {
            int r = rowsOff + i, d = dstOff + i * width;
            int s0 = rows[r] * width, s1 = rows[r + 1] * width, s2 = rows[r + 2] * width, s3 = rows[r + 3] * width;
            int s4 = rows[r + 4] * width, s5 = rows[r + 5] * width, s6 = rows[r + 6] * width, s7 = rows[r + 7] * width;
            for (int c = 0, dc = d; c < whole; c += L, dc += L) {
                FloatVector.fromArray(S, src, s0 + c).intoArray(dst, dc);
                FloatVector.fromArray(S, src, s1 + c).intoArray(dst, dc + width);
                FloatVector.fromArray(S, src, s2 + c).intoArray(dst, dc + 2 * width);
                FloatVector.fromArray(S, src, s3 + c).intoArray(dst, dc + 3 * width);
                FloatVector.fromArray(S, src, s4 + c).intoArray(dst, dc + 4 * width);
                FloatVector.fromArray(S, src, s5 + c).intoArray(dst, dc + 5 * width);
                FloatVector.fromArray(S, src, s6 + c).intoArray(dst, dc + 6 * width);
                FloatVector.fromArray(S, src, s7 + c).intoArray(dst, dc + 7 * width);
            }
            for (int q = 0; whole < width && q < 8; q++)
                System.arraycopy(src, rows[r + q] * width + whole, dst, d + q * width + whole, width - whole);
        }
        for (; i < count; i++) System.arraycopy(src, rows[rowsOff + i] * width, dst, dstOff + i * width, width);
    }

    /** One calling thread's row gather split, reused for every call: the call's operands. */
    private final class GatherSplit implements IntConsumer {
        float[] src, dst;
        int[] rows;
        int width, rowsOff, count, dstOff, chunk;

        @Override
        public void accept(int task) {
            int from = task * chunk, n = Math.min(count, from + chunk) - from;
            if (n > 0) gatherEightAtATime(src, width, rows, rowsOff + from, n, dst, dstOff + from * width);
        }
    }

    private final ThreadLocal<GatherSplit> gatherSplits = ThreadLocal.withInitial(GatherSplit::new);

    /** One calling thread's SGD split, reused for every call (no allocation): the call's operands. */
    private static final class SgdSplit implements IntConsumer {
        Sgd rule;
        Sgd.State state;
        float[] p, g;
        float lr, momentum;
        boolean firstStep;
        int n, chunk;

        @Override
        public void accept(int task) {
            int from = task * chunk;
            ScalarBackend.sgdRange(rule, state, p, g, from, Math.min(n, from + chunk), lr, momentum, firstStep);
        }
    }

    private static final ThreadLocal<SgdSplit> SGD_SPLITS = ThreadLocal.withInitial(SgdSplit::new);
}
