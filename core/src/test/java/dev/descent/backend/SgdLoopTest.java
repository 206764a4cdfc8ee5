package dev.descent.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.optim.Sgd;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link SgdLoop} gives {@link ScalarBackend#sgdRange}'s bits (any NaN counted as one: which
 * operand's NaN an instruction passes on depends on the JIT's operand order) on inputs built to hit
 * every branch: subnormal momenta of every size (those that round to themselves, to zero, to the
 * smallest normal), zero gradients of both signs, parameters tiny, subnormal, zero, infinite and
 * NaN, for each rule the fast path covers and those it hands back; with no subnormal momentum (the
 * scan finds none), a few far apart (the scalar loop runs up to the first), and many.
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
        for (int n : new int[] {1, 15, 16, 17, 33, 100, 1000, 4099})
            for (int oneIn : new int[] {0, 500, 4}) equalsTheScalarLoop(rule, n, oneIn);
    }

    /** 40 steps on n elements, a subnormal momentum in about one of {@code oneIn} (none for 0). */
    private static void equalsTheScalarLoop(Sgd rule, int n, int oneIn) {
        SplittableRandom r = new SplittableRandom(n + oneIn);
        float[] p = new float[n], v = new float[n];
        for (int i = 0; i < n; i++) {
            p[i] = parameter(r);
            v[i] = oneIn > 0 && r.nextInt(oneIn) == 0 ? subnormal(r) : (float) (r.nextGaussian() * 1e-3);
        }
        float[] p2 = p.clone(), v2 = v.clone();
        for (int step = 0; step < 40; step++) {
            float[] g = new float[n];
            for (int i = 0; i < n; i++) g[i] = gradient(r);
            float lr = (float) rule.lr(), mu = (float) rule.momentum();
            ScalarBackend.sgdRange(rule, new Sgd.State(v), p, g, 0, n, lr, mu, false);
            SgdLoop.range(rule, new Sgd.State(v2), p2, g, 0, n, lr, mu, false);
            for (int i = 0; i < n; i++) {
                String at = rule + " n=" + n + " one in " + oneIn + ", step " + step + " element " + i;
                assertEquals(Float.floatToIntBits(v[i]), Float.floatToIntBits(v2[i]), "momentum, " + at);
                assertEquals(Float.floatToIntBits(p[i]), Float.floatToIntBits(p2[i]), "parameter, " + at);
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

    /**
     * Warm, the update allocates nothing on momenta like a trained MLP's (some stuck subnormal with
     * a zero gradient, among normal ones): a vector the JIT cannot keep in registers is boxed on the
     * heap. Bytes allocated by this thread over windows of 200 calls, until one is zero.
     */
    @Test
    void allocatesNothingWarmOnStuckMomenta() {
        int n = 16_384 + 7;
        SplittableRandom r = new SplittableRandom(11);
        float[] p = new float[n], v = new float[n], g = new float[n];
        for (int i = 0; i < n; i++) {
            p[i] = (float) r.nextGaussian();
            boolean stuck = r.nextInt(20) == 0;
            v[i] = stuck ? Float.MIN_VALUE * r.nextInt(1, 5) : (float) (r.nextGaussian() * 1e-3);
            g[i] = stuck ? 0f : (float) (r.nextGaussian() * 1e-3);
        }
        Sgd rule = Sgd.lr(0.1).momentum(0.9);
        Sgd.State s = new Sgd.State(v);
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        for (int i = 0; i < 5_000; i++) SgdLoop.range(rule, s, p, g, 0, n, 0.1f, 0.9f, false);
        List<Long> windows = new ArrayList<>();
        for (int w = 0; w < 20 && (windows.isEmpty() || windows.get(windows.size() - 1) != 0); w++) {
            long before = mx.getThreadAllocatedBytes(thread);
            for (int i = 0; i < 200; i++) SgdLoop.range(rule, s, p, g, 0, n, 0.1f, 0.9f, false);
            windows.add(mx.getThreadAllocatedBytes(thread) - before);
        }
        assertEquals(0L, windows.get(windows.size() - 1), "bytes allocated in windows of 200 calls: " + windows);
        int stuck = 0;
        for (float x : v) if (x != 0 && Math.abs(x) < Float.MIN_NORMAL) stuck++;
        assertTrue(stuck > n / 40, "the emulated lanes were exercised: " + stuck + " subnormal momenta");
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

    /** A momentum at or near the subnormals, of either sign. */
    private static float subnormal(SplittableRandom r) {
        float m =
                switch (r.nextInt(6)) {
                    case 0 -> 0f;
                    case 1 -> Float.MIN_VALUE * r.nextInt(1, 8); // near the fixed points
                    case 2 -> Float.intBitsToFloat(0x007F_FFFF); // rounds to the smallest normal for μ near 1
                    case 3 -> Float.MIN_NORMAL * 1.5f; // decays into the subnormals
                    default -> Float.intBitsToFloat(r.nextInt(1, 1 << 23)); // any subnormal
                };
        return r.nextBoolean() ? m : -m;
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
