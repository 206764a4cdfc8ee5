package dev.descent.optim;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An optimizer's state over a flat parameter buffer: the number of steps taken and named buffers of
 * the parameters' length, with PyTorch's state names ("momentum_buffer", "exp_avg", "exp_avg_sq",
 * "square_avg", "sum", ...), so a checkpoint can write and read it as plain arrays.
 *
 * <p>A rule keeps its state typed: it builds a {@link #view() view} (a record of the live arrays,
 * scratch included) in {@link Optimizer#newState} ({@link #typed}), names the buffers a checkpoint carries with
 * {@link #withBuffer}, and reads the view back in each step with {@link #view(Class)}: no string
 * keys in its update, and nothing allocated.
 *
 * <p>The state also knows where the parameter tensors lie in the flat buffer ({@link
 * #tensorBounds()}), for rules with per-layer quantities (LARS's and LAMB's trust ratios).
 */
public final class OptimizerState {

    private final int size;
    private final Map<String, float[]> buffers = new LinkedHashMap<>();
    private long step;
    private final Object view;
    private int[] tensorBounds;

    /** A state for {@code size} parameters with zero-filled buffers of the given names. */
    public OptimizerState(int size, String... bufferNames) {
        this(size, null, bufferNames);
    }

    /**
     * A state for {@code size} parameters whose rule keeps its arrays in {@code view} (typically a
     * record of float arrays of that length); name the ones a checkpoint carries with {@link
     * #withBuffer}, leave scratch arrays unnamed.
     */
    public static OptimizerState typed(int size, Object view) {
        if (view == null) throw new IllegalArgumentException("optimizer state view must not be null");
        return new OptimizerState(size, view, new String[0]);
    }

    private OptimizerState(int size, Object view, String[] bufferNames) {
        if (size <= 0) throw new IllegalArgumentException("optimizer state needs > 0 parameters, got " + size);
        this.size = size;
        this.view = view;
        this.tensorBounds = new int[] {0, size};
        for (String n : bufferNames) buffers.put(n, new float[size]);
    }

    /** Adds {@code buffer} (live, of this state's size) under PyTorch's state name; returns this. */
    public OptimizerState withBuffer(String name, float[] buffer) {
        if (buffer.length != size)
            throw new IllegalArgumentException(
                    "optimizer buffer '" + name + "' has " + buffer.length + " values, the state " + size);
        if (buffers.putIfAbsent(name, buffer) != null)
            throw new IllegalArgumentException("optimizer state already has a buffer '" + name + "'");
        return this;
    }

    /** The rule's typed view (null for a state built from buffer names only). */
    public Object view() {
        return view;
    }

    /**
     * The rule's typed view as {@code type}.
     *
     * @throws IllegalArgumentException if the view is not a {@code type} (a state made by another optimizer)
     */
    public <T> T view(Class<T> type) {
        if (!type.isInstance(view))
            throw new IllegalArgumentException("optimizer state holds "
                    + (view == null ? "no typed view" : view.getClass().getName()) + ", not a " + type.getName()
                    + " (a state made by another optimizer?)");
        return type.cast(view);
    }

    /**
     * Where the parameter tensors lie in the flat buffer: tensor i is {@code [b[i], b[i+1])}. One
     * tensor spanning the whole buffer unless {@link #setTensorBounds} said otherwise. The live
     * array: do not modify it.
     */
    public int[] tensorBounds() {
        return tensorBounds;
    }

    /**
     * Sets the tensor layout: strictly increasing bounds from 0 to {@link #size()} (a training
     * session passes its model's weight and bias tensors).
     */
    public void setTensorBounds(int... bounds) {
        boolean ok = bounds.length >= 2 && bounds[0] == 0 && bounds[bounds.length - 1] == size;
        for (int i = 1; ok && i < bounds.length; i++) ok = bounds[i] > bounds[i - 1];
        if (!ok)
            throw new IllegalArgumentException("tensor bounds must rise strictly from 0 to " + size + ", got "
                    + java.util.Arrays.toString(bounds));
        tensorBounds = bounds.clone();
    }

    /** Number of parameters each buffer covers. */
    public int size() {
        return size;
    }

    /** Optimizer steps taken so far. */
    public long step() {
        return step;
    }

    /** Sets the step count (when restoring from a checkpoint). */
    public void setStep(long step) {
        if (step < 0) throw new IllegalArgumentException("optimizer step must be >= 0, got " + step);
        this.step = step;
    }

    /** Increments the step count and returns the new (1-based) value: an optimizer calls it once per step. */
    public long advance() {
        return ++step;
    }

    /** The named buffer (live: the optimizer writes it in place). */
    public float[] buffer(String name) {
        float[] b = buffers.get(name);
        if (b == null) throw new IllegalArgumentException("optimizer state has no buffer '" + name + "'");
        return b;
    }

    /** The named buffer, or null if this state has none of that name. */
    public float[] bufferOrNull(String name) {
        return buffers.get(name);
    }

    /** All buffers by name, in a fixed order (live arrays; the map itself is read-only). */
    public Map<String, float[]> buffers() {
        return Collections.unmodifiableMap(buffers);
    }

    /** Overwrites this state's step and buffers with another's (same names and size required). */
    public void copyFrom(OptimizerState other) {
        if (other.size != size || !other.buffers.keySet().equals(buffers.keySet()))
            throw new IllegalArgumentException("optimizer state mismatch: have " + buffers.keySet() + " × " + size
                    + ", got " + other.buffers.keySet() + " × " + other.size);
        step = other.step;
        for (var e : other.buffers.entrySet()) System.arraycopy(e.getValue(), 0, buffers.get(e.getKey()), 0, size);
    }
}
