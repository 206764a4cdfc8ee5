package dev.descent.model;

import dev.descent.backend.Backend;
import dev.descent.backend.CounterRandom;
import dev.descent.backend.ImageWindow;

/**
 * What one {@link Layer} sees during a pass: the backend, the model's flat parameter and gradient
 * buffers with this layer's offsets in them, the batch size and widths, and its scratch buffer. A
 * {@link Sequential.Workspace} holds one per layer, created once and updated in place before each
 * pass, so a pass allocates nothing. Read-only for layers.
 */
public final class LayerContext {
    private final String name;
    private final int[] offsets;
    private final int[] bufferOffsets;
    private final int[] inputShape;
    private final int inputWidth;
    private final int outputWidth;
    private final int scratchPerRow;
    private final int scratchFixed;
    Backend backend;
    float[] params;
    float[] grads;
    float[] buffers;
    boolean cumulativeStatistics;
    float[] scratch = new float[0];
    private ImageWindow window;
    int rows;
    boolean accumulate;
    boolean training;
    long seed;
    long step;
    int microBatch;

    LayerContext(
            String name,
            int[] offsets,
            int[] bufferOffsets,
            int[] inputShape,
            int outputWidth,
            int scratchPerRow,
            int scratchFixed) {
        this.scratchFixed = scratchFixed;
        this.name = name;
        this.offsets = offsets;
        this.bufferOffsets = bufferOffsets;
        this.inputShape = inputShape.clone();
        this.inputWidth = Sequential.width(inputShape);
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

    /**
     * The model's flat buffer of non-trainable state ({@link Layer#buffers}): read in every pass,
     * written by training passes only (forward), never by backward.
     */
    public float[] buffers() {
        return buffers;
    }

    /** Where the layer's i-th declared {@linkplain Layer#buffers buffer} starts in {@link #buffers()}. */
    public int bufferOffset(int i) {
        return bufferOffsets[i];
    }

    /**
     * True while a training pass recomputes running statistics as a cumulative (equal-weight)
     * average over the passes since they were reset, PyTorch's {@code momentum=None}, as {@link
     * Sequential#recomputeStatistics} does after iterate averaging; false in ordinary training.
     */
    public boolean cumulativeStatistics() {
        return cumulativeStatistics;
    }

    /** Rows in this batch. */
    public int rows() {
        return rows;
    }

    /**
     * Dimension i of one example's input shape, e.g. {@code inputDim(1)} is the height of a {@code
     * [channels, height, width]} image (no copy of the shape, so a pass allocates nothing).
     */
    public int inputDim(int i) {
        return inputShape[i];
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
     * This layer's scratch: at least {@code rows × scratchPerRow + scratchFixed} floats, from offset
     * 0, kept from forward to backward.
     */
    public float[] scratch() {
        return scratch;
    }

    /**
     * True in a training pass ({@link Sequential.Workspace#training}), false when evaluating or
     * predicting; layers such as {@link Dropout} behave differently.
     */
    public boolean training() {
        return training;
    }

    /**
     * A uniform number in [0, 1) that depends only on the run's seed, the optimizer step, the
     * micro-batch within the step (gradient accumulation), this layer and {@code element}: random
     * numbers that a resumed run draws again exactly, with no generator state to checkpoint.
     */
    public double uniform(long element) {
        return CounterRandom.uniform(randomKey(), element);
    }

    /**
     * The key of this pass's random numbers ({@link CounterRandom#key} of the seed, step,
     * micro-batch and layer name): {@code uniform(e) == CounterRandom.uniform(randomKey(), e)}, and a
     * backend's kernel draws the same numbers from it (e.g. {@link Backend#dropout}).
     */
    public long randomKey() {
        return CounterRandom.key(seed, step, microBatch, name);
    }

    /**
     * The {@link ImageWindow} of a kernel, stride and padding over this layer's {@code [C, H, W]}
     * input, made on first use and kept (the input shape of a context never changes), so a pass of a
     * convolution or pooling layer allocates nothing.
     */
    public ImageWindow imageWindow(
            int kernelHeight, int kernelWidth, int strideHeight, int strideWidth, int paddingHeight, int paddingWidth) {
        ImageWindow w = window;
        if (w == null
                || w.kernelHeight() != kernelHeight
                || w.kernelWidth() != kernelWidth
                || w.strideHeight() != strideHeight
                || w.strideWidth() != strideWidth
                || w.paddingHeight() != paddingHeight
                || w.paddingWidth() != paddingWidth)
            window = w = new ImageWindow(
                    inputShape[0],
                    inputShape[1],
                    inputShape[2],
                    kernelHeight,
                    kernelWidth,
                    strideHeight,
                    strideWidth,
                    paddingHeight,
                    paddingWidth);
        return w;
    }

    void allocateScratch(int rows, java.util.function.IntFunction<float[]> allocator) {
        long n = (long) rows * scratchPerRow + scratchFixed;
        if (n > Integer.MAX_VALUE)
            throw new IllegalArgumentException("layer " + name + " needs " + n + " floats of scratch for " + rows
                    + " rows, more than one float array holds");
        scratch = allocator.apply((int) n); // anew, as every workspace array when it grows
    }
}
