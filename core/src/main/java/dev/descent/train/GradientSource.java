package dev.descent.train;

/**
 * Where the {@link Trainer}'s batch gradients come from when the training rows are not in this
 * process: a cluster that holds the rows computes the gradient of an epoch's batch and hands it to
 * the driver's session ({@link TrainingSession#addGradient}); the trainer then clips, steps the
 * optimizer and the schedule, guards against divergence, evaluates and checkpoints as on one
 * machine ({@link Trainer#fit(GradientSource, dev.descent.data.Dataset, float[])}).
 *
 * <p>Batch {@code i} of epoch {@code e} must be the rows at positions {@code [i·B, i·B + rows)} of
 * the order {@code Batches.orderOnly(rows(), B, seed, sampling, dropLast).order(e)} of the trainer's
 * config, so that the run equals the one-machine run on the same rows.
 */
public interface GradientSource {

    /** Training rows in all (the data set's size on one machine). */
    int rows();

    /** Names the data in error messages. */
    String name();

    /** Called before the first batch of {@code epoch} (0-based), e.g. to lay out the epoch's order. */
    void startEpoch(long epoch);

    /**
     * Adds {@code weight ×} the gradient of the loss over the epoch's batch at order positions {@code
     * [start, start + rows)} at the session's current parameters to the session's accumulated
     * gradient ({@link TrainingSession#addGradient}), as {@link TrainingSession#accumulate} does for a
     * local batch; returns the batch's loss. Parameters are not changed.
     */
    double accumulate(TrainingSession session, int start, int rows, float weight);
}
