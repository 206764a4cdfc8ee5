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
 * plus every parameter outside the first layer's weights. The used columns live in a compact buffer
 * for the whole step: {@link #mark} numbers each batch's columns in order of first use (its {@link
 * #columns()}) and copies a new column's weights in, the forward pass reads them and the backward
 * pass adds their gradient there, so the per-non-zero work never touches the wide weight and
 * gradient arrays. The step gathers the other parameters and the optimizer state of the compact
 * coordinates, runs the optimizer's own {@link Optimizer#step} on the compact buffers and scatters
 * the results back.
 *
 * <p>Compact layout: {@code [the other parameters (D) | outputs rows of stride floats]}, column j
 * of output o at {@code D + o×stride + j}. The stride is a power of two (at least {@link
 * #MIN_STRIDE}, at most the input width) at least the step's column count; the columns past the
 * count carry a zero gradient, run the rule on nothing and are never scattered. The compact
 * optimizer states come one per stride, made the first time a stride is needed, so steps allocate
 * nothing after warm-up.
 *
 * <p>Invariants between steps: no column is marked ({@link #used} all zero), the compact gradient
 * is zero, and the session's full gradient is zero (the backward adds the other parameters'
 * gradient into it); a step zeroes only what it used. Missed weight decay is kept as a per-column
 * log of the product {@code ∏(1 − lr·λ)} and applied when a column is used again or the parameters
 * are read ({@link #flush}).
 */
final class LazySparseUpdate {

    /** Smallest compact stride. */
    private static final int MIN_STRIDE = 64;

    /** A multiple of the floats a backend's reduction takes at once (4 vectors of at most 16 lanes). */
    private static final int NORM_BLOCK = 64;

    private final Backend backend;
    private final Optimizer optimizer;
    private final OptimizerState state;
    private final int weightOffset, inputs, outputs;
    /** Indices of the parameters outside the first layer's weights (updated every step). */
    private final int[] dense;

    private final double weightDecay;
    /** The columns used this step as a bit set (1 bit a column: small enough to stay in cache). */
    private final long[] used;
    /** The words of {@link #used} that hold a used column, in order of first use {@code [0, blockCount)}. */
    private final int[] blocks;

    private int blockCount;
    /**
     * {@code base[w]}: the compact number of the first used column of word w; a used column c is
     * numbered {@code base[c/64]} plus the used columns below it in its word (a rank: no map as wide
     * as the input, so numbering a batch's columns stays in cache).
     */
    private final int[] base;
    /** The column of each compact number {@code [0, count)} (at least {@link #stride} long). */
    private int[] touched;
    /** The numbering before this step's last batch, and its gradient, while it is renumbered (several batches a step). */
    private int[] previous = new int[0];

    private float[] previousGrads = new float[0];
    private int count;
    /** The current batch's column indices as compact numbers, parallel to its values. */
    private int[] columns = new int[0];

    private int stride;
    private float[] compactParams = new float[0], compactGrads = new float[0];
    /** The compact states by stride ({@code log2}, or 32 for the input width), and their named buffers in the full state's order. */
    private final OptimizerState[] states = new OptimizerState[33];

    private final float[][][] stateBuffers = new float[33][][];
    private final float[][] fullBuffers;
    /** Whether the other parameters and their gradient are in the compact buffer (after clip, before step). */
    private boolean gathered;
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
        int parameters = model.parameterCount(), weights = inputs * outputs;
        this.dense = new int[parameters - weights];
        int k = 0;
        for (int i = 0; i < weightOffset; i++) dense[k++] = i;
        for (int i = weightOffset + weights; i < parameters; i++) dense[k++] = i;
        int words = (inputs + 63) >>> 6;
        this.used = new long[words];
        this.blocks = new int[words + 1]; // the branch-free marking writes one past the last new word
        this.base = new int[words];
        this.touched = new int[0]; // grows with the stride: no array as wide as the input
        this.fullBuffers = state.buffers().values().toArray(new float[0][]);
        this.columnLogDecay = weightDecay > 0 ? new double[inputs] : null;
        resize(MIN_STRIDE);
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
     * Marks the columns {@code batch} uses and numbers every column used this step (overwrites {@link
     * #columns()}): words in order of first use, columns within a word in increasing order. Brings
     * each used column's weights in {@code params} up to date (the decay they missed) and copies them
     * into the compact buffer, before the batch's forward pass reads them there; with several batches
     * a step, the gradient the earlier ones added moves to the new numbering.
     */
    void mark(SparseBatch batch, float[] params) {
        int nz = batch.nonZeros();
        if (columns.length < nz) columns = new int[Math.max(nz, batch.nonZeroCapacity())];
        int[] cols = batch.columns(), local = columns, words = blocks, first = base;
        long[] bits = used;
        int before = count, nb = blockCount;
        if (before > 0) keepPrevious();
        for (int k = 0; k < nz; k++) { // branch-free: most words are new
            int c = cols[k], w = c >>> 6;
            long u = bits[w];
            bits[w] = u | (1L << c);
            words[nb] = w;
            nb += (int) (((u | -u) >>> 63) ^ 1); // 1 when the word had no used column yet
        }
        blockCount = nb;
        int n = 0;
        for (int i = 0; i < nb; i++) {
            int w = words[i];
            first[w] = n;
            n += Long.bitCount(bits[w]);
        }
        count = n;
        if (n > stride) resize(n);
        int[] list = touched;
        for (int k = 0; k < nz; k++) {
            int c = cols[k], w = c >>> 6, j = first[w] + Long.bitCount(bits[w] & ((1L << c) - 1));
            local[k] = j;
            list[j] = c; // every used column, the earlier batches' ones again below
        }
        if (before > 0) restorePrevious(before);
        if (weightDecay > 0) for (int j = 0; j < n; j++) decayColumn(params, list[j]);
        float[] cp = compactParams;
        for (int o = 0, d = dense.length; o < outputs; o++) { // simple loops: the loads overlap
            int row = weightOffset + o * inputs, to = d + o * stride;
            for (int j = 0; j < n; j++) cp[to + j] = params[row + list[j]];
        }
    }

    /**
     * Moves the step's numbering and gradient so far aside ({@link #previous}, {@link
     * #previousGrads}) and zeroes the compact gradient, before another batch of the step renumbers.
     */
    private void keepPrevious() {
        int n = count, d = dense.length;
        if (previous.length < touched.length) previous = new int[touched.length];
        if (previousGrads.length < outputs * n) previousGrads = new float[outputs * stride];
        int[] t = previous;
        previous = touched;
        touched = t;
        for (int o = 0; o < outputs; o++) {
            System.arraycopy(compactGrads, d + o * stride, previousGrads, o * n, n);
            Arrays.fill(compactGrads, d + o * stride, d + o * stride + n, 0f);
        }
    }

    /** Adds the gradient set aside by {@link #keepPrevious} at its columns' new numbers. */
    private void restorePrevious(int n) {
        int d = dense.length;
        for (int j = 0; j < n; j++) {
            int c = previous[j], w = c >>> 6;
            int number = base[w] + Long.bitCount(used[w] & ((1L << c) - 1));
            touched[number] = c;
            for (int o = 0; o < outputs; o++) compactGrads[d + number + o * stride] = previousGrads[o * n + j];
        }
    }

    /** The last marked batch's columns as compact numbers (parallel to its values). */
    int[] columns() {
        return columns;
    }

    /** The compact buffer: the used weights from {@link #weightOffset()} on, with row stride {@link #stride()}. */
    float[] weights() {
        return compactParams;
    }

    /** The compact gradient, in the layout of {@link #weights()}. */
    float[] weightGrads() {
        return compactGrads;
    }

    /** Where the used weights start in {@link #weights()} and {@link #weightGrads()}. */
    int weightOffset() {
        return dense.length;
    }

    /** The row stride of the used weights in {@link #weights()}. */
    int stride() {
        return stride;
    }

    /**
     * Makes the stride hold {@code columns} columns: the power of two at least that (at least {@link
     * #MIN_STRIDE}, at most the input width); the compact buffers grow to the largest size needed so
     * far. The stride only grows, so the rule runs on at most twice the most columns a step used.
     * Called while the compact gradient is all zero; the weights are copied in after it.
     */
    private void resize(int columns) {
        int s = Math.max(MIN_STRIDE, Integer.highestOneBit(Math.max(1, columns - 1)) << 1);
        if (s >= inputs || s <= 0) s = inputs;
        int capacity = dense.length + outputs * s;
        if (touched.length < s) touched = new int[s]; // rewritten by the numbering that follows
        if (compactParams.length < capacity) {
            compactParams = new float[capacity];
            compactGrads = new float[capacity];
            gathered = false; // the other parameters are gathered again
        }
        stride = s;
    }

    /**
     * Gathers the step's other parameters and their gradient into the compact buffer (once per step)
     * and clips the compact gradient there: the other coordinates are zero, so the norm is the full
     * gradient's. The clipping reads the buffer up to the last row's used columns, rounded up to a
     * multiple of {@link #NORM_BLOCK}: the columns past that are zero, and the backends reduce in
     * whole blocks of at most that many floats, so the norm has the bits of the whole buffer's.
     */
    double clip(float[] params, float[] grads, Clipping clipping) {
        gatherDense(params, grads);
        int all = dense.length + outputs * stride;
        int used = dense.length + (outputs - 1) * stride + count;
        int n = Math.min(all, (used + NORM_BLOCK - 1) / NORM_BLOCK * NORM_BLOCK);
        return clipping.apply(backend, compactGrads, n);
    }

    /**
     * One lazy optimizer step at {@code lr} (with {@code momentum} when {@code cycled}): reads and
     * zeroes the gradient of the used coordinates (in the compact buffer and in {@code grads});
     * overwrites those of {@code params} and of the optimizer state's buffers; advances the state's
     * step.
     */
    void step(float[] params, float[] grads, double lr, boolean cycled, double momentum) {
        gatherDense(params, grads);
        double stepDecay = 0;
        if (weightDecay > 0) {
            double f = lr * weightDecay;
            if (!(f < 1))
                throw new IllegalArgumentException(
                        "the lazy sparse update's weight decay catch-up needs lr × weight_decay < 1, got lr " + lr
                                + " × " + weightDecay);
            stepDecay = Math.log1p(-f);
        }
        int slotIndex = stride == inputs ? 32 : Integer.numberOfTrailingZeros(stride);
        OptimizerState s = states[slotIndex];
        if (s == null) {
            s = optimizer.newState(dense.length + outputs * stride);
            states[slotIndex] = s;
            stateBuffers[slotIndex] = s.buffers().values().toArray(new float[0][]);
        }
        float[][] buffers = stateBuffers[slotIndex];
        for (int b = 0; b < buffers.length; b++) move(fullBuffers[b], buffers[b], true);
        s.setStep(state.step());
        if (cycled) optimizer.step(backend, compactParams, compactGrads, s, lr, momentum);
        else optimizer.step(backend, compactParams, compactGrads, s, lr);
        state.setStep(s.step());
        move(params, compactParams, false);
        for (int b = 0; b < buffers.length; b++) move(fullBuffers[b], buffers[b], false);
        float[] cg = compactGrads;
        int d = dense.length;
        for (int i = 0; i < d; i++) grads[dense[i]] = 0f;
        Arrays.fill(cg, 0, d, 0f);
        for (int o = 0; o < outputs; o++) Arrays.fill(cg, d + o * stride, d + o * stride + count, 0f);
        if (weightDecay > 0) {
            logDecay += stepDecay;
            for (int i = 0; i < count; i++) columnLogDecay[touched[i]] = logDecay;
        }
        for (int i = 0; i < blockCount; i++) used[blocks[i]] = 0L;
        blockCount = 0;
        count = 0;
        gathered = false;
    }

    /**
     * Copies the used coordinates between a full buffer and its compact form: into {@code compact}
     * when {@code gather}, back into {@code full} otherwise.
     */
    private void move(float[] full, float[] compact, boolean gather) {
        int d = dense.length, n = count, st = stride;
        int[] list = touched;
        if (gather) for (int i = 0; i < d; i++) compact[i] = full[dense[i]];
        else for (int i = 0; i < d; i++) full[dense[i]] = compact[i];
        for (int o = 0; o < outputs; o++) {
            int row = weightOffset + o * inputs, at = d + o * st;
            if (gather) for (int j = 0; j < n; j++) compact[at + j] = full[row + list[j]];
            else for (int j = 0; j < n; j++) full[row + list[j]] = compact[at + j];
        }
    }

    /** Copies the other parameters and their gradient into the compact buffer, once per step. */
    private void gatherDense(float[] params, float[] grads) {
        if (gathered) return;
        for (int i = 0; i < dense.length; i++) {
            compactParams[i] = params[dense[i]];
            compactGrads[i] = grads[dense[i]];
        }
        gathered = true;
    }

    /**
     * The full gradient of what was accumulated since the last step into {@code dst} (as the step
     * will use it: clipped once {@link #clip} ran); {@code grads} holds the other parameters' part.
     */
    void readGradient(float[] grads, float[] dst) {
        System.arraycopy(grads, 0, dst, 0, grads.length);
        float[] cg = compactGrads;
        int d = dense.length;
        if (gathered) for (int i = 0; i < d; i++) dst[dense[i]] = cg[i];
        for (int o = 0; o < outputs; o++)
            for (int j = 0, row = weightOffset + o * inputs, at = d + o * stride; j < count; j++)
                dst[row + touched[j]] = cg[at + j];
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

    /**
     * Forgets missed decay: the parameters were replaced (restored from a checkpoint or an epoch
     * start); the columns numbered this step take their new weights.
     */
    void parametersReplaced(float[] params) {
        if (weightDecay > 0) Arrays.fill(columnLogDecay, logDecay);
        int d = dense.length;
        for (int j = 0; j < count; j++)
            for (int o = 0, at = weightOffset + touched[j]; o < outputs; o++, at += inputs)
                compactParams[d + o * stride + j] = params[at];
        gathered = false;
    }
}
