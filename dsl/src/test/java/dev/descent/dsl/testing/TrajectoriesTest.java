package dev.descent.dsl.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.Shared;
import dev.descent.backend.SimdBackend;
import dev.descent.dsl.MySgd;
import dev.descent.objective.Objectives;
import dev.descent.optim.Optimizers;
import dev.descent.reference.OptimizerCase;
import dev.descent.schedule.Schedules;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Trajectories of optimizers on analytic objectives, and checks against PyTorch's recorded ones. */
class TrajectoriesTest {

    @Test
    void sgdOnTheBowlConvergesAndRecordsEveryStep() {
        Trajectory t = Trajectories.run(Optimizers.sgd(0.1), Objectives.bowl(), new float[] {1, 1}, 50);
        assertEquals(50, t.steps());
        assertArrayEquals(new float[] {1, 1}, t.position(0));
        assertEquals(3.0, t.value(0), 1e-12, "f(1,1) = 1 + 2");
        // f = x² + 2y²: gradient (2x, 4y), so one step of lr 0.1 scales x by 0.8 and y by 0.6
        assertArrayEquals(new float[] {0.8f, 0.6f}, t.position(1), 1e-7f);
        assertTrue(t.lastValue() < 1e-8, "converged: " + t.lastValue());
        for (double lr : t.lrs()) assertEquals(0.1, lr);
    }

    @Test
    void theScheduleMultipliesTheOptimizersLearningRate() {
        Trajectory t = Trajectories.run(
                Optimizers.sgd(0.2), Schedules.warmup(4), Objectives.doubleWell(), new float[] {-1.5f}, 10);
        assertArrayEquals(new double[] {0, 0.05, 0.1, 0.15, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2}, t.lrs(), 1e-12);
        assertArrayEquals(t.position(0), t.position(1), "lr 0 at step 0 does not move");
    }

    @Test
    void anyOptimizerOnAnyBackend() {
        Trajectory scalar = Trajectories.run(
                Optimizers.adam(0.05), Schedules.cosine(200), Objectives.rosenbrock(), new float[] {-1, 1}, 200);
        Trajectory simd = Trajectories.run(
                new SimdBackend(),
                Optimizers.adam(0.05),
                Schedules.cosine(200),
                Objectives.rosenbrock(),
                new float[] {-1, 1},
                200);
        assertTrue(scalar.lastValue() < scalar.value(0));
        assertArrayEquals(scalar.last(), simd.last(), 1e-5f);
    }

    @Test
    void aStartOfTheWrongWidthIsRefused() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> Trajectories.run(Optimizers.sgd(0.1), Objectives.bowl(), new float[3], 1));
        assertTrue(e.getMessage().contains("3") && e.getMessage().contains("dimension 2"), e.getMessage());
    }

    @Test
    void descentsOwnOptimizersMatchEveryRecordedCase() {
        for (String file : new String[] {"sgd_trajectories.json", "adaptive_trajectories.json"}) {
            List<OptimizerCase> cases = ReferenceCases.load(Shared.reference().resolve(file));
            assertTrue(cases.size() >= 6, file + ": " + cases.size());
            for (OptimizerCase c : cases) ReferenceCases.assertMatches(c, OptimizerCase::descentOptimizer);
        }
    }

    @Test
    void aUsersOwnSgdMatchesPyTorch() {
        for (OptimizerCase c : ReferenceCases.load(Shared.reference().resolve("sgd_trajectories.json")))
            ReferenceCases.assertMatches(
                    c,
                    k -> new MySgd(
                            k.lr(),
                            k.number("momentum", 0),
                            k.number("dampening", 0),
                            k.flag("nesterov"),
                            k.number("weight_decay", 0),
                            k.flag("maximize")));
    }

    @Test
    void aWrongOptimizerFailsNamingTheCaseAndTheStep() {
        OptimizerCase momentum = ReferenceCases.load(Shared.reference().resolve("sgd_trajectories.json")).stream()
                .filter(c -> c.number("momentum", 0) == 0.9
                        && !c.flag("nesterov")
                        && c.hyper().size() == 2)
                .findFirst()
                .orElseThrow();
        ReferenceCases.Check check = ReferenceCases.check(momentum, k -> MySgd.plain(k.lr()));
        assertTrue(!check.passed() && check.maxRelativeError() > 1e-3, check.toString());
        AssertionError e = assertThrows(
                AssertionError.class, () -> ReferenceCases.assertMatches(momentum, k -> MySgd.plain(k.lr())));
        assertTrue(e.getMessage().contains("sgd_trajectories.json #1"), e.getMessage());
        assertTrue(e.getMessage().contains("first off after step 2"), e.getMessage());
    }
}
