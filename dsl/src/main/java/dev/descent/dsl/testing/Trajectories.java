package dev.descent.dsl.testing;

import dev.descent.backend.Backend;
import dev.descent.backend.ScalarBackend;
import dev.descent.objective.Objective;
import dev.descent.optim.Optimizer;
import dev.descent.optim.OptimizerState;
import dev.descent.schedule.Schedule;
import dev.descent.schedule.Schedules;

/**
 * Runs any {@link Optimizer} (Descent's or your own) with any schedule directly on an analytic
 * {@link Objective} and records the trajectory, for unit tests of update rules:
 *
 * <pre>{@code
 * Trajectory t = Trajectories.run(Optimizers.sgd(0.1).momentum(0.9), Objectives.bowl(), new float[] {1, 1}, 100);
 * assertTrue(t.lastValue() < 1e-6);
 * }</pre>
 *
 * Step {@code k} (from 0) uses the learning rate {@code optimizer.lr() × schedule.at(k)}, as the
 * trainer does. The arithmetic runs on {@link ScalarBackend} unless a backend is given.
 */
public final class Trajectories {
    private Trajectories() {}

    /** At the optimizer's constant learning rate. */
    public static Trajectory run(Optimizer optimizer, Objective objective, float[] start, int steps) {
        return run(new ScalarBackend(), optimizer, Schedules.constant(1), objective, start, steps);
    }

    /** With the schedule as a multiplier of the optimizer's learning rate. */
    public static Trajectory run(
            Optimizer optimizer, Schedule schedule, Objective objective, float[] start, int steps) {
        return run(new ScalarBackend(), optimizer, schedule, objective, start, steps);
    }

    /**
     * On the given backend.
     *
     * @param start the first position (not modified); its length must be the objective's dimension
     * @throws IllegalArgumentException for a start of the wrong width or a negative step count
     */
    public static Trajectory run(
            Backend backend, Optimizer optimizer, Schedule schedule, Objective objective, float[] start, int steps) {
        if (start.length != objective.dimension())
            throw new IllegalArgumentException(
                    "start has " + start.length + " values but the objective has dimension " + objective.dimension());
        if (steps < 0) throw new IllegalArgumentException("steps must be >= 0, got " + steps);
        float[] p = start.clone();
        float[] g = new float[p.length];
        OptimizerState state = optimizer.newState(p.length);
        float[][] positions = new float[steps + 1][];
        double[] values = new double[steps + 1];
        double[] lrs = new double[steps];
        positions[0] = p.clone();
        values[0] = objective.value(p);
        for (int k = 0; k < steps; k++) {
            objective.gradient(p, g);
            lrs[k] = optimizer.lr() * schedule.at(k);
            optimizer.step(backend, p, g, state, lrs[k]);
            positions[k + 1] = p.clone();
            values[k + 1] = objective.value(p);
        }
        return new Trajectory(positions, values, lrs);
    }
}
