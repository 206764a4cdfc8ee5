package dev.descent.gpu;

import dev.descent.backend.Activation;
import dev.descent.backend.Backend;
import dev.descent.gpu.OpenClEngine.Ref;
import dev.descent.loss.Loss;
import dev.descent.model.Dense;
import dev.descent.model.Sequential;
import dev.descent.optim.Optimizer;
import dev.descent.optim.OptimizerState;
import dev.descent.train.Clipping;
import dev.descent.train.TrainingSession;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A {@link TrainingSession} that keeps everything on the OpenCL device: parameters, the accumulated
 * gradient, the optimizer state and the activations live in one device arena (the engine's {@code
 * mem}) for the whole run. Per {@link #accumulate} only the batch (x, y) is uploaded and one small
 * buffer of per-work-group loss partials comes back; {@link #step} uploads nothing and downloads a
 * probe of one float; parameters, gradient and optimizer state are downloaded only when read.
 *
 * <p>Every operation is a verified launch of {@link DescentKernel} (see {@link OpenClEngine}), with
 * the formulas of {@code CpuTrainingSession} on {@code ScalarBackend}: forward and backward through
 * the dense layers, the loss and its gradient, clipping reductions. The optimizer steps as in the
 * CPU session, {@code optimizer.step(backend, params, grads, state, lr)}, with an {@link
 * ArenaBackend} whose arrays are slices of the arena: any rule (a user's too, parameter groups
 * included) runs on the device, one kernel per element-wise operation, and the rules with fused
 * kernels (SGD, Adam/AdamW, RMSprop, Adagrad) reach them by calling the fused operations.
 *
 * <p><b>Arena layout</b> (offsets in floats): parameters, gradient, the optimizer region (its
 * buffers and scratch arrays, each given a slice the first time the rule names it; sized by {@link
 * ArenaBackend#stateFloats}) (the persistent part), then for the current batch
 * capacity each layer's pre-activation z and activation a (a only when the activation is not the
 * identity), two delta buffers and dLoss/dOutput. A larger batch grows the transient part (one
 * download and one upload of the arena).
 *
 * <p><b>Residency and the garbage collector.</b> Aparapi re-creates a device buffer from the host
 * array whenever the GC has moved that array between two launches, which would silently discard the
 * device's state (see {@link OpenClEngine}). Under G1 (the JVM's default) the arena is made at least
 * half a heap region large, so it is a humongous object, which G1 never moves: the state really
 * stays on the device. Every public call ends with a residency probe; if the state was lost anyway
 * the call throws {@link IllegalStateException}, never returns wrong numbers. Under a collector that
 * moves large arrays (Parallel, Serial, ZGC, Shenandoah) the session runs <em>mirrored</em>: it
 * downloads the arena after every call, so a re-created buffer holds the right values, and repeats a
 * call whose launches were interrupted by a move. It logs one line when it does so.
 *
 * <p>Not thread-safe (like every session); sessions are independent of each other (one kernel
 * instance and one arena each).
 */
public final class OpenClTrainingSession implements TrainingSession {

    private static final int MAX_ATTEMPTS = 3;
    private static volatile boolean mirroredLogged;

    private final OpenClBackend backend;
    private final OpenClEngine engine;
    private final Sequential model;
    /** The model's layers, all dense: the kernels this session has (checked when it opens). */
    private final List<Dense> dense;

    private final Loss loss;
    private final Optimizer optimizer;
    private final DeviceLoss deviceLoss;
    private final boolean mirrored;

    // persistent part of the arena
    private final int count;
    private final int params = 0;
    private final int grads;
    private final int optimizerRegion;
    private final int persistent;

    /**
     * The optimizer's state: its arrays are handles of arena slices (see {@link ArenaBackend}); the
     * step count and any scalars the rule keeps live on the host.
     */
    private final OptimizerState state;
    /** The backend the optimizer steps with: arrays resolved to arena slices. */
    private final ArenaBackend arena;
    /** Handles of the parameter and gradient slices (NaN on the host: only the device holds them). */
    private final float[] paramsHandle;

    private final float[] gradsHandle;

    // transient part, laid out for `capacity` rows
    private int capacity;
    private int[] z;
    private int[] a;
    private int delta0;
    private int delta1;
    private int dOut;

    /** True while the gradient holds nothing since the last step: the next backward overwrites it. */
    private boolean gradientEmpty = true;

    private boolean closed;
    private int repeats;

    OpenClTrainingSession(
            OpenClBackend backend, Sequential model, Loss loss, Optimizer optimizer, float[] initialParameters) {
        this.dense = model.denseLayers(backend.name());
        for (int l = 0; l < dense.size(); l++)
            if (!OpenClBackend.supports(dense.get(l).activation()))
                throw new IllegalArgumentException("the " + backend.name() + " backend cannot run layer "
                        + Sequential.layerName(l) + " (dense " + dense.get(l) + "): it has no kernel for "
                        + dense.get(l).activation() + "; use the simd or scalar backend");
        this.deviceLoss = DeviceLoss.of(loss, backend.name());
        this.backend = backend;
        this.model = model;
        this.loss = loss;
        this.optimizer = optimizer;
        this.count = model.parameterCount();
        if (initialParameters.length != count)
            throw new IllegalArgumentException(
                    "model " + model + " has " + count + " parameters, got " + initialParameters.length);
        int[] bounds = tensorBounds(model);
        this.state = optimizer.newState(count);
        this.state.setTensorBounds(bounds);
        this.grads = count;
        this.optimizerRegion = 2 * count;
        this.persistent = optimizerRegion + ArenaBackend.stateFloats(optimizer, count, bounds);
        this.paramsHandle = new float[count];
        this.gradsHandle = new float[count];
        java.util.Arrays.fill(paramsHandle, Float.NaN);
        java.util.Arrays.fill(gradsHandle, Float.NaN);
        this.mirrored = !ArenaPolicy.largeArraysStayPut();
        if (mirrored && !mirroredLogged) {
            mirroredLogged = true; // one line per JVM
            AparapiRuntime.LOG.info("descent gpu: "
                    + (Boolean.getBoolean(ArenaPolicy.MIRROR_PROPERTY)
                            ? "-D" + ArenaPolicy.MIRROR_PROPERTY + "=true"
                            : "the garbage collector (" + ArenaPolicy.collectors()
                                    + ") may move the device arena's host array")
                    + ", so training sessions mirror their state to the host after every call;"
                    + " run with G1 to keep it on the device only: DESCENT_JAVA_OPTS=-XX:+UseG1GC ./descent ..."
                    + " (./descent picks ParallelGC unless you choose), or -XX:+UseG1GC on a java command line");
        }
        OpenClEngine shared = OpenClBackendProvider.sharedEngine();
        this.engine = new OpenClEngine(shared.device(), shared.info());
        this.arena = new ArenaBackend(engine, optimizerRegion, persistent, optimizer.toString(), mirrored);
        arena.bind(paramsHandle, params);
        arena.bind(gradsHandle, grads);
        try {
            layout(0);
            float[] mem = engine.allocateMem(ArenaPolicy.arenaLength(end(), mirrored));
            System.arraycopy(initialParameters, 0, mem, params, count);
            engine.putMem();
            if (!mirrored) verify(); // mirrored: the host copy is the state, a move is harmless
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
    }

    // ---- what the session trains ----------------------------------------------------------

    @Override
    public Backend backend() {
        return backend;
    }

    @Override
    public Sequential model() {
        return model;
    }

    @Override
    public Loss loss() {
        return loss;
    }

    @Override
    public Optimizer optimizer() {
        return optimizer;
    }

    /** The OpenCL device this session's kernels run on. */
    public OpenClDeviceInfo deviceInfo() {
        return engine.info();
    }

    /** Kernel launches of this session that completed and were verified to have run on the device. */
    public long verifiedLaunches() {
        return engine.verifiedLaunches();
    }

    /** Whether the session downloads its arena after every call (a GC that moves large arrays). */
    public boolean mirrored() {
        return mirrored;
    }

    /** Calls a mirrored session repeated because the GC moved the arena during them. */
    int repeatedCalls() {
        return repeats;
    }

    // ---- training --------------------------------------------------------------------------

    @Override
    public double accumulate(float[] x, float[] y, int rows, float weight) {
        open();
        int inputs = model.inputs(), outs = model.outputs();
        int targetWidth = loss.classIndexTargets() ? 1 : outs;
        if (rows <= 0) throw new IllegalArgumentException("a batch needs at least one row, got " + rows);
        if (x.length < rows * inputs || y.length < rows * targetWidth)
            throw new IllegalArgumentException(rows + " rows need " + rows * inputs + " inputs and "
                    + rows * targetWidth + " targets, got " + x.length + " and " + y.length);
        if (loss.classIndexTargets()) checkClasses(y, rows, outs);
        if (rows > capacity) grow(rows);
        // the batch is the only upload of a step
        float[] io = engine.ioCapacity(rows * (inputs + targetWidth));
        System.arraycopy(x, 0, io, 0, rows * inputs);
        System.arraycopy(y, 0, io, rows * inputs, rows * targetWidth);
        Ref xRef = Ref.io(0), yRef = Ref.io(rows * inputs);
        boolean overwrite = gradientEmpty;
        double value = call(() -> {
            engine.putIo();
            Ref out = forward(xRef, rows);
            double v = lossAndGradient(out, yRef, rows, weight);
            backward(xRef, rows, !overwrite);
            return v;
        });
        gradientEmpty = false;
        return value;
    }

    @Override
    public double clip(Clipping clipping) {
        open();
        if (gradientEmpty) return 0; // the gradient is zero: nothing to clip
        return call(() -> clipOnDevice(clipping));
    }

    @Override
    public void step(double lr) {
        step(lr, false, 0);
    }

    @Override
    public void step(double lr, double momentum) {
        step(lr, true, momentum);
    }

    /**
     * One optimizer step on the device, as the CPU session's: the optimizer's own {@code step} with
     * the arena backend (the momentum-cycled one when {@code cycled}). A repeated attempt (mirrored,
     * the arena moved) starts again from the step count before it.
     */
    private void step(double lr, boolean cycled, double momentum) {
        open();
        Optimizer.checkLr(lr);
        boolean zero = gradientEmpty;
        long before = state.step();
        call(() -> {
            state.setStep(before);
            if (zero) engine.fill(Ref.mem(grads), count, 0f);
            if (cycled) optimizer.step(arena, paramsHandle, gradsHandle, state, lr, momentum);
            else optimizer.step(arena, paramsHandle, gradsHandle, state, lr);
            return null;
        });
        gradientEmpty = true;
    }

    @Override
    public void predict(float[] x, int rows, float[] out) {
        open();
        int inputs = model.inputs(), outs = model.outputs();
        if (rows <= 0) return;
        if (x.length < rows * inputs || out.length < rows * outs)
            throw new IllegalArgumentException(rows + " rows need " + rows * inputs + " inputs and room for "
                    + rows * outs + " outputs, got " + x.length + " and " + out.length);
        if (rows > capacity) grow(rows);
        int xs = rows * inputs;
        float[] io = engine.ioCapacity(xs + rows * outs);
        System.arraycopy(x, 0, io, 0, xs);
        call(() -> {
            engine.putIo();
            Ref y = forward(Ref.io(0), rows);
            engine.copy(y, Ref.io(xs), rows * outs);
            engine.getIo(); // before any other launch: see downloadRange
            return null;
        });
        System.arraycopy(engine.ioCapacity(xs + rows * outs), xs, out, 0, rows * outs);
    }

    // ---- reading and writing state ---------------------------------------------------------

    @Override
    public void readParameters(float[] dst) {
        open();
        if (dst.length < count)
            throw new IllegalArgumentException("need room for " + count + " parameters, got " + dst.length);
        downloadRange(params, dst);
    }

    @Override
    public void writeParameters(float[] src) {
        open();
        if (src.length != count)
            throw new IllegalArgumentException(
                    "expected " + count + " parameters for " + model + ", got " + src.length);
        upload(src, params);
    }

    @Override
    public void readGradient(float[] dst) {
        open();
        if (dst.length < count)
            throw new IllegalArgumentException("need room for " + count + " gradients, got " + dst.length);
        if (gradientEmpty) java.util.Arrays.fill(dst, 0, count, 0f);
        else downloadRange(grads, dst);
    }

    /** A copy of the state: each named buffer from its device slice (its host value before the rule named it). */
    @Override
    public OptimizerState readOptimizerState() {
        open();
        OptimizerState copy = optimizer.newState(count);
        copy.setStep(state.step());
        for (var e : state.buffers().entrySet()) {
            int at = arena.offsetOf(e.getValue());
            float[] into = copy.buffer(e.getKey());
            if (at < 0) System.arraycopy(e.getValue(), 0, into, 0, into.length);
            else downloadRange(at, into);
        }
        return copy;
    }

    @Override
    public void writeOptimizerState(OptimizerState from) {
        open();
        state.copyFrom(from); // validates names and size; the host arrays of buffers not yet on the device
        for (float[] b : state.buffers().values()) {
            int at = arena.offsetOf(b);
            if (at >= 0) upload(b, at);
        }
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        engine.close();
    }

    // ---- the device work -------------------------------------------------------------------

    /** Forward pass from x (rows × inputs); returns where the output is. */
    private Ref forward(Ref x, int rows) {
        Ref in = x;
        List<Dense> layers = dense;
        for (int l = 0; l < layers.size(); l++) {
            Dense d = layers.get(l);
            Ref zl = Ref.mem(z[l]);
            engine.matmul(
                    in, Ref.mem(params + d.weightOffset()), zl, rows, d.outputs(), d.inputs(), false, true, false);
            engine.addRowVector(zl, rows, d.outputs(), Ref.mem(params + d.biasOffset()));
            Ref al = Ref.mem(a[l]);
            if (a[l] != z[l])
                engine.activate(
                        OpenClBackend.kind(d.activation()), d.activation().slope(), zl, al, rows * d.outputs());
            in = al;
        }
        return in;
    }

    /** The loss of the batch and {@code weight ×} its gradient into dOut (Loss.valueAndGradient). */
    private double lossAndGradient(Ref out, Ref y, int rows, float weight) {
        int outs = model.outputs();
        int terms = loss.classIndexTargets() ? rows : rows * outs;
        double norm = deviceLoss.norm(loss.reduction(), rows, terms);
        float factor = (float) (norm * weight);
        double sum = engine.loss(deviceLoss.kind(), out, y, Ref.mem(dOut), terms, outs, factor, deviceLoss.param());
        return sum * norm;
    }

    /** Backward pass after forward on the same x: gradients into (or added to) the gradient buffer. */
    private void backward(Ref x, int rows, boolean accumulate) {
        List<Dense> layers = dense;
        Ref delta = Ref.mem(dOut);
        for (int l = layers.size() - 1; l >= 0; l--) {
            Dense d = layers.get(l);
            int n = rows * d.outputs();
            Ref dz = Ref.mem((l & 1) == 0 ? delta0 : delta1);
            Activation f = d.activation();
            engine.activationGrad(OpenClBackend.kind(f), f.slope(), Ref.mem(z[l]), Ref.mem(a[l]), delta, dz, n);
            Ref in = l == 0 ? x : Ref.mem(a[l - 1]);
            engine.matmul(
                    dz, in, Ref.mem(grads + d.weightOffset()), d.outputs(), d.inputs(), rows, true, false, accumulate);
            engine.sumRows(dz, rows, d.outputs(), Ref.mem(grads + d.biasOffset()), accumulate);
            if (l > 0) {
                delta = Ref.mem(((l - 1) & 1) == 0 ? delta0 : delta1);
                engine.matmul(
                        dz,
                        Ref.mem(params + d.weightOffset()),
                        delta,
                        rows,
                        d.inputs(),
                        d.outputs(),
                        false,
                        false,
                        false);
            }
        }
    }

    /** Clipping.apply over the device gradient, with the same decisions. */
    private double clipOnDevice(Clipping clipping) {
        Ref g = Ref.mem(grads);
        if (clipping instanceof Clipping.ByNorm byNorm) {
            double norm =
                    switch (byNorm.normType()) {
                        case L1 -> engine.sumAbs(g, count);
                        case L2 -> Math.sqrt(engine.sumSquares(g, count));
                        case INF -> engine.maxAbs(g, count);
                    };
            if (!Double.isFinite(norm)) return norm;
            double coef = byNorm.maxNorm() / (norm + Clipping.ByNorm.EPS);
            if (coef < 1) engine.scale(g, count, (float) coef);
            return norm;
        }
        if (clipping instanceof Clipping.ByValue byValue) {
            double max = engine.maxAbs(g, count);
            if (Double.isFinite(max) && max > byValue.limit()) engine.clampAbs(g, count, (float) byValue.limit());
            return max;
        }
        throw new IllegalArgumentException("unsupported clipping " + clipping);
    }

    // ---- arena management ------------------------------------------------------------------

    /** Lays out the transient part for {@code rows} rows after the persistent part. */
    private void layout(int rows) {
        List<Dense> layers = dense;
        z = new int[layers.size()];
        a = new int[layers.size()];
        int off = persistent, widest = 1;
        for (int l = 0; l < layers.size(); l++) {
            Dense d = layers.get(l);
            z[l] = off;
            off += rows * d.outputs();
            if (d.activation().kind() == Activation.Kind.IDENTITY) a[l] = z[l];
            else {
                a[l] = off;
                off += rows * d.outputs();
            }
            widest = Math.max(widest, Math.max(d.inputs(), d.outputs()));
        }
        delta0 = off;
        off += rows * widest;
        delta1 = off;
        off += rows * widest;
        dOut = off;
        capacity = rows;
    }

    private int end() {
        return dOut + capacity * model.outputs();
    }

    /** Grows the transient part to at least rows (doubling), keeping the persistent part. */
    private void grow(int rows) {
        int want = Math.max(rows, Math.min(2 * capacity, 1 << 16));
        long need = (long) persistent + (long) want * activationFloatsPerRow();
        if (need > Integer.MAX_VALUE - 16)
            throw new IllegalArgumentException(
                    "a batch of " + rows + " rows does not fit one device buffer for " + model);
        layout(want);
        if (end() + 1 <= engine.mem().length) return; // the padded arena already has room
        float[] old = download();
        float[] mem = engine.allocateMem(ArenaPolicy.arenaLength(end(), mirrored));
        System.arraycopy(old, 0, mem, 0, persistent);
        engine.putMem();
        if (!mirrored) verify();
    }

    private long activationFloatsPerRow() {
        long perRow = 0;
        int widest = 1;
        for (Dense d : dense) {
            perRow += (d.activation().kind() == Activation.Kind.IDENTITY ? 1 : 2) * (long) d.outputs();
            widest = Math.max(widest, Math.max(d.inputs(), d.outputs()));
        }
        return perRow + 2L * widest + model.outputs();
    }

    /**
     * The arena with the device's current contents: one download of the whole arena, or, mirrored,
     * the host copy, which every call leaves current.
     */
    private float[] download() {
        if (mirrored) return engine.mem();
        verify();
        engine.getMem();
        return engine.mem();
    }

    /**
     * Copies {@code dst.length} floats of the arena from offset into dst: on the device into the
     * staging buffer, then one download of just that range (mirrored: from the host copy).
     */
    private void downloadRange(int offset, float[] dst) {
        int n = Math.min(dst.length, count);
        if (mirrored) {
            System.arraycopy(engine.mem(), offset, dst, 0, n);
            return;
        }
        engine.ioCapacity(n);
        // The download must follow the launch that wrote io with no launch in between (not even the
        // residency probe): if the GC moved io meanwhile, that launch would make Aparapi re-create
        // io's device buffer from the stale host array. A get() is safe: it reads the existing
        // device buffer into the array's current address.
        call(() -> {
            engine.copy(Ref.mem(offset), Ref.io(0), n);
            engine.getIo();
            return null;
        });
        System.arraycopy(engine.ioCapacity(n), 0, dst, 0, n);
    }

    /** Writes src into the arena at offset (through the staging buffer: the rest stays on the device). */
    private void upload(float[] src, int offset) {
        float[] io = engine.ioCapacity(src.length);
        System.arraycopy(src, 0, io, 0, src.length);
        call(() -> {
            engine.putIo();
            engine.copy(Ref.io(0), Ref.mem(offset), src.length);
            return null;
        });
    }

    /**
     * Runs one unit of device work and proves the arena survived it. Resident: a lost arena is an
     * error. Mirrored: the host copy is refreshed after the work; work interrupted by a move of the
     * array is repeated from the host copy (which still holds the state before the work).
     */
    private <T> T call(Supplier<T> work) {
        if (!mirrored) {
            T r = work.get();
            verify();
            return r;
        }
        for (int attempt = 1; ; attempt++) {
            T r = work.get();
            if (engine.memResident()) {
                engine.getMem();
                return r;
            }
            repeats++;
            if (attempt == MAX_ATTEMPTS)
                throw new IllegalStateException("the device arena was moved by the garbage collector during "
                        + MAX_ATTEMPTS + " attempts of one training call on "
                        + engine.info().describe());
            engine.putMem(); // back to the state before the work
        }
    }

    private void verify() {
        if (!engine.memResident())
            throw new IllegalStateException(
                    "the training state on " + engine.info().describe()
                            + " was lost: Aparapi re-created the device arena from the host copy (the garbage collector "
                            + ArenaPolicy.collectors() + " moved it). This session's parameters are no longer valid;"
                            + " run with -XX:+UseG1GC or report this as a bug");
    }

    private void open() {
        if (closed) throw new IllegalStateException("training session is closed");
    }

    private static void checkClasses(float[] y, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            float t = y[r];
            int cls = (int) t;
            if (cls != t || cls < 0 || cls >= cols)
                throw new IllegalArgumentException(
                        "class index " + t + " in row " + r + " is outside [0, " + cols + ")");
        }
    }

    /** The model's parameter tensors in the flat buffer: 0, then the end of each (as the CPU session). */
    private static int[] tensorBounds(Sequential model) {
        var slots = model.parameters();
        int[] bounds = new int[slots.size() + 1];
        for (int i = 0; i < slots.size(); i++) bounds[i + 1] = slots.get(i).end();
        return bounds;
    }

    /** For tests: the arena's persistent layout, name to offset. */
    Map<String, Integer> layoutForTests() {
        Map<String, Integer> m = new java.util.LinkedHashMap<>();
        m.put("params", params);
        m.put("grads", grads);
        m.put("optimizer", optimizerRegion);
        for (var e : state.buffers().entrySet()) m.put(e.getKey(), arena.offsetOf(e.getValue()));
        m.put("capacity", capacity);
        m.put("arena", engine.mem().length);
        return m;
    }
}
