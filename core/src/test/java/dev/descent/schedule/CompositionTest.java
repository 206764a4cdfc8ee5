package dev.descent.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class CompositionTest {

    @Test
    void thenStartsTheNextScheduleAtItsOwnStepZero() {
        Schedule s = Schedules.warmup(10).then(Schedules.cosine(100));
        for (long k = 0; k < 10; k++) assertEquals(k / 10.0, s.at(k), 1e-15);
        for (long k = 10; k < 110; k++) assertEquals(Schedules.cosine(100).at(k - 10), s.at(k), 0);
        assertEquals(OptionalLong.of(110), s.length());
    }

    @Test
    void warmupThenCosineIsContinuousAtTheBoundary() {
        Schedule warmup = Schedules.warmup(500, 0.01), cosine = Schedules.cosine(20_000, 0.05);
        Schedule s = warmup.then(cosine);
        // the boundary step takes the value the warmup would have reached, and the cosine starts there
        assertEquals(warmup.at(500), s.at(500), 1e-15);
        assertEquals(cosine.at(0), s.at(500), 0);
        double slope = 0.99 / 500;
        for (long k = 1; k < 20_500; k++) if (Math.abs(s.at(k) - s.at(k - 1)) > slope + 1e-12) fail("jump at " + k);
    }

    @Test
    void theDesignExampleAppliedToABaseLearningRate() {
        Schedule lr = Schedules.warmup(500).then(Schedules.cosine(20_000)).scale(0.1);
        assertEquals(0, lr.at(0));
        assertEquals(0.05, lr.at(250), 1e-15);
        assertEquals(0.1, lr.at(500), 1e-15);
        assertEquals(0.05, lr.at(10_500), 1e-12);
        assertEquals(0, lr.at(20_500), 1e-15);
        assertEquals(0.1, Schedules.constant(0.1).at(123_456));
    }

    @Test
    void warmupThenCosineFromTheReferenceIsAComposition() {
        Schedule composed = Schedules.warmup(8, 0.01).then(Schedules.cosine(52)).scale(0.1);
        Schedule spec = Schedules.fromSpec(
                "warmup_then_cosine",
                Map.of("warmup_steps", 8, "warmup_start_factor", 0.01, "cosine_total_steps", 52, "min_lr", 0.0),
                0.1);
        for (long k = 0; k < 100; k++) assertEquals(composed.at(k), spec.at(k), 0);
    }

    @Test
    void joinSwitchesAtEachBoundary() {
        Schedule s = Schedules.join(
                new long[] {3, 5}, Schedules.constant(1), Schedules.linear(0, 1, 10), Schedules.exponential(0.5));
        double[] expected = {1, 1, 1, 0, 0.1, 1, 0.5, 0.25};
        for (int k = 0; k < expected.length; k++) assertEquals(expected[k], s.at(k), 1e-15, "step " + k);
        assertEquals(OptionalLong.empty(), s.length());
        assertEquals(
                OptionalLong.of(17),
                Schedules.join(new long[] {7}, Schedules.constant(1), Schedules.cosine(10))
                        .length());
    }

    @Test
    void thenNeedsAnEnd() {
        var e = assertThrows(
                IllegalArgumentException.class, () -> Schedules.exponential(0.9).then(Schedules.constant(0.1)));
        assertTrue(e.getMessage().contains("Exponential[gamma=0.9]")
                && e.getMessage().contains("join"));
    }

    @Test
    void chainsOfThen() {
        Schedule s = Schedules.warmup(2).then(Schedules.linear(1, 0.5, 2)).then(Schedules.constant(0.5));
        double[] expected = {0, 0.5, 1, 0.75, 0.5, 0.5};
        for (int k = 0; k < expected.length; k++) assertEquals(expected[k], s.at(k), 1e-15, "step " + k);
    }

    @Test
    void scaleAndClamp() {
        Schedule s = Schedules.cosine(10).scale(0.2);
        assertEquals(0.2, s.at(0), 1e-15);
        assertEquals(0.1, s.at(5), 1e-15);
        assertEquals(OptionalLong.of(10), s.length());
        Schedule c = Schedules.cosine(10).clamp(0.25, 0.75);
        for (long k = 0; k <= 10; k++) assertTrue(c.at(k) >= 0.25 && c.at(k) <= 0.75);
        assertEquals(0.75, c.at(0));
        assertEquals(0.25, c.at(10));
        assertEquals(0.5, c.at(5), 1e-15);
        assertEquals(OptionalLong.of(10), c.length());
    }

    @Test
    void perEpochCountsEpochs() {
        Schedule epochs = Schedules.step(2, 0.5).perEpoch(100);
        for (long k = 0; k < 200; k++) assertEquals(1, epochs.at(k));
        for (long k = 200; k < 400; k++) assertEquals(0.5, epochs.at(k));
        assertEquals(0.25, epochs.at(400));
        assertEquals(OptionalLong.of(1_000), Schedules.cosine(10).perEpoch(100).length());
        Schedule s = Schedules.warmup(2).perEpoch(10).then(Schedules.constant(1));
        assertEquals(0.5, s.at(19));
        assertEquals(1, s.at(20));
    }

    @Test
    void negativeStepsAreRejectedThroughComposites() {
        for (Schedule s : new Schedule[] {
            Schedules.constant(1).scale(2),
            Schedules.cosine(5).clamp(0, 1),
            Schedules.cosine(5).perEpoch(10),
            Schedules.warmup(5).then(Schedules.cosine(5)),
            Schedules.oneCycle(10),
        }) {
            var e = assertThrows(IllegalArgumentException.class, () -> s.at(-1), s.toString());
            assertTrue(e.getMessage().contains("step"), e.getMessage());
        }
    }
}
