package dev.descent.train;

import dev.descent.backend.Backend;
import dev.descent.data.SparseBatch;
import dev.descent.model.Dense;
import dev.descent.model.Sequential;
import dev.descent.optim.Optimizer;
import dev.descent.optim.OptimizerState;
import java.util.Arrays;

/**
 * {@link SparseUpdate#LAZY}: a step updates only the first layer's weight columns its batches used,
 * plus every parameter outside the first layer's weights. The coordinates are gathered into compact
 * buffers (parameters, gradient, the optimizer's named state buffers), the optimizer's own {@link
 * Optimizer#step} runs on them, and the results are scattered back. The compact buffers come in
 * power-of-two capacities (the tail beyond the used length carries a zero gradient and is never
 * scattered), allocated the first time a capacity is needed, so steps allocate nothing after warm-up.
 *
 * <p>Invariant: between steps the session's full gradient is all zero (the sparse backward adds into
 * it), and after a step only the coordinates it gathered are zeroed again. Missed weight decay is
 * kept as a per-column log of the product {@code ∏(1 − lr·λ)} and applied when a column is used
 * again or the parameters are read ({@link #flush}).
 */
final class LazySparseUpdate {

    /** Smallest compact capacity for the touched weights. */
    private static final int MIN_CAPACITY = 64;

    private final Backend backend;
    private final Optimizer optimizer;
    private final OptimizerState state;
    private final int weightOffset, inputs, outputs, parameters;
    /** Indices of the parameters outside the first layer's weights (updated every step). */
    private final int[] dense;

    private final double weightDecay;
    /**
     * Columns used since the last step, in order of first use in {@link #touched}[0..count), and as a
     * bit set ({@link #used}: 1 bit a column, small enough to stay in cache).
     */
    private final int[] touched;

    private final long[] used;
    private int count;
    /** Full-buffer index of each compact coordinate: the dense ones first, then each weight row's used columns. */
    private int[] index = new int[0];

    private float[] compactParams = new float[0], compactGrads = new float[0];
    /** The compact states by capacity slot, and their named buffers in the full state's order. */
    private final OptimizerState[] states = new OptimizerState[33];

    private final float[][][] stateBuffers = new float[33][][];
    private final float[][] fullBuffers;
    /** The gathered length and slot while gathered (after clip, before step); -1 otherwise. */
    private int length = -1, slot;
    /** Σ log(1 − lr·λ) over all steps so far, and its value when each column was last brought up to date. */
    private double logDecay;

    private final double[] columnLogDecay;

    LazySparseUpdate(Backend backend, Sequential model, Optimizer optimizer, OptimizerState state) {
        if (!(model.layers().get(0) instanceof Dense first))
            throw new IllegalArgumentException("the lazy sparse update needs a dense first layer, got "
                    + model.layers().get(0) + " (" + model + ")");
        this.backend = backend;
        this.optimizer = optimizer;
        this.state = state;
        this.weightDecay = supportedWeightDecay(optimizer);
        this.inputs = first.inputs();
        this.outputs = first.outputs();
        this.weightOffset = model.parameters().get(0).offset();
        this.parameters = model.parameterCount();
        int weights = inputs * outputs;
        this.dense = new int[parameters - weights];
        int k = 0;
        for (int i = 0; i < weightOffset; i++) dense[k++] = i;
        for (int i = weightOffset + weights; i < parameters; i++) dense[k++] = i;
        this.touched = new int[inputs + 1]; // the branch-free mark writes one past the last new column
        this.used = new long[(inputs + 63) >>> 6];
        this.fullBuffers = state.buffers().values().toArray(new float[0][]);
        this.columnLogDecay = weightDecay > 0 ? new double[inputs] : null;
    }

    /**
     * The weight decay of a rule the lazy update supports (see {@link SparseUpdate#LAZY}).
     *
     * @throws IllegalArgumentException naming the rule, for one it does not support
     */
    static double supportedWeightDecay(Optimizer o) {
        java.util.OptionalDouble decay = o.coordinatewiseDecay();
        if (decay.isPresent()) return decay.getAsDouble();
        throw new IllegalArgumentException("the lazy sparse update (SparseUpdate.LAZY) does not support " + o
                + ": it runs rules that declare Optimizer.coordinatewiseDecay (an update of a coordinate reads only that"
                + " coordinate and the step count)"
                + " (SGD, Adam/AdamW, Adagrad, RMSprop, Adamax, Adadelta, Lion, RAdam), without parameter groups;"
                + " use SparseUpdate.DENSE");
    }

    /**
     * Records the columns {@code batch} uses and brings their weights in {@code params} up to date
     * (the decay they missed), before the batch's forward pass reads them.
     */
    void mark(SparseBatch batch, float[] params) {
        int[] cols = batch.columns(), list = touched;
        long[] bits = used;
        int n = count, before = n;
        for (int i = 0, nz = batch.nonZeros(); i < nz; i++) { // branch-free: about half the columns are new
            int c = cols[i], word = c >>> 6;
            long u = bits[word];
            bits[word] = u | (1L << c);
            list[n] = c;
            n += (int) (~u >>> c) & 1;
        }
        count = n;
        if (weightDecay > 0) for (int i = before; i < n; i++) decayColumn(params, list[i]);
    }

