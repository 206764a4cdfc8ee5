package dev.descent.spark;

import dev.descent.optim.OptimizerState;
import java.io.Serializable;

/**
 * An optimizer state as plain arrays that Spark can ship: the step count and the named buffers in
 * the state's own order (the same for every state the same optimizer makes).
 */
record StateCopy(long step, float[][] buffers) implements Serializable {

    /** A copy of {@code state}'s step and buffers (reads state). */
    static StateCopy of(OptimizerState state) {
        float[][] b = new float[state.buffers().size()][];
        int i = 0;
        for (float[] buffer : state.buffers().values()) b[i++] = buffer.clone();
        return new StateCopy(state.step(), b);
    }

    /** Overwrites {@code state}'s step and buffers with this copy's (reads this). */
    void into(OptimizerState state) {
        if (state.buffers().size() != buffers.length)
            throw new IllegalStateException(
                    "an optimizer state of " + buffers.length + " buffers cannot replace one of "
                            + state.buffers().size() + " (" + state.buffers().keySet() + ")");
        int i = 0;
        for (float[] buffer : state.buffers().values()) {
            System.arraycopy(buffers[i++], 0, buffer, 0, buffer.length);
        }
        state.setStep(step);
    }
}
