package dev.descent.objective;

/**
 * A differentiable function of a parameter vector, for running optimizers directly on it and
 * recording their trajectories. Implementations may add noise to the gradient (see {@link
 * Objectives#withNoise}), in which case the gradient is stochastic but the value is exact.
 */
public interface Objective {

    /** Number of parameters. */
    int dimension();

    /** f(x), read from {@code x[0..dimension)}. */
    double value(float[] x);

    /** Overwrites {@code g[0..dimension)} with ∇f(x) (plus noise, for a noisy objective). */
    void gradient(float[] x, float[] g);

    /** The minimiser where known (for distance-to-minimum plots), else null. */
    default float[] minimum() {
        return null;
    }
}
