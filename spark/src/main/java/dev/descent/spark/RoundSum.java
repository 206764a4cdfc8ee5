package dev.descent.spark;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;

/**
 * The running sum of the partitions' results of one local-SGD round: their final parameters and
 * optimizer buffers weighted by the rows each trained on in the round, per step the loss (each
 * partition's share of the batch's loss) and the rows-weighted gradient norms, and, when partitions
 * keep their own optimizer state, each partition's state by partition index.
 */
final class RoundSum implements Serializable {
    final float[] params;
    /** Rows-weighted sum of the partitions' optimizer buffers, in the state's order. */
    final float[][] state;

    final double[] loss, normRows;
    final long[] stepRows;
    long rows;
    final Map<Integer, StateCopy> kept = new HashMap<>();

    RoundSum(int parameters, int stateBuffers, int steps) {
        params = new float[parameters];
        state = new float[stateBuffers][parameters];
        loss = new double[steps];
        normRows = new double[steps];
        stepRows = new long[steps];
    }

    /** Adds {@code weight ×} a partition's final parameters and state buffers (reads both; writes this). */
    void addWeighted(float[] p, StateCopy s, float weight) {
        addScaled(params, p, weight);
        for (int b = 0; b < state.length; b++) addScaled(state[b], s.buffers()[b], weight);
    }

    private static void addScaled(float[] sum, float[] v, float w) {
        for (int i = 0; i < sum.length; i++) sum[i] += w * v[i];
    }

    /** Adds {@code other} into this sum (overwrites this; reads other) and returns this. */
    RoundSum add(RoundSum other) {
        if (other.rows == 0) return this;
        for (int i = 0; i < params.length; i++) params[i] += other.params[i];
        for (int b = 0; b < state.length; b++) {
            float[] s = state[b], o = other.state[b];
            for (int i = 0; i < s.length; i++) s[i] += o[i];
        }
        for (int i = 0; i < loss.length; i++) {
            loss[i] += other.loss[i];
            normRows[i] += other.normRows[i];
            stepRows[i] += other.stepRows[i];
        }
        rows += other.rows;
        kept.putAll(other.kept);
        return this;
    }
}
