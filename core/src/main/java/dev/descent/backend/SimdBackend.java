package dev.descent.backend;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API backend. Reductions and matrix products use explicit SIMD; element-wise operations are
 * inherited from {@link ScalarBackend}, whose plain loops the JIT already auto-vectorises.
 *
 * <p>Loading this class needs {@code --add-modules jdk.incubator.vector}; {@link Backends} checks
 * for the module before it touches this class.
 */
public class SimdBackend extends ScalarBackend {

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    @Override
    public String name() {
        return "simd";
    }

    @Override
    public String device() {
        return "CPU, Vector API, " + S.length() + " float lanes";
    }

    @Override
    public float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        var acc = FloatVector.zero(S);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length())
            acc = FloatVector.fromArray(S, a, aOff + i).fma(FloatVector.fromArray(S, b, bOff + i), acc);
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) sum += a[aOff + i] * b[bOff + i];
        return sum;
    }

    @Override
    public void matmulNT(
            float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int m, int n, int k, boolean accumulate) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float s = dot(a, aOff + i * k, b, bOff + j * k, k);
                int idx = cOff + i * n + j;
                c[idx] = accumulate ? c[idx] + s : s;
            }
        }
    }
}
