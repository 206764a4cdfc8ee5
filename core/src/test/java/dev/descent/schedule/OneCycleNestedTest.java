package dev.descent.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** A one-cycle policy inside another schedule still sets the momentum, at its own steps. */
class OneCycleNestedTest {

    @Test
    void compositionsKeepTheMomentum() {
        OneCycle c = Schedules.oneCycle(20);
        Schedule nested = Schedules.warmup(5).then(c).clamp(0, 10).scale(0.5);
        assertTrue(nested.cyclesMomentum());
        for (long t = 0; t < 20; t++) assertEquals(c.momentumAt(t), nested.momentumAt(5 + t));
        for (long t = 0; t < 5; t++) assertEquals(c.momentumAt(0), nested.momentumAt(t), "before: its first value");
        Schedule after = Schedules.join(new long[] {20}, c, Schedules.constant(0.01));
        assertEquals(c.momentumAt(19), after.momentumAt(30), "after: its last value");
        Schedule perEpoch = c.perEpoch(3);
        assertEquals(c.momentumAt(2), perEpoch.momentumAt(7));
    }

    @Test
    void otherSchedulesSetNone() {
        Schedule s = Schedules.warmup(5).then(Schedules.cosine(10));
        assertFalse(s.cyclesMomentum());
        assertFalse(Schedules.oneCycle(10).withoutMomentumCycling().scale(2).cyclesMomentum());
        assertThrows(IllegalStateException.class, () -> s.momentumAt(0));
    }
}
