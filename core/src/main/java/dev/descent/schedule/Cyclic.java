package dev.descent.schedule;

/**
 * PyTorch's {@code CyclicLR}: the learning rate moves between {@code low} and {@code high}
 * (multipliers of the base lr, or absolute values once scaled) in a triangle rising over {@code
 * stepSizeUp} steps and falling over {@code stepSizeDown}, its amplitude shaped by the {@link
 * CyclicMode} ({@code gamma} is read by {@link CyclicMode#EXP_RANGE} only).
 *
 * <p>Like PyTorch (whose {@code cycle_momentum} defaults to true), it also cycles the optimizer's
 * momentum (SGD, RMSprop) or β₁ (Adam) inversely to the learning rate, between {@code maxMomentum}
 * where the rate is lowest and {@code baseMomentum} at its peak (defaults 0.9 and 0.8): an SGD
 * configured without momentum then runs with the cycled one, as it does in PyTorch. Turn it off
 * with {@link #withoutMomentumCycling()} (needed for optimizers without a momentum, e.g. Adagrad).
 */
public record Cyclic(
        double low,
        double high,
        long stepSizeUp,
        long stepSizeDown,
        CyclicMode mode,
        double gamma,
        boolean cycleMomentum,
        double baseMomentum,
        double maxMomentum)
        implements Schedule {

    /** PyTorch's default momentum range for {@code CyclicLR}: 0.8 at the peak lr, 0.9 at the lowest. */
    public static final double BASE_MOMENTUM = 0.8, MAX_MOMENTUM = 0.9;

    /**
     * @throws IllegalArgumentException if low or high is negative or {@code low > high}, a step size
     *     is not positive, gamma is not positive, or a cycled momentum is outside [0, 1) or {@code
     *     base > max}
     */
    public Cyclic {
        Check.nonNegative("low", low);
        Check.nonNegative("high", high);
        Check.ordered("low", low, "high", high);
        Check.positive("stepSizeUp", stepSizeUp);
        Check.positive("stepSizeDown", stepSizeDown);
        Check.notNull("mode", mode);
        Check.positive("gamma", gamma);
        if (cycleMomentum) {
            Check.fraction("baseMomentum", baseMomentum);
            Check.fraction("maxMomentum", maxMomentum);
            Check.ordered("baseMomentum", baseMomentum, "maxMomentum", maxMomentum);
        }
    }

    @Override
    public double at(long step) {
        return low + (high - low) * height(step);
    }

    @Override
    public boolean cyclesMomentum() {
        return cycleMomentum;
    }

    /**
     * The momentum for optimizer step {@code step}: {@code maxMomentum - (max - base)·h}, where h is
     * the fraction of the way from low to high that {@link #at} is at.
     *
     * @throws IllegalStateException if momentum cycling is off
     */
    @Override
    public double momentumAt(long step) {
        if (!cycleMomentum) throw new IllegalStateException("momentum cycling is off for " + this);
        return maxMomentum - (maxMomentum - baseMomentum) * height(step);
    }

    /** Where step {@code step} is between the low (0) and the high (1) value, amplitude included. */
    private double height(long step) {
        Check.step(step);
        double size = (double) stepSizeUp + stepSizeDown, ratio = stepSizeUp / size;
        double cycle = Math.floor(1 + step / size);
        double x = 1 + step / size - cycle;
        double rise = x <= ratio ? x / ratio : (x - 1) / (ratio - 1);
        double amplitude =
                switch (mode) {
                    case TRIANGULAR -> 1;
                    case TRIANGULAR2 -> 1 / Math.pow(2, cycle - 1);
                    case EXP_RANGE -> Math.pow(gamma, step);
                };
        return rise * amplitude;
    }

    /** This policy cycling the momentum between {@code base} (at the peak lr) and {@code max}. */
    public Cyclic withMomentum(double base, double max) {
        return new Cyclic(low, high, stepSizeUp, stepSizeDown, mode, gamma, true, base, max);
    }

    /** This policy leaving the optimizer's momentum alone ({@link #momentumAt} then throws). */
    public Cyclic withoutMomentumCycling() {
        return new Cyclic(low, high, stepSizeUp, stepSizeDown, mode, gamma, false, baseMomentum, maxMomentum);
    }
}
