package dev.descent.train;

/** Thrown by a {@link Callback} to end training cleanly after the current step or epoch. */
public final class StopTraining extends RuntimeException {

    public StopTraining(String reason) {
        super(reason, null, false, false);
    }
}
