package dev.descent.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.backend.Backend;
import dev.descent.backend.ScalarBackend;
import dev.descent.backend.SimdBackend;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * LARS, LAMB and Lion (not in PyTorch 1.13, so no reference file) against their papers' update
 * rules, computed here in double: three steps on {@code f(p) = ½·Σ a·p² + Σ b·p} over two
 * parameter tensors ({@code [0, 3)} and {@code [3, 5)}), so the per-tensor trust ratios differ.
 * The first step of each is also written out as literal numbers worked by hand.
 */
class PaperOptimizersTest {

    static final double[] A = {1.0, 2.0, 0.5, 3.0, 1.5};
    static final double[] B = {0.1, -0.2, 0.3, 0.0, -0.5};
    static final double[] P0 = {0.5, -1.0, 2.0, 0.25, -0.75};
    static final int[] BOUNDS = {0, 3, 5};
    static final int STEPS = 3;

    static Stream<Backend> backends() {
        return Stream.of(new ScalarBackend(), new SimdBackend(1));
    }

    static double[] grad(double[] p) {
        double[] g = new double[p.length];
        for (int i = 0; i < p.length; i++) g[i] = A[i] * p[i] + B[i];
        return g;
    }

    static double norm(double[] v, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) s += v[i] * v[i];
        return Math.sqrt(s);
    }

    /** Runs {@code opt} for {@link #STEPS} steps on the two tensors; returns the parameters after each step. */
    static float[][] run(Backend backend, Optimizer opt) {
        float[] p = new float[P0.length], g = new float[P0.length];
        for (int i = 0; i < p.length; i++) p[i] = (float) P0[i];
        OptimizerState state = opt.newState(p.length);
        state.setTensorBounds(BOUNDS);
        float[][] after = new float[STEPS][];
        for (int k = 0; k < STEPS; k++) {
            for (int i = 0; i < p.length; i++) g[i] = (float) (A[i] * p[i] + B[i]);
            opt.step(backend, p, g, state, opt.lr());
            after[k] = p.clone();
        }
        return after;
    }

    static void assertClose(double[] expected, float[] actual, String what) {
        for (int i = 0; i < expected.length; i++)
            assertEquals(expected[i], actual[i], 1e-5 * Math.max(1, Math.abs(expected[i])), what + " [" + i + "]");
    }

    // ---- Lion: c = β₁m + (1-β₁)g; p ← p - lr·(sign(c) + λp); m ← β₂m + (1-β₂)g ----------------

    @ParameterizedTest
    @MethodSource("backends")
    void lionFollowsThePaper(Backend backend) {
        double lr = 0.01, b1 = 0.9, b2 = 0.99, wd = 0.1;
        float[][] got = run(backend, Optimizers.lion(lr).betas(b1, b2).weightDecay(wd));
        double[] p = P0.clone(), m = new double[p.length];
        for (int k = 0; k < STEPS; k++) {
            double[] g = grad(p);
            for (int i = 0; i < p.length; i++) {
                double c = b1 * m[i] + (1 - b1) * g[i];
                p[i] -= lr * (Math.signum(c) + wd * p[i]);
                m[i] = b2 * m[i] + (1 - b2) * g[i];
            }
            assertClose(p, got[k], "Lion step " + (k + 1));
        }
        // by hand, step 1 (m = 0, so sign(c) = sign(g0); g0 = a·p0 + b = 0.6, -2.2, 1.3, 0.75, -1.625):
        // p1 = p0 - 0.01·(sign(g0) + 0.1·p0)
        assertClose(new double[] {0.4895, -0.989, 1.988, 0.23975, -0.73925}, got[0], "Lion step 1 by hand");
    }

    // ---- LARS: λ_l = η‖w_l‖/(‖g_l‖ + β‖w_l‖); v ← m·v + lr·λ_l·(g + βw); w ← w - v -------------

    @ParameterizedTest
    @MethodSource("backends")
    void larsFollowsThePaperPerTensor(Backend backend) {
        double lr = 0.5, m = 0.9, wd = 0.01, eta = 0.02;
        float[][] got =
                run(backend, Optimizers.lars(lr).momentum(m).weightDecay(wd).trustCoefficient(eta));
        double[] p = P0.clone(), v = new double[p.length];
        for (int k = 0; k < STEPS; k++) {
            double[] g = grad(p);
            for (int l = 0; l + 1 < BOUNDS.length; l++) {
                double wn = norm(p, BOUNDS[l], BOUNDS[l + 1]), gn = norm(g, BOUNDS[l], BOUNDS[l + 1]);
                double local = eta * wn / (gn + wd * wn);
                for (int i = BOUNDS[l]; i < BOUNDS[l + 1]; i++) {
                    v[i] = m * v[i] + lr * local * (g[i] + wd * p[i]);
                    p[i] -= v[i];
                }
            }
            assertClose(p, got[k], "LARS step " + (k + 1));
        }
        // by hand, step 1 of the second tensor: w = (0.25, -0.75), ‖w‖ = 0.790569, g = (0.75, -1.625),
        // ‖g‖ = 1.789728; λ = 0.02·0.790569/(1.789728 + 0.01·0.790569) = 0.00879567;
        // v = 0.5·λ·(g + 0.01w) = (0.00330937, -0.00717947); w1 = w - v
        assertEquals(0.24669063, got[0][3], 1e-6);
        assertEquals(-0.74282053, got[0][4], 1e-6);
    }

    // ---- LAMB: m, v as Adam; r = m̂/(√v̂ + ε) + λp; p_l ← p_l - lr·‖p_l‖/‖r_l‖·r_l -------------

    @ParameterizedTest
    @MethodSource("backends")
    void lambFollowsThePaperPerTensor(Backend backend) {
        double lr = 0.05, b1 = 0.9, b2 = 0.999, eps = 1e-6, wd = 0.01;
        float[][] got = run(backend, Optimizers.lamb(lr).betas(b1, b2).eps(eps).weightDecay(wd));
        double[] p = P0.clone(), m = new double[p.length], v = new double[p.length];
        for (int k = 0; k < STEPS; k++) {
            int t = k + 1;
            double[] g = grad(p), r = new double[p.length];
            for (int i = 0; i < p.length; i++) {
                m[i] = b1 * m[i] + (1 - b1) * g[i];
                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
                r[i] = (m[i] / (1 - Math.pow(b1, t))) / (Math.sqrt(v[i] / (1 - Math.pow(b2, t))) + eps) + wd * p[i];
            }
            for (int l = 0; l + 1 < BOUNDS.length; l++) {
                double ratio = norm(p, BOUNDS[l], BOUNDS[l + 1]) / norm(r, BOUNDS[l], BOUNDS[l + 1]);
                for (int i = BOUNDS[l]; i < BOUNDS[l + 1]; i++) p[i] -= lr * ratio * r[i];
            }
            assertClose(p, got[k], "LAMB step " + (k + 1));
        }
        // by hand, step 1: m̂ = g, v̂ = g², so r = g/(|g| + ε) + λp ≈ sign(g) + 0.01·p; second tensor:
        // r = (1.0024987, -1.0074994), ‖r‖ = 1.421288, ‖p‖ = 0.790569, ratio = 0.556235,
        // p1 = p - 0.05·0.556235·r = (0.22211878, -0.72197970)
        assertEquals(0.22211878, got[0][3], 1e-6);
        assertEquals(-0.72197970, got[0][4], 1e-6);
    }

    @Test
    void trustRatiosUseTheWholeBufferWhenNoTensorsAreGiven() {
        Backend b = new ScalarBackend();
        var lamb = Optimizers.lamb(0.05);
        float[] p1 = {0.5f, -1, 2, 0.25f, -0.75f}, p2 = p1.clone(), g = {0.6f, -2.2f, 1.3f, 0.75f, -1.625f};
        OptimizerState whole = lamb.newState(5), split = lamb.newState(5);
        split.setTensorBounds(BOUNDS);
        lamb.step(b, p1, g, whole, 0.05);
        lamb.step(b, p2, g, split, 0.05);
        assertArrayEquals(new int[] {0, 5}, whole.tensorBounds());
        assertTrue(p1[0] != p2[0], "one ratio for the whole buffer differs from per-tensor ratios");
    }

    @Test
    void badHyperParametersNameTheFieldAndValue() {
        var e = assertThrows(
                IllegalArgumentException.class, () -> Optimizers.lion(0.01).betas(1.5, 0.99));
        assertTrue(e.getMessage().contains("beta1") && e.getMessage().contains("1.5"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> Optimizers.lars(0.1).trustCoefficient(-1));
        assertTrue(
                e.getMessage().contains("trust_coefficient") && e.getMessage().contains("-1"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> Optimizers.lamb(0.1).eps(-1e-6));
        assertTrue(e.getMessage().contains("eps"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new OptimizerState(5).setTensorBounds(0, 3, 3, 5));
        assertTrue(e.getMessage().contains("[0, 3, 3, 5]"), e.getMessage());
    }
}
