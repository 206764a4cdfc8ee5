package dev.descent.schedule;

/** How a schedule moves from one value to another over a phase: along a half cosine or a line. */
public enum Anneal {
    /** {@code end + (start - end)·(1 + cos(π·pct))/2}: flat at both ends. */
    COS {
        @Override
        public double between(double start, double end, double pct) {
            return end + (start - end) / 2.0 * (Math.cos(Math.PI * pct) + 1);
        }
    },
    /** {@code start + (end - start)·pct}. */
    LINEAR {
        @Override
        public double between(double start, double end, double pct) {
            return (end - start) * pct + start;
        }
    };

    /**
     * The value at fraction {@code pct} of the way from {@code start} (pct 0) to {@code end} (pct
     * 1). Outside [0, 1] the formula simply continues (the cosine is periodic).
     */
    public abstract double between(double start, double end, double pct);
}
