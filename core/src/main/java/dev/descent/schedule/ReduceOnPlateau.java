package dev.descent.schedule;

import java.util.Map;

/**
 * Lowers the learning rate when a metric stops improving (PyTorch's {@code ReduceLROnPlateau}),
 * on top of any schedule: {@code lr(step) = max(schedule(step)·factor, min(schedule(step), minLr))}
 * where {@code factor} starts at 1 and is multiplied by {@link Config#factor()} on each plateau. So
 * a reduction never takes the learning rate below {@code minLr}, and never lifts it above what the
 * schedule alone gives. With a constant schedule this is exactly PyTorch's behaviour.
 *
 * <p>Unlike a {@link Schedule} this is stateful: {@link #report} updates it. The whole state is
 * the small {@link State} record, which a checkpoint saves with {@link #state()} and brings back with
 * {@link #restore}. Not thread-safe.
 */
public final class ReduceOnPlateau {

    /** Whether a lower or a higher metric is better. */
    public enum Mode {
        MIN,
        MAX
    }

    /** Whether {@link Config#threshold()} is relative to the best value or absolute. */
    public enum ThresholdMode {
        REL,
        ABS
    }

    /**
     * The policy, immutable; PyTorch's meaning and {@link #DEFAULTS defaults}.
     *
     * @param factor multiplier applied on a plateau, in (0, 1)
     * @param patience reports without improvement tolerated before reducing
     * @param threshold how much better a metric must be to count as an improvement
     * @param cooldown reports to wait after a reduction before counting bad reports again
     * @param minLr floor for reductions, in the units of the schedule's values
     * @param eps a reduction that changes the factor by no more than this is skipped (PyTorch
     *     compares learning rates; the two agree when the schedule's value is 1)
     */
    public record Config(
            Mode mode,
            double factor,
            int patience,
            double threshold,
            ThresholdMode thresholdMode,
            int cooldown,
            double minLr,
            double eps) {

        /** PyTorch's defaults: min, factor 0.1, patience 10, threshold 1e-4 rel, cooldown 0, minLr 0, eps 1e-8. */
        public static final Config DEFAULTS = new Config(Mode.MIN, 0.1, 10, 1e-4, ThresholdMode.REL, 0, 0, 1e-8);

        /** @throws IllegalArgumentException naming the first impossible parameter and its value */
        public Config {
            Check.notNull("mode", mode);
            Check.strictlyWithin("factor", factor, 0, 1);
            Check.nonNegative("patience", patience);
            Check.nonNegative("threshold", threshold);
            Check.notNull("thresholdMode", thresholdMode);
            Check.nonNegative("cooldown", cooldown);
            Check.nonNegative("minLr", minLr);
            Check.nonNegative("eps", eps);
        }

        public Config withMode(Mode mode) {
            return new Config(mode, factor, patience, threshold, thresholdMode, cooldown, minLr, eps);
        }

        public Config withFactor(double factor) {
            return new Config(mode, factor, patience, threshold, thresholdMode, cooldown, minLr, eps);
        }

        public Config withPatience(int patience) {
            return new Config(mode, factor, patience, threshold, thresholdMode, cooldown, minLr, eps);
        }

        public Config withThreshold(double threshold, ThresholdMode thresholdMode) {
            return new Config(mode, factor, patience, threshold, thresholdMode, cooldown, minLr, eps);
        }

        public Config withCooldown(int cooldown) {
            return new Config(mode, factor, patience, threshold, thresholdMode, cooldown, minLr, eps);
        }

        public Config withMinLr(double minLr) {
            return new Config(mode, factor, patience, threshold, thresholdMode, cooldown, minLr, eps);
        }

        public Config withEps(double eps) {
            return new Config(mode, factor, patience, threshold, thresholdMode, cooldown, minLr, eps);
        }

        /** PyTorch's {@code is_better}: whether {@code metric} improves on {@code best}. */
        boolean improves(double metric, double best) {
            return switch (mode) {
                case MIN -> metric < (thresholdMode == ThresholdMode.REL ? best * (1 - threshold) : best - threshold);
                case MAX -> metric > (thresholdMode == ThresholdMode.REL ? best * (threshold + 1) : best + threshold);
            };
        }

        /** The starting "best": the worst possible metric. */
        double worst() {
            return mode == Mode.MIN ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
        }
    }

