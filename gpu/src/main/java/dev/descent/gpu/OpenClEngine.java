package dev.descent.gpu;

import static dev.descent.gpu.DescentKernel.*;

import com.aparapi.Kernel;
import com.aparapi.Range;
import com.aparapi.device.OpenCLDevice;
import com.aparapi.exception.CompileFailedException;
import com.aparapi.exception.QueryFailedException;
import com.aparapi.internal.kernel.KernelManager;
import dev.descent.backend.CounterRandom;
import dev.descent.backend.ImageWindow;
import dev.descent.optim.Adagrad;
import dev.descent.optim.Adam;
import dev.descent.optim.RmsProp;
import dev.descent.optim.Sgd;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * One {@link DescentKernel} instance on one OpenCL device, with its buffers and checked launches.
 * This is the layer a device-resident training session builds on; {@link OpenClBackend} uses it
 * with the io buffer only.
 *
 * <h2>Buffers (Aparapi explicit mode)</h2>
 *
 * The kernel owns three float arrays, each mirrored by one device buffer that lives as long as the
 * engine: {@code io} (staging: grow/shrink on demand, uploaded with {@link #putIo()}, downloaded
 * with {@link #getIo()}), {@code mem} (an arena sized once by {@link #allocateMem(int)}; stays on
 * the device between launches until {@link #getMem()}), and {@code red} (reduction partials,
 * downloaded by the reduction methods themselves), plus one int array, {@code ix} (a CSR batch's
 * row pointers and columns: uploaded with {@link #putIx()}, only read on the device). Nothing is
 * transferred implicitly except on the very first launch after an array is (re)allocated, when
 * Aparapi creates the device buffer from the host array's contents. Operations name their operands
 * as {@link Ref}s (buffer + offset) and never move data; the caller decides when to {@code put} and
 * {@code get}.
 *
 * <p><b>The GC hazard of resident buffers.</b> Aparapi identifies a device buffer by the Java array's
 * address while pinned: if the garbage collector moves the array between two launches, the next
 * launch releases the device buffer and creates a new one from the host array, silently discarding
 * everything the device wrote since the last {@code get} (measured: a 12 KB arena under G1 after a
 * {@code System.gc()}; a 12 MB arena survives G1, whose humongous objects do not move, but not
 * ParallelGC). Per-call use (put everything, launch, get) is immune. A resident session must detect
 * it: {@link #putMem()} stamps a sentinel element at the end of the arena on the device only, and
 * {@link #memResident()} checks that it is still there. The same holds for io and red: whatever the
 * device wrote into them must be downloaded ({@code get}) before the next launch, which could
 * otherwise re-create them from the stale host array; a {@code get} itself is safe (it reads the
 * existing device buffer into the array's current address).
 *
 * <p>Devices are told they do not share memory with the host ({@code setSharedMemory(false)}), so
 * Aparapi allocates real device buffers ({@code CL_MEM_COPY_HOST_PTR}) instead of wrapping the Java
 * arrays ({@code CL_MEM_USE_HOST_PTR}, its default). On PoCL the default would make a forgotten
 * {@code get} or {@code put} invisible in tests and then wrong on a discrete GPU.
 *
 * <h2>Never silent</h2>
 *
 * Every launch goes through {@link #launch(Range)}, which throws {@link IllegalStateException} unless
 * the kernel demonstrably ran as OpenCL on this engine's device (see there). After such a failure the
 * engine refuses further work: Aparapi has marked the device as failed for the kernel class.
 *
 * <p>Aparapi keeps device preferences and failures per kernel <em>class</em>, not per instance:
 * engines on two different devices in one JVM would overwrite each other's preferred device (and
 * then be refused). Several engines on the same device are fine; they share the compiled program
 * (Aparapi caches the binary per class and device, so a second engine starts in milliseconds).
 *
 * <p>Not thread-safe on its own: callers synchronize on the engine.
 */
final class OpenClEngine implements AutoCloseable {

    /** An operand's location: {@code DescentKernel.BUF_IO} or {@code BUF_MEM}, and an element offset. */
    record Ref(int buf, int off) {
        static Ref io(int off) {
            return new Ref(BUF_IO, off);
        }

        static Ref mem(int off) {
            return new Ref(BUF_MEM, off);
        }
    }

    /**
     * Tests only: runs before every launch. Replacing {@code io} or {@code red} by a clone there is
     * what Aparapi sees after the GC moved the array (it re-creates the device buffer from the host
     * contents), so tests can exercise the hazard described above deterministically. Null in
     * production.
     */
    static volatile java.util.function.Consumer<DescentKernel> beforeLaunchForTests;

    private static final int MIN_IO = 1024;
    private static final int MAX_GROUPS = 1024;

    private final OpenCLDevice device;
    private final OpenClDeviceInfo info;
    private final DescentKernel kernel = new DescentKernel();
    private final int local;
    private final int tile;
    private long launches;
    private String broken;
    /** Index of the residency sentinel in mem (its last element). */
    private int memSentinel;

    /**
     * Compiles the kernel for the device and checks one launch.
     *
     * @throws IllegalStateException when the kernel cannot be compiled or does not run on the device
     */
    OpenClEngine(OpenCLDevice device, OpenClDeviceInfo info) {
        AparapiRuntime.init();
        this.device = device;
        this.info = info;
        device.setSharedMemory(false);
        kernel.setExplicit(true);
        KernelManager.instance().setPreferredDevices(kernel, new LinkedHashSet<>(List.of(device)));
        int kernelMax;
        try {
            AparapiRuntime.clearLastWarning();
            kernel.compile(device);
            kernelMax = kernel.getKernelMaxWorkGroupSize(device);
        } catch (CompileFailedException | QueryFailedException | RuntimeException | LinkageError | AssertionError e) {
            throw new IllegalStateException(
                    "could not compile the Descent OpenCL kernel for " + info.describe() + ": " + e + detail(), e);
        }
        int max = Math.min(kernelMax, device.getMaxWorkGroupSize());
        this.local = floorPow2(Math.min(256, max));
        int t = 16;
        while (t > 1 && t * t > max) t /= 2;
        this.tile = t;
        kernel.tile = t;
        kernel.tileA = new float[t * t];
        kernel.tileB = new float[t * t];
        kernel.scratch = new float[local];
        kernel.red = new float[MAX_GROUPS];
        // smoke test: one element-wise launch through the checked path
        float[] io = ioCapacity(2);
        io[0] = 3f;
        putIo();
        scale(Ref.io(0), 1, 2f);
        getIo();
        if (kernel.io[0] != 6f)
            throw new IllegalStateException("the Descent OpenCL kernel computed 3*2 = " + kernel.io[0] + " on "
                    + info.describe() + "; the OpenCL driver is not usable");
    }

    OpenClDeviceInfo info() {
        return info;
    }

    OpenCLDevice device() {
        return device;
    }

    /** Work-group size of 1D launches. */
    int localSize() {
        return local;
    }

    /** Side of the matmul tile. */
    int tile() {
        return tile;
    }

    /** Launches that completed and were verified to have run on the OpenCL device. */
    long verifiedLaunches() {
        return launches;
    }

    // ---- buffers ---------------------------------------------------------------------------

    /**
     * The io staging array with room for at least {@code n} elements. Reallocates when too small or
     * more than 8× too large (a new array gets a new device buffer at the next launch); contents are
     * not preserved across a reallocation.
     */
    float[] ioCapacity(int n) {
        if (n < 0) throw new IllegalArgumentException("staging buffer of " + n + " floats: the operands overflow int");
        int len = kernel.io.length;
        if (n > len || (len > MIN_IO && (long) n * 8 < len)) {
            int cap = Math.max(MIN_IO, ceilPow2(n));
            kernel.io = new float[cap];
        }
        return kernel.io;
    }

    /** Marks io for upload at the next launch. */
    void putIo() {
        kernel.put(kernel.io);
    }

    /** Downloads io from the device (blocking). */
    void getIo() {
        kernel.get(kernel.io);
    }

    /**
     * The integer staging array (CSR row pointers and column indices) with room for at least {@code
     * n} elements; reallocated as {@link #ioCapacity} is. The device only reads it.
     */
    int[] ixCapacity(int n) {
        if (n < 0) throw new IllegalArgumentException("index buffer of " + n + " ints: the operands overflow int");
        int len = kernel.ix.length;
        if (n > len || (len > MIN_IO && (long) n * 8 < len)) kernel.ix = new int[Math.max(MIN_IO, ceilPow2(n))];
        return kernel.ix;
    }

    /** Marks ix for upload at the next launch. */
    void putIx() {
        kernel.put(kernel.ix);
    }

    /**
     * Replaces the device-resident arena with a new zeroed array of {@code n + 1} elements: {@code n}
     * for the caller, the last one reserved for the residency sentinel.
     */
    float[] allocateMem(int n) {
        kernel.mem = new float[Math.max(0, n) + 1];
        memSentinel = kernel.mem.length - 1;
        return kernel.mem;
    }

    float[] mem() {
        return kernel.mem;
    }

    /**
     * Uploads mem to the device (one launch), then stamps the residency sentinel there; the host copy
     * of the sentinel stays 0.
     */
    void putMem() {
        kernel.mem[memSentinel] = 0f;
        kernel.put(kernel.mem);
        prepare(OP_STAMP_MEM);
        kernel.n = memSentinel;
        kernel.s0 = 1f;
        launch1D(1);
    }

    /** Downloads mem from the device (blocking). */
    void getMem() {
        kernel.get(kernel.mem);
        kernel.mem[memSentinel] = 0f;
    }

    /**
     * Whether the device copy of mem is still the one {@link #putMem()} uploaded and launches have
     * written since: false when Aparapi re-created it from the host array (after the GC moved the
     * array), or when mem was never put. One launch and a small download.
     */
    boolean memResident() {
        prepare(OP_PROBE_MEM);
        kernel.n = memSentinel;
        launch1D(1);
        kernel.get(kernel.red);
        return kernel.red[0] == 1f;
    }

    // ---- operations ------------------------------------------------------------------------

    /** C[m×n] (+)= op(A)·op(B); see {@link DescentKernel}. */
    void matmul(Ref a, Ref b, Ref c, int m, int n, int k, boolean transA, boolean transB, boolean accumulate) {
        if (m <= 0 || n <= 0) return;
        prepare(OP_MATMUL);
        kernel.m = m;
        kernel.n = n;
        kernel.k = k;
        kernel.flags = (transA ? F_TRANS_A : 0) | (transB ? F_TRANS_B : 0) | (accumulate ? F_ACCUMULATE : 0);
        operands(a, b, c, null, null, null);
        launch(device.createRange2D(roundUp(n, tile), roundUp(m, tile), tile, tile));
    }

    void addRowVector(Ref c, int rows, int cols, Ref bias) {
        if (rows <= 0 || cols <= 0) return;
        prepare(OP_ADD_ROW_VECTOR);
        kernel.m = rows;
        kernel.n = cols;
        operands(null, bias, c, null, null, null);
        launch1D(rows * cols);
    }

    void sumRows(Ref a, int rows, int cols, Ref out, boolean accumulate) {
        if (cols <= 0) return;
        prepare(OP_SUM_ROWS);
        kernel.m = Math.max(rows, 0);
        kernel.n = cols;
        kernel.flags = accumulate ? F_ACCUMULATE : 0;
        operands(a, null, out, null, null, null);
        launch1D(cols);
    }

    void activate(int kind, float slope, Ref z, Ref out, int n) {
        if (n <= 0) return;
        prepare(OP_ACTIVATE);
        kernel.kind = kind;
        kernel.s0 = slope;
        kernel.n = n;
        operands(z, null, out, null, null, null);
        launch1D(n);
    }

    void activationGrad(int kind, float slope, Ref z, Ref out, Ref dOut, Ref dz, int n) {
        if (n <= 0) return;
        prepare(OP_ACTIVATION_GRAD);
        kernel.kind = kind;
        kernel.s0 = slope;
        kernel.n = n;
        operands(z, out, dz, dOut, null, null);
        launch1D(n);
    }

    /** Σ a·b: per-work-group float partials, summed on the host in double. */
    double dot(Ref a, Ref b, int n) {
        if (n <= 0) return 0;
        prepare(OP_DOT);
        kernel.n = n;
        operands(a, b, null, null, null, null);
        return sumPartials(launchReduce(n));
    }

    double sumSquares(Ref a, int n) {
        if (n <= 0) return 0;
        prepare(OP_SUM_SQUARES);
        kernel.n = n;
        operands(a, null, null, null, null, null);
        return sumPartials(launchReduce(n));
    }

    double sumAbs(Ref a, int n) {
        if (n <= 0) return 0;
        prepare(OP_SUM_ABS);
        kernel.n = n;
        operands(a, null, null, null, null, null);
        return sumPartials(launchReduce(n));
    }

    /** max |a| (0 for n = 0, NaN if any element is NaN). */
    float maxAbs(Ref a, int n) {
        if (n <= 0) return 0f;
        prepare(OP_MAX_ABS);
        kernel.n = n;
        operands(a, null, null, null, null, null);
        int groups = launchReduce(n);
        float m = 0f;
        for (int g = 0; g < groups; g++) {
            float v = kernel.red[g];
            if (Float.isNaN(v)) return v;
            if (v > m) m = v;
        }
        return m;
    }

    void scale(Ref a, int n, float s) {
        if (n <= 0) return;
        prepare(OP_SCALE);
        kernel.n = n;
        kernel.s0 = s;
        operands(null, null, a, null, null, null);
        launch1D(n);
    }

    void clampAbs(Ref a, int n, float limit) {
        if (n <= 0) return;
        prepare(OP_CLAMP_ABS);
        kernel.n = n;
        kernel.s0 = limit;
        operands(null, null, a, null, null, null);
        launch1D(n);
    }

    void axpy(float alpha, Ref x, Ref y, int n) {
        if (n <= 0) return;
        prepare(OP_AXPY);
        kernel.n = n;
        kernel.s0 = alpha;
        operands(x, null, y, null, null, null);
        launch1D(n);
    }

    /**
     * A fused update's device operands: parameters p (overwritten), gradient g (read), and the
     * rule's state buffers s1..s3 in the order its {@code Backend} method names them (overwritten;
     * null where the rule or this step has none).
     */
    record UpdateOperands(Ref p, Ref g, Ref s1, Ref s2, Ref s3) {}

    /** {@code Backend.sgdUpdate}; s1 the momentum buffer, null when momentum is 0. */
    void sgd(Sgd rule, UpdateOperands o, int n, float lr, float momentum, boolean firstStep) {
        if (n <= 0) return;
        prepare(OP_SGD);
        kernel.flags = (momentum != 0f ? F_MOMENTUM : 0)
                | (rule.isNesterov() ? F_NESTEROV : 0)
                | (firstStep ? F_FIRST_STEP : 0);
        kernel.s0 = lr;
        kernel.s1 = momentum;
        kernel.s2 = (float) rule.dampening();
        kernel.s3 = (float) rule.weightDecay();
        kernel.s4 = rule.isMaximize() ? -1f : 1f;
        launchUpdate(o, n);
    }

    /** {@code Backend.adamUpdate}; s1..s3 the moments and the AMSGrad maximum (null unless amsgrad). */
    void adam(Adam rule, UpdateOperands o, int n, float lr, float beta1, long step) {
        if (n <= 0) return;
        prepare(OP_ADAM);
        kernel.flags = o.s3() != null ? F_AMSGRAD : 0;
        kernel.s0 = Adam.stepSize(lr, beta1, step);
        kernel.s1 = beta1;
        kernel.s2 = (float) rule.beta2();
        kernel.s3 = (float) rule.eps();
        kernel.s4 = rule.secondMomentCorrection(step);
        kernel.s5 = rule.decoupledDecay(lr);
        kernel.s6 = rule.l2Coefficient();
        kernel.s7 = rule.isMaximize() ? -1f : 1f;
        launchUpdate(o, n);
    }

    /** {@code Backend.rmspropUpdate}; s1..s3 the square average, momentum buffer and gradient average (null when absent). */
    void rmsprop(RmsProp rule, UpdateOperands o, int n, float lr, float momentum) {
        if (n <= 0) return;
        prepare(OP_RMSPROP);
        kernel.flags = (o.s2() != null ? F_MOMENTUM : 0) | (o.s3() != null ? F_CENTERED : 0);
        kernel.s0 = lr;
        kernel.s1 = (float) rule.alpha();
        kernel.s2 = (float) rule.eps();
        kernel.s3 = (float) rule.weightDecay();
        kernel.s4 = momentum;
        kernel.s5 = rule.isMaximize() ? -1f : 1f;
        launchUpdate(o, n);
    }

    /** {@code Backend.adagradUpdate}; s1 the running sum of squares. */
    void adagrad(Adagrad rule, UpdateOperands o, int n, float lr, long step) {
        if (n <= 0) return;
        prepare(OP_ADAGRAD);
        kernel.s0 = rule.decayedLr(lr, step);
        kernel.s1 = (float) rule.weightDecay();
        kernel.s2 = (float) rule.eps();
        kernel.s3 = rule.isMaximize() ? -1f : 1f;
        launchUpdate(o, n);
    }

    /** The fused kernels' operand slots: gradient at a, parameters at c, state at d, e, f. */
    private void launchUpdate(UpdateOperands o, int n) {
        kernel.n = n;
        operands(o.g(), null, o.p(), o.s1(), o.s2(), o.s3());
        launch1D(n);
    }

    // ---- the generic element-wise steps (Backend.axpby, addcmul, addcdiv, map, maximum) ----
    // Operands may alias out (each element is read before it is written); a first term whose
    // coefficient is 0 is not read.

    /** out = a·x + b·y. */
    void axpby(Ref out, float a, Ref x, float b, Ref y, int n) {
        if (n <= 0) return;
        prepare(OP_AXPBY);
        kernel.n = n;
        kernel.flags = a == 0f ? F_SKIP_FIRST : 0;
        kernel.s0 = a;
        kernel.s1 = b;
        operands(x, y, out, null, null, null);
        launch1D(n);
    }

    /** out = a·y + b·x·z. */
    void addcmul(Ref out, float a, Ref y, float b, Ref x, Ref z, int n) {
        if (n <= 0) return;
        prepare(OP_ADDCMUL);
        kernel.n = n;
        kernel.flags = a == 0f ? F_SKIP_FIRST : 0;
        kernel.s0 = a;
        kernel.s1 = b;
        operands(y, x, out, z, null, null);
        launch1D(n);
    }

    /** out = a·y + b·x/(z + eps). */
    void addcdiv(Ref out, float a, Ref y, float b, Ref x, Ref z, float eps, int n) {
        if (n <= 0) return;
        prepare(OP_ADDCDIV);
        kernel.n = n;
        kernel.flags = a == 0f ? F_SKIP_FIRST : 0;
        kernel.s0 = a;
        kernel.s1 = b;
        kernel.s2 = eps;
        operands(y, x, out, z, null, null);
        launch1D(n);
    }

    /** out = f(s·x + c). */
    void map(dev.descent.backend.Backend.Unary f, Ref out, float s, Ref x, float c, int n) {
        if (n <= 0) return;
        prepare(OP_MAP);
        kernel.n = n;
        kernel.kind = switch (f) {
            case SQRT -> FN_SQRT;
            case ABS -> FN_ABS;
            case SIGN -> FN_SIGN;
        };
        kernel.s0 = s;
        kernel.s1 = c;
        operands(x, null, out, null, null, null);
        launch1D(n);
    }

    /** out = max(a·y, x + c). */
    void maximum(Ref out, float a, Ref y, Ref x, float c, int n) {
        if (n <= 0) return;
        prepare(OP_MAXIMUM);
        kernel.n = n;
        kernel.s0 = a;
        kernel.s1 = c;
        operands(y, x, out, null, null, null);
        launch1D(n);
    }

    /**
     * {@code Loss.valueAndGradient} on the device: pred at {@code pred} ({@code terms} rows of {@code
     * cols} for softmax cross-entropy, else {@code terms} elements), targets at {@code target}, the
     * gradient times {@code gradFactor} written at {@code grad}. Returns the sum of the loss terms
     * (float per work-item, double across work-groups); the caller applies the reduction's norm.
     */
    double loss(int lossKind, Ref pred, Ref target, Ref grad, int terms, int cols, float gradFactor, float delta) {
        if (terms <= 0) return 0;
        prepare(OP_LOSS);
        kernel.kind = lossKind;
        kernel.n = terms;
        kernel.m = cols;
        kernel.s0 = gradFactor;
        kernel.s1 = delta;
        operands(pred, target, grad, null, null, null);
        return sumPartials(launchReduce(terms));
    }

    /** c[0..n) = value. */
    void fill(Ref c, int n, float value) {
        if (n <= 0) return;
        prepare(OP_FILL);
        kernel.n = n;
        kernel.s0 = value;
        operands(null, null, c, null, null, null);
        launch1D(n);
    }

    /** dst[0..n) = src[0..n) (ranges must not overlap). */
    void copy(Ref src, Ref dst, int n) {
        if (n <= 0) return;
        prepare(OP_COPY);
        kernel.n = n;
        operands(src, null, dst, null, null, null);
        launch1D(n);
    }

    // ---- layer operations (Backend.im2col ... dropout); see DescentKernel --------------------

    private void window(ImageWindow v) {
        kernel.wC = v.channels();
        kernel.wH = v.height();
        kernel.wW = v.width();
        kernel.wKh = v.kernelHeight();
        kernel.wKw = v.kernelWidth();
        kernel.wSh = v.strideHeight();
        kernel.wSw = v.strideWidth();
        kernel.wPh = v.paddingHeight();
        kernel.wPw = v.paddingWidth();
        kernel.wOh = v.outHeight();
        kernel.wOw = v.outWidth();
    }

    /** {@code Backend.im2col}: col {@code [patch, rows·OH·OW]} from rows images of x. */
    void im2col(ImageWindow v, Ref x, int rows, Ref col) {
        windowOp(OP_IM2COL, v, rows, v.patch() * rows * v.plane(), x, null, col, null);
    }

    /** {@code Backend.col2im}: overwrites rows images of dx. */
    void col2im(ImageWindow v, Ref col, int rows, Ref dx) {
        windowOp(OP_COL2IM, v, rows, rows * v.inputSize(), col, null, dx, null);
    }

    /** {@code Backend.channelMajorToRows}. */
    void channelMajorToRows(Ref src, int rows, int channels, int plane, Ref bias, Ref dst) {
        channelOp(OP_CHANNELS_TO_ROWS, src, rows, channels, plane, bias, dst);
    }

    /** {@code Backend.rowsToChannelMajor}. */
    void rowsToChannelMajor(Ref src, int rows, int channels, int plane, Ref dst) {
        channelOp(OP_ROWS_TO_CHANNELS, src, rows, channels, plane, null, dst);
    }

    private void channelOp(int op, Ref src, int rows, int channels, int plane, Ref bias, Ref dst) {
        int items = rows * channels * plane;
        if (items <= 0) return;
        prepare(op);
        kernel.m = rows;
        kernel.k = channels;
        kernel.wOh = plane;
        kernel.n = items;
        operands(src, bias, dst, null, null, null);
        launch1D(items);
    }

    /** {@code Backend.sumEachRow}: one work-item per row. */
    void sumEachRow(Ref a, int rows, int cols, Ref out, boolean accumulate) {
        if (rows <= 0) return;
        prepare(OP_SUM_EACH_ROW);
        kernel.n = rows;
        kernel.k = Math.max(cols, 0);
        kernel.flags = accumulate ? F_ACCUMULATE : 0;
        operands(a, null, out, null, null, null);
        launch1D(rows);
    }

    /** {@code Backend.maxPool}. */
    void maxPool(ImageWindow v, Ref x, int rows, Ref y, Ref argmax) {
        windowOp(OP_MAX_POOL, v, rows, rows * v.channels() * v.plane(), x, null, y, argmax);
    }

    /** {@code Backend.maxPoolBackward}. */
    void maxPoolBackward(ImageWindow v, Ref dy, Ref argmax, int rows, Ref dx) {
        windowOp(OP_MAX_POOL_BACKWARD, v, rows, rows * v.inputSize(), dy, argmax, dx, null);
    }

    /** {@code Backend.avgPool}. */
    void avgPool(ImageWindow v, Ref x, int rows, Ref y) {
        windowOp(OP_AVG_POOL, v, rows, rows * v.channels() * v.plane(), x, null, y, null);
    }

    /** {@code Backend.avgPoolBackward}. */
    void avgPoolBackward(ImageWindow v, Ref dy, int rows, Ref dx) {
        windowOp(OP_AVG_POOL_BACKWARD, v, rows, rows * v.inputSize(), dy, null, dx, null);
    }

    /** One launch of a window op over {@code items} work-items; s0 is the pools' {@code 1/(kh·kw)}. */
    private void windowOp(int op, ImageWindow v, int rows, int items, Ref a, Ref b, Ref c, Ref d) {
        if (items <= 0) return;
        prepare(op);
        window(v);
        kernel.m = rows;
        kernel.n = items;
        kernel.s0 = 1f / (v.kernelHeight() * v.kernelWidth());
        operands(a, b, c, d, null, null);
        launch1D(items);
    }

    /**
     * {@code Backend.batchNormForward} in float, one work-item per channel; in training the batch
     * count is incremented first (one launch), so every channel reads the new count.
     */
    void batchNormForward(
            Ref x,
            int rows,
            int channels,
            int positions,
            Ref weight,
            Ref bias,
            Ref mean,
            Ref var,
            Ref tracked,
            boolean training,
            boolean cumulative,
            float momentum,
            float eps,
            Ref xhat,
            Ref rstd,
            Ref y) {
        if (channels <= 0) return;
        if (training) {
            prepare(OP_SHIFT);
            kernel.n = 1;
            kernel.s0 = 1f;
            operands(null, null, tracked, null, null, null);
            launch1D(1);
        }
        prepare(OP_BATCH_NORM);
        kernel.n = channels;
        kernel.m = rows;
        kernel.k = positions;
        kernel.flags = (training ? F_TRAINING : 0) | (cumulative ? F_CUMULATIVE : 0);
        kernel.s0 = momentum;
        kernel.s1 = eps;
        operands(x, weight, y, bias, xhat, rstd);
        extra(mean, var, tracked);
        launch1D(channels);
    }

    /** {@code Backend.batchNormBackward} in float, one work-item per channel; dx may be null. */
    void batchNormBackward(
            Ref dy,
            int rows,
            int channels,
            int positions,
            Ref weight,
            Ref gWeight,
            Ref gBias,
            boolean accumulate,
            boolean training,
            Ref xhat,
            Ref rstd,
            Ref dx) {
        if (channels <= 0) return;
        prepare(OP_BATCH_NORM_BACKWARD);
        kernel.n = channels;
        kernel.m = rows;
        kernel.k = positions;
        kernel.flags = (accumulate ? F_ACCUMULATE : 0) | (training ? F_TRAINING : 0) | (dx != null ? F_HAS_DX : 0);
        operands(dy, weight, dx, gWeight, gBias, xhat);
        extra(rstd, null, null);
        launch1D(channels);
    }

    /** {@code Backend.layerNormForward} in float, one work-item per row. */
    void layerNormForward(Ref x, int rows, int features, Ref weight, Ref bias, float eps, Ref xhat, Ref rstd, Ref y) {
        if (rows <= 0) return;
        prepare(OP_LAYER_NORM);
        kernel.n = rows;
        kernel.k = features;
        kernel.s1 = eps;
        operands(x, weight, y, bias, xhat, rstd);
        launch1D(rows);
    }

    /**
     * {@code Backend.layerNormBackward}: the bias gradient ({@link #sumRows}), the weight gradient
     * (one work-item per feature) and, unless dx is null, dx (one per row).
     */
    void layerNormBackward(
            Ref dy,
            int rows,
            int features,
            Ref weight,
            Ref gWeight,
            Ref gBias,
            boolean accumulate,
            Ref xhat,
            Ref rstd,
            Ref dx) {
        if (features <= 0) return;
        sumRows(dy, rows, features, gBias, accumulate);
        prepare(OP_LAYER_NORM_WEIGHT_GRAD);
        kernel.n = features;
        kernel.m = Math.max(rows, 0);
        kernel.flags = accumulate ? F_ACCUMULATE : 0;
        operands(dy, null, gWeight, null, xhat, null);
        launch1D(features);
        if (dx == null || rows <= 0) return;
        prepare(OP_LAYER_NORM_BACKWARD);
        kernel.n = rows;
        kernel.k = features;
        operands(dy, weight, dx, null, xhat, rstd);
        launch1D(rows);
    }

    /** {@code Backend.dropout}: the mask from {@code CounterRandom.bits(key, i)}, exactly as on the host. */
    void dropout(Ref x, Ref y, Ref mask, int n, long key, double p) {
        if (n <= 0) return;
        prepare(OP_DROPOUT);
        kernel.n = n;
        kernel.key = key;
        kernel.threshold = CounterRandom.threshold(p);
        kernel.s0 = (float) (1 / (1 - p));
        operands(x, null, y, mask, null, null);
        launch1D(n);
    }

    // ---- sparse (CSR) input: row pointers and columns are offsets into ix --------------------

    /**
     * {@code Backend.sparseLinear}: z[rows×outputs] = CSR · Wᵀ + bias, one work-item per (row,
     * output); row pointers at ix[rowStart], columns at ix[columns].
     */
    void sparseLinear(
            int rowStart, int columns, Ref values, int rows, Ref w, int inputs, Ref bias, Ref z, int outputs) {
        csrOp(OP_SPARSE_LINEAR, rows * outputs, rows, outputs, inputs, rowStart, columns, values, w, z, bias);
    }

    /**
     * {@code Backend.sparseWeightGradient}: g[outputs×inputs] += dzᵀ·CSR, one work-item per output
     * looping over the rows and their entries in order (deterministic, no atomics; parallel over the
     * outputs only).
     */
    void sparseWeightGradient(Ref dz, int outputs, int rowStart, int columns, Ref values, int rows, Ref g, int inputs) {
        csrOp(OP_SPARSE_WEIGHT_GRAD, outputs, rows, outputs, inputs, rowStart, columns, dz, values, g, null);
    }

    /** One launch of a CSR op over {@code items} work-items: m rows, n outputs, k inputs, operands a..d. */
    private void csrOp(
            int op,
            int items,
            int rows,
            int outputs,
            int inputs,
            int rowStart,
            int columns,
            Ref a,
            Ref b,
            Ref c,
            Ref d) {
        if (rows <= 0 || outputs <= 0) return;
        prepare(op);
        kernel.m = rows;
        kernel.n = outputs;
        kernel.k = inputs;
        kernel.rsOff = rowStart;
        kernel.colOff = columns;
        operands(a, b, c, d, null, null);
        launch1D(items);
    }

    /** Sets operands g, h and j (after {@link #operands}). */
    private void extra(Ref g, Ref h, Ref j) {
        Ref z = Ref.io(0);
        g = g == null ? z : g;
        h = h == null ? z : h;
        j = j == null ? z : j;
        kernel.gBuf = g.buf();
        kernel.gOff = g.off();
        kernel.hBuf = h.buf();
        kernel.hOff = h.off();
        kernel.jBuf = j.buf();
        kernel.jOff = j.off();
    }

    // ---- launching -------------------------------------------------------------------------

    private void prepare(int op) {
        if (broken != null) throw new IllegalStateException(broken);
        kernel.op = op;
        kernel.flags = 0;
    }

    private void operands(Ref a, Ref b, Ref c, Ref d, Ref e, Ref f) {
        Ref z = Ref.io(0);
        a = a == null ? z : a;
        b = b == null ? z : b;
        c = c == null ? z : c;
        d = d == null ? z : d;
        e = e == null ? z : e;
        f = f == null ? z : f;
        kernel.aBuf = a.buf();
        kernel.aOff = a.off();
        kernel.bBuf = b.buf();
        kernel.bOff = b.off();
        kernel.cBuf = c.buf();
        kernel.cOff = c.off();
        kernel.dBuf = d.buf();
        kernel.dOff = d.off();
        kernel.eBuf = e.buf();
        kernel.eOff = e.off();
        kernel.fBuf = f.buf();
        kernel.fOff = f.off();
    }

    private void launch1D(int items) {
        launch(device.createRange(roundUp(items, local), local));
    }

    /** Launches a reduction over n elements; returns the number of partials in {@code red}. */
    private int launchReduce(int n) {
        int groups = (int) Math.min(MAX_GROUPS, ((long) n + local - 1) / local);
        launch(device.createRange(groups * local, local));
        kernel.get(kernel.red);
        return groups;
    }

    private double sumPartials(int groups) {
        double s = 0;
        for (int g = 0; g < groups; g++) s += kernel.red[g];
        return s;
    }

    /**
     * Executes the kernel over {@code range} and proves it ran as OpenCL on this engine's device; see
     * {@link #execute(Kernel, Range, OpenCLDevice, int[])}.
     */
    void launch(Range range) {
        java.util.function.Consumer<DescentKernel> hook = beforeLaunchForTests;
        if (hook != null) hook.accept(kernel);
        AparapiRuntime.clearLastWarning();
        String why;
        try {
            why = execute(kernel, range, device, kernel.ran);
        } catch (IllegalStateException e) {
            throw fail(e.getMessage(), e.getCause());
        }
        if (why != null) throw fail(why, null);
        launches++;
    }

    /**
     * Executes {@code k} over {@code range} and returns null if it demonstrably ran as OpenCL on
     * {@code device}, else what went wrong. Three independent checks:
     *
     * <ol>
     *   <li>Aparapi must not throw. With a range built by the device with an explicit local size, a
     *       failed code generation, OpenCL build or launch surfaces as {@code AssertionError: user
     *       supplied Device incompatible with current EXECUTION_MODE or getTargetDevice()} (Aparapi
     *       marks the device failed, then refuses the range's device); with a derived local size
     *       ({@code device.createRange(n)}) it silently re-runs on a Java thread pool instead.
     *   <li>The canary {@code canary[0]}, which the kernel sets on every launch and which is never
     *       downloaded, must still be 0 on the host: it is 1 exactly when {@code run()} executed as
     *       Java. (This needs real device buffers, i.e. {@code setSharedMemory(false)}.)
     *   <li>Aparapi's own bookkeeping: no device marked failed for the kernel class, and the kernel's
     *       target device ({@code isRunningCL()}, {@code getTargetDevice()}) still this device.
     *       {@code getExecutionMode()} is useless for this: it stays AUTO whatever ran.
     * </ol>
     *
     * @throws IllegalStateException wrapping whatever Aparapi threw (check 1)
     */
    static String execute(Kernel k, Range range, OpenCLDevice device, int[] canary) {
        canary[0] = 0;
        try {
            k.execute(range);
        } catch (RuntimeException | AssertionError | LinkageError | StackOverflowError e) {
            throw new IllegalStateException("the launch failed: " + e, e);
        }
        if (canary[0] != 0) return "Aparapi fell back to running the kernel as Java threads";
        List<?> failed = KernelManager.instance().getPreferences(k).getFailedDevices();
        if (!failed.isEmpty())
            return "Aparapi marked " + failed + " as failed for " + k.getClass().getSimpleName();
        if (!k.isRunningCL() || k.getTargetDevice() != device)
            return "Aparapi's target device is " + k.getTargetDevice() + ", not the OpenCL device";
        return null;
    }

    private IllegalStateException fail(String what, Throwable cause) {
        String msg = "OpenCL kernel " + opName(kernel.op) + " did not run on " + info.describe() + ": " + what
                + detail()
                + ". The 'gpu' backend does not fall back silently; choose backend 'simd' or fix the OpenCL driver.";
        broken = msg;
        return new IllegalStateException(msg, cause);
    }

    private static String detail() {
        String w = AparapiRuntime.lastWarning();
        return w == null ? "" : " (Aparapi: " + w + ")";
    }

    @Override
    public void close() {
        kernel.dispose();
        broken = "engine closed";
    }

    static String opName(int op) {
        return switch (op) {
            case OP_MATMUL -> "matmul";
            case OP_ADD_ROW_VECTOR -> "addRowVector";
            case OP_SUM_ROWS -> "sumRows";
            case OP_ACTIVATE -> "activate";
            case OP_ACTIVATION_GRAD -> "activationGrad";
            case OP_DOT -> "dot";
            case OP_SUM_SQUARES -> "sumSquares";
            case OP_SUM_ABS -> "sumAbs";
            case OP_MAX_ABS -> "maxAbs";
            case OP_SCALE -> "scale";
            case OP_CLAMP_ABS -> "clampAbs";
            case OP_AXPY -> "axpy";
            case OP_SGD -> "sgdUpdate";
            case OP_ADAM -> "adamUpdate";
            case OP_RMSPROP -> "rmspropUpdate";
            case OP_ADAGRAD -> "adagradUpdate";
            case OP_STAMP_MEM -> "stampMem";
            case OP_PROBE_MEM -> "probeMem";
            case OP_LOSS -> "loss";
            case OP_FILL -> "fill";
            case OP_COPY -> "copy";
            case OP_AXPBY -> "axpby";
            case OP_ADDCMUL -> "addcmul";
            case OP_ADDCDIV -> "addcdiv";
            case OP_MAP -> "map";
            case OP_MAXIMUM -> "maximum";
            case OP_IM2COL -> "im2col";
            case OP_COL2IM -> "col2im";
            case OP_CHANNELS_TO_ROWS -> "channelMajorToRows";
            case OP_ROWS_TO_CHANNELS -> "rowsToChannelMajor";
            case OP_SUM_EACH_ROW -> "sumEachRow";
            case OP_MAX_POOL -> "maxPool";
            case OP_MAX_POOL_BACKWARD -> "maxPoolBackward";
            case OP_AVG_POOL -> "avgPool";
            case OP_AVG_POOL_BACKWARD -> "avgPoolBackward";
            case OP_BATCH_NORM -> "batchNormForward";
            case OP_BATCH_NORM_BACKWARD -> "batchNormBackward";
            case OP_LAYER_NORM -> "layerNormForward";
            case OP_LAYER_NORM_WEIGHT_GRAD -> "layerNormWeightGrad";
            case OP_LAYER_NORM_BACKWARD -> "layerNormBackward";
            case OP_DROPOUT -> "dropout";
            case OP_SHIFT -> "shift";
            case OP_SPARSE_LINEAR -> "sparseLinear";
            case OP_SPARSE_WEIGHT_GRAD -> "sparseWeightGradient";
            default -> "op" + op;
        };
    }

    static int roundUp(int n, int multiple) {
        return (n + multiple - 1) / multiple * multiple;
    }

    private static int ceilPow2(int n) {
        return n <= 1 ? 1 : Integer.highestOneBit(n - 1) << 1;
    }

    private static int floorPow2(int n) {
        return Integer.highestOneBit(Math.max(1, n));
    }
}
