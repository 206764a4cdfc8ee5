package dev.descent.train;

import static dev.descent.train.TrainerTest.DIGITS;
import static dev.descent.train.TrainerTest.LOSS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.backend.Activation;
import dev.descent.backend.Backend;
import dev.descent.backend.Backends;
import dev.descent.model.Dropout;
import dev.descent.model.Models;
import dev.descent.model.Sequential;
import dev.descent.optim.Optimizers;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Dropout's masks derive from (seed, step, micro-batch): a run is reproducible and resumes bit for bit. */
class DropoutResumeTest {

    static Sequential model(double p) {
        return Models.sequential(64)
                .dense(32, Activation.TANH)
                .add(new Dropout(p))
                .dense(10)
                .build();
    }

    @ParameterizedTest
    @ValueSource(strings = {"scalar", "simd"})
    void aRunWithDropoutResumesBitIdentically(String name, @TempDir Path dir) {
        Backend b = Backends.byName(name);
        var opt = Optimizers.sgd(0.05).momentum(0.9);
        Sequential m = model(0.3);
        TrainingConfig c4 = CheckpointResumeTest.config(4);
        TrainingResult whole = new Trainer(b, m, LOSS, opt, c4).fit(DIGITS.train(), DIGITS.test());
        TrainingResult again = new Trainer(b, m, LOSS, opt, c4).fit(DIGITS.train(), DIGITS.test());
        assertArrayEquals(whole.parameters(), again.parameters(), "same seed, same masks");

        Path ckpt = dir.resolve("run");
        new Trainer(b, m, LOSS, opt, CheckpointResumeTest.config(2).withCheckpoints(ckpt, 1))
                .fit(DIGITS.train(), DIGITS.test());
        TrainingResult resumed = new Trainer(b, m, LOSS, opt, c4).resume(ckpt, DIGITS.train(), DIGITS.test());
        assertArrayEquals(whole.parameters(), resumed.parameters(), "parameters after resuming");
        for (int i = 0; i < whole.history().steps().size(); i++)
            assertEquals(
                    whole.history().steps().get(i).loss(),
                    resumed.history().steps().get(i).loss(),
                    0,
                    "loss of step " + i);

        TrainingResult plain = new Trainer(b, model(0), LOSS, opt, c4).fit(DIGITS.train(), DIGITS.test());
        assertFalse(Arrays.equals(whole.parameters(), plain.parameters()), "dropout 0.3 changes training");
        assertTrue(
                whole.evaluate(DIGITS.test()).accuracy() > 0.9,
                "accuracy " + whole.evaluate(DIGITS.test()).accuracy());
    }
}
