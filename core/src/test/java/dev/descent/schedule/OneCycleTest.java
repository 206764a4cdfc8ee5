package dev.descent.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class OneCycleTest {

    /** T = 10, pctStart 0.25 → phase ends at steps 1.5, 3 and 9 (PyTorch's float phase boundaries). */
    private static final OneCycle THREE_PHASE = Schedules.oneCycle(10)
            .withPctStart(0.25)
            .withAnneal(Anneal.LINEAR)
            .withDivFactors(4, 5)
            .withThreePhase(true)
            .withMomentum(0.8, 0.9);

    @Test
    void threePhasesByHand() {
        double[] lr = {0.25, 0.75, 0.75, 0.25, 0.25 - 0.2 / 6};
        for (int k = 0; k < lr.length; k++) assertEquals(lr[k], THREE_PHASE.at(k), 1e-15, "lr at " + k);
        assertEquals(0.05, THREE_PHASE.at(9), 1e-15);
        double[] momentum = {0.9, 0.9 - 0.1 * 2 / 3, 0.8 + 0.1 / 3, 0.9, 0.9};
        for (int k = 0; k < momentum.length; k++)
            assertEquals(momentum[k], THREE_PHASE.momentumAt(k), 1e-15, "momentum at " + k);
    }

    @Test
    void holdsTheLastValueAfterTheEnd() {
        assertEquals(OptionalLong.of(10), THREE_PHASE.length());
        for (long k = 9; k < 30; k++) {
            assertEquals(0.05, THREE_PHASE.at(k), 1e-15);
            assertEquals(0.9, THREE_PHASE.momentumAt(k), 1e-15);
        }
    }

    @Test
    void scalingMovesThePeakAndKeepsTheMomentum() {
        OneCycle base = Schedules.oneCycle(60);
        Schedule asSchedule = base;
        OneCycle scaled = (OneCycle) asSchedule.scale(0.5);
        assertEquals(0.5, scaled.peak());
        for (long k = 0; k < 60; k++) {
            assertEquals(0.5 * base.at(k), scaled.at(k), 1e-15);
            assertEquals(base.momentumAt(k), scaled.momentumAt(k));
        }
        assertEquals(1, base.at(17), 1e-15); // the peak at step pct·T - 1
    }

    @Test
    void aZeroLengthFirstPhaseStartsAtThePeak() {
        OneCycle c = Schedules.oneCycle(10).withPctStart(0.1); // the first phase ends at step 0
        assertEquals(1, c.at(0));
    }

    @Test
    void momentumNeedsCycling() {
        OneCycle c = Schedules.oneCycle(10).withoutMomentumCycling();
        assertFalse(c.cycleMomentum());
        assertThrows(IllegalStateException.class, () -> c.momentumAt(0));
    }
}
