package dev.descent.train;

import dev.descent.backend.Backend;
import dev.descent.data.SparseBatch;
import dev.descent.loss.Loss;
import dev.descent.model.Sequential;
import dev.descent.optim.Optimizer;
import dev.descent.optim.OptimizerState;

/** A training session whose buffers are Java arrays, computed by a CPU backend. */
final class CpuTrainingSession implements TrainingSession {

    private final Backend backend;
    private final Sequential model;
    private final Loss loss;
    private final Optimizer optimizer;
    private final float[] params;
    private final float[] grads;
    /** The model's buffers (running statistics): training passes update them, predictions read them. */
    private final float[] buffers;

    private final OptimizerState state;
    private Sequential.Workspace ws;
    private float[] dOut = new float[0];
    /** True while {@link #grads} holds nothing since the last step: the next backward overwrites. */
    private boolean gradientEmpty = true;
    /** Where the next accumulate is in the run, for layers that draw random numbers (dropout). */
    private long seed, step;

    private int microBatch;
    /** The lazy sparse update, or null for the dense one ({@link SparseUpdate}). */
    private LazySparseUpdate lazy;

    CpuTrainingSession(Backend backend, Sequential model, Loss loss, Optimizer optimizer, float[] initialParameters) {
        this.backend = backend;
        this.model = model;
        this.loss = loss;
        this.optimizer = optimizer;
        this.params = initialParameters.clone();
        this.grads = new float[params.length];
        this.buffers = model.initialBuffers();
        this.state = optimizer.newState(params.length);
        this.state.setTensorBounds(tensorBounds(model));
        this.ws = model.workspace(1);
    }

    /**
     * Switches this session to the lazy sparse update ({@link SparseUpdate#LAZY}) before its first
     * step; from then on it trains on sparse batches only.
     *
     * @throws IllegalArgumentException naming the optimizer if the lazy update does not support it
     */
    void useLazySparseUpdate() {
        if (state.step() != 0 || !gradientEmpty)
            throw new IllegalStateException("the lazy sparse update must be chosen before the first step");
        lazy = new LazySparseUpdate(backend, model, optimizer, state);
    }

    /** The model's parameter tensors in the flat buffer: 0, then the end of each in buffer order. */
    static int[] tensorBounds(Sequential model) {
        var slots = model.parameters();
        int[] bounds = new int[slots.size() + 1];
        for (int i = 0; i < slots.size(); i++) bounds[i + 1] = slots.get(i).end();
        return bounds;
    }

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

    @Override
    public double accumulate(float[] x, float[] y, int rows, float weight) {
        return accumulate(x, y, null, rows, weight);
    }

    @Override
    public double accumulate(float[] x, float[] y, float[] sampleWeights, int rows, float weight) {
        if (lazy != null) throw lazyOnly("dense batches");
        int outs = model.outputs();
        if (dOut.length < rows * outs) dOut = new float[rows * outs];
        ws.training(seed, step, microBatch++);
        float[] out = model.forward(backend, params, buffers, x, rows, ws);
        double value = loss.valueAndGradient(out, 0, y, 0, sampleWeights, 0, rows, outs, dOut, 0, weight);
        model.backward(backend, params, x, rows, ws, dOut, grads, !gradientEmpty);
        gradientEmpty = false;
        return value;
    }

    @Override
    public double accumulate(SparseBatch batch, float weight) {
        int outs = model.outputs(), rows = batch.rows();
        if (dOut.length < rows * outs) dOut = new float[rows * outs];
        ws.training(seed, step, microBatch++);
        if (lazy == null) {
            float[] out = model.forwardSparse(backend, params, buffers, batch, ws);
            double value = loss.valueAndGradient(out, 0, batch.y(), 0, rows, outs, dOut, 0, weight);
            model.backwardSparse(backend, params, batch, ws, dOut, grads, !gradientEmpty);
            gradientEmpty = false;
            return value;
        }
        // the used weight columns, compacted, for the forward and backward passes; the gradient is zero
        // between lazy steps: add into it
        lazy.mark(batch, params);
        int[] cols = lazy.columns();
        float[] out = model.forwardSparse(
                backend, params, buffers, batch, cols, lazy.weights(), lazy.weightOffset(), lazy.stride(), ws);
        double value = loss.valueAndGradient(out, 0, batch.y(), 0, rows, outs, dOut, 0, weight);
        model.backwardSparse(
                backend,
                params,
                batch,
                cols,
                lazy.weightGrads(),
                lazy.weightOffset(),
                lazy.stride(),
                ws,
                dOut,
                grads,
                true);
        gradientEmpty = false;
        return value;
    }

