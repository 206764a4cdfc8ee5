package dev.descent.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link SimdBackend#sumSquares}'s plain-Java form (below {@link SimdBackend#SCALAR_SUM_SQUARES_BELOW}
 * floats) gives the Vector API form's bits, so the size at which it switches changes no gradient norm,
 * and both agree with the sum in double.
 */
class SumSquaresTest {

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 15, 63, 64, 65, 1000, 4097, 32769, 65535, 65536, 70001, 300_000})
    void laneFormEqualsVectorForm(int n) {
        SplittableRandom r = new SplittableRandom(n);
        float[] a = new float[n + 5];
        for (int i = 0; i < a.length; i++) a[i] = (float) (r.nextGaussian() * Math.exp(r.nextGaussian()));
        a[(n + 5) / 2] = 0; // and some exact zeros, as in a compact gradient's tail
        for (int off : new int[] {0, 3}) {
            double vector = SimdBackend.sumSquaresVector(a, off, n);
            assertEquals(
                    Double.doubleToLongBits(vector),
                    Double.doubleToLongBits(SimdBackend.sumSquaresLanes(a, off, n)),
                    "n=" + n + " off=" + off);
            assertEquals(
                    Double.doubleToLongBits(vector),
                    Double.doubleToLongBits(new SimdBackend(1).sumSquares(a, off, n)),
                    "n=" + n);
            double exact = 0;
            for (int i = 0; i < n; i++) exact += (double) a[off + i] * a[off + i];
            assertEquals(exact, vector, 1e-6 * exact);
        }
    }
}
