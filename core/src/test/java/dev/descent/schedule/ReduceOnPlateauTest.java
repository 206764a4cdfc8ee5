package dev.descent.schedule;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.schedule.ReduceOnPlateau.Config;
import dev.descent.schedule.ReduceOnPlateau.Mode;
import dev.descent.schedule.ReduceOnPlateau.State;
import dev.descent.schedule.ReduceOnPlateau.ThresholdMode;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Hand-traced PyTorch ReduceLROnPlateau behaviour, composition with schedules, and checkpointing. */
class ReduceOnPlateauTest {

    private static boolean[] feed(ReduceOnPlateau p, double... metrics) {
        boolean[] reduced = new boolean[metrics.length];
        for (int i = 0; i < metrics.length; i++) reduced[i] = p.report(metrics[i]);
        return reduced;
    }

    @Test
    void reducesAfterMoreThanPatienceReportsWithoutImprovement() {
        var p = new ReduceOnPlateau(
                Schedules.constant(1), Config.DEFAULTS.withFactor(0.5).withPatience(2));
        assertEquals(1, p.at(0));
        assertArrayEquals(
                new boolean[] {false, false, false, true, false, false, true}, feed(p, 10, 10, 10, 10, 10, 10, 10));
        assertEquals(0.25, p.at(7));
        assertEquals(new State(0.25, 10, 0, 0), p.state());
    }

    @Test
    void anImprovementSmallerThanTheRelativeThresholdIsNotOne() {
        var p = new ReduceOnPlateau(Schedules.constant(1), Config.DEFAULTS.withPatience(0));
        assertArrayEquals(new boolean[] {false, true}, feed(p, 10, 9.9995)); // needs < 10·(1 - 1e-4) = 9.999
        assertArrayEquals(new boolean[] {false}, feed(p, 9.9)); // a real improvement resets the count
        assertEquals(9.9, p.state().best());
    }

    @Test
    void maxModeWithAnAbsoluteThreshold() {
        var p = new ReduceOnPlateau(
                Schedules.constant(1),
                Config.DEFAULTS.withMode(Mode.MAX).withPatience(1).withThreshold(0.5, ThresholdMode.ABS));
        assertArrayEquals(new boolean[] {false, false, false, false, true}, feed(p, 1, 1.4, 1.6, 2.0, 1.0));
        assertEquals(1.6, p.state().best());
        assertEquals(0.1, p.factor(), 1e-15);
    }

    @Test
    void cooldownIgnoresBadReports() {
        var p = new ReduceOnPlateau(
                Schedules.constant(1),
                Config.DEFAULTS.withFactor(0.5).withPatience(0).withCooldown(2));
        assertArrayEquals(new boolean[] {false, true, false, false, true}, feed(p, 5, 5, 5, 5, 5));
        assertEquals(2, p.state().cooldownLeft());
    }

    @Test
    void minLrFloorsReductionsAsInPyTorch() {
        var p = new ReduceOnPlateau(
                Schedules.constant(1),
                Config.DEFAULTS.withFactor(0.5).withPatience(0).withMinLr(0.3));
        feed(p, 1, 1);
        assertEquals(0.5, p.at(0));
        feed(p, 1);
        assertEquals(0.3, p.at(0));
        feed(p, 1, 1, 1);
        assertEquals(0.3, p.at(0));
    }

    @Test
    void scalesAnySchedule() {
        Schedule cosine = Schedules.warmup(10).then(Schedules.cosine(100)).scale(0.1);
        var p = new ReduceOnPlateau(
                cosine, Config.DEFAULTS.withFactor(0.25).withPatience(0).withMinLr(0.01));
        for (long k = 0; k < 110; k++) assertEquals(cosine.at(k), p.at(k));
        feed(p, 1, 1);
        for (long k = 0; k < 110; k++) {
            double s = cosine.at(k), lr = p.at(k);
            assertEquals(Math.max(0.25 * s, Math.min(s, 0.01)), lr, 1e-18, "step " + k);
            assertTrue(lr <= s && lr >= Math.min(s, 0.01));
        }
    }

    @Test
    void epsSkipsNegligibleReductions() {
        var p = new ReduceOnPlateau(
                Schedules.constant(1),
                Config.DEFAULTS.withFactor(0.5).withPatience(0).withEps(0.3));
        assertArrayEquals(new boolean[] {false, true, false}, feed(p, 1, 1, 1));
        assertEquals(0.5, p.factor());
    }

    @Test
    void aNaNMetricIsNeverAnImprovement() {
        var p = new ReduceOnPlateau(Schedules.constant(1), Config.DEFAULTS.withPatience(1));
        assertArrayEquals(new boolean[] {false, false, true}, feed(p, 3, Double.NaN, Double.NaN));
        assertEquals(3, p.state().best());
    }

    @Test
    void restoringTheStateContinuesIdentically() {
        Random r = new Random(3);
        Config config = Config.DEFAULTS.withFactor(0.7).withPatience(2).withCooldown(1);
        var original = new ReduceOnPlateau(Schedules.cosine(500).scale(0.1), config);
        for (int i = 0; i < 40; i++) original.report(1 + r.nextDouble());

        State saved = original.state();
        var resumed = new ReduceOnPlateau(Schedules.cosine(500).scale(0.1), config);
        resumed.restore(new State(saved.factor(), saved.best(), saved.badReports(), saved.cooldownLeft()));
        for (int i = 0; i < 60; i++) {
            double m = 1 + r.nextDouble();
            assertEquals(original.report(m), resumed.report(m));
            assertEquals(original.at(40 + i), resumed.at(40 + i));
            assertEquals(original.state(), resumed.state());
        }
        assertTrue(original.factor() < 1, "the random metrics should have caused reductions");
    }

    @Test
    void specWithPyTorchDefaults() {
        var p = ReduceOnPlateau.fromSpec(
                Map.of("factor", 0.5, "mode", "max", "threshold_mode", "abs"), Schedules.constant(1));
        assertEquals(
                Config.DEFAULTS.withFactor(0.5).withMode(Mode.MAX).withThreshold(1e-4, ThresholdMode.ABS), p.config());
        assertEquals(new State(1, Double.NEGATIVE_INFINITY, 0, 0), p.state());
    }
}
