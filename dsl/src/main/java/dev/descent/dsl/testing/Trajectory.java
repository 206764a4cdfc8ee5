package dev.descent.dsl.testing;

/**
 * Where an optimizer went on an objective: {@code positions[0]} is the start and {@code positions[k]}
 * the parameters after {@code k} steps; {@code values[k]} is the objective there and {@code lrs[k]}
 * the learning rate step {@code k + 1} used (so {@code lrs} has one entry fewer than {@code
 * positions}).
 */
public record Trajectory(float[][] positions, double[] values, double[] lrs) {

    /** Steps taken. */
    public int steps() {
        return lrs.length;
    }

    /** A copy of the parameters after {@code k} steps (0: the start). */
    public float[] position(int k) {
        return positions[k].clone();
    }

    /** The objective after {@code k} steps. */
    public double value(int k) {
        return values[k];
    }

    /** A copy of the final parameters. */
    public float[] last() {
        return position(steps());
    }

    /** The objective at the end. */
    public double lastValue() {
        return values[steps()];
    }

    /**
     * The largest {@code |a-b| / max(1, |b|)} between the positions after steps 1, 2, … and {@code
     * expected[0], expected[1], …} (PyTorch's {@code params_after_each_step}): the reference runner's
     * measure.
     *
     * @throws IllegalArgumentException if the trajectory is shorter than expected or a width differs
     */
    public double maxRelativeError(double[][] expected) {
        if (expected.length > steps())
            throw new IllegalArgumentException("expected " + expected.length + " steps, the trajectory has " + steps());
        double max = 0;
        for (int k = 0; k < expected.length; k++) max = Math.max(max, relativeErrorAt(k + 1, expected[k]));
        return max;
    }

    /** The largest {@code |a-b| / max(1, |b|)} between the position after {@code step} steps and {@code expected}. */
    public double relativeErrorAt(int step, double[] expected) {
        float[] p = positions[step];
        if (p.length != expected.length)
            throw new IllegalArgumentException(
                    "step " + step + ": expected " + expected.length + " parameters, the trajectory has " + p.length);
        double max = 0;
        for (int i = 0; i < p.length; i++) {
            double e = Math.abs(p[i] - expected[i]) / Math.max(1.0, Math.abs(expected[i]));
            max = Math.max(max, Double.isNaN(e) ? Double.POSITIVE_INFINITY : e);
        }
        return max;
    }
}
