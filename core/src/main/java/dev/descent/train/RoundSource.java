package dev.descent.train;

/**
 * A {@link GradientSource} that also runs the optimizer where the rows are: local SGD (periodic
 * averaging). The {@link Trainer} hands it up to {@link #stepsPerRound()} consecutive batches of an
 * epoch at once, with each step's learning rate; every worker runs one optimizer step per batch on
 * its own rows of that batch, and the source writes the workers' combined parameters and optimizer
 * state back into the session. The trainer then checks every step of the round with its divergence
 * guard (a round with a non-finite or exploding loss or gradient is undone), records the steps in the
 * history, and validates, stops early and checkpoints at epoch ends as for any other source. A round
 * never spans two epochs. {@link #accumulate} is not called.
 */
public interface RoundSource extends GradientSource {

    /** Batches (one optimizer step each) per round, at least 1: the H of local SGD. */
    int stepsPerRound();

    /**
     * Runs steps {@code firstStep .. firstStep + steps - 1} on the epoch's batches {@code firstBatch ..
     * firstBatch + steps - 1} from the session's parameters and optimizer state at learning rates
     * {@code lrs[0..steps)}, and writes the result into the session (parameters and optimizer state,
     * its step count at {@code firstStep + steps}). Overwrites {@code losses[0..steps)} with each
     * step's loss over its whole batch and {@code norms[0..steps)} with each step's gradient norm
     * before clipping (as the source combines the workers' norms).
     */
    void runRound(
            TrainingSession session,
            long firstStep,
            int firstBatch,
            int steps,
            double[] lrs,
            double[] losses,
            double[] norms);

    /** Not called for a round source: its rounds compute and apply the gradients themselves. */
    @Override
    default double accumulate(TrainingSession session, int start, int rows, float weight) {
        throw new UnsupportedOperationException(name() + " runs rounds of local steps, not single gradients");
    }
}
