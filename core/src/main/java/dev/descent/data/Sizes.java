package dev.descent.data;

import java.util.Locale;

/**
 * The one home of "does it fit": in a Java array, and in this JVM's heap. Sizes are computed in
 * {@code long} with {@code Math.*Exact} by the callers and checked here <em>before</em> anything is
 * allocated, so that a small file or a large option value is refused with a message instead of
 * driving the JVM into an {@link OutOfMemoryError}, a long GC hang or a wrapped negative size.
 *
 * <p>The heap limit is {@link Runtime#maxMemory()} (set with {@code -Xmx}); the system property
 * {@value #HEAP_PROPERTY} (bytes) lowers it, e.g. for tests.
 */
public final class Sizes {

    /** The largest array length every JVM allocates (a few header words below 2³¹−1). */
    public static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    /**
     * Copies of a data set's values a run holds at its peak: the loaded set, its training/test
     * split, and the standardised split.
     */
    public static final int DATA_COPIES = 3;

    /** Lowers the heap limit the checks use to this many bytes. */
    public static final String HEAP_PROPERTY = "descent.heapLimit";

    private Sizes() {}

    /** The heap this JVM may use, in bytes: {@code Runtime.maxMemory()} or {@value #HEAP_PROPERTY}. */
    public static long heapLimit() {
        long max = Runtime.getRuntime().maxMemory();
        String p = System.getProperty(HEAP_PROPERTY);
        return p == null ? max : Math.min(max, Long.parseLong(p.strip()));
    }

    /** True if {@code bytes} (live at once) fit in the heap. */
    public static boolean fitsHeap(long bytes) {
        return bytes >= 0 && bytes <= heapLimit();
    }

    /** True if {@code n} elements fit in one Java array. */
    public static boolean fitsArray(long n) {
        return n >= 0 && n <= MAX_ARRAY;
    }

    /**
     * Null if {@code bytes} fit in the heap, else the reason for a message: "needs 9.3 GB, more than
     * the heap limit of 4.0 GB (raise it with -Xmx)".
     */
    public static String heapProblem(long bytes) {
        if (fitsHeap(bytes)) return null;
        return "needs " + bytes(bytes) + ", more than the heap limit of " + bytes(heapLimit())
                + " (raise it with -Xmx)";
    }

    /**
     * Null if {@code n} elements fit in one Java array, else the reason: "2,147,483,648 values, more
     * than a Java array holds (2,147,483,639)".
     */
    public static String arrayProblem(long n) {
        if (fitsArray(n)) return null;
        return String.format(Locale.ROOT, "%,d values, more than a Java array holds (%,d)", n, MAX_ARRAY);
    }

    /** Both checks for {@code n} float values held in {@code copies} copies; null if they fit. */
    public static String floatsProblem(long n, int copies) {
        String a = arrayProblem(n);
        return a != null ? a : heapProblem(saturatedMultiply(saturatedMultiply(n, Float.BYTES), copies));
    }

    /** {@code a × b}, or {@link Long#MAX_VALUE} when it overflows (both non-negative). */
    public static long saturatedMultiply(long a, long b) {
        long hi = Math.multiplyHigh(a, b);
        return hi != 0 || a * b < 0 ? Long.MAX_VALUE : a * b;
    }

    /** A byte count for people: "812 bytes", "9.3 MB", "4.0 GB" (powers of 1024). */
    public static String bytes(long n) {
        if (n < 1024) return n + " bytes";
        String[] units = {"KB", "MB", "GB", "TB", "PB", "EB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
