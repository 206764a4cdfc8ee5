package dev.descent.backend;

/**
 * Counter-based uniform random numbers: {@link #uniform(long, long)} is a pure function of a key and
 * an element index (SplitMix64's finaliser applied twice), so a random mask needs no generator
 * state, draws the same numbers on every backend and in any order, and a resumed run draws again
 * exactly what it drew. A layer derives its key once per pass with {@link #key}; a device kernel
 * computes {@link #bits} with 64-bit integer arithmetic only and compares them with {@link
 * #threshold} instead of converting to double.
 */
public final class CounterRandom {
    private CounterRandom() {}

    /** The key of one pass: the run's seed, the optimizer step, the micro-batch and the layer's name. */
    public static long key(long seed, long step, int microBatch, String layer) {
        return mix(seed ^ mix(step * 0x9E3779B97F4A7C15L + microBatch)) ^ (layer.hashCode() * 0xC2B2AE3D27D4EB4FL);
    }

    /** 53 random bits for {@code element} under {@code key}. */
    public static long bits(long key, long element) {
        return mix(key ^ mix(element + 0x632BE59BD9B4E019L)) >>> 11;
    }

    /** A uniform number in [0, 1): {@code bits(key, element)·2⁻⁵³}. */
    public static double uniform(long key, long element) {
        return bits(key, element) * 0x1.0p-53;
    }

    /**
     * The integer form of {@code uniform(key, e) < p}: it holds exactly when {@code bits(key, e) <
     * threshold(p)}, for p in [0, 1].
     */
    public static long threshold(double p) {
        return (long) Math.ceil(p * 0x1.0p53);
    }

    /** SplitMix64's finaliser. */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
