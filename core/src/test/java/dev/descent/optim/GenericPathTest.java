package dev.descent.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.backend.Backend;
import dev.descent.backend.ScalarBackend;
import dev.descent.backend.SimdBackend;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The generic path: the element-wise operations, typed state, and a rule's resume from a copied state. */
class GenericPathTest {

    @Test
    void elementWiseOperationsComputeTheirFormulasOnTheRangeOnly() {
        Backend b = new ScalarBackend();
        float[] x = {1, 4, 9, 16}, y = {2, -3, 0.5f, 7}, z = {1, 2, 4, 8};
        float[] out = {Float.NaN, Float.NaN, Float.NaN, 5};
        b.axpby(out, 0, out, 2, y, 0, 3); // a = 0: the NaNs of out are not read
        assertArrayEquals(new float[] {4, -6, 1, 5}, out);
        b.axpby(out, 0.5f, x, 1, out, 1, 2);
        assertArrayEquals(new float[] {4, -4, 5.5f, 5}, out);
        b.addcmul(out, 1, out, 2, x, z, 0, 4);
        assertArrayEquals(new float[] {6, 12, 77.5f, 261}, out);
        b.addcdiv(out, 0, out, 3, x, z, 1, 0, 4);
        assertArrayEquals(new float[] {1.5f, 4, 5.4f, 48f / 9}, out, 1e-6f);
        b.map(Backend.Unary.SQRT, out, 1, x, 0, 0, 4);
        assertArrayEquals(new float[] {1, 2, 3, 4}, out);
        b.map(Backend.Unary.SIGN, out, -1, y, 0, 0, 4);
        assertArrayEquals(new float[] {-1, 1, -1, -1}, out);
        b.map(Backend.Unary.ABS, out, 1, y, 1, 0, 4);
        assertArrayEquals(new float[] {3, 2, 1.5f, 8}, out);
        b.maximum(out, 0.5f, out, y, 0.25f, 0, 4);
        assertArrayEquals(new float[] {2.25f, 1, 0.75f, 7.25f}, out);
    }

    /** Every generic rule gives the same bits on scalar and SIMD (the SIMD backend's norms differ in rounding only). */
    @Test
    void genericRulesAgreeOnScalarAndSimd() {
        for (Optimizer opt : List.of(
                Optimizers.nadam(0.01).weightDecay(0.01),
                Optimizers.radam(0.01),
                Optimizers.adamax(0.01).maximize(),
                Optimizers.adadelta(1),
                Optimizers.asgd(0.01).t0(2),
                Optimizers.lars(0.1),
                Optimizers.lamb(0.01),
                Optimizers.lion(1e-3))) {
            float[] a = run(new ScalarBackend(), opt, 1037, 12), b = run(new SimdBackend(1), opt, 1037, 12);
            for (int i = 0; i < a.length; i++)
                assertEquals(a[i], b[i], 1e-6f * Math.max(1, Math.abs(a[i])), opt + " [" + i + "]");
        }
    }

    /** A state copied into a fresh one (a checkpoint resume) continues exactly: NAdam recomputes its μ product. */
    @Test
    void aCopiedStateResumesBitForBit() {
        Backend backend = new ScalarBackend();
        for (Optimizer opt :
                List.of(Optimizers.nadam(0.01), Optimizers.asgd(0.05).t0(1), Optimizers.lamb(0.01))) {
            float[] straight = run(backend, opt, 33, 8);
            SplittableRandom r = new SplittableRandom(5);
            float[] p = random(r, 33), g = new float[33];
            OptimizerState first = opt.newState(33);
            for (int k = 0; k < 4; k++) step(backend, opt, p, g, first, r);
            OptimizerState resumed = opt.newState(33);
            resumed.copyFrom(first);
            for (int k = 0; k < 4; k++) step(backend, opt, p, g, resumed, r);
            assertArrayEquals(straight, p, opt.toString());
        }
    }

    @Test
    void typedStateNamesItsBuffersAndRefusesAnotherOptimizersView() {
        OptimizerState s = Optimizers.nadam(0.01).newState(4);
        assertEquals(List.of("exp_avg", "exp_avg_sq"), List.copyOf(s.buffers().keySet()));
        assertSame(s.view(), s.view(NAdam.State.class));
        var e = assertThrows(IllegalArgumentException.class, () -> Optimizers.radam(0.01)
                .step(new ScalarBackend(), new float[4], new float[4], s, 0.01));
        assertTrue(e.getMessage().contains("NAdam$State, not a dev.descent.optim.RAdam$State"), e.getMessage());
        assertEquals(
                List.of("ax"),
                List.copyOf(Optimizers.asgd(0.1).newState(3).buffers().keySet()));
    }

    private static float[] run(Backend backend, Optimizer opt, int n, int steps) {
        SplittableRandom r = new SplittableRandom(5);
        float[] p = random(r, n), g = new float[n];
        OptimizerState state = opt.newState(n);
        if (n > 100) state.setTensorBounds(0, n / 3, n);
        for (int k = 0; k < steps; k++) step(backend, opt, p, g, state, r);
        return p;
    }

    private static void step(
            Backend backend, Optimizer opt, float[] p, float[] g, OptimizerState state, SplittableRandom r) {
        for (int i = 0; i < p.length; i++) g[i] = p[i] * (1 + i % 3) + (float) (r.nextDouble() - 0.5);
        opt.step(backend, p, g, state, opt.lr());
    }

    private static float[] random(SplittableRandom r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (r.nextDouble() * 2 - 1);
        return v;
    }
}
