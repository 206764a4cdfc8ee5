package dev.descent.train;

/**
 * Training produced a non-finite or exploding loss, or a non-finite gradient. The parameters in
 * {@link #partial()} are the last finite ones: the offending gradient was never applied.
 */
public final class TrainingDivergedException extends RuntimeException {
    private final long step;
    private final double lr;
    private final double loss;
    private final transient TrainingResult partial;

    TrainingDivergedException(String message, long step, double lr, double loss, TrainingResult partial) {
        super(message);
        this.step = step;
        this.lr = lr;
        this.loss = loss;
        this.partial = partial;
    }

    /** The optimizer step (0-based) whose loss or gradient was not finite or exploded. */
    public long step() {
        return step;
    }

    /** The learning rate that step would have used. */
    public double lr() {
        return lr;
    }

    /** The offending loss (may be finite when the gradient was not). */
    public double loss() {
        return loss;
    }

    /** The run up to the last good step: its parameters and history. */
    public TrainingResult partial() {
        return partial;
    }
}