    /**
     * Gathers the step's gradient into the compact buffer (once per step) and clips it there: the
     * other coordinates are zero, so the norm is the full gradient's.
     */
    double clip(float[] params, float[] grads, Clipping clipping) {
        gather(params, grads);
        return clipping.apply(backend, compactGrads, length);
    }

    /**
     * One lazy optimizer step at {@code lr} (with {@code momentum} when {@code cycled}): reads and
     * zeroes the used coordinates of {@code grads}; overwrites those of {@code params} and of the
     * optimizer state's buffers; advances the state's step.
     */
    void step(float[] params, float[] grads, double lr, boolean cycled, double momentum) {
        gather(params, grads);
        int n = length;
        double stepDecay = 0;
        if (weightDecay > 0) {
            double f = lr * weightDecay;
            if (!(f < 1))
                throw new IllegalArgumentException(
                        "the lazy sparse update's weight decay catch-up needs lr × weight_decay < 1, got lr " + lr
                                + " × " + weightDecay);
            stepDecay = Math.log1p(-f);
        }
        OptimizerState s = states[slot];
        float[][] buffers = stateBuffers[slot];
        for (int b = 0; b < buffers.length; b++) {
            float[] from = fullBuffers[b], to = buffers[b];
            for (int k = 0; k < n; k++) to[k] = from[index[k]];
        }
        s.setStep(state.step());
        if (cycled) optimizer.step(backend, compactParams, compactGrads, s, lr, momentum);
        else optimizer.step(backend, compactParams, compactGrads, s, lr);
        state.setStep(s.step());
        for (int k = 0; k < n; k++) {
            params[index[k]] = compactParams[k];
            grads[index[k]] = 0f;
        }
        for (int b = 0; b < buffers.length; b++) {
            float[] from = buffers[b], to = fullBuffers[b];
            for (int k = 0; k < n; k++) to[index[k]] = from[k];
        }
        if (weightDecay > 0) {
            logDecay += stepDecay;
            for (int i = 0; i < count; i++) columnLogDecay[touched[i]] = logDecay;
        }
        for (int i = 0; i < count; i++) used[touched[i] >>> 6] = 0L; // every set bit is a listed column
        count = 0;
        length = -1;
    }

    /** Multiplies column c's weights by the decay it missed since it was last brought up to date. */
    private void decayColumn(float[] params, int c) {
        double missed = logDecay - columnLogDecay[c];
        if (missed == 0) return;
        float f = (float) Math.exp(missed);
        for (int o = 0, at = weightOffset + c; o < outputs; o++, at += inputs) params[at] *= f;
        columnLogDecay[c] = logDecay;
    }

    /** Applies every column's missed weight decay to {@code params}, so they are the run's true parameters. */
    void flush(float[] params) {
        if (weightDecay == 0) return;
        for (int c = 0; c < inputs; c++) decayColumn(params, c);
    }

    /** Forgets missed decay: the parameters were replaced (restored from a checkpoint or an epoch start). */
    void parametersReplaced() {
        if (weightDecay > 0) Arrays.fill(columnLogDecay, logDecay);
    }

    /** Fills {@link #index} and the compact parameters and gradient for this step's coordinates, once per step. */
    private void gather(float[] params, float[] grads) {
        if (length >= 0) return;
        int usedWeights = count * outputs, n = dense.length + usedWeights;
        int capacityUsed = Math.max(MIN_CAPACITY, Integer.highestOneBit(Math.max(1, usedWeights - 1)) << 1);
        if (capacityUsed >= inputs * outputs || capacityUsed <= 0) capacityUsed = inputs * outputs;
        slot = capacityUsed == inputs * outputs ? 32 : Integer.numberOfTrailingZeros(capacityUsed);
        int capacity = dense.length + capacityUsed;
        if (states[slot] == null) {
            OptimizerState s = optimizer.newState(capacity);
            states[slot] = s;
            stateBuffers[slot] = s.buffers().values().toArray(new float[0][]);
        }
        if (index.length < capacity) {
            index = Arrays.copyOf(index, capacity);
            compactParams = new float[capacity];
            compactGrads = new float[capacity];
        }
        System.arraycopy(dense, 0, index, 0, dense.length);
        int k = dense.length;
        for (int o = 0, row = weightOffset; o < outputs; o++, row += inputs) // each weight row in order
        for (int i = 0; i < count; i++) index[k++] = row + touched[i];
        for (k = 0; k < n; k++) {
            int at = index[k];
            compactGrads[k] = grads[at];
            compactParams[k] = params[at];
        }
        Arrays.fill(compactGrads, n, capacity, 0f); // the tail runs the rule on nothing and is not scattered
        length = n;
    }
}