    @Override
    public void predict(SparseBatch batch, float[] out) {
        if (lazy != null) lazy.flush(params);
        float[] y = model.forwardSparse(backend, params, buffers, batch, ws.evaluation());
        System.arraycopy(y, 0, out, 0, batch.rows() * model.outputs());
    }

    @Override
    public void addGradient(float[] gradient) {
        if (lazy != null) throw lazyOnly("gradients computed elsewhere");
        if (gradient.length != grads.length)
            throw new IllegalArgumentException(
                    "expected a gradient of " + grads.length + " values for " + model + ", got " + gradient.length);
        if (gradientEmpty) System.arraycopy(gradient, 0, grads, 0, grads.length);
        else backend.axpy(1f, gradient, 0, grads, 0, grads.length);
        gradientEmpty = false;
    }

    @Override
    public void position(long seed, long step) {
        this.seed = seed;
        this.step = step;
        this.microBatch = 0;
    }

    @Override
    public double clip(Clipping clipping) {
        if (gradientEmpty) return 0; // nothing accumulated since the last step: the gradient is zero
        if (lazy != null) return lazy.clip(params, grads, clipping);
        return clipping.apply(backend, grads, grads.length);
    }

    @Override
    public void step(double lr) {
        update(lr, false, 0);
    }

    @Override
    public void step(double lr, double momentum) {
        update(lr, true, momentum);
    }

    /** One optimizer step, with the given momentum when cycled (no optimizer copy: no allocation). */
    private void update(double lr, boolean cycled, double momentum) {
        if (lazy != null) {
            lazy.step(params, grads, lr, cycled, momentum);
            gradientEmpty = true;
            return;
        }
        if (gradientEmpty) java.util.Arrays.fill(grads, 0f);
        if (cycled) optimizer.step(backend, params, grads, state, lr, momentum);
        else optimizer.step(backend, params, grads, state, lr);
        gradientEmpty = true;
    }

    @Override
    public void predict(float[] x, int rows, float[] out) {
        if (lazy != null) lazy.flush(params);
        float[] y = model.forward(backend, params, buffers, x, rows, ws.evaluation());
        System.arraycopy(y, 0, out, 0, rows * model.outputs());
    }

    @Override
    public void readParameters(float[] dst) {
        if (lazy != null) lazy.flush(params);
        System.arraycopy(params, 0, dst, 0, params.length);
    }

    @Override
    public void writeParameters(float[] src) {
        if (src.length != params.length)
            throw new IllegalArgumentException(
                    "expected " + params.length + " parameters for " + model + ", got " + src.length);
        System.arraycopy(src, 0, params, 0, params.length);
        if (lazy != null) lazy.parametersReplaced(params);
    }

    @Override
    public void readBuffers(float[] dst) {
        System.arraycopy(buffers, 0, dst, 0, buffers.length);
    }

    @Override
    public void writeBuffers(float[] src) {
        if (src.length != buffers.length)
            throw new IllegalArgumentException(
                    "expected " + buffers.length + " buffer floats for " + model + ", got " + src.length);
        System.arraycopy(src, 0, buffers, 0, buffers.length);
    }

    @Override
    public void readGradient(float[] dst) {
        if (gradientEmpty) java.util.Arrays.fill(dst, 0, grads.length, 0f);
        else if (lazy != null) lazy.readGradient(grads, dst);
        else System.arraycopy(grads, 0, dst, 0, grads.length);
    }

    private UnsupportedOperationException lazyOnly(String what) {
        return new UnsupportedOperationException(
                "a session with the lazy sparse update (SparseUpdate.LAZY) trains on sparse batches only, not on "
                        + what);
    }

    @Override
    public OptimizerState readOptimizerState() {
        OptimizerState copy = optimizer.newState(params.length);
        copy.copyFrom(state);
        return copy;
    }

    @Override
    public void writeOptimizerState(OptimizerState s) {
        state.copyFrom(s);
    }
}
