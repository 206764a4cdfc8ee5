package dev.descent.optim;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An optimizer's state over a flat parameter buffer: the number of steps taken and named buffers of
 * the parameters' length, with PyTorch's state names ("momentum_buffer", "exp_avg", "exp_avg_sq",
 * "square_avg", "sum", ...), so a checkpoint can write and read it as plain arrays.
 */
public final class OptimizerState {

    private final int size;
    private final Map<String, float[]> buffers = new LinkedHashMap<>();
    private long step;

    /** A state for {@code size} parameters with zero-filled buffers of the given names. */
    public OptimizerState(int size, String... bufferNames) {
        if (size <= 0) throw new IllegalArgumentException("optimizer state needs > 0 parameters, got " + size);
        this.size = size;
        for (String n : bufferNames) buffers.put(n, new float[size]);
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

    /** Increments the step count and returns the new (1-based) value. */
    long advance() {
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
