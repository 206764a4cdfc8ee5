package dev.descent.train;

/**
 * Hooks the {@link Trainer} calls as it runs; every method does nothing unless overridden. A callback
 * may end training early by throwing {@link StopTraining}; any other exception aborts the run.
 */
public interface Callback {

    /** Before the first step (also when resuming). */
    default void onTrainStart(Plan plan) {}

    /**
     * Before the first step, with a read-only {@link View view} of the run that stays valid until it
     * ends: what custom metrics or a callback's own averaging need after each step. Calls {@link
     * #onTrainStart(Plan)} unless overridden.
     */
    default void onTrainStart(Plan plan, View view) {
        onTrainStart(plan);
    }

    /** After every optimizer step. */
    default void onStepEnd(History.Step step) {}

    /** After every epoch, once validation and early stopping have been evaluated. */
    default void onEpochEnd(History.Epoch epoch) {}

    /** After the last step, however training ended (not when it diverged). */
    default void onTrainEnd(History history) {}

    /**
     * A read-only view of a running training: it copies out, so a callback cannot change the run.
     * Read it in {@link #onStepEnd} or {@link #onEpochEnd} to see the state after that step.
     */
    interface View {
        /** Copies the current parameters into {@code dst} (length: the model's parameter count). */
        void readParameters(float[] dst);

        /** A copy of the optimizer state: step count and PyTorch-named buffers. */
        dev.descent.optim.OptimizerState optimizerState();

        /** A copy of the iterate average, or null when there is none (no averaging, or none yet). */
        float[] averagedParameters();
    }

    /**
     * What a run will do.
     *
     * @param firstEpoch the first epoch to run (1-based; above 1 when resuming)
     * @param epochs the last epoch to run
     * @param stepsPerEpoch optimizer steps per epoch
     * @param samplesPerEpoch training rows seen per epoch
     */
    record Plan(int firstEpoch, int epochs, int stepsPerEpoch, long samplesPerEpoch) {

        /** Optimizer steps this run will take if it is not stopped early. */
        public long totalSteps() {
            return (long) (epochs - firstEpoch + 1) * stepsPerEpoch;
        }
    }
}
