package dev.descent.metric;

/** The decisions the classification metrics share: predicted class, positive output, positive target. */
final class Decisions {
    private Decisions() {}

    /** The first index of the largest of {@code a[off..off+n)}: the predicted class. */
    static int argMax(float[] a, int off, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) if (a[off + i] > a[off + best]) best = i;
        return best;
    }

    /** A real-valued target counts as the positive class above 0.5 (0/1 and ±1 targets). */
    static boolean positiveTarget(float target) {
        return target > 0.5f;
    }

    /** The error for a metric that does not apply: names the metric, the shape and what it needs. */
    static IllegalArgumentException refuse(Metric m, Metric.Shape s, String needs) {
        String has = s.classIndex()
                ? s.outputs() + " classes (class-index targets)"
                : s.outputs() + " real-valued output column" + (s.outputs() == 1 ? "" : "s");
        return new IllegalArgumentException("metric '" + m.name() + "' needs " + needs + "; the model has " + has);
    }
}
