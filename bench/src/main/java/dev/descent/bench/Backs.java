package dev.descent.bench;

import dev.descent.backend.Backend;
import dev.descent.backend.ScalarBackend;
import dev.descent.backend.SimdBackend;
import java.util.SplittableRandom;

/** Shared set-up of the benchmarks: the backend a {@code backend} parameter names, and test data. */
final class Backs {

    private Backs() {}

    /**
     * The backend a benchmark parameter names: {@code scalar}, {@code simd} (all available
     * processors), {@code simd-N} (N threads) or {@code simd-N:I} (N threads, products split from I
     * multiply-adds per float: {@link SimdBackend#setSplitIntensity(int)}).
     */
    static Backend create(String name) {
        if (name.equals("scalar")) return new ScalarBackend();
        if (name.equals("simd")) return new SimdBackend();
        if (name.startsWith("simd-")) {
            String[] parts = name.substring(5).split(":", 2);
            SimdBackend b = new SimdBackend(Integer.parseInt(parts[0]));
            if (parts.length == 2) b.setSplitIntensity(Integer.parseInt(parts[1]));
            return b;
        }
        throw new IllegalArgumentException(
                "unknown backend '" + name + "' (expected scalar, simd, simd-N or simd-N:I)");
    }

    /** n uniform floats in [-1, 1). */
    static float[] randoms(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (r.nextDouble() * 2 - 1);
        return x;
    }
}
