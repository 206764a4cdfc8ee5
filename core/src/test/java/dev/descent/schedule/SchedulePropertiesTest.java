package dev.descent.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

/** Property-style checks on random parameters (seeded per repetition, so failures reproduce). */
class SchedulePropertiesTest {

    private static final long STEPS = 3_000;

    private Random random;

    private Random random(RepetitionInfo info) {
        return random = new Random(1000L + info.getCurrentRepetition());
    }

    private long steps(long max) {
        return 1 + random.nextInt((int) max);
    }

    private double fraction() {
        return random.nextDouble();
    }

    /** Every value of s over the first STEPS steps lies in [lo, hi] (with rounding slack). */
    private static void assertWithin(Schedule s, double lo, double hi) {
        for (long k = 0; k < STEPS; k++) {
            double v = s.at(k);
            if (!(v >= lo - 1e-12 && v <= hi + 1e-12))
                fail(s + " at " + k + " = " + v + " outside [" + lo + ", " + hi + "]");
        }
    }

    /** Values never increase. */
    private static void assertNonIncreasing(Schedule s) {
        for (long k = 1; k < STEPS; k++) if (s.at(k) > s.at(k - 1) + 1e-15) fail(s + " rises at step " + k);
    }

    @RepeatedTest(20)
    void decaysStartAtOneAndNeverRise(RepetitionInfo info) {
        random(info);
        for (Schedule s : new Schedule[] {
            Schedules.step(steps(100), fraction()),
            Schedules.multistep(new long[] {steps(500), steps(500), steps(2000)}, fraction()),
            Schedules.exponential(fraction()),
            Schedules.inverse(fraction()),
            Schedules.polynomialInverse(fraction(), 3 * fraction()),
            Schedules.inverseSqrt(),
            Schedules.expDecay(fraction()),
            Schedules.polynomialToZero(steps(STEPS), 0.1 + 3 * fraction()),
            Schedules.cosine(STEPS + steps(STEPS), fraction()),
        }) {
            assertEquals(1, s.at(0), 1e-15, s.toString());
            assertNonIncreasing(s);
            assertWithin(s, 0, 1);
        }
    }

    @RepeatedTest(20)
    void cosinesStayBetweenTheirMinimumAndOne(RepetitionInfo info) {
        random(info);
        double min = fraction();
        Schedule cosine = Schedules.cosine(steps(STEPS / 3), min);
        assertWithin(cosine, min, 1);
        assertEquals(min, cosine.at(cosine.length().getAsLong()), 1e-15);
        assertWithin(Schedules.cosineWarmRestarts(steps(300), steps(3), min), min, 1);
    }

    @RepeatedTest(20)
    void warmRestartsRestartAtOne(RepetitionInfo info) {
        random(info);
        long first = steps(100), mult = steps(3);
        Schedule s = Schedules.cosineWarmRestarts(first, mult, fraction());
        for (long start = 0, period = first; start < STEPS; start += period, period *= mult)
            assertEquals(1, s.at(start), 1e-15, "restart at " + start);
    }

    @RepeatedTest(20)
    void linearAndWarmupMoveBetweenTheirEndsThenHold(RepetitionInfo info) {
        random(info);
        double a = 2 * fraction(), b = 2 * fraction();
        long n = steps(STEPS / 2);
        Schedule s = Schedules.linear(a, b, n);
        assertWithin(s, Math.min(a, b), Math.max(a, b));
        assertEquals(a, s.at(0), 1e-15);
        assertEquals(b, s.at(n), 1e-12);
        assertEquals(b, s.at(n + steps(1000)), 1e-12);
        Schedule w = Schedules.warmup(n);
        assertEquals(0, w.at(0));
        assertEquals(1, w.at(n), 1e-15);
        for (long k = 1; k <= n; k++) assertTrue(w.at(k) > w.at(k - 1));
    }

    @RepeatedTest(20)
    void oneCycleStaysBetweenItsMinimumAndPeak(RepetitionInfo info) {
        random(info);
        double peak = 10 * fraction(), div = 1 + 50 * fraction(), finalDiv = 1 + 1e4 * fraction();
        boolean three = random.nextBoolean();
        OneCycle c = Schedules.oneCycle(steps(STEPS))
                .withPctStart(0.01 + (three ? 0.49 : 0.98) * fraction())
                .withAnneal(random.nextBoolean() ? Anneal.COS : Anneal.LINEAR)
                .withDivFactors(div, finalDiv)
                .withThreePhase(three)
                .scale(peak);
        assertWithin(c, peak / div / finalDiv, peak);
        assertEquals(peak / div / finalDiv, c.at(c.totalSteps() - 1), 1e-12 * peak);
        for (long k = 0; k < STEPS; k++) {
            double m = c.momentumAt(k);
            if (!(m >= c.baseMomentum() - 1e-12 && m <= c.maxMomentum() + 1e-12)) fail("momentum " + m + " at " + k);
        }
    }

    @RepeatedTest(20)
    void cyclicStaysBetweenLowAndHigh(RepetitionInfo info) {
        random(info);
        double low = fraction(), high = low + fraction();
        long up = steps(200), down = steps(200);
        double gamma = 0.9 + 0.1 * fraction();
        for (CyclicMode mode : CyclicMode.values()) {
            Schedule s = Schedules.cyclic(low, high, up, down, mode, gamma);
            assertWithin(s, low, high);
            assertEquals(low, s.at(0), 1e-12);
            double amplitude = mode == CyclicMode.EXP_RANGE ? Math.pow(gamma, up) : 1;
            assertEquals(low + (high - low) * amplitude, s.at(up), 1e-12, mode + " peak of the first cycle");
            assertEquals(low, s.at(up + down), 1e-12, mode + " end of the first cycle");
        }
    }

    @Test
    void triangular2HalvesEachCycle() {
        Schedule s = Schedules.cyclic(0, 1, 3, 5, CyclicMode.TRIANGULAR2, 1);
        assertEquals(1, s.at(3), 1e-15);
        assertEquals(0.5, s.at(11), 1e-15);
        assertEquals(0.25, s.at(19), 1e-15);
    }

    @RepeatedTest(10)
    void schedulesArePure(RepetitionInfo info) {
        random(info);
        Schedule s = Schedules.warmup(steps(50)).then(Schedules.cosineWarmRestarts(steps(50), 2, fraction()));
        long k = steps(STEPS);
        double first = s.at(k);
        for (long j = 0; j < 100; j++) s.at(j);
        assertEquals(first, s.at(k));
    }
}
