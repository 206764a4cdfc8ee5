package dev.descent.train;

import static dev.descent.train.TrainerTest.DIGITS;
import static dev.descent.train.TrainerTest.LOSS;
import static dev.descent.train.TrainerTest.MODEL;
import static dev.descent.train.TrainerTest.SIMD;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.descent.optim.Optimizer;
import dev.descent.optim.Optimizers;
import dev.descent.optim.ParamGroup;
import dev.descent.schedule.Schedule;
import dev.descent.schedule.Schedules;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A one-cycle policy wrapped in another schedule cycles the momentum as the bare one does (it used
 * to cycle only the learning rate), in every parameter group.
 */
class NestedOneCycleTest {

    private static float[] fit(Optimizer opt, Schedule schedule) {
        var config = TrainingConfig.defaults()
                .withBatchSize(40)
                .withEpochs(2)
                .withSeed(3)
                .withSchedule(schedule);
        return new Trainer(SIMD, MODEL, LOSS, opt, config)
                .fit(DIGITS.train(), DIGITS.test())
                .parameters();
    }

    @Test
    void aWrappedOneCycleCyclesTheMomentumToo() {
        var cycle = Schedules.oneCycle(200); // longer than the run: a join after it changes nothing
        for (Optimizer opt : List.<Optimizer>of(
                Optimizers.sgd(0.1).momentum(0.9),
                Optimizers.adam(0.01),
                Optimizers.sgd(0.1)
                        .momentum(0.9)
                        .groups(ParamGroup.of("biases", ParamGroup.Selector.names("*.bias"))
                                .weightDecay(0.01)))) {
            float[] bare = fit(opt, cycle);
            assertArrayEquals(bare, fit(opt, cycle.clamp(0, Double.POSITIVE_INFINITY)), opt.toString());
            assertArrayEquals(bare, fit(opt, Schedules.join(new long[] {200}, cycle, Schedules.constant(0.001))));
            assertFalse(Arrays.equals(bare, fit(opt, cycle.withoutMomentumCycling())), "the momentum matters");
        }
    }

    /**
     * CyclicLR sets the momentum before every step, the first included (PyTorch's default
     * cycle_momentum): SGD configured without momentum runs exactly as SGD configured with any
     * other, and differently from the same schedule with cycling off. An optimizer with no momentum
     * is refused by name.
     */
    @Test
    void cyclicSchedulesCycleTheMomentumOfAnySgd() {
        var cyclic = Schedules.cyclic(0.1, 1, 7);
        float[] plain = fit(Optimizers.sgd(0.05), cyclic);
        assertArrayEquals(plain, fit(Optimizers.sgd(0.05).momentum(0.3), cyclic));
        assertFalse(Arrays.equals(plain, fit(Optimizers.sgd(0.05), cyclic.withoutMomentumCycling())));
        var e = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class, () -> fit(Optimizers.adagrad(0.05), cyclic));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("withoutMomentumCycling"), e.getMessage());
    }
}
