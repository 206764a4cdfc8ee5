package dev.descent.model;

import dev.descent.backend.Activation;
import dev.descent.backend.Backend;
import dev.descent.data.Sizes;
import dev.descent.data.SparseBatch;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A fully connected layer {@code y = f(x·Wᵀ + b)} inside a model's flat parameter buffer: the weight
 * W ({@code outputs×inputs}, PyTorch's out-by-in layout, row-major) starts at {@link #weightOffset()}
 * and the bias ({@code outputs}) follows it at {@link #biasOffset()}.
 *
 * <p>The activation f is fused: the forward pass is one {@link Backend#dense} call, whose SIMD
 * implementation applies bias and f in the matrix product's epilogue. PyTorch names the parameters
 * {@code weight} and {@code bias}; an identity activation makes it PyTorch's {@code nn.Linear}. The
 * {@link Sequential} builder sets the offset; a Dense built by hand is placed there anew.
 */
public record Dense(int inputs, int outputs, Activation activation, int weightOffset) implements Layer {

    public Dense {
        if (inputs <= 0) throw new IllegalArgumentException("dense layer inputs must be > 0, got " + inputs);
        if (outputs <= 0) throw new IllegalArgumentException("dense layer width must be > 0, got " + outputs);
        if (activation == null) throw new IllegalArgumentException("dense layer activation must not be null");
        if (weightOffset < 0) throw new IllegalArgumentException("weightOffset must be >= 0, got " + weightOffset);
        long end = weightOffset + (long) inputs * outputs + outputs; // exact: each term below 2⁶²
        if (!Sizes.fitsArray(end))
            throw new IllegalArgumentException(String.format(
                    Locale.ROOT,
                    "a dense layer %d→%d has %,d parameters (%,d×%,d weights + %,d biases); with the %,d before it"
                            + " the model would have %,d, more than one float array holds (%,d)",
                    inputs,
                    outputs,
                    end - weightOffset,
                    outputs,
                    inputs,
                    outputs,
                    weightOffset,
                    end,
                    Sizes.MAX_ARRAY));
    }

    public int weightCount() {
        return inputs * outputs;
    }

    public int biasOffset() {
        return weightOffset + weightCount();
    }

    /** Weights plus biases. */
    public int parameterCount() {
        return weightCount() + outputs;
    }

    /** First index after this layer's parameters. */
    public int end() {
        return biasOffset() + outputs;
    }

    @Override
    public String kind() {
        return "dense";
    }

    @Override
    public int[] outputShape(int[] inputShape) {
        if (inputShape.length != 1 || inputShape[0] != inputs)
            throw new IllegalArgumentException("a dense layer " + inputs + "→" + outputs + " takes input shape ["
                    + inputs + "], got " + Arrays.toString(inputShape)
                    + (inputShape.length == 1 ? "" : " (put a flatten layer before it)"));
        return new int[] {outputs};
    }

    /** {@code weight [outputs, inputs]} drawn by the model's {@link Init} scheme, then {@code bias [outputs]}. */
    @Override
    public List<Parameter> parameters(int[] inputShape) {
        return List.of(
                new Parameter("weight", new int[] {outputs, inputs}, (p, off, n, scheme, rnd) -> {
                    Init s = scheme.resolve(activation);
                    Init.uniform(p, off, n, s.limit(inputs, outputs), rnd);
                }),
                new Parameter("bias", new int[] {outputs}, (p, off, n, scheme, rnd) -> {
                    Init s = scheme.resolve(activation);
                    if (s == Init.PYTORCH) Init.uniform(p, off, n, s.limit(inputs, outputs), rnd);
                    else Arrays.fill(p, off, off + n, 0f);
                }));
    }

    /** Pre-activation z and its gradient dz, when the activation is not the identity (then y is z). */
    @Override
    public int scratchPerRow(int[] inputShape) {
        return fused() ? 2 * outputs : 0;
    }

    private boolean fused() {
        return activation.kind() != Activation.Kind.IDENTITY;
    }

    @Override
    public void forward(LayerContext c, float[] x, float[] y) {
        float[] z = fused() ? c.scratch() : y;
        int w = c.parameterOffset(0);
        c.backend()
                .dense(
                        activation,
                        x,
                        0,
                        c.params(),
                        w,
                        c.params(),
                        c.parameterOffset(1),
                        z,
                        0,
                        y,
                        0,
                        c.rows(),
                        outputs,
                        inputs);
    }

    @Override
    public void backward(LayerContext c, float[] x, float[] y, float[] dy, float[] dx) {
        Backend b = c.backend();
        int rows = c.rows();
        float[] dz = dy;
        int dzOff = 0;
        if (fused()) {
            dz = c.scratch();
            dzOff = rows * outputs;
            b.activationGrad(activation, c.scratch(), 0, y, 0, dy, 0, dz, dzOff, rows * outputs);
        }
        int w = c.parameterOffset(0);
        b.matmulTN(dz, dzOff, x, 0, c.grads(), w, outputs, inputs, rows, c.accumulate());
        b.sumRows(dz, dzOff, rows, outputs, c.grads(), c.parameterOffset(1), c.accumulate());
        if (dx != null) b.matmul(dz, dzOff, c.params(), w, dx, 0, rows, inputs, outputs, false);
    }

    /**
     * {@link #forward} for CSR input: {@code y = f(x·Wᵀ + b)} through {@link Backend#sparseLinear}.
     * Reads the batch and the parameters; overwrites y and (with an activation) the scratch.
     */
    void forwardSparse(LayerContext c, SparseBatch x, float[] y) {
        forwardSparse(c, x, x.columns(), c.params(), c.parameterOffset(0), inputs, y);
    }

    /**
     * {@link #forwardSparse(LayerContext, SparseBatch, float[])} with the weights read from {@code
     * w}: weight (o, j) at {@code w[wOff + o×stride + j]} for the batch's entries' column j in {@code
     * columns} (parallel to {@code x.values()}), e.g. only the columns a batch uses, compacted.
     */
    void forwardSparse(LayerContext c, SparseBatch x, int[] columns, float[] w, int wOff, int stride, float[] y) {
        float[] z = fused() ? c.scratch() : y;
        c.backend()
                .sparseLinear(
                        x.rowStart(),
                        columns,
                        x.values(),
                        x.rows(),
                        w,
                        wOff,
                        stride,
                        c.params(),
                        c.parameterOffset(1),
                        z,
                        0,
                        outputs);
        if (fused()) c.backend().activate(activation, z, 0, y, 0, x.rows() * outputs);
    }

    /**
     * {@link #backward} for CSR input after {@link #forwardSparse}: the weight gradient is the
     * transposed scatter {@code dW += dzᵀ·x} over the batch's non-zeros (the whole weight gradient is
     * zeroed first when {@code !c.accumulate()}: a dense gradient, PyTorch's semantics); no input
     * gradient.
     */
    void backwardSparse(LayerContext c, SparseBatch x, float[] y, float[] dy) {
        int w = c.parameterOffset(0);
        if (!c.accumulate()) Arrays.fill(c.grads(), w, w + weightCount(), 0f);
        backwardSparse(c, x, x.columns(), c.grads(), w, inputs, y, dy);
    }

    /**
     * {@link #backwardSparse(LayerContext, SparseBatch, float[], float[])} whose weight gradient is
     * added into {@code g} in the layout {@link #forwardSparse(LayerContext, SparseBatch, int[],
     * float[], int, int, float[])} reads the weights ({@code g[gOff + o×stride + j]}), always adding;
     * the bias gradient goes to {@code c.grads()} as usual.
     */
    void backwardSparse(
            LayerContext c, SparseBatch x, int[] columns, float[] g, int gOff, int stride, float[] y, float[] dy) {
        Backend b = c.backend();
        int rows = x.rows();
        float[] dz = dy;
        int dzOff = 0;
        if (fused()) {
            dz = c.scratch();
            dzOff = rows * outputs;
            b.activationGrad(activation, c.scratch(), 0, y, 0, dy, 0, dz, dzOff, rows * outputs);
        }
        b.sparseWeightGradient(dz, dzOff, outputs, x.rowStart(), columns, x.values(), rows, g, gOff, stride);
        b.sumRows(dz, dzOff, rows, outputs, c.grads(), c.parameterOffset(1), c.accumulate());
    }

    @Override
    public String toString() {
        return outputs + " " + activation; // "128 relu": Sequential(784 -> 128 relu -> 10 identity, ...)
    }
}