    /**
     * Everything that changes: the current factor, the best metric so far, the reports in a row
     * without improvement, and the reports of cooldown left.
     */
    public record State(double factor, double best, int badReports, int cooldownLeft) {
        /** @throws IllegalArgumentException for a factor outside [0, 1] or a negative counter */
        public State {
            Check.within("factor", factor, 0, 1);
            Check.nonNegative("badReports", badReports);
            Check.nonNegative("cooldownLeft", cooldownLeft);
        }
    }

    private final Schedule schedule;
    private final Config config;
    private double factor;
    private double best;
    private int badReports;
    private int cooldownLeft;

    /** A controller over {@code schedule}, starting with factor 1 and no metric seen. */
    public ReduceOnPlateau(Schedule schedule, Config config) {
        this.schedule = Check.notNull("schedule", schedule);
        this.config = Check.notNull("config", config);
        restore(new State(1, config.worst(), 0, 0));
    }

    /**
     * A controller from a spec in the format of {@code shared/reference/schedules.json} (PyTorch's
     * names: mode, factor, patience, threshold, threshold_mode, cooldown, min_lr, eps; missing ones
     * at PyTorch's defaults) over {@code schedule}.
     *
     * @throws IllegalArgumentException naming an impossible parameter and its value
     */
    public static ReduceOnPlateau fromSpec(Map<String, ?> params, Schedule schedule) {
        Config d = Config.DEFAULTS;
        return Spec.reading("reduce_on_plateau", () -> {
            Spec p = new Spec(params);
            return new ReduceOnPlateau(
                    schedule,
                    new Config(
                            p.choice("mode", Mode.class, d.mode()),
                            p.number("factor", d.factor()),
                            Math.toIntExact(p.integer("patience", d.patience())),
                            p.number("threshold", d.threshold()),
                            p.choice("threshold_mode", ThresholdMode.class, d.thresholdMode()),
                            Math.toIntExact(p.integer("cooldown", d.cooldown())),
                            p.number("min_lr", d.minLr()),
                            p.number("eps", d.eps())));
        });
    }

    /** The learning rate for {@code step}: the schedule's value, reduced by the current factor. */
    public double at(long step) {
        double s = schedule.at(step);
        return Math.max(s * factor, Math.min(s, config.minLr()));
    }

    /**
     * Takes one observation of the metric (typically once per epoch, after its last step) and
     * reduces the factor after more than {@code patience} reports without improvement. A NaN metric
     * never counts as an improvement.
     *
     * @return whether this report reduced the factor
     */
    public boolean report(double metric) {
        if (config.improves(metric, best)) {
            best = metric;
            badReports = 0;
        } else {
            badReports++;
        }
        if (cooldownLeft > 0) {
            cooldownLeft--;
            badReports = 0; // bad reports in cooldown do not count
        }
        if (badReports <= config.patience()) return false;
        cooldownLeft = config.cooldown();
        badReports = 0;
        double reduced = factor * config.factor();
        if (factor - reduced <= config.eps()) return false;
        factor = reduced;
        return true;
    }

    /** The multiplier currently applied to the schedule (1 until the first reduction). */
    public double factor() {
        return factor;
    }

    public State state() {
        return new State(factor, best, badReports, cooldownLeft);
    }

    /** Continues from a saved {@link #state()}. */
    public void restore(State state) {
        Check.notNull("state", state);
        factor = state.factor();
        best = state.best();
        badReports = state.badReports();
        cooldownLeft = state.cooldownLeft();
    }

    public Schedule schedule() {
        return schedule;
    }

    public Config config() {
        return config;
    }

    @Override
    public String toString() {
        return "ReduceOnPlateau[" + config + ", " + state() + ", schedule=" + schedule + "]";
    }
}
