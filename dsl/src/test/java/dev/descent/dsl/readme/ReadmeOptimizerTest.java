package dev.descent.dsl.readme;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.Shared;
import dev.descent.dsl.MySgd;
import dev.descent.dsl.testing.ReferenceCases;
import dev.descent.dsl.testing.Trajectories;
import dev.descent.dsl.testing.Trajectory;
import dev.descent.objective.Objectives;
import dev.descent.reference.OptimizerCase;
import dev.descent.schedule.Schedules;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's optimizer-testing snippet: a user's own SGD checked against PyTorch's numbers. */
class ReadmeOptimizerTest {

    private final Path reference = Shared.reference(); // the shared/reference folder

    // README:begin optimizer-test
    @Test
    void mySgdFollowsPyTorchsTrajectories() {
        for (OptimizerCase c : ReferenceCases.load(reference.resolve("sgd_trajectories.json")))
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
    void mySgdGetsDownTheRosenbrockValley() {
        Trajectory t = Trajectories.run(
                new MySgd(0.002, 0.9, 0, false, 0, false), // lr × cosine schedule, as in training
                Schedules.cosine(2_000),
                Objectives.rosenbrock(),
                new float[] {-1.5f, 2},
                2_000);
        assertTrue(t.lastValue() < t.value(0) / 100, "f went from " + t.value(0) + " to " + t.lastValue());
    }
    // README:end
}
