package dev.descent.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * CyclicLR cycles the momentum inversely to the learning rate, as PyTorch does by default. The
 * expected values were printed by PyTorch 1.13: {@code CyclicLR(SGD([p], lr=0.1, momentum=0),
 * base_lr=0.01, max_lr=0.1, ...)}, reading {@code param_groups[0]['lr']} and {@code ['momentum']}
 * before each of 20 {@code opt.step(); sched.step()}.
 */
class CyclicMomentumTest {

    private static void assertCurve(double[] expected, java.util.function.LongToDoubleFunction actual) {
        for (int k = 0; k < expected.length; k++)
            assertEquals(expected[k], actual.applyAsDouble(k), 1e-12, "step " + k);
    }

    @Test
    void triangularMatchesPyTorch() {
        Cyclic c = Schedules.cyclic(0.01, 0.1, 5);
        assertCurve(
                new double[] {0.01, 0.028, 0.046, 0.064, 0.082, 0.1, 0.082, 0.064, 0.046, 0.028, 0.01, 0.028}, c::at);
        assertCurve(
                new double[] {0.9, 0.88, 0.86, 0.84, 0.82, 0.8, 0.82, 0.84, 0.86, 0.88, 0.9, 0.88, 0.86},
                c::momentumAt);
    }

    @Test
    void triangular2WithAsymmetricStepsMatchesPyTorch() {
        Cyclic c = Schedules.cyclic(0.01, 0.1, 3, 5, CyclicMode.TRIANGULAR2, 1);
        assertCurve(
                new double[] {
                    0.01, 0.04, 0.07, 0.1, 0.082, 0.064, 0.046, 0.028, 0.01, 0.025, 0.04, 0.055, 0.046, 0.037, 0.028,
                    0.019, 0.01, 0.0175, 0.025, 0.0325
                },
                c::at);
        assertCurve(
                new double[] {
                    0.9, 0.866666666667, 0.833333333333, 0.8, 0.82, 0.84, 0.86, 0.88, 0.9, 0.883333333333,
                    0.866666666667, 0.85, 0.86, 0.87, 0.88, 0.89, 0.9, 0.891666666667, 0.883333333333, 0.875
                },
                c::momentumAt);
    }

    @Test
    void expRangeMatchesPyTorch() {
        Cyclic c = Schedules.cyclic(0.01, 0.1, 4, 4, CyclicMode.EXP_RANGE, 0.97);
        assertCurve(
                new double[] {
                    0.01,
                    0.031825,
                    0.0523405,
                    0.0716054275,
                    0.0896763529,
                    0.067964546735,
                    0.047483740222,
                    0.028179614008,
                    0.01,
                    0.02710519882,
                    0.04318408571,
                    0.058282844708,
                    0.07244581249
                },
                c::at);
        assertCurve(
                new double[] {
                    0.9,
                    0.87575,
                    0.852955,
                    0.831549525,
                    0.811470719,
                    0.835594948073,
                    0.858351399754,
                    0.87980042888,
                    0.9,
                    0.880994223534,
                    0.863128793655,
                    0.846352394768,
                    0.8306157639
                },
                c::momentumAt);
    }

    @Test
    void theSpecCyclesByDefaultAndTakesPyTorchsOptions() {
        Map<String, Object> p = Map.of("base_lr", 0.01, "max_lr", 0.1, "step_size_up", 5);
        Schedule byDefault = Schedules.fromSpec("cyclic", p, 1);
        assertTrue(byDefault.cyclesMomentum());
        assertEquals(0.9, byDefault.momentumAt(0), 1e-15);
        assertEquals(0.8, byDefault.momentumAt(5), 1e-15);
        Schedule custom = Schedules.fromSpec(
                "cyclic",
                Map.of("base_lr", 0.01, "max_lr", 0.1, "step_size_up", 5, "base_momentum", 0.5, "max_momentum", 0.7),
                1);
        assertEquals(0.5, custom.momentumAt(5), 1e-15);
        Schedule off = Schedules.fromSpec(
                "cyclic", Map.of("base_lr", 0.01, "max_lr", 0.1, "step_size_up", 5, "cycle_momentum", false), 1);
        assertFalse(off.cyclesMomentum());
        assertThrows(IllegalStateException.class, () -> off.momentumAt(0));
    }

    @Test
    void aCompositionKeepsTheCycledMomentum() {
        Cyclic c = Schedules.cyclic(0.1, 1, 4);
        Schedule clamped = c.clamp(0, 0.5);
        assertTrue(clamped.cyclesMomentum());
        for (long k = 0; k < 12; k++) assertEquals(c.momentumAt(k), clamped.momentumAt(k));
    }

    @Test
    void impossibleMomentaAreRefusedByName() {
        var e = assertThrows(IllegalArgumentException.class, () -> Schedules.cyclic(0.1, 1, 4)
                .withMomentum(0.9, 0.8));
        assertTrue(e.getMessage().contains("baseMomentum"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Schedules.cyclic(0.1, 1, 4)
                .withMomentum(0.5, 1.0));
        assertTrue(e.getMessage().contains("maxMomentum"), e.getMessage());
    }
}
