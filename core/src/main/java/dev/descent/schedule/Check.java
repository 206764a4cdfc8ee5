package dev.descent.schedule;

/** Parameter checks shared by the schedules; every message names the parameter and its value. */
final class Check {

    private Check() {}

    /** {@code v > 0}. */
    static long positive(String name, long v) {
        if (v <= 0) throw new IllegalArgumentException(name + " must be > 0, got " + v);
        return v;
    }

    /** {@code v >= 0}. */
    static long nonNegative(String name, long v) {
        if (v < 0) throw new IllegalArgumentException(name + " must be >= 0, got " + v);
        return v;
    }

    /** {@code v > 0} and finite. */
    static double positive(String name, double v) {
        if (!(v > 0) || Double.isInfinite(v))
            throw new IllegalArgumentException(name + " must be a finite number > 0, got " + v);
        return v;
    }

    /** {@code v >= 0} and finite. */
    static double nonNegative(String name, double v) {
        return atLeast(name, v, 0);
    }

    /** {@code v >= lo} and finite. */
    static double atLeast(String name, double v, double lo) {
        if (!(v >= lo) || Double.isInfinite(v))
            throw new IllegalArgumentException(name + " must be a finite number >= " + show(lo) + ", got " + v);
        return v;
    }

    /** {@code 0 <= v < 1}, e.g. a momentum. */
    static double fraction(String name, double v) {
        if (!(v >= 0 && v < 1)) throw new IllegalArgumentException(name + " must be in [0, 1), got " + v);
        return v;
    }

    /** {@code lo <= v <= hi}. */
    static double within(String name, double v, double lo, double hi) {
        if (!(v >= lo && v <= hi))
            throw new IllegalArgumentException(name + " must be in [" + show(lo) + ", " + show(hi) + "], got " + v);
        return v;
    }

    /** {@code lo < v < hi}. */
    static double strictlyWithin(String name, double v, double lo, double hi) {
        if (!(v > lo && v < hi))
            throw new IllegalArgumentException(name + " must be in (" + show(lo) + ", " + show(hi) + "), got " + v);
        return v;
    }

    /** {@code low <= high}, for a pair of bounds such as a minimum and a maximum learning rate. */
    static void ordered(String lowName, double low, String highName, double high) {
        if (!(low <= high))
            throw new IllegalArgumentException(
                    lowName + " (" + low + ") must not be greater than " + highName + " (" + high + ")");
    }

    /** A step, the argument of {@link Schedule#at}: {@code >= 0}. */
    static long step(long step) {
        if (step < 0) throw new IllegalArgumentException("step must be >= 0, got " + step);
        return step;
    }

    static <T> T notNull(String name, T v) {
        if (v == null) throw new IllegalArgumentException(name + " must not be null");
        return v;
    }

    /** A bound for a message: 1 rather than 1.0. */
    private static String show(double bound) {
        return bound == Math.rint(bound) && Math.abs(bound) < 1e15
                ? Long.toString((long) bound)
                : Double.toString(bound);
    }
}
