package dev.descent.model;

import dev.descent.backend.Backend;

/**
 * What one {@link Layer} sees during a pass: the backend, the model's flat parameter and gradient
 * buffers with this layer's offsets in them, the batch size and widths, and its scratch buffer. A
 * {@link Sequential.Workspace} holds one per layer, created once and updated in place before each
 * pass, so a pass allocates nothing. Read-only for layers.
 */
public final class LayerContext {
    private final String name;
    private final int[] offsets;
    private final int inputWidth;
    private final int outputWidth;
    private final int scratchPerRow;
    Backend backend;
    float[] params;
    float[] grads;
    float[] scratch = new float[0];
    int rows;
    boolean accumulate;

    LayerContext(String name, int[] offsets, int inputWidth, int outputWidth, int scratchPerRow) {
        this.name = name;
        this.offsets = offsets;
        this.inputWidth = inputWidth;
        this.outputWidth = outputWidth;
        this.scratchPerRow = scratchPerRow;
    }

    /** The layer's name in its model, e.g. {@code layers.0}. */
    public String name() {
        return name;
    }

    public Backend backend() {
        return backend;
    }

    /** The model's flat parameter buffer (read only). */
    public float[] params() {
        return params;
    }

    /** The model's flat gradient buffer (backward writes this layer's slice; null during forward). */
    public float[] grads() {
        return grads;
    }

    /** Where the layer's i-th declared {@link Parameter} starts in {@link #params()} and {@link #grads()}. */
    public int parameterOffset(int i) {
        return offsets[i];
    }

    /** Rows in this batch. */
    public int rows() {
        return rows;
    }

    /** Floats per row of the input. */
    public int inputWidth() {
        return inputWidth;
    }

    /** Floats per row of the output. */
    public int outputWidth() {
        return outputWidth;
    }

    /** True when backward adds into the gradient buffer, false when it overwrites its slice. */
    public boolean accumulate() {
        return accumulate;
    }

    /**
     * This layer's scratch: at least {@code rows × scratchPerRow} floats, from offset 0, kept from
     * forward to backward.
     */
    public float[] scratch() {
        return scratch;
    }

    void ensureScratch(int rows) {
        if (scratch.length < rows * scratchPerRow) scratch = new float[rows * scratchPerRow];
    }
}
