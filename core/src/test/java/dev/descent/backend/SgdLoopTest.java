package dev.descent.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.optim.Sgd;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link SgdLoop} gives {@link ScalarBackend#sgdRange}'s bits, raw NaN bits included, on inputs
 * built to hit every branch: subnormal momenta of every size (those that round to themselves, to
 * zero, to the smallest normal), zero gradients of both signs, parameters tiny, subnormal, zero,
 * infinite and NaN, for each rule the fast path covers and those it hands back.
 */
class SgdLoopTest {

    static Sgd[] rules() {
        return new Sgd[] {
            Sgd.lr(0.1).momentum(0.9),
            Sgd.lr(0.1).momentum(1.0),
            Sgd.lr(0.05).momentum(0.9).nesterov(),
            Sgd.lr(0.01).momentum(0.5).dampening(0.1).maximize(),
            Sgd.lr(0.3).momentum(0.3),
            Sgd.lr(1e9).momentum(0.99),
            Sgd.lr(2e9).momentum(0.9),
            Sgd.lr(0.1).momentum(0.9).weightDecay(1e-4),
            Sgd.lr(0.1).momentum(1e-7),
        };
    }

    @ParameterizedTest
    @MethodSource("rules")
    void equalsTheScalarLoopBitForBit(Sgd rule) {
        for (int n : new int[] {1, 15, 16, 17, 33, 100, 1000, 4099}) {
            SplittableRandom r = new SplittableRandom(n);
            float[] p = new float[n], v = new float[n];
            for (int i = 0; i < n; i++) {
                p[i] = parameter(r);
                v[i] = momentum(r);
            }
            float[] p2 = p.clone(), v2 = v.clone();
            for (int step = 0; step < 40; step++) {
                float[] g = new float[n];
                for (int i = 0; i < n; i++) g[i] = gradient(r);
                float lr = (float) rule.lr(), mu = (float) rule.momentum();
                ScalarBackend.sgdRange(rule, new Sgd.State(v), p, g, 0, n, lr, mu, false);
                SgdLoop.range(rule, new Sgd.State(v2), p2, g, 0, n, lr, mu, false);
                for (int i = 0; i < n; i++) {
                    String at = rule + " n=" + n + " step " + step + " element " + i;
                    assertEquals(Float.floatToRawIntBits(v[i]), Float.floatToRawIntBits(v2[i]), "momentum, " + at);
                    assertEquals(Float.floatToRawIntBits(p[i]), Float.floatToRawIntBits(p2[i]), "parameter, " + at);
                }
            }
        }
    }

    /** The inputs reach the emulated lanes: after 40 steps some momenta are still subnormal. */
    @Test
    void subnormalMomentaStayAndAreCovered() {
        int n = 4096;
        SplittableRandom r = new SplittableRandom(7);
        float[] p = new float[n], v = new float[n], g = new float[n];
        for (int i = 0; i < n; i++) {
            p[i] = 0.5f;
            v[i] = Float.intBitsToFloat(1 + r.nextInt(1 << 23)) * (r.nextBoolean() ? 1 : -1);
        }
        Sgd rule = Sgd.lr(0.1).momentum(0.9);
        for (int step = 0; step < 200; step++) SgdLoop.range(rule, new Sgd.State(v), p, g, 0, n, 0.1f, 0.9f, false);
        int stuck = 0;
        for (float x : v) if (x != 0 && Math.abs(x) < Float.MIN_NORMAL) stuck++;
        // 0.9·m rounds back to m for m ≤ 5: every momentum ends at 1..5 × 2^-149, none at zero
        assertEquals(n, stuck);
        for (float x : p) assertEquals(0.5f, x);
        for (float x : v) assertTrue(Math.abs(x) <= 5 * Float.MIN_VALUE, "decayed to the fixed points: " + x);
    }

    private static float parameter(SplittableRandom r) {
        return switch (r.nextInt(12)) {
            case 0 -> 0f;
            case 1 -> -0f;
            case 2 -> Float.MIN_VALUE * r.nextInt(1, 100); // subnormal
            case 3 -> 0x1p-60f * (r.nextBoolean() ? 1 : -1); // the smallest that stays
            case 4 -> 0x1p-61f;
            case 5 -> Float.POSITIVE_INFINITY;
            case 6 -> Float.NaN;
            case 7 -> (float) (r.nextDouble() * 1e-30);
            default -> (float) r.nextGaussian();
        };
    }

    private static float momentum(SplittableRandom r) {
        return switch (r.nextInt(8)) {
            case 0 -> 0f;
            case 1 -> -0f;
            case 2 -> Float.MIN_VALUE * r.nextInt(1, 8); // near the fixed points
            case 3 -> Float.intBitsToFloat(r.nextInt(1, 1 << 23)) * (r.nextBoolean() ? 1 : -1); // any subnormal
            case 4 -> Float.intBitsToFloat(0x007F_FFFF); // rounds to the smallest normal for μ near 1
            case 5 -> Float.MIN_NORMAL * 1.5f; // decays into the subnormals
            default -> (float) (r.nextGaussian() * 1e-3);
        };
    }

    private static float gradient(SplittableRandom r) {
        return switch (r.nextInt(10)) {
            case 0, 1, 2, 3, 4 -> 0f;
            case 5 -> -0f;
            case 6 -> Float.MIN_VALUE * r.nextInt(1, 4);
            case 7 -> Float.NaN;
            default -> (float) (r.nextGaussian() * 1e-2);
        };
    }
}
