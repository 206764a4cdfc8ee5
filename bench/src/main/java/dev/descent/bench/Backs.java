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
     * processors) or {@code simd-N} (N threads).
     */
    static Backend create(String name) {
        if (name.equals("scalar")) return new ScalarBackend();
        if (name.equals("simd")) return new SimdBackend();
        if (name.startsWith("simd-")) return new SimdBackend(Integer.parseInt(name.substring(5)));
        throw new IllegalArgumentException("unknown backend '" + name + "' (expected scalar, simd or simd-N)");
    }

    /** n uniform floats in [-1, 1). */
    static float[] randoms(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (r.nextDouble() * 2 - 1);
        return x;
    }
}
