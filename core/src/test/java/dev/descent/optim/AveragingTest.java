package dev.descent.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.backend.ScalarBackend;
import dev.descent.schedule.Anneal;
import dev.descent.schedule.Schedule;
import dev.descent.schedule.Schedules;
import org.junit.jupiter.api.Test;

/** Averaging's three kinds on hand-made iterates, and SWALR's ends (the reference files check the rest). */
class AveragingTest {

    private static final ScalarBackend B = new ScalarBackend();

    @Test
    void polyakIsTheMeanOfEveryIterateAndSwaStartsLater() {
        var polyak = Averaging.polyak();
        var swa = Averaging.swa(2);
        var ps = polyak.newState(2);
        var ss = swa.newState(2);
        float[][] iterates = {{1, 2}, {3, 4}, {5, 6}, {7, 8}};
        for (int k = 0; k < iterates.length; k++) {
            polyak.update(B, iterates[k], ps, k);
            swa.update(B, iterates[k], ss, k);
            assertEquals(k < 2 ? 0 : k - 1, ss.count(), "swa holds nothing before its start step");
        }
        assertArrayEquals(new float[] {4, 5}, ps.average());
        assertArrayEquals(new float[] {6, 7}, ss.average());
    }

    @Test
    void emaCopiesFirstThenDecays() {
        var ema = Averaging.ema(0.75);
        var s = ema.newState(1);
        ema.update(B, new float[] {8}, s, 0);
        assertArrayEquals(new float[] {8}, s.average());
        ema.update(B, new float[] {0}, s, 1);
        assertArrayEquals(new float[] {6}, s.average());
    }

    @Test
    void swalrHoldsThenAnnealsToTheSwaFactor() {
        Schedule s = Schedules.join(new long[] {3}, Schedules.constant(1), Schedules.swalr(0.5, 4, Anneal.LINEAR));
        assertEquals(1, s.at(2));
        assertEquals(1 - 0.5 / 4, s.at(3), 1e-15); // one step into the anneal, as PyTorch's first SWALR step
        assertEquals(0.5, s.at(6), 1e-15);
        assertEquals(0.5, s.at(100), 1e-15);
    }

    @Test
    void badSettingsNameTheField() {
        var e = assertThrows(IllegalArgumentException.class, () -> Averaging.ema(1.5));
        assertTrue(e.getMessage().contains("decay must be in [0.0, 1.0], got 1.5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Averaging.swa(-1));
        assertTrue(e.getMessage().contains("swa start step must be >= 0, got -1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Schedules.swalr(0.5, 0, Anneal.COS));
        assertTrue(e.getMessage().contains("annealSteps"), e.getMessage());
    }
}
