package dev.descent.train;

import static dev.descent.train.TrainerTest.DIGITS;
import static dev.descent.train.TrainerTest.LOSS;
import static dev.descent.train.TrainerTest.MODEL;
import static dev.descent.train.TrainerTest.SIMD;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.descent.checkpoint.Checkpoint;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Optimizers;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rules on the generic path checkpoint their typed state under PyTorch's buffer names and resume
 * bit for bit through the Trainer: NAdam (its μ product is recomputed from the step), LAMB (its
 * per-tensor trust ratios use the model's tensors in both sessions), ASGD (its average).
 */
class GenericRuleResumeTest {

    @Test
    void genericRulesResumeBitForBit(@TempDir Path dir) throws Exception {
        for (Optimizer opt : List.of(
                Optimizers.nadam(0.003).weightDecay(0.01),
                Optimizers.lamb(0.01),
                Optimizers.asgd(0.05).t0(30))) {
            Path ckpt = dir.resolve(opt.getClass().getSimpleName());
            var config = CheckpointResumeTest.config(4);
            TrainingResult whole = new Trainer(SIMD, MODEL, LOSS, opt, config).fit(DIGITS.train(), DIGITS.test());
            new Trainer(SIMD, MODEL, LOSS, opt, CheckpointResumeTest.config(2).withCheckpoints(ckpt, 1))
                    .fit(DIGITS.train(), DIGITS.test());
            Checkpoint c = Checkpoint.read(ckpt);
            for (String name : opt.newState(MODEL.parameterCount()).buffers().keySet())
                assertNotNull(c.requireShape("optimizer." + name, MODEL.parameterCount()), name);
            TrainingResult resumed =
                    new Trainer(SIMD, MODEL, LOSS, opt, config).resume(ckpt, DIGITS.train(), DIGITS.test());
            assertArrayEquals(whole.parameters(), resumed.parameters(), opt + ": parameters after resuming");
        }
    }
}
