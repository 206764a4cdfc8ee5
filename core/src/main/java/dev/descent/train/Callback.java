package dev.descent.train;

/**
 * Hooks the {@link Trainer} calls as it runs; every method does nothing unless overridden. A callback
 * may end training early by throwing {@link StopTraining}; any other exception aborts the run.
 */
public interface Callback {

    /** Before the first step (also when resuming). */
    default void onTrainStart(Plan plan) {}

    /** After every optimizer step. */
    default void onStepEnd(History.Step step) {}

    /** After every epoch, once validation and early stopping have been evaluated. */
    default void onEpochEnd(History.Epoch epoch) {}

    /** After the last step, however training ended (not when it diverged). */
    default void onTrainEnd(History history) {}

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
