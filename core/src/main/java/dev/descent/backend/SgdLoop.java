package dev.descent.backend;

import dev.descent.optim.Sgd;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link ScalarBackend#sgdRange} with momentum, bit for bit the same, without floating-point
 * arithmetic on the subnormal momentum that a zero gradient leaves behind.
 *
 * <p>Where a parameter's gradient stays exactly zero (an input pixel that is almost always blank, a
 * unit that no longer fires), its momentum {@code v ← μ·v} decays into the subnormal range and stays
 * there: {@code 0.9 × 2⁻¹⁴⁹} rounds back to {@code 2⁻¹⁴⁹}. Java cannot set the FPU's flush-to-zero
 * mode, and Intel's cores take a microcode assist for each instruction that reads a subnormal: on an
 * Emerald Rapids Xeon the scalar loop took 244–447 µs instead of 27–31 once 5 % of the MNIST MLP's
 * 101,770 momenta were stuck there (in 28 % of its 16-float chunks).
 *
 * <p>A read-only scan finds the first chunk whose momentum holds a subnormal; the scalar loop (which
 * the JIT vectorises) updates everything before it, so an update with no subnormal costs the scan
 * more (7.7 µs for those 101,770 floats). From that chunk on, a Vector API loop computes subnormal
 * lanes without touching the FPU with them: with a zero gradient and no weight decay the new
 * momentum is {@code rint(μ·m)·2⁻¹⁴⁹} for the old one {@code m·2⁻¹⁴⁹} (an integer rounding done
 * exactly on normal floats), and the parameter does not move, because {@code lr·v} is under half an
 * ulp of it. The same state took 82–151 µs. A chunk with any other subnormal case runs {@link
 * ScalarBackend#sgdRange}, as does any rule this does not cover (weight decay, first step, momentum
 * outside {@code [2⁻²⁰, 1]}).
 */
final class SgdLoop {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int EXPONENT = 0x7F80_0000, MANTISSA = 0x007F_FFFF, MAGNITUDE = 0x7FFF_FFFF;
    /** Bits of 2²³: {@code 2²³ + j} for an integer {@code 0 ≤ j ≤ 2²³} has the bits {@code TWO_23 + j}. */
    private static final int TWO_23 = 0x4B00_0000;
    /** Bits of 2⁻⁶⁰: a parameter at least this large does not move by {@code lr·v} for a subnormal v. */
    private static final int SMALLEST_STILL_PARAMETER = Float.floatToRawIntBits(0x1p-60f);

    private SgdLoop() {}

    /**
     * {@link ScalarBackend#sgdRange}'s update of {@code [from, to)}: reads g, overwrites p and the
     * momentum buffer there, with the same bits.
     */
    static void range(
            Sgd rule,
            Sgd.State s,
            float[] p,
            float[] g,
            int from,
            int to,
            float lr,
            float momentum,
            boolean firstStep) {
        if (firstStep
                || !(momentum >= 0x1p-20f && momentum <= 1f)
                || rule.weightDecay() != 0
                || !(Math.abs(lr) < 0x1p30f)) {
            ScalarBackend.sgdRange(rule, s, p, g, from, to, lr, momentum, firstStep);
            return;
        }
        float[] buf = s.momentumBuffer();
        int first = firstSubnormalChunk(buf, from, to);
        ScalarBackend.sgdRange(rule, s, p, g, from, first, lr, momentum, false);
        if (first < to) mixedRange(rule, s, p, g, first, to, lr, momentum);
    }

    /**
     * Reads {@code buf[from, to)} and returns the start of the first {@code 4L}-float block there
     * that holds a subnormal, else the start of the tail that is shorter than a block.
     */
    static int firstSubnormalChunk(float[] buf, int from, int to) {
        int i = from;
        for (; i + 4 * L <= to; i += 4 * L) {
            IntVector m0 = FloatVector.fromArray(S, buf, i)
                    .reinterpretAsInts()
                    .and(MAGNITUDE)
                    .add(MAGNITUDE);
            IntVector m1 = FloatVector.fromArray(S, buf, i + L)
                    .reinterpretAsInts()
                    .and(MAGNITUDE)
                    .add(MAGNITUDE);
            IntVector m2 = FloatVector.fromArray(S, buf, i + 2 * L)
                    .reinterpretAsInts()
                    .and(MAGNITUDE)
                    .add(MAGNITUDE);
            IntVector m3 = FloatVector.fromArray(S, buf, i + 3 * L)
                    .reinterpretAsInts()
                    .and(MAGNITUDE)
                    .add(MAGNITUDE);
            // |v|'s bits in [1, 2^23 - 1], shifted by 2^31 - 1, wrap to the bottom of the ints
            IntVector least = m0.min(m1).min(m2.min(m3));
            if (least.compare(VectorOperators.LT, Integer.MIN_VALUE + MANTISSA).anyTrue()) return i;
        }
        return i;
    }

