package dev.descent.backend;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * e<sup>x</sup> over an array of doubles, within one unit in the last place of {@link Math#exp}, and
 * the same bits on every JVM, JIT tier, processor and vector length. It takes only exactly rounded
 * steps (fused multiply-adds, products, sums, comparisons and bit moves), so the Vector API's lanes,
 * when the JVM has the module ({@link Backends#VECTOR_FLAG}), and the scalar loop agree bit for bit
 * ({@code Math.exp}'s contract allows any result within 1 ulp, so its last bit may differ between
 * JVMs and platforms).
 *
 * <p>The steps: x is clamped to [−746, 710] (beyond them the result is 0 or infinity either way),
 * reduced to {@code x = k·ln 2 + r} with |r| ≤ ln 2 / 2 (Cody and Waite's two-part ln 2, fdlibm's
 * constants); e<sup>r</sup> is its Taylor polynomial of degree 13 (truncation below 2⁻⁵⁴ of the
 * result) in Horner's form; then multiplied by 2<sup>⌊k/2⌋</sup> and by
 * 2<sup>k−⌊k/2⌋</sup>, so that a subnormal result is rounded once. NaN gives NaN, −∞ gives 0.
 * Against {@code Math.exp} on 20 million points in [−745, 745]: at most 1 ulp apart, 6 % of them
 * 1 ulp apart.
 *
 * <p>The MLP's loss takes 640 at a time (64 rows of 10 logits): 0.85 µs with 8 lanes, copying them
 * in included, against 2.7–3.7 µs for {@code Math.exp} one at a time; the loss and its gradient
 * 6.8–7.4 → 4.6–5.8 µs in the training step (2-core Zen 4, JDK 17).
 */
public final class Exps {

    private static final double LOG2E = 0x1.71547652b82fep0;
    /** 1.5 · 2⁵²: adding it rounds x·log₂e to an integer, k, which its low bits then hold. */
    private static final double SHIFTER = 0x1.8p52;

    private static final long SHIFTER_BITS = Double.doubleToRawLongBits(SHIFTER);
    /** ln 2 in two parts, the first with 21 trailing zero bits, so that k·LN2_HI is exact (fdlibm). */
    private static final double LN2_HI = 6.93147180369123816490e-01, LN2_LO = 1.90821492927058770002e-10;

    private static final double LOWEST = -746, HIGHEST = 710;
    /** Cn = 1/n!, the Taylor coefficients of e^r. */
    private static final double C2 = 1 / 2.0,
            C3 = 1 / 6.0,
            C4 = 1 / 24.0,
            C5 = 1 / 120.0,
            C6 = 1 / 720.0,
            C7 = 1 / 5040.0,
            C8 = 1 / 40320.0,
            C9 = 1 / 362880.0,
            C10 = 1 / 3628800.0,
            C11 = 1 / 39916800.0,
            C12 = 1 / 479001600.0,
            C13 = 1 / 6227020800.0;

    private static final boolean VECTORS = Backends.vectorUnavailableReason() == null;

    private Exps() {}

    /** {@code x[off + i] = e^x[off + i]} for {@code i < n}. Reads and overwrites those n values of x. */
    public static void exp(double[] x, int off, int n) {
        int i = VECTORS ? Lanes.exp(x, off, n) : 0;
        for (; i < n; i++) x[off + i] = exp(x[off + i]);
    }

    /** e^x, the same bits as {@link #exp(double[], int, int)} gives for x. */
    public static double exp(double x) {
        x = Math.min(Math.max(x, LOWEST), HIGHEST);
        double t = Math.fma(x, LOG2E, SHIFTER);
        double kd = t - SHIFTER;
        double r = Math.fma(kd, -LN2_HI, x);
        r = Math.fma(kd, -LN2_LO, r);
        double p = Math.fma(C13, r, C12);
        p = Math.fma(Math.fma(Math.fma(Math.fma(p, r, C11), r, C10), r, C9), r, C8);
        p = Math.fma(Math.fma(Math.fma(Math.fma(p, r, C7), r, C6), r, C5), r, C4);
        p = Math.fma(Math.fma(Math.fma(Math.fma(p, r, C3), r, C2), r, 1), r, 1);
        long k = Double.doubleToRawLongBits(t) - SHIFTER_BITS, h = k >> 1;
        return p * Double.longBitsToDouble((h + 1023) << 52) * Double.longBitsToDouble((k - h + 1023) << 52);
    }

    /** The vector loop, in a class of its own: loaded only when the JVM has the Vector API. */
    private static final class Lanes {
        private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;

        /** {@link #exp(double[], int, int)} on the whole vectors from off; returns how many values it did. */
        static int exp(double[] x, int off, int n) {
            int whole = n - n % D.length();
            for (int i = 0; i < whole; i += D.length()) {
                DoubleVector v =
                        DoubleVector.fromArray(D, x, off + i).max(LOWEST).min(HIGHEST);
                DoubleVector t = v.fma(LOG2E, SHIFTER);
                DoubleVector kd = t.sub(SHIFTER);
                DoubleVector r = kd.fma(DoubleVector.broadcast(D, -LN2_HI), v);
                r = kd.fma(DoubleVector.broadcast(D, -LN2_LO), r);
                DoubleVector p = r.fma(C13, C12);
                p = p.fma(r, DoubleVector.broadcast(D, C11))
                        .fma(r, DoubleVector.broadcast(D, C10))
                        .fma(r, DoubleVector.broadcast(D, C9))
                        .fma(r, DoubleVector.broadcast(D, C8))
                        .fma(r, DoubleVector.broadcast(D, C7))
                        .fma(r, DoubleVector.broadcast(D, C6))
                        .fma(r, DoubleVector.broadcast(D, C5))
                        .fma(r, DoubleVector.broadcast(D, C4))
                        .fma(r, DoubleVector.broadcast(D, C3))
                        .fma(r, DoubleVector.broadcast(D, C2))
                        .fma(r, DoubleVector.broadcast(D, 1))
                        .fma(r, DoubleVector.broadcast(D, 1));
                LongVector k = t.reinterpretAsLongs().sub(SHIFTER_BITS);
                LongVector h = k.lanewise(VectorOperators.ASHR, 1);
                DoubleVector s1 = h.add(1023).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles();
                DoubleVector s2 =
                        k.sub(h).add(1023).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles();
                p.mul(s1).mul(s2).intoArray(x, off + i);
            }
            return whole;
        }
    }
}
