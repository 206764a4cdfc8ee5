package dev.descent.train;

import dev.descent.backend.Backend;
import dev.descent.checkpoint.ModelTensors;
import dev.descent.data.SparseBatch;
import dev.descent.loss.Loss;
import dev.descent.model.Sequential;
import dev.descent.optim.Optimizer;
import dev.descent.optim.OptimizerState;

/**
 * The state of one training run on one backend: parameters, the accumulated gradient and the
 * optimizer state, wherever the backend keeps them (Java arrays on the CPU, device buffers on a
 * GPU). A step splits into "gradient of a batch into the flat gradient" ({@link #accumulate}) and
 * "clip + optimizer update" ({@link #clip}, {@link #step}), with nothing hidden in between.
 * The gradient is zeroed by {@link #step}, so it cannot be forgotten.
 */
public interface TrainingSession extends AutoCloseable {

    /** Opens a session: the backend's own if it is a {@link SessionFactory}, else the CPU one. */
    static TrainingSession open(
            Backend backend, Sequential model, Loss loss, Optimizer optimizer, float[] initialParameters) {
        if (initialParameters.length != model.parameterCount())
            throw new IllegalArgumentException("model " + model + " has " + model.parameterCount()
                    + " parameters, got a buffer of " + initialParameters.length);
        Optimizer resolved = optimizer.forTensors(
                ModelTensors.names(model), CpuTrainingSession.tensorBounds(model)); // parameter groups' selectors
        if (backend instanceof SessionFactory f) return f.openSession(model, loss, resolved, initialParameters);
        return new CpuTrainingSession(backend, model, loss, resolved, initialParameters);
    }

    Backend backend();

    Sequential model();

    Loss loss();

    Optimizer optimizer();

    /**
     * Forward and backward pass over a batch {@code x[rows×inputs]}, {@code y[rows×targetWidth]}
     * (row-major from offset 0). Adds {@code weight ×} the gradient of the batch's loss to the
     * accumulated gradient (weight 1 for a whole batch; a micro-batch's share of the full batch when
     * accumulating). Returns the batch's loss; parameters are not changed.
     */
    double accumulate(float[] x, float[] y, int rows, float weight);

    /**
     * {@link #accumulate(float[], float[], int, float)} with one weight per row, {@code
     * sampleWeights[0..rows)} (null: all 1), which the loss applies as a weighted reduction. This
     * default takes only null weights.
     *
     * @throws IllegalArgumentException naming the backend if weights are given and the session
     *     cannot apply them
     */
    default double accumulate(float[] x, float[] y, float[] sampleWeights, int rows, float weight) {
        if (sampleWeights == null) return accumulate(x, y, rows, weight);
        throw new IllegalArgumentException("the " + backend().name() + " backend's training session does not support"
                + " per-sample weights (loss " + loss() + "); use the simd or scalar backend");
    }

    /**
     * {@link #accumulate(float[], float[], int, float)} for a CSR batch (the model's first layer must
     * be dense; see {@link Sequential#forwardSparse}). This default refuses: a session of a backend
     * that keeps its own sessions takes sparse input only if it says so ({@link
     * SessionFactory#takesSparseInput}; the gpu one does).
     *
     * @throws UnsupportedOperationException naming the backend
     */
    default double accumulate(SparseBatch batch, float weight) {
        throw sparseUnsupported(backend());
    }

    /** {@link #predict(float[], int, float[])} for a CSR batch; refuses by default as {@link #accumulate(SparseBatch, float)}. */
    default void predict(SparseBatch batch, float[] out) {
        throw sparseUnsupported(backend());
    }

    /** The error of a backend that cannot take sparse input. */
    static UnsupportedOperationException sparseUnsupported(Backend backend) {
        return new UnsupportedOperationException("the " + backend.name()
                + " backend does not take sparse (CSR) input yet; use the simd or scalar backend for sparse data");
    }

    /**
     * Adds {@code gradient} (length {@code model().parameterCount()}) to the accumulated gradient: a
     * batch gradient computed elsewhere, e.g. summed over a cluster ({@link GradientSource}).
     * Parameters are not changed.
     *
     * @throws UnsupportedOperationException if this session cannot take a gradient from the host
     */
    default void addGradient(float[] gradient) {
        throw new UnsupportedOperationException(
                getClass().getSimpleName() + " does not take gradients computed elsewhere; use a CPU backend");
    }

    /**
     * The run's seed and the optimizer step the next {@link #accumulate} calls belong to, from which
     * layers such as dropout draw their random numbers (so a resumed run draws them again). Until it
     * is called, seed and step are 0.
     */
    default void position(long seed, long step) {}

    /** Clips the accumulated gradient; returns its norm before clipping (see {@link Clipping#apply}). */
    double clip(Clipping clipping);

    /** One optimizer update at learning rate lr from the accumulated gradient, which is then zeroed. */
    void step(double lr);

    /**
     * {@link #step(double)} with the optimizer's momentum (SGD, RMSprop) or β₁ (Adam) set to {@code
     * momentum} for this update only: one-cycle momentum cycling. The optimizer must have been opened
     * with a momentum, so that its state has the buffer.
     *
     * @throws IllegalArgumentException if the optimizer has no momentum
     */
    void step(double lr, double momentum);

    /** Writes the model's outputs for {@code x[rows×inputs]} into {@code out[rows×outputs]}. */
    void predict(float[] x, int rows, float[] out);

    /** Copies the current parameters into dst (length {@code model().parameterCount()}). */
    void readParameters(float[] dst);

    /** Replaces the parameters with src. */
    void writeParameters(float[] src);

    /**
     * Copies the model's buffers (running statistics, {@link Sequential#bufferCount} floats) into dst.
     * The default serves sessions of models without buffers.
     */
    default void readBuffers(float[] dst) {
        requireNoBuffers();
    }

    /** Replaces the model's buffers with src ({@link Sequential#bufferCount} floats). */
    default void writeBuffers(float[] src) {
        requireNoBuffers();
    }

    private void requireNoBuffers() {
        if (model().bufferCount() != 0)
            throw new UnsupportedOperationException(
                    "this " + backend().name() + " session does not keep the buffers of " + model());
    }

    /** Copies the accumulated gradient into dst. */
    void readGradient(float[] dst);

    /** A copy of the optimizer state (step count and buffers). */
    OptimizerState readOptimizerState();

    /** Replaces the optimizer state (e.g. from a checkpoint). */
    void writeOptimizerState(OptimizerState state);

    /** Releases device resources; a CPU session has none. */
    @Override
    default void close() {}

    /** A backend that runs whole training sessions itself (the GPU backend keeps them on the device). */
    interface SessionFactory {
        TrainingSession openSession(Sequential model, Loss loss, Optimizer optimizer, float[] initialParameters);

        /**
         * Whether its sessions train on CSR batches ({@link TrainingSession#accumulate(SparseBatch,
         * float)}, {@link TrainingSession#predict(SparseBatch, float[])}); the trainer refuses sparse
         * data up front otherwise.
         */
        default boolean takesSparseInput() {
            return false;
        }
    }
}
