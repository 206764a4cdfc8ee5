package dev.descent.gpu;

import dev.descent.backend.Activation;
import dev.descent.backend.Backend;
import dev.descent.backend.ImageWindow;
import dev.descent.backend.ScalarBackend;
import dev.descent.gpu.OpenClEngine.Ref;
import dev.descent.gpu.OpenClEngine.UpdateOperands;
import dev.descent.optim.Adagrad;
import dev.descent.optim.Adam;
import dev.descent.optim.Optimizer;
import dev.descent.optim.OptimizerState;
import dev.descent.optim.RmsProp;
import dev.descent.optim.Sgd;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The {@link Backend} an {@link OpenClTrainingSession} runs the model's layers and the optimizer
 * with: the same interface the CPU session hands them, with every {@code float[]} argument a
 * <em>handle</em> of a slice of the session's device arena (or of its io staging buffer). The
 * session binds its handles to their slices ({@link #bind}): parameters, gradient, the model's
 * buffers, the batch, dLoss/dOutput and every array of the model's {@link
 * dev.descent.model.Sequential.Workspace} (activations, deltas, layer scratch), which it makes as
 * empty arrays through the workspace's allocator, so a layer that reads or writes its arrays itself
 * instead of through backend operations fails visibly (the session probes this when it opens).
 *
 * <p>While the optimizer steps ({@link #adoptUnbound}), every other array (the optimizer state's
 * buffers and scratch arrays) gets a slice of the session's optimizer region the first time an
 * operation names it, and its host contents are uploaded then (so a non-zero initial value, such as
 * Adagrad's accumulator, arrives on the device). From then on the device slice is the array's
 * value; the host array is no longer read. During the model's passes an unbound array is refused.
 *
 * <p>So the layers' own {@code forward}/{@code backward} and the optimizer's own {@link
 * Optimizer#step} run unchanged, one kernel launch per operation, with no transfer per operation
 * except reductions, which return a scalar (LARS's and LAMB's norms). SGD, Adam/AdamW, RMSprop and
 * Adagrad reach their fused kernels by calling the fused operations.
 *
 * <p>Every default operation of {@link Backend} is overridden here (a test checks it): with a
 * kernel, or throwing {@link UnsupportedOnDevice}, so a default's host loop never runs on handles
 * and nothing silently falls back to the CPU.
 *
 * <p>{@link #stateFloats} sizes the optimizer region before the first step, by running one step of
 * the rule on a fresh state on the host and counting the arrays it names.
 */
final class ArenaBackend implements Backend {

    /** Where a handle's values live on the device: a buffer, an offset and a length (in floats). */
    private record Slot(int buf, int offset, int length) {}

    private final OpenClEngine engine;
    private final Map<float[], Slot> slots = new IdentityHashMap<>();
    /** Integer operands (a CSR batch's row pointers and columns): host arrays staged into the engine's ix. */
    private final Map<int[], Slot> intSlots = new IdentityHashMap<>();

    private final String rule;
    private final boolean mirrored;
    private int next;
    private int end;
    /** True while the optimizer steps: unbound arrays are its state and get slices of its region. */
    private boolean adopt;

    /**
     * A backend on {@code engine}'s arena whose unbound arrays take slices of {@code [regionStart,
     * regionEnd)}; {@code rule} names the optimizer in errors. A {@code mirrored} session's host copy
     * of the arena is its state, so an initial value is written there too.
     */
    ArenaBackend(OpenClEngine engine, int regionStart, int regionEnd, String rule, boolean mirrored) {
        this.engine = engine;
        this.mirrored = mirrored;
        this.next = regionStart;
        this.end = regionEnd;
        this.rule = rule;
    }

    /** Binds {@code handle} to the arena slice at {@code offset} (its length long). */
    void bind(float[] handle, int offset) {
        bind(handle, Ref.mem(offset), handle.length);
    }

    /** Binds {@code handle} to {@code length} floats at {@code at} (arena or io buffer), whatever its own length. */
    void bind(float[] handle, Ref at, int length) {
        slots.put(handle, new Slot(at.buf(), at.off(), length));
    }

    /**
     * Binds the host int array {@code a}, whose first {@code length} values the caller has copied to
     * {@code ix[offset, offset + length)} (and uploads before the launch), as an integer operand.
     */
    void bindInts(int[] a, int offset, int length) {
        intSlots.put(a, new Slot(-1, offset, length));
    }

    /** Forgets an integer operand bound with {@link #bindInts}. */
    void unbindInts(int[] a) {
        intSlots.remove(a);
    }

    /** The ix offset of the integer operand {@code a}, whose first {@code n} values an operation reads. */
    private int ixOffset(int[] a, int n) {
        Slot s = intSlots.get(a);
        if (s == null)
            throw new UnsupportedOnDevice("it passes a backend operation an int array of " + a.length
                    + " values that is not the session's batch (CSR row pointers and columns are uploaded with it)");
        if (n < 0 || n > s.length())
            throw new IllegalArgumentException(
                    "integer operand range [0, " + n + ") is outside its " + s.length() + " staged values");
        return s.offset();
    }

    /** Forgets {@code handle}'s slice (a workspace array the workspace replaced). */
    void unbind(float[] handle) {
        slots.remove(handle);
    }

    /**
     * Whether an unbound array gets a slice of the region the first time an operation names it (true
     * while the optimizer steps: its state arrays) or is refused (false: the model's passes).
     */
    void adoptUnbound(boolean on) {
        this.adopt = on;
    }

    /** The arena offset of {@code a}'s slice, or -1 if no operation has named it yet. */
    int offsetOf(float[] a) {
        Slot s = slots.get(a);
        return s == null || s.buf() != DescentKernel.BUF_MEM ? -1 : s.offset();
    }

    /**
     * Floats the optimizer region needs for {@code optimizer} over {@code size} parameters with the
     * model's tensor {@code bounds}: the arrays one step on a fresh state names, besides the
     * parameters and gradient, and the state's named buffers (one host step on zeros).
     */
    static int stateFloats(Optimizer optimizer, int size, int[] bounds) {
        OptimizerState probe = optimizer.newState(size);
        probe.setTensorBounds(bounds);
        float[] p = new float[size], g = new float[size];
        Set<float[]> named = Collections.newSetFromMap(new IdentityHashMap<>());
        ScalarBackend host = new ScalarBackend();
        Backend recorder = (Backend) Proxy.newProxyInstance(
                Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, (proxy, method, args) -> {
                    if (args != null) for (Object a : args) name(a, named);
                    try {
                        return method.invoke(host, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        optimizer.step(recorder, p, g, probe, optimizer.lr());
        named.addAll(probe.buffers().values());
        named.remove(p);
        named.remove(g);
        long floats = 0;
        for (float[] a : named) floats += a.length;
        if (floats > Integer.MAX_VALUE / 2)
            throw new IllegalArgumentException(optimizer + " keeps " + floats + " floats of state for " + size
                    + " parameters: more than one device buffer holds");
        return (int) floats;
    }

    /** Adds an operand's arrays to {@code named}: itself, or a fused update's state record's arrays. */
    private static void name(Object operand, Set<float[]> named) throws ReflectiveOperationException {
        if (operand instanceof float[] f) named.add(f);
        else if (operand instanceof Record r)
            for (var c : r.getClass().getRecordComponents())
                if (c.getType() == float[].class && c.getAccessor().invoke(r) instanceof float[] f) named.add(f);
    }

    /** The operand {@code a[off, off+n)} on the device, giving a state array its slice when first named. */
    Ref ref(float[] a, int off, int n) {
        if (a == null) return null;
        Slot s = slots.get(a);
        if (s == null) {
            if (!adopt)
                throw new UnsupportedOnDevice("it passes a backend operation an array of " + a.length
                        + " floats that is none of the session's device buffers (a layer must take its arrays"
                        + " from its LayerContext and its arguments)");
            s = register(a);
        }
        if (off < 0 || n < 0 || off + n > s.length())
            throw new IllegalArgumentException("operand range [" + off + ", " + (off + n) + ") is outside its "
                    + s.length() + " values" + (adopt ? " (optimizer " + rule + ")" : ""));
        return new Ref(s.buf(), s.offset() + off);
    }

    private Slot register(float[] a) {
        if (a.length > end - next)
            throw new IllegalStateException("optimizer " + rule + " named an array of " + a.length
                    + " floats that its state did not hold at its first step (" + (end - next)
                    + " floats of the device's optimizer region left): a rule must keep every array it"
                    + " updates in its state (OptimizerState.typed), allocated once, to run on the gpu backend");
        int at = next;
        next += a.length;
        Slot slot = new Slot(DescentKernel.BUF_MEM, at, a.length);
        slots.put(a, slot);
        boolean zero = true;
        for (float v : a) if (v != 0f) zero = false;
        if (!zero) { // the region is zero on the device: only a non-zero initial value travels
            if (mirrored) System.arraycopy(a, 0, engine.mem(), at, a.length); // a repeated call restores from it
            float[] io = engine.ioCapacity(a.length);
            System.arraycopy(a, 0, io, 0, a.length);
            engine.putIo();
            engine.copy(Ref.io(0), Ref.mem(at), a.length);
        }
        return slot;
    }

    @Override
    public String name() {
        return "gpu";
    }

    @Override
    public String device() {
        return "OpenCL: " + engine.info().describe() + " (device-resident session)";
    }

    // ---- matrix products and dense-layer helpers: the engine's kernels on arena slices ------

    @Override
    public void matmul(
            float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int m, int n, int k, boolean accumulate) {
        engine.matmul(ref(a, aOff, m * k), ref(b, bOff, k * n), ref(c, cOff, m * n), m, n, k, false, false, accumulate);
    }

    @Override
    public void matmulTN(
            float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int m, int n, int k, boolean accumulate) {
        engine.matmul(ref(a, aOff, k * m), ref(b, bOff, k * n), ref(c, cOff, m * n), m, n, k, true, false, accumulate);
    }

    @Override
    public void matmulNT(
            float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int m, int n, int k, boolean accumulate) {
        engine.matmul(ref(a, aOff, m * k), ref(b, bOff, n * k), ref(c, cOff, m * n), m, n, k, false, true, accumulate);
    }

    @Override
    public void addRowVector(float[] c, int cOff, int rows, int cols, float[] bias, int biasOff) {
        engine.addRowVector(ref(c, cOff, rows * cols), rows, cols, ref(bias, biasOff, cols));
    }

    @Override
    public void sumRows(float[] a, int aOff, int rows, int cols, float[] out, int outOff, boolean accumulate) {
        engine.sumRows(ref(a, aOff, rows * cols), rows, cols, ref(out, outOff, cols), accumulate);
    }

    /**
     * The fused dense forward as its three kernels (matmulNT, addRowVector, activate), as the
     * interface's default computes it; the identity in place launches nothing.
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
        kernelFor(f);
        matmulNT(x, xOff, w, wOff, z, zOff, rows, outputs, inputs, false);
        addRowVector(z, zOff, rows, outputs, bias, biasOff);
        activate(f, z, zOff, out, outOff, rows * outputs);
    }

    /**
     * One work-item per (row, output) gathers the row's entries ({@link OpenClEngine#sparseLinear}).
     * The int arrays are the batch's host arrays, staged into ix ({@link #bindInts}): the entry range
     * is read from the host row pointers, which equal the staged ones.
     */
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
        if (rows <= 0 || outputs <= 0) return;
        int entries = rowStart[rows];
        engine.sparseLinear(
                ixOffset(rowStart, rows + 1),
                ixOffset(columns, entries),
                ref(values, 0, entries),
                rows,
                ref(w, wOff, outputs * inputs),
                inputs,
                ref(bias, biasOff, outputs),
                ref(z, zOff, rows * outputs),
                outputs);
    }

    /**
     * One work-item per output loops over the rows and their entries in order ({@link
     * OpenClEngine#sparseWeightGradient}): deterministic, no atomics, the scalar loop's order per
     * element; its span is the batch's non-zeros, its parallelism the outputs.
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
        if (rows <= 0 || outputs <= 0) return;
        int entries = rowStart[rows];
        engine.sparseWeightGradient(
                ref(dz, dzOff, rows * outputs),
                outputs,
                ixOffset(rowStart, rows + 1),
                ixOffset(columns, entries),
                ref(values, 0, entries),
                rows,
                ref(g, gOff, outputs * inputs),
                inputs);
    }

    @Override
    public void activate(Activation f, float[] z, int zOff, float[] out, int outOff, int n) {
        int kind = kernelFor(f);
        if (kind == DescentKernel.ACT_IDENTITY && z == out && zOff == outOff) return; // in place: nothing to do
        engine.activate(kind, f.slope(), ref(z, zOff, n), ref(out, outOff, n), n);
    }

    /** The kernel's code for f, or {@link UnsupportedOnDevice} when the device has none. */
    private static int kernelFor(Activation f) {
        if (!OpenClBackend.supports(f)) throw new UnsupportedOnDevice("it has no kernel for " + f);
        return OpenClBackend.kind(f);
    }

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
        engine.activationGrad(
                kernelFor(f),
                f.slope(),
                ref(z, zOff, n),
                ref(out, outOff, n),
                ref(dOut, dOutOff, n),
                ref(dz, dzOff, n),
                n);
    }

    // ---- reductions (each downloads its partials) and element-wise ops ----------------------

    @Override
    public float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        return (float) engine.dot(ref(a, aOff, n), ref(b, bOff, n), n);
    }

    @Override
    public double sumSquares(float[] a, int off, int n) {
        return engine.sumSquares(ref(a, off, n), n);
    }

    @Override
    public double sumAbs(float[] a, int off, int n) {
        return engine.sumAbs(ref(a, off, n), n);
    }

    @Override
    public float maxAbs(float[] a, int off, int n) {
        return engine.maxAbs(ref(a, off, n), n);
    }

    @Override
    public void scale(float[] a, int off, int n, float s) {
        engine.scale(ref(a, off, n), n, s);
    }

    @Override
    public void clampAbs(float[] a, int off, int n, float limit) {
        engine.clampAbs(ref(a, off, n), n, limit);
    }

    @Override
    public void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        engine.axpy(alpha, ref(x, xOff, n), ref(y, yOff, n), n);
    }

    @Override
    public void axpby(float[] out, float a, float[] x, float b, float[] y, int off, int n) {
        engine.axpby(ref(out, off, n), a, a == 0f ? null : ref(x, off, n), b, ref(y, off, n), n);
    }

    @Override
    public void addcmul(float[] out, float a, float[] y, float b, float[] x, float[] z, int off, int n) {
        engine.addcmul(ref(out, off, n), a, a == 0f ? null : ref(y, off, n), b, ref(x, off, n), ref(z, off, n), n);
    }

    @Override
    public void addcdiv(float[] out, float a, float[] y, float b, float[] x, float[] z, float eps, int off, int n) {
        engine.addcdiv(ref(out, off, n), a, a == 0f ? null : ref(y, off, n), b, ref(x, off, n), ref(z, off, n), eps, n);
    }

    @Override
    public void map(Unary f, float[] out, float s, float[] x, float c, int off, int n) {
        engine.map(f, ref(out, off, n), s, ref(x, off, n), c, n);
    }

    @Override
    public void maximum(float[] out, float a, float[] y, float[] x, float c, int off, int n) {
        engine.maximum(ref(out, off, n), a, ref(y, off, n), ref(x, off, n), c, n);
    }

    @Override
    public void copy(float[] src, int srcOff, float[] dst, int dstOff, int n) {
        engine.copy(ref(src, srcOff, n), ref(dst, dstOff, n), n);
    }

    /** Refused: batches are gathered on the host, into arrays this backend does not hold. */
    @Override
    public void gatherRows(float[] src, int width, int[] rows, int rowsOff, int count, float[] dst, int dstOff) {
        throw new UnsupportedOnDevice("it gathers a batch's rows, which the host does before staging them");
    }

    // ---- layer operations: the engine's kernels on arena slices ------------------------------

    @Override
    public void fill(float[] a, int off, int n, float value) {
        engine.fill(ref(a, off, n), n, value);
    }

    @Override
    public void im2col(ImageWindow window, float[] x, int xOff, int rows, float[] col, int colOff) {
        engine.im2col(
                window,
                ref(x, xOff, rows * window.inputSize()),
                rows,
                ref(col, colOff, window.patch() * rows * window.plane()));
    }

    @Override
    public void col2im(ImageWindow window, float[] col, int colOff, int rows, float[] dx, int dxOff) {
        engine.col2im(
                window,
                ref(col, colOff, window.patch() * rows * window.plane()),
                rows,
                ref(dx, dxOff, rows * window.inputSize()));
    }

    /** The device runs the composition (im2col and a product) on the layer's blocks, as they are. */
    @Override
    public int convolutionRows(ImageWindow window, int outChannels, int blockRows, int rows) {
        return blockRows;
    }

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
        int n = rows * channels * plane;
        engine.channelMajorToRows(
                ref(src, srcOff, n), rows, channels, plane, ref(bias, biasOff, channels), ref(dst, dstOff, n));
    }

    @Override
    public void rowsToChannelMajor(
            float[] src, int srcOff, int rows, int channels, int plane, float[] dst, int dstOff) {
        int n = rows * channels * plane;
        engine.rowsToChannelMajor(ref(src, srcOff, n), rows, channels, plane, ref(dst, dstOff, n));
    }

    @Override
    public void sumEachRow(float[] a, int aOff, int rows, int cols, float[] out, int outOff, boolean accumulate) {
        engine.sumEachRow(ref(a, aOff, rows * cols), rows, cols, ref(out, outOff, rows), accumulate);
    }

    @Override
    public void maxPool(
            ImageWindow window, float[] x, int xOff, int rows, float[] y, int yOff, float[] argmax, int argmaxOff) {
        int out = rows * window.channels() * window.plane();
        engine.maxPool(
                window, ref(x, xOff, rows * window.inputSize()), rows, ref(y, yOff, out), ref(argmax, argmaxOff, out));
    }

    @Override
    public void maxPoolBackward(
            ImageWindow window, float[] dy, int dyOff, float[] argmax, int argmaxOff, int rows, float[] dx, int dxOff) {
        int out = rows * window.channels() * window.plane();
        engine.maxPoolBackward(
                window,
                ref(dy, dyOff, out),
                ref(argmax, argmaxOff, out),
                rows,
                ref(dx, dxOff, rows * window.inputSize()));
    }

    @Override
    public void avgPool(ImageWindow window, float[] x, int xOff, int rows, float[] y, int yOff) {
        engine.avgPool(
                window,
                ref(x, xOff, rows * window.inputSize()),
                rows,
                ref(y, yOff, rows * window.channels() * window.plane()));
    }

    @Override
    public void avgPoolBackward(ImageWindow window, float[] dy, int dyOff, int rows, float[] dx, int dxOff) {
        engine.avgPoolBackward(
                window,
                ref(dy, dyOff, rows * window.channels() * window.plane()),
                rows,
                ref(dx, dxOff, rows * window.inputSize()));
    }

    @Override
    public void batchNormForward(
            float[] x,
            int xOff,
            int rows,
            int channels,
            int positions,
            float[] params,
            int weightOff,
            int biasOff,
            float[] buffers,
            int meanOff,
            int varOff,
            int trackedOff,
            boolean training,
            boolean cumulative,
            double momentum,
            double eps,
            float[] scratch,
            int xhatOff,
            int rstdOff,
            float[] y,
            int yOff) {
        int n = rows * channels * positions;
        engine.batchNormForward(
                ref(x, xOff, n),
                rows,
                channels,
                positions,
                ref(params, weightOff, channels),
                ref(params, biasOff, channels),
                ref(buffers, meanOff, channels),
                ref(buffers, varOff, channels),
                ref(buffers, trackedOff, 1),
                training,
                cumulative,
                (float) momentum,
                (float) eps,
                ref(scratch, xhatOff, n),
                ref(scratch, rstdOff, channels),
                ref(y, yOff, n));
    }

    @Override
    public void batchNormBackward(
            float[] dy,
            int dyOff,
            int rows,
            int channels,
            int positions,
            float[] params,
            float[] grads,
            int weightOff,
            int biasOff,
            boolean accumulate,
            boolean training,
            float[] scratch,
            int xhatOff,
            int rstdOff,
            float[] dx,
            int dxOff) {
        int n = rows * channels * positions;
        engine.batchNormBackward(
                ref(dy, dyOff, n),
                rows,
                channels,
                positions,
                ref(params, weightOff, channels),
                ref(grads, weightOff, channels),
                ref(grads, biasOff, channels),
                accumulate,
                training,
                ref(scratch, xhatOff, n),
                ref(scratch, rstdOff, channels),
                ref(dx, dxOff, n));
    }

    @Override
    public void layerNormForward(
            float[] x,
            int xOff,
            int rows,
            int features,
            float[] params,
            int weightOff,
            int biasOff,
            double eps,
            float[] scratch,
            int xhatOff,
            int rstdOff,
            float[] y,
            int yOff) {
        int n = rows * features;
        engine.layerNormForward(
                ref(x, xOff, n),
                rows,
                features,
                ref(params, weightOff, features),
                ref(params, biasOff, features),
                (float) eps,
                ref(scratch, xhatOff, n),
                ref(scratch, rstdOff, rows),
                ref(y, yOff, n));
    }

    @Override
    public void layerNormBackward(
            float[] dy,
            int dyOff,
            int rows,
            int features,
            float[] params,
            float[] grads,
            int weightOff,
            int biasOff,
            boolean accumulate,
            float[] scratch,
            int xhatOff,
            int rstdOff,
            float[] dx,
            int dxOff) {
        int n = rows * features;
        engine.layerNormBackward(
                ref(dy, dyOff, n),
                rows,
                features,
                ref(params, weightOff, features),
                ref(grads, weightOff, features),
                ref(grads, biasOff, features),
                accumulate,
                ref(scratch, xhatOff, n),
                ref(scratch, rstdOff, rows),
                ref(dx, dxOff, n));
    }

    @Override
    public void dropout(
            float[] x, int xOff, float[] y, int yOff, float[] mask, int maskOff, int n, long key, double p) {
        engine.dropout(ref(x, xOff, n), ref(y, yOff, n), ref(mask, maskOff, n), n, key, p);
    }

    // ---- the fused updates -----------------------------------------------------------------

    @Override
    public void sgdUpdate(
            Sgd rule, Sgd.State s, float[] p, float[] g, int n, float lr, float momentum, boolean firstStep) {
        float[] buf = momentum != 0f ? s.momentumBuffer() : null;
        engine.sgd(rule, operands(p, g, n, buf, null, null), n, lr, momentum, firstStep);
    }

    @Override
    public void adamUpdate(Adam rule, Adam.State s, float[] p, float[] g, int n, float lr, float beta1, long step) {
        engine.adam(rule, operands(p, g, n, s.expAvg(), s.expAvgSq(), s.maxExpAvgSq()), n, lr, beta1, step);
    }

    @Override
    public void rmspropUpdate(RmsProp rule, RmsProp.State s, float[] p, float[] g, int n, float lr, float momentum) {
        var o = operands(p, g, n, s.squareAvg(), s.momentumBuffer(), s.gradAvg());
        engine.rmsprop(rule, o, n, lr, momentum);
    }

    @Override
    public void adagradUpdate(Adagrad rule, Adagrad.State s, float[] p, float[] g, int n, float lr, long step) {
        engine.adagrad(rule, operands(p, g, n, s.sum(), null, null), n, lr, step);
    }

    /** The arena slices of a fused update's operands, named (registered) in this order. */
    private UpdateOperands operands(float[] p, float[] g, int n, float[] s1, float[] s2, float[] s3) {
        return new UpdateOperands(ref(p, 0, n), ref(g, 0, n), ref(s1, 0, n), ref(s2, 0, n), ref(s3, 0, n));
    }
}
