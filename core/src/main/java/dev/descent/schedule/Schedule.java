package dev.descent.schedule;

import java.util.OptionalLong;

/**
 * A learning rate (or a multiplier of one) as a pure function of the optimizer step: {@link
 * #at(long) at(k)} is the value used by step {@code k}, counted from 0. A schedule holds no state,
 * so resuming training needs only the step counter.
 *
 * <p>Values are multipliers of a base learning rate unless a schedule has been scaled; see the
 * package documentation for the convention and {@link Schedules} for the factories. The default
 * methods compose schedules into new ones and never change this one.
 *
 * <p>Implementations must be pure and immutable. A lambda is a valid (unbounded) schedule.
 */
@FunctionalInterface
public interface Schedule {

    /**
     * The value for optimizer step {@code step}.
     *
     * @throws IllegalArgumentException if {@code step < 0} (the built-in schedules check)
     */
    double at(long step);

    /**
     * How many steps this schedule is made for, if it has an end: {@code then} starts the next
     * schedule after this many steps. Empty for schedules that go on for ever (constant, decays,
     * cycles). What a finite schedule returns after its end is documented by its factory.
     */
    default OptionalLong length() {
        return OptionalLong.empty();
    }

    /**
     * Whether this schedule also sets the optimizer's momentum (SGD, RMSprop) or β₁ (Adam) at every
     * step, as PyTorch's {@code OneCycleLR} does; a composition ({@code then}, {@code join}, {@code
     * scale}, {@code clamp}, {@code perEpoch}) of such a schedule does too.
     */
    default boolean cyclesMomentum() {
        return false;
    }

    /**
     * The momentum (or β₁) for optimizer step {@code step}, when {@link #cyclesMomentum()}.
     *
     * @throws IllegalStateException if this schedule sets no momentum
     */
    default double momentumAt(long step) {
        throw new IllegalStateException(this + " sets no momentum");
    }

    /**
     * This schedule for {@link #length()} steps, then {@code next} with its step counter starting at
     * 0. The result has an end only if {@code next} has one.
     *
     * @throws IllegalArgumentException if this schedule has no length (use {@link Schedules#join}
     *     to say where it ends)
     */
    default Schedule then(Schedule next) {
        OptionalLong n = length();
        if (n.isEmpty())
            throw new IllegalArgumentException(
                    "then: " + this + " has no end; use Schedules.join(boundaries, ...) to say where it stops");
        return Schedules.join(new long[] {n.getAsLong()}, this, next);
    }

    /**
     * Every value times {@code factor}: {@code shape.scale(0.1)} turns a multiplier into a learning
     * rate for base lr 0.1.
     *
     * @throws IllegalArgumentException if factor is negative, NaN or infinite
     */
    default Schedule scale(double factor) {
        return new Composition.Scaled(this, factor);
    }

    /**
     * Every value clamped into {@code [min, max]} ({@code max} may be infinite).
     *
     * @throws IllegalArgumentException if {@code min < 0}, {@code min > max} or either is NaN
     */
    default Schedule clamp(double min, double max) {
        return new Composition.Clamped(this, min, max);
    }

    /**
     * This schedule counted in epochs: step {@code s} uses the value for epoch {@code
     * floor(s / stepsPerEpoch)}, so the value is constant within an epoch (PyTorch's per-epoch
     * {@code scheduler.step()}). A length in epochs becomes a length in steps.
     *
     * @throws IllegalArgumentException if {@code stepsPerEpoch <= 0}
     */
    default Schedule perEpoch(long stepsPerEpoch) {
        return new Composition.PerEpoch(this, stepsPerEpoch);
    }
}
