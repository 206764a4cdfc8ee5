package dev.descent.schedule;

import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * The 1cycle policy (PyTorch's {@code OneCycleLR}): the value rises from {@code peak/divFactor} to
 * {@code peak} over the first {@code pctStart} of the run, then anneals to {@code
 * peak/(divFactor·finalDivFactor)}. With {@code threePhase} it first comes back down to the start
 * value over an equally long phase and only then anneals to the minimum. The momentum, when cycled,
 * moves the other way between {@code maxMomentum} and {@code baseMomentum}.
 *
 * <p>{@code peak} is 1 from {@link Schedules#oneCycle}, making this a multiplier of the base
 * learning rate, which therefore plays PyTorch's {@code max_lr}; {@link #scale} multiplies the peak
 * and keeps the momentum. After {@code totalSteps} the last value is held (PyTorch raises).
 *
 * <p>Build with {@link Schedules#oneCycle(long)} and the {@code with...} methods.
 */
public record OneCycle(
        double peak,
        long totalSteps,
        double pctStart,
        Anneal anneal,
        double divFactor,
        double finalDivFactor,
        boolean threePhase,
        boolean cycleMomentum,
        double baseMomentum,
        double maxMomentum)
        implements Schedule {

    /**
     * @throws IllegalArgumentException for a negative peak, a step count {@code <= 0}, {@code pctStart}
     *     outside (0, 1) (or above 0.5 with three phases), a divisor below 1, a momentum outside [0,
     *     1) or {@code baseMomentum > maxMomentum}
     */
    public OneCycle {
        Check.nonNegative("peak", peak);
        Check.positive("totalSteps", totalSteps);
        Check.strictlyWithin("pctStart", pctStart, 0, 1);
        if (threePhase && pctStart > 0.5)
            throw new IllegalArgumentException("pctStart must be <= 0.5 with threePhase, got " + pctStart);
        Check.notNull("anneal", anneal);
        Check.atLeast("divFactor", divFactor, 1);
        Check.atLeast("finalDivFactor", finalDivFactor, 1);
        Check.fraction("baseMomentum", baseMomentum);
        Check.fraction("maxMomentum", maxMomentum);
        Check.ordered("baseMomentum", baseMomentum, "maxMomentum", maxMomentum);
    }

    /** PyTorch's defaults: peak 1, pctStart 0.3, cosine, divFactor 25, finalDivFactor 10⁴, momentum 0.85–0.95. */
    static OneCycle defaults(long totalSteps) {
        return new OneCycle(1, totalSteps, 0.3, Anneal.COS, 25, 1e4, false, true, 0.85, 0.95);
    }

    @Override
    public double at(long step) {
        double start = peak / divFactor;
        return interpolate(step, start, peak, start, start / finalDivFactor);
    }

    /**
     * The momentum (or Adam's β₁) for optimizer step {@code step}: {@code maxMomentum} where the
     * learning rate is lowest, {@code baseMomentum} at its peak.
     *
     * @throws IllegalStateException if momentum cycling is off
     */
    @Override
    public boolean cyclesMomentum() {
        return cycleMomentum;
    }

    @Override
    public double momentumAt(long step) {
        if (!cycleMomentum) throw new IllegalStateException("momentum cycling is off for " + this);
        return interpolate(step, maxMomentum, baseMomentum, maxMomentum, maxMomentum);
    }

    /**
     * PyTorch's phase walk: from {@code v0} up to {@code v1} until step {@code pT-1}, with three
     * phases back to {@code v2} until {@code 2pT-2}, then to {@code v3} at {@code T-1}, held after.
     */
    private double interpolate(long step, double v0, double v1, double v2, double v3) {
        long t = Math.min(Check.step(step), totalSteps - 1);
        double end1 = pctStart * totalSteps - 1, last = totalSteps - 1;
        if (t <= end1) return phase(t, 0, end1, v0, v1);
        if (!threePhase) return phase(t, end1, last, v1, v3);
        double end2 = 2 * pctStart * totalSteps - 2;
        if (t <= end2) return phase(t, end1, end2, v1, v2);
        return phase(t, end2, last, v2, v3);
    }

    /** The value at step t of a phase running from step {@code from} (value a) to {@code to} (value b). */
    private double phase(long t, double from, double to, double a, double b) {
        return anneal.between(a, b, to > from ? (t - from) / (to - from) : 1);
    }

    @Override
    public OptionalLong length() {
        return OptionalLong.of(totalSteps);
    }

    /** This policy with its peak multiplied by {@code factor}; the momentum is unchanged. */
    @Override
    public OneCycle scale(double factor) {
        Check.nonNegative("scale factor", factor);
        return with(f -> f.peak = peak * factor);
    }

    /** The fraction of the run spent rising to the peak (default 0.3). */
    public OneCycle withPctStart(double pctStart) {
        return with(f -> f.pctStart = pctStart);
    }

    /** Cosine (default) or linear annealing in every phase. */
    public OneCycle withAnneal(Anneal anneal) {
        return with(f -> f.anneal = anneal);
    }

    /** Start at {@code peak/divFactor} (default 25); end at that divided by {@code finalDivFactor} (default 10⁴). */
    public OneCycle withDivFactors(double divFactor, double finalDivFactor) {
        return with(f -> {
            f.divFactor = divFactor;
            f.finalDivFactor = finalDivFactor;
        });
    }

    /** Fast.ai's three phases (up, back down to the start value, then to the minimum) instead of two. */
    public OneCycle withThreePhase(boolean threePhase) {
        return with(f -> f.threePhase = threePhase);
    }

    /** Cycle the momentum between {@code base} (at the lr peak) and {@code max} (default 0.85, 0.95). */
    public OneCycle withMomentum(double base, double max) {
        return with(f -> {
            f.cycleMomentum = true;
            f.baseMomentum = base;
            f.maxMomentum = max;
        });
    }

    /** Leave the momentum alone ({@link #momentumAt} then throws). */
    public OneCycle withoutMomentumCycling() {
        return with(f -> f.cycleMomentum = false);
    }

    /** A copy of this policy with some components changed; the constructor checks the result. */
    private OneCycle with(Consumer<Fields> change) {
        Fields f = new Fields(this);
        change.accept(f);
        return new OneCycle(
                f.peak,
                totalSteps,
                f.pctStart,
                f.anneal,
                f.divFactor,
                f.finalDivFactor,
                f.threePhase,
                f.cycleMomentum,
                f.baseMomentum,
                f.maxMomentum);
    }

    /** The components a {@code with...} method may change, as mutable fields. */
    private static final class Fields {
        double peak, pctStart, divFactor, finalDivFactor, baseMomentum, maxMomentum;
        Anneal anneal;
        boolean threePhase, cycleMomentum;

        Fields(OneCycle c) {
            peak = c.peak;
            pctStart = c.pctStart;
            anneal = c.anneal;
            divFactor = c.divFactor;
            finalDivFactor = c.finalDivFactor;
            threePhase = c.threePhase;
            cycleMomentum = c.cycleMomentum;
            baseMomentum = c.baseMomentum;
            maxMomentum = c.maxMomentum;
        }
    }
}
