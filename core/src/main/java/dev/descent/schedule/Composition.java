package dev.descent.schedule;

import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;

/** The schedules that combine or adapt other schedules; built by {@link Schedule}'s default methods. */
final class Composition {

    private Composition() {}

    /** A schedule that changes another's values, not its steps: it keeps the inner momentum. */
    private interface Wrapper extends Schedule {
        Schedule inner();

        @Override
        default boolean cyclesMomentum() {
            return inner().cyclesMomentum();
        }

        @Override
        default double momentumAt(long step) {
            return inner().momentumAt(step);
        }
    }

    /** {@code inner · factor}. */
    record Scaled(Schedule inner, double factor) implements Wrapper {
        Scaled {
            Check.notNull("schedule", inner);
            Check.nonNegative("scale factor", factor);
        }

        @Override
        public double at(long step) {
            return inner.at(step) * factor;
        }

        @Override
        public OptionalLong length() {
            return inner.length();
        }
    }

    /** {@code inner} clamped into {@code [min, max]}. */
    record Clamped(Schedule inner, double min, double max) implements Wrapper {
        Clamped {
            Check.notNull("schedule", inner);
            if (!(min >= 0)) throw new IllegalArgumentException("clamp min must be >= 0, got " + min);
            Check.ordered("clamp min", min, "clamp max", max);
        }

        @Override
        public double at(long step) {
            return Math.max(min, Math.min(max, inner.at(step)));
        }

        @Override
        public OptionalLong length() {
            return inner.length();
        }
    }

    /** {@code inner} evaluated at the epoch of a step. */
    record PerEpoch(Schedule inner, long stepsPerEpoch) implements Schedule {
        PerEpoch {
            Check.notNull("schedule", inner);
            Check.positive("stepsPerEpoch", stepsPerEpoch);
        }

        @Override
        public double at(long step) {
            return inner.at(Math.floorDiv(step, stepsPerEpoch));
        }

        @Override
        public boolean cyclesMomentum() {
            return inner.cyclesMomentum();
        }

        @Override
        public double momentumAt(long step) {
            return inner.momentumAt(Math.floorDiv(step, stepsPerEpoch));
        }

        @Override
        public OptionalLong length() {
            OptionalLong epochs = inner.length();
            if (epochs.isEmpty()) return epochs;
            long e = epochs.getAsLong();
            return OptionalLong.of(e > Long.MAX_VALUE / stepsPerEpoch ? Long.MAX_VALUE : e * stepsPerEpoch);
        }
    }

    /**
     * {@code parts[0]} until {@code boundaries[0]}, then {@code parts[i]} from {@code
     * boundaries[i-1]} with its own step counter restarting at 0 (Optax's {@code join_schedules}).
     */
    record Joined(long[] boundaries, List<Schedule> parts) implements Schedule {
        Joined {
            Check.notNull("boundaries", boundaries);
            for (int i = 0; i < parts.size(); i++) Check.notNull("schedule " + i, parts.get(i));
            boundaries = boundaries.clone();
            parts = List.copyOf(parts);
            if (parts.size() != boundaries.length + 1)
                throw new IllegalArgumentException("join needs one boundary fewer than schedules: got "
                        + boundaries.length + " boundaries for " + parts.size() + " schedules");
            for (int i = 0; i < boundaries.length; i++) {
                if (boundaries[i] <= (i == 0 ? 0 : boundaries[i - 1]))
                    throw new IllegalArgumentException("join boundaries must be positive and strictly increasing, got "
                            + Arrays.toString(boundaries));
            }
        }

        @Override
        public double at(long step) {
            int i = part(step);
            return parts.get(i).at(i == 0 ? step : step - boundaries[i - 1]);
        }

        /** The index of the part that owns this step: the number of boundaries <= step. */
        private int part(long step) {
            int i = Arrays.binarySearch(boundaries, step);
            return i >= 0 ? i + 1 : -i - 1;
        }

        @Override
        public boolean cyclesMomentum() {
            for (Schedule p : parts) if (p.cyclesMomentum()) return true;
            return false;
        }

        /**
         * The owning part's momentum; a part that sets none holds the last value of the previous part
         * that does (at its last step), or before any such part the next one's first value.
         */
        @Override
        public double momentumAt(long step) {
            int i = part(step);
            if (parts.get(i).cyclesMomentum()) return parts.get(i).momentumAt(i == 0 ? step : step - boundaries[i - 1]);
            for (int j = i - 1; j >= 0; j--)
                if (parts.get(j).cyclesMomentum())
                    return parts.get(j).momentumAt(boundaries[j] - (j == 0 ? 0 : boundaries[j - 1]) - 1);
            for (int j = i + 1; j < parts.size(); j++)
                if (parts.get(j).cyclesMomentum()) return parts.get(j).momentumAt(0);
            return Schedule.super.momentumAt(step);
        }

        @Override
        public OptionalLong length() {
            OptionalLong last = parts.get(parts.size() - 1).length();
            if (last.isEmpty() || boundaries.length == 0) return last;
            long start = boundaries[boundaries.length - 1];
            long n = last.getAsLong();
            return OptionalLong.of(n > Long.MAX_VALUE - start ? Long.MAX_VALUE : start + n);
        }

        @Override
        public long[] boundaries() {
            return boundaries.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Joined j && Arrays.equals(boundaries, j.boundaries) && parts.equals(j.parts);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(boundaries) + parts.hashCode();
        }

        @Override
        public String toString() {
            return "Joined[boundaries=" + Arrays.toString(boundaries) + ", parts=" + parts + "]";
        }
    }
}