    /** {@link #range}'s update of {@code [from, to)}, chunk by chunk, subnormal lanes emulated. */
    private static void mixedRange(
            Sgd rule, Sgd.State s, float[] p, float[] g, int from, int to, float lr, float momentum) {
        float[] buf = s.momentumBuffer();
        float keep = 1f - (float) rule.dampening(), sign = rule.isMaximize() ? -1f : 1f;
        boolean nesterov = rule.isNesterov();
        int i = from;
        for (; i + L <= to; i += L) {
            // the constants are made here: hoisted out of the loop by hand, they live across the
            // scalar fallback's call, and the JIT then allocates a box for each on every call
            FloatVector mu = FloatVector.broadcast(S, momentum), zero = FloatVector.zero(S);
            FloatVector keepV = FloatVector.broadcast(S, keep), rate = FloatVector.broadcast(S, lr);
            FloatVector signV = FloatVector.broadcast(S, sign), shift = FloatVector.broadcast(S, 0x1p23f);
            // Nesterov's step d + μ·b, else b: a blend (a vector chosen by a branch gets boxed)
            VectorMask<Float> nesterovLanes = S.maskAll(nesterov);
            FloatVector v = FloatVector.fromArray(S, buf, i);
            IntVector vBits = v.reinterpretAsInts();
            // |v|'s bits in [1, 2^23 - 1]: shifted by 2^31 - 1, they wrap to the bottom of the ints
            VectorMask<Integer> subnormal =
                    vBits.and(MAGNITUDE).add(MAGNITUDE).compare(VectorOperators.LT, Integer.MIN_VALUE + MANTISSA);
            FloatVector gi = FloatVector.fromArray(S, g, i), pi = FloatVector.fromArray(S, p, i);
            if (!subnormal.anyTrue()) {
                // the scalar formula, operation by operation (no fused multiply-add)
                FloatVector d = signV.mul(gi).add(zero.mul(pi));
                FloatVector b = mu.mul(v).add(keepV.mul(d));
                FloatVector step = b.blend(d.add(mu.mul(b)), nesterovLanes);
                pi.sub(rate.mul(step)).intoArray(p, i);
                b.intoArray(buf, i);
                continue;
            }
            // lanes to emulate: subnormal v, zero gradient, a finite parameter of at least 2^-60
            IntVector pMag = pi.reinterpretAsInts().and(MAGNITUDE);
            VectorMask<Integer> emulated = subnormal
                    .and(gi.reinterpretAsInts().and(MAGNITUDE).compare(VectorOperators.EQ, 0))
                    .and(pMag.compare(VectorOperators.GE, SMALLEST_STILL_PARAMETER))
                    .and(pMag.compare(VectorOperators.LT, EXPONENT));
            // rint(μ·m), m the subnormal's integer mantissa: P = μ·m rounded, E its exact error;
            // P + 2^23 - 2^23 rounds P half-even (0 ≤ P < 2^23), and E settles a tie that P's own
            // rounding made
            // (JDK 17's C2 has no 512-bit int/float conversions: both go through 2^23's bits)
            FloatVector m = vBits.and(MANTISSA).or(TWO_23).reinterpretAsFloats().sub(shift);
            FloatVector prod = mu.mul(m);
            FloatVector err = mu.fma(m, zero.sub(prod));
            FloatVector r = prod.add(shift).sub(shift);
            FloatVector frac = prod.sub(r);
            r = r.add(zero.blend(1f, frac.compare(VectorOperators.EQ, 0.5f).and(err.compare(VectorOperators.GT, 0f))));
            r = r.sub(zero.blend(1f, frac.compare(VectorOperators.EQ, -0.5f).and(err.compare(VectorOperators.LT, 0f))));
            IntVector ri = r.add(shift).reinterpretAsInts().sub(TWO_23);
            if (!emulated.eq(subnormal).allTrue()
                    || ri.compare(VectorOperators.EQ, 0).and(subnormal).anyTrue()) {
                // another subnormal case, or a momentum that rounds to zero (its sign then follows
                // the scalar formula's): the scalar loop, arithmetic on subnormals and all
                ScalarBackend.sgdRange(rule, s, p, g, i, i + L, lr, momentum, false);
                continue;
            }
            // the same formula with v = 0 in the emulated lanes, whose zero gradient then leaves p
            // as it is; their momentum is sign(v)·rint(μ·m)·2^-149
            FloatVector d = signV.mul(gi).add(zero.mul(pi));
            FloatVector b =
                    mu.mul(vBits.blend(0, subnormal).reinterpretAsFloats()).add(keepV.mul(d));
            FloatVector step = b.blend(d.add(mu.mul(b)), nesterovLanes);
            pi.sub(rate.mul(step)).intoArray(p, i);
            b.reinterpretAsInts()
                    .blend(vBits.and(~MAGNITUDE).or(ri), subnormal)
                    .reinterpretAsFloats()
                    .intoArray(buf, i);
        }
        if (i < to) ScalarBackend.sgdRange(rule, s, p, g, i, to, lr, momentum, false);
    }
}
