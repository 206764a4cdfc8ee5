package dev.descent.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link Schedules#fromSpec} beyond the reference file: defaults, number forms, base lr. */
class ScheduleSpecTest {

    private static void assertSameValues(Schedule expected, Schedule actual) {
        for (long k = 0; k < 200; k++) assertEquals(expected.at(k), actual.at(k), 1e-15 * expected.at(k), "step " + k);
    }

    @Test
    void shapesAreScaledByTheBaseLearningRate() {
        assertSameValues(
                Schedules.step(3, 0.5).scale(0.7),
                Schedules.fromSpec("step", Map.of("step_size", 3, "gamma", 0.5), 0.7));
        assertSameValues(Schedules.constant(0.7), Schedules.fromSpec("constant", Map.of(), 0.7));
        assertSameValues(
                Schedules.cosine(50, 0.1).scale(0.5),
                Schedules.fromSpec("cosine", Map.of("total_steps", 50, "min_lr", 0.05), 0.5));
    }

    @Test
    void missingOptionalParametersTakePyTorchDefaults() {
        assertSameValues(Schedules.step(4, 0.1), Schedules.fromSpec("step", Map.of("step_size", 4), 1));
        assertSameValues(Schedules.linear(1.0 / 3, 1, 5), Schedules.fromSpec("linear", Map.of(), 1));
        assertSameValues(Schedules.polynomialToZero(5, 1), Schedules.fromSpec("polynomial_to_zero", Map.of(), 1));
        assertSameValues(
                Schedules.cosineWarmRestarts(7, 1, 0),
                Schedules.fromSpec("cosine_warm_restarts", Map.of("first_period", 7), 1));
        assertSameValues(
                Schedules.cyclic(0.01, 0.1, 6, 6, CyclicMode.TRIANGULAR, 1),
                Schedules.fromSpec("cyclic", Map.of("base_lr", 0.01, "max_lr", 0.1, "step_size_up", 6), 1));
        OneCycle c = assertInstanceOf(
                OneCycle.class, Schedules.fromSpec("one_cycle", Map.of("max_lr", 2, "total_steps", 100), 0.1));
        assertEquals(Schedules.oneCycle(100).scale(2), c);
    }

    @Test
    void cyclicAndOneCycleIgnoreTheBaseLearningRateLikePyTorch() {
        Map<String, Object> cyclic = Map.of("base_lr", 0.01, "max_lr", 0.1, "step_size_up", 6);
        assertSameValues(Schedules.fromSpec("cyclic", cyclic, 1), Schedules.fromSpec("cyclic", cyclic, 0.3));
        Map<String, Object> oneCycle = Map.of("max_lr", 0.5, "total_steps", 30);
        assertEquals(Schedules.fromSpec("one_cycle", oneCycle, 1), Schedules.fromSpec("one_cycle", oneCycle, 0.3));
    }

    @Test
    void integersMayBeWrittenAsWholeDoublesAndExtraKeysAreIgnored() {
        assertSameValues(
                Schedules.multistep(new long[] {3, 9}, 0.5),
                Schedules.fromSpec("multistep", Map.of("milestones", List.of(9.0, 3L), "gamma", 0.5, "note", "x"), 1));
    }

    @Test
    void oneCycleWithoutMomentumCycling() {
        OneCycle c = (OneCycle) Schedules.fromSpec(
                "one_cycle", Map.of("max_lr", 1, "total_steps", 10, "cycle_momentum", false, "anneal", "linear"), 1);
        assertFalse(c.cycleMomentum());
        assertEquals(Anneal.LINEAR, c.anneal());
    }

    @Test
    void everyReferenceKindIsKnown() {
        for (Map<String, Object> c : ReferenceFiles.cases("schedules.json")) {
            String kind = (String) c.get("kind");
            assertTrue(Schedules.KINDS.contains(kind) || kind.equals("reduce_on_plateau"), kind);
        }
    }
}
