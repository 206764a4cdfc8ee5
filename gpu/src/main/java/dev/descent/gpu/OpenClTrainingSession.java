package dev.descent.gpu;

import dev.descent.backend.Backend;
import dev.descent.data.SparseBatch;
import dev.descent.gpu.OpenClEngine.Ref;
import dev.descent.loss.Loss;
import dev.descent.model.Layer;
import dev.descent.model.LayerContext;
import dev.descent.model.Parameter;
import dev.descent.model.Sequential;
import dev.descent.optim.Optimizer;
import dev.descent.optim.OptimizerState;
import dev.descent.train.Clipping;
import dev.descent.train.TrainingSession;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A {@link TrainingSession} that keeps everything on the OpenCL device: parameters, the accumulated
 * gradient, the optimizer state and the activations live in one device arena (the engine's {@code
 * mem}) for the whole run. Per {@link #accumulate} only the batch (x and y, or a CSR batch's
 * arrays) is uploaded and one small buffer of per-work-group loss partials comes back; {@link
 * #step} uploads nothing and downloads a probe of one float; parameters, gradient and optimizer
 * state are downloaded only when read.
 *
 * <p>The model is the caller's {@link Sequential}, run by its own layer objects: the session calls
 * {@code model.forward} and {@code model.backward}, as the CPU session does, with an {@link
 * ArenaBackend} whose arrays are handles of arena slices (parameters, gradient, the model's buffers,
 * the batch, and the model's {@link Sequential.Workspace}, whose arrays it makes through the
 * workspace's allocator), so every layer operation is a verified launch of {@link DescentKernel}
 * (see {@link OpenClEngine}). The loss and its gradient are one {@link DeviceLoss} kernel, clipping
 * the engine's reductions. The optimizer steps as in the CPU session, {@code optimizer.step(backend,
 * params, grads, state, lr)}, with the same arena backend: any rule (a user's too, parameter groups
 * included) runs on the device, one kernel per element-wise operation, and the rules with fused
 * kernels (SGD, Adam/AdamW, RMSprop, Adagrad) reach them by calling the fused operations.
 *
 * <p><b>What it refuses.</b> When it opens, the session runs one training forward and backward and
 * one evaluation forward of a {@value #PROBE_ROWS}-row batch through the model's layers on the
 * device; a layer that needs an operation the device has no kernel for, or that reaches its arrays
 * other than through backend operations, is refused there, by name ({@code layers.i} and its kind)
 * and backend: a model the device cannot run never starts training, and nothing falls back to the
 * CPU.
 *
 * <p><b>Arena layout</b> (offsets in floats): parameters, gradient, the model's buffers (running
 * statistics), the optimizer region (its buffers and scratch arrays, each given a slice the first
 * time the rule names it; sized by {@link ArenaBackend#stateFloats}) (the persistent part), then for
 * the current batch capacity the workspace's arrays (each layer's output and scratch, two delta
 * buffers) and dLoss/dOutput. The batch and targets are uploaded to the io staging buffer. A larger
 * batch grows the transient part (one download and one upload of the arena).
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
    /** Rows of the batch the session probes the model's layers with when it opens (a batch norm needs 2). */
    static final int PROBE_ROWS = 2;

    private static volatile boolean mirroredLogged;

    private final OpenClBackend backend;
    private final OpenClEngine engine;
    private final Sequential model;

    private final Loss loss;
    private final Optimizer optimizer;
    private final DeviceLoss deviceLoss;
    private final boolean mirrored;

    // persistent part of the arena
    private final int count;
    private final int params = 0;
    private final int grads;
    /** The model's buffers (running statistics): training passes update them, predictions read them. */
    private final int buffers;

    private final int bufferCount;
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

    private final float[] buffersHandle;
    /** The batch x: bound to the io staging buffer for each call. */
    private final float[] xHandle = new float[0];
    /** dLoss/dOutput, after the workspace. */
    private final float[] dOutHandle = new float[0];

    // transient part, laid out for `capacity` rows
    private final Sequential.Workspace ws;
    /** The workspace's arrays made by its allocator and not bound yet, with their lengths. */
    private final List<float[]> made = new ArrayList<>();

    private final List<Integer> madeLengths = new ArrayList<>();
    /** The workspace's arrays bound now (the allocator replaces them all when the workspace grows). */
    private List<float[]> bound = List.of();

    private int capacity;
    private int dOut;
    /** First float after the transient part. */
    private int end;
    /** Where the next accumulate is in the run, for layers that draw random numbers (dropout). */
    private long seed, step;

    private int microBatch;

    /** True while the gradient holds nothing since the last step: the next backward overwrites it. */
    private boolean gradientEmpty = true;

    private boolean closed;
    private int repeats;

    /**
     * The staged CSR batch's room: rows and stored entries (the largest batch buffer seen, so the
     * staging buffers are sized once per run), and the floats of io it uses (values, then targets or
     * outputs).
     */
    private int sparseRows, sparseEntries, sparseIo;

    OpenClTrainingSession(
            OpenClBackend backend, Sequential model, Loss loss, Optimizer optimizer, float[] initialParameters) {
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
        this.buffers = 2 * count;
        this.bufferCount = model.bufferCount();
        this.optimizerRegion = buffers + bufferCount;
        this.persistent = optimizerRegion + ArenaBackend.stateFloats(optimizer, count, bounds);
        this.paramsHandle = new float[count];
        this.gradsHandle = new float[count];
        this.buffersHandle = new float[bufferCount];
        Arrays.fill(paramsHandle, Float.NaN);
        Arrays.fill(gradsHandle, Float.NaN);
        Arrays.fill(buffersHandle, Float.NaN);
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
        arena.bind(buffersHandle, buffers);
        try {
            // the probe's workspace, its buffers and dLoss/dOutput in the transient part, then the real one
            Sequential probe = named(model);
            Sequential.Workspace probeWs = probe.workspace(PROBE_ROWS, this::handle);
            int probeWorkspaceEnd = bindMade(persistent);
            float[] mem = engine.allocateMem(
                    ArenaPolicy.arenaLength(probeWorkspaceEnd + bufferCount + PROBE_ROWS * model.outputs(), mirrored));
            System.arraycopy(initialParameters, 0, mem, params, count);
            System.arraycopy(model.initialBuffers(), 0, mem, buffers, bufferCount);
            engine.putMem();
            if (!mirrored) verify(); // mirrored: the host copy is the state, a move is harmless
            probe(probe, probeWs, probeWorkspaceEnd);
            this.ws = model.workspace(PROBE_ROWS, this::handle);
            layout();
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
        arena.bind(xHandle, Ref.io(0), rows * inputs);
        Ref yRef = Ref.io(rows * inputs);
        boolean overwrite = gradientEmpty;
        int micro = microBatch++;
        double value = call(() -> {
            engine.putIo();
            ws.training(seed, step, micro);
            float[] out = model.forward(arena, paramsHandle, buffersHandle, xHandle, rows, ws);
            double v = lossAndGradient(arena.ref(out, 0, rows * outs), yRef, rows, weight);
            model.backward(arena, paramsHandle, xHandle, rows, ws, dOutHandle, gradsHandle, !overwrite);
            return v;
        });
        gradientEmpty = false;
        return value;
    }

    /**
     * {@link #accumulate(float[], float[], int, float)} for a CSR batch: its row pointers and columns
     * are uploaded to the engine's integer buffer, its values and targets to io (both sized once for
     * the batch buffer's capacity), and the model's {@code forwardSparse}/{@code backwardSparse} run
     * on the device (the arena backend's {@code sparseLinear} and {@code sparseWeightGradient} kernels).
     * The gradient is overwritten (zeroed on the device, then added into) after a step.
     */
    @Override
    public double accumulate(SparseBatch batch, float weight) {
        open();
        int rows = batch.rows(), outs = model.outputs();
        int targetWidth = loss.classIndexTargets() ? 1 : outs;
        if (rows <= 0) throw new IllegalArgumentException("a batch needs at least one row, got " + rows);
        if (batch.targetWidth() != targetWidth)
            throw new IllegalArgumentException(
                    "a sparse batch with " + batch.targetWidth() + " targets per row does not" + " fit loss " + loss
                            + " of " + model + ", which needs " + targetWidth);
        if (loss.classIndexTargets()) checkClasses(batch.y(), rows, outs);
        if (rows > capacity) grow(rows);
        int y = stageSparse(batch);
        System.arraycopy(batch.y(), 0, engine.ioCapacity(sparseIo), y, rows * targetWidth);
        boolean overwrite = gradientEmpty;
        int micro = microBatch++;
        try {
            double value = call(() -> {
                engine.putIo();
                engine.putIx();
                ws.training(seed, step, micro);
                // the first layer's scatter only adds: an overwrite is a zeroed gradient added into
                if (overwrite) engine.fill(Ref.mem(grads), count, 0f);
                float[] out = model.forwardSparse(arena, paramsHandle, buffersHandle, batch, ws);
                double v = lossAndGradient(arena.ref(out, 0, rows * outs), Ref.io(y), rows, weight);
                model.backwardSparse(arena, paramsHandle, batch, ws, dOutHandle, gradsHandle, true);
                return v;
            });
            gradientEmpty = false;
            return value;
        } finally {
            unstageSparse(batch);
        }
    }

    @Override
    public void predict(SparseBatch batch, float[] out) {
        open();
        int rows = batch.rows(), outs = model.outputs();
        if (rows <= 0) return;
        if (out.length < rows * outs)
            throw new IllegalArgumentException(
                    rows + " rows need room for " + rows * outs + " outputs, got " + out.length);
        if (rows > capacity) grow(rows);
        int at = stageSparse(batch);
        try {
            call(() -> {
                engine.putIo();
                engine.putIx();
                float[] y = model.forwardSparse(arena, paramsHandle, buffersHandle, batch, ws.evaluation());
                engine.copy(arena.ref(y, 0, rows * outs), Ref.io(at), rows * outs);
                engine.getIo(); // before any other launch: see downloadRange
                return null;
            });
        } finally {
            unstageSparse(batch);
        }
        System.arraycopy(engine.ioCapacity(sparseIo), at, out, 0, rows * outs);
    }

    /**
     * Copies a CSR batch into the staging buffers (row pointers, then columns, into ix; values into
     * io from 0) and binds the batch's arrays to them; returns the io offset after the values, where
     * targets or outputs go. The buffers are sized for the largest batch buffer seen, so a run
     * allocates them once.
     */
    private int stageSparse(SparseBatch batch) {
        int rows = batch.rows(), entries = batch.nonZeros();
        if (batch.capacity() > sparseRows || batch.nonZeroCapacity() > sparseEntries) {
            sparseRows = Math.max(sparseRows, batch.capacity());
            sparseEntries = Math.max(sparseEntries, batch.nonZeroCapacity());
            long io = (long) sparseEntries + (long) sparseRows * model.outputs();
            if (io > Integer.MAX_VALUE - 16 || (long) sparseRows + 1 + sparseEntries > Integer.MAX_VALUE - 16)
                throw new IllegalArgumentException("a sparse batch of " + sparseRows + " rows and " + sparseEntries
                        + " stored entries does not fit one device buffer");
            sparseIo = (int) io;
        }
        int[] ix = engine.ixCapacity(sparseRows + 1 + sparseEntries);
        System.arraycopy(batch.rowStart(), 0, ix, 0, rows + 1);
        System.arraycopy(batch.columns(), 0, ix, sparseRows + 1, entries);
        System.arraycopy(batch.values(), 0, engine.ioCapacity(sparseIo), 0, entries);
        arena.bindInts(batch.rowStart(), 0, rows + 1);
        arena.bindInts(batch.columns(), sparseRows + 1, entries);
        arena.bind(batch.values(), Ref.io(0), entries);
        return sparseEntries;
    }

    private void unstageSparse(SparseBatch batch) {
        arena.unbindInts(batch.rowStart());
        arena.unbindInts(batch.columns());
        arena.unbind(batch.values());
    }

    @Override
    public void position(long seed, long step) {
        this.seed = seed;
        this.step = step;
        this.microBatch = 0;
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
            arena.adoptUnbound(true);
            try {
                if (cycled) optimizer.step(arena, paramsHandle, gradsHandle, state, lr, momentum);
                else optimizer.step(arena, paramsHandle, gradsHandle, state, lr);
            } finally {
                arena.adoptUnbound(false);
            }
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
        arena.bind(xHandle, Ref.io(0), xs);
        call(() -> {
            engine.putIo();
            float[] y = model.forward(arena, paramsHandle, buffersHandle, xHandle, rows, ws.evaluation());
            engine.copy(arena.ref(y, 0, rows * outs), Ref.io(xs), rows * outs);
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
        downloadRange(params, count, dst);
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
    public void readBuffers(float[] dst) {
        open();
        if (dst.length < bufferCount)
            throw new IllegalArgumentException("need room for " + bufferCount + " buffer floats, got " + dst.length);
        downloadRange(buffers, bufferCount, dst);
    }

    @Override
    public void writeBuffers(float[] src) {
        open();
        if (src.length != bufferCount)
            throw new IllegalArgumentException(
                    "expected " + bufferCount + " buffer floats for " + model + ", got " + src.length);
        upload(src, buffers);
    }

    @Override
    public void readGradient(float[] dst) {
        open();
        if (dst.length < count)
            throw new IllegalArgumentException("need room for " + count + " gradients, got " + dst.length);
        if (gradientEmpty) java.util.Arrays.fill(dst, 0, count, 0f);
        else downloadRange(grads, count, dst);
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
            else downloadRange(at, into.length, into);
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

    /** The loss of the batch and {@code weight ×} its gradient into dOut (Loss.valueAndGradient). */
    private double lossAndGradient(Ref out, Ref y, int rows, float weight) {
        int outs = model.outputs();
        int terms = loss.classIndexTargets() ? rows : rows * outs;
        double norm = deviceLoss.norm(loss.reduction(), rows, terms);
        float factor = (float) (norm * weight);
        double sum = engine.loss(deviceLoss.kind(), out, y, Ref.mem(dOut), terms, outs, factor, deviceLoss.param());
        return sum * norm;
    }

    /**
     * The model as the probe runs it: each layer wrapped so that what the device cannot do names the
     * layer (the same layers, shapes, parameter and buffer layout; dense and activation unfused).
     */
    private Sequential named(Sequential model) {
        Sequential.Builder b = Sequential.inputShape(model.inputShape()).init(model.init());
        for (int i = 0; i < model.layers().size(); i++)
            b.add(new Named(i, model.layers().get(i), backend.name()));
        return b.build();
    }

    /**
     * One training forward, backward and evaluation forward of {@link #PROBE_ROWS} rows of the model
     * on the device, its workspace bound from {@code at}, on whatever the arena holds there: its
     * buffers and dLoss/dOutput in the transient part, so it leaves the persistent state as it was
     * (the gradient it writes is empty: the next accumulate overwrites it, a step zeroes it).
     *
     * @throws IllegalArgumentException naming the first layer the device cannot run
     */
    private void probe(Sequential probe, Sequential.Workspace probeWs, int at) {
        float[] probeBuffers = new float[bufferCount];
        arena.bind(probeBuffers, Ref.mem(at), bufferCount);
        arena.bind(dOutHandle, Ref.mem(at + bufferCount), PROBE_ROWS * model.outputs());
        engine.ioCapacity(PROBE_ROWS * model.inputs());
        arena.bind(xHandle, Ref.io(0), PROBE_ROWS * model.inputs());
        call(() -> {
            probe.forward(arena, paramsHandle, probeBuffers, xHandle, PROBE_ROWS, probeWs.training(0, 0, 0));
            probe.backward(arena, paramsHandle, xHandle, PROBE_ROWS, probeWs, dOutHandle, gradsHandle, false);
            probe.forward(arena, paramsHandle, probeBuffers, xHandle, PROBE_ROWS, probeWs.evaluation());
            return null;
        });
        arena.unbind(probeBuffers);
        for (float[] h : bound) arena.unbind(h);
        bound = List.of();
    }

    /**
     * A layer of the probed model: the model's own layer, whose passes turn what the device cannot
     * do into an {@link IllegalArgumentException} that names it ({@code layers.i}, its kind) and the
     * backend.
     */
    private record Named(int index, Layer layer, String backend) implements Layer {
        @Override
        public String kind() {
            return layer.kind();
        }

        @Override
        public int[] outputShape(int[] inputShape) {
            return layer.outputShape(inputShape);
        }

        @Override
        public List<Parameter> parameters(int[] inputShape) {
            return layer.parameters(inputShape);
        }

        @Override
        public List<Parameter> buffers(int[] inputShape) {
            return layer.buffers(inputShape);
        }

        @Override
        public int scratchPerRow(int[] inputShape) {
            return layer.scratchPerRow(inputShape);
        }

        @Override
        public int scratchFixed(int[] inputShape) {
            return layer.scratchFixed(inputShape);
        }

        @Override
        public void forward(LayerContext c, float[] x, float[] y) {
            try {
                layer.forward(c, x, y);
            } catch (UnsupportedOnDevice e) {
                throw refused(e.getMessage(), e);
            } catch (IndexOutOfBoundsException e) {
                throw refused(DIRECT, e);
            }
        }

        @Override
        public void backward(LayerContext c, float[] x, float[] y, float[] dy, float[] dx) {
            try {
                layer.backward(c, x, y, dy, dx);
            } catch (UnsupportedOnDevice e) {
                throw refused(e.getMessage(), e);
            } catch (IndexOutOfBoundsException e) {
                throw refused(DIRECT, e);
            }
        }

        /** The layer's kind, with its own description when it has one: "dense 5 gelu", "conv2d(1→8, ...)". */
        private static String describe(Layer layer) {
            String shown = layer.toString();
            boolean own;
            try {
                own = layer.getClass().getMethod("toString").getDeclaringClass() != Object.class;
            } catch (NoSuchMethodException e) {
                own = false;
            }
            if (!own || shown.equals(layer.kind()) || shown.startsWith(layer.kind())) return own ? shown : layer.kind();
            return layer.kind() + " " + shown;
        }

        private static final String DIRECT = "it reads or writes its arrays itself rather than through Backend"
                + " operations (the device's buffers have no host copy)";

        private IllegalArgumentException refused(String reason, RuntimeException cause) {
            String what = describe(layer);
            return new IllegalArgumentException(
                    "the " + backend + " backend cannot run layer " + Sequential.layerName(index) + " (" + what + "): "
                            + reason + "; use the simd or scalar backend",
                    cause);
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

    /** The workspace's allocator: an empty handle, bound to its slice of {@code n} floats by {@link #bindMade}. */
    private float[] handle(int n) {
        float[] h = new float[0];
        made.add(h);
        madeLengths.add(n);
        return h;
    }

    /** Binds the handles the allocator made since the last call one after the other from {@code at}; returns the end. */
    private int bindMade(int at) {
        for (float[] h : bound) arena.unbind(h);
        long off = at;
        for (int i = 0; i < made.size(); i++) {
            arena.bind(made.get(i), Ref.mem((int) off), madeLengths.get(i));
            off += madeLengths.get(i);
        }
        if (off > Integer.MAX_VALUE - 16)
            throw new IllegalArgumentException(
                    "the workspace of " + model + " for " + ws.capacity() + " rows does not fit one device buffer");
        bound = List.copyOf(made);
        made.clear();
        madeLengths.clear();
        return (int) off;
    }

    /**
     * Lays out the transient part for the workspace's capacity after the persistent part (the
     * workspace's new arrays, then dLoss/dOutput), growing the arena if it is too small.
     */
    private void layout() {
        capacity = ws.capacity();
        dOut = bindMade(persistent);
        long last = (long) dOut + (long) capacity * model.outputs();
        if (last > Integer.MAX_VALUE - 16)
            throw new IllegalArgumentException(
                    "a batch of " + capacity + " rows does not fit one device buffer for " + model);
        end = (int) last;
        arena.bind(dOutHandle, Ref.mem(dOut), capacity * model.outputs());
        if (end + 1 <= engine.mem().length) return; // the padded arena already has room
        float[] old = download();
        float[] mem = engine.allocateMem(ArenaPolicy.arenaLength(end, mirrored));
        System.arraycopy(old, 0, mem, 0, persistent);
        engine.putMem();
        if (!mirrored) verify();
    }

    /** Grows the transient part to at least rows (doubling), keeping the persistent part. */
    private void grow(int rows) {
        int want = Math.max(rows, Math.min(2 * capacity, 1 << 16));
        long need = persistent + (long) want * (model.workspaceFloatsPerRow() + model.outputs());
        if (need > Integer.MAX_VALUE - 16)
            throw new IllegalArgumentException(
                    "a batch of " + rows + " rows does not fit one device buffer for " + model);
        ws.reserve(want);
        layout();
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
     * Copies {@code n} floats of the arena from offset into dst: on the device into the staging
     * buffer, then one download of just that range (mirrored: from the host copy).
     */
    private void downloadRange(int offset, int n, float[] dst) {
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
