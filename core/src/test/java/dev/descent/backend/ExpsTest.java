package dev.descent.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ExpsTest {

    /** Units in the last place between two finite non-negative doubles. */
    private static long ulps(double a, double b) {
        return Math.abs(Double.doubleToRawLongBits(a) - Double.doubleToRawLongBits(b));
    }

    /**
     * Within 1 ulp of {@code Math.exp} over the whole finite range, subnormal results included: 400,000
     * points, half of them in [−40, 40] (where a softmax's differences fall), half in [−745, 710].
     */
    @Test
    void withinOneUlpOfMathExp() {
        SplittableRandom r = new SplittableRandom(11);
        long worst = 0;
        double at = 0;
        for (int i = 0; i < 400_000; i++) {
            double x = i % 2 == 0 ? r.nextDouble(-40, 40) : r.nextDouble(-745, 710);
            long u = ulps(Exps.exp(x), Math.exp(x));
            if (u > worst) {
                worst = u;
                at = x;
            }
        }
        assertTrue(worst <= 1, "exp(" + at + ") is " + worst + " ulp from Math.exp");
    }

    @Test
    void edgesAndSpecialValues() {
        assertEquals(1.0, Exps.exp(0.0)); // a softmax row's largest logit: exactly 1
        assertEquals(1.0, Exps.exp(-0.0));
        assertEquals(Math.E, Exps.exp(1.0));
        assertTrue(Double.isNaN(Exps.exp(Double.NaN)));
        assertEquals(0.0, Exps.exp(Double.NEGATIVE_INFINITY));
        assertEquals(0.0, Exps.exp(-1e300));
        assertEquals(0.0, Exps.exp(-745.2)); // below half the smallest subnormal
        assertEquals(Double.MIN_VALUE, Exps.exp(-745.1));
        assertEquals(Double.POSITIVE_INFINITY, Exps.exp(709.79));
        assertEquals(Double.POSITIVE_INFINITY, Exps.exp(Double.POSITIVE_INFINITY));
        for (double x : new double[] {709.78, -708.4, -720, -744, 1e-300, -1e-300})
            assertTrue(ulps(Exps.exp(x), Math.exp(x)) <= 1, "exp(" + x + ")");
    }

    /**
     * The array form (vector lanes where the JVM has the Vector API, then a scalar tail) gives the
     * scalar form's bits for every value, at every length and offset: so a result does not depend on
     * the vector length, nor on where in a vector a value falls.
     */
    @Test
    void arrayFormGivesTheScalarBitsAtAnyLengthAndOffset() {
        SplittableRandom r = new SplittableRandom(5);
        double[] special = {0, -0.0, Double.NaN, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, -745.1, 709.78};
        for (int n : new int[] {0, 1, 7, 8, 9, 15, 16, 17, 640, 1001}) {
            for (int off : new int[] {0, 3}) {
                double[] x = new double[off + n + 2];
                for (int i = 0; i < x.length; i++)
                    x[i] = i % 13 == 5 ? special[i % special.length] : r.nextDouble(-60, 60);
                double[] y = x.clone();
                Exps.exp(y, off, n);
                for (int i = 0; i < x.length; i++) {
                    double want = i >= off && i < off + n ? Exps.exp(x[i]) : x[i];
                    // doubleToLongBits: every bit but a NaN's payload
                    assertEquals(
                            Double.doubleToLongBits(want),
                            Double.doubleToLongBits(y[i]),
                            "n " + n + ", offset " + off + ", index " + i + ", x " + x[i]);
                }
            }
        }
    }
}
