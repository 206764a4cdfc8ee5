package dev.descent.train;

import static dev.descent.train.TrainerTest.DIGITS;
import static dev.descent.train.TrainerTest.LOSS;
import static dev.descent.train.TrainerTest.MODEL;
import static dev.descent.train.TrainerTest.SIMD;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.backend.Activation;
import dev.descent.checkpoint.Checkpoint;
import dev.descent.checkpoint.CheckpointException;
import dev.descent.model.Models;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Optimizers;
import dev.descent.schedule.ReduceOnPlateau;
import dev.descent.schedule.Schedules;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoints hold everything a run needs: resuming after epoch k continues bit for bit. */
class CheckpointResumeTest {

    static TrainingConfig config(int epochs) {
        return TrainingConfig.defaults()
                .withBatchSize(40)
                .withEpochs(epochs)
                .withSeed(11)
                .withAccumulation(2)
                .withSchedule(Schedules.warmup(20).then(Schedules.cosine(200, 0.05)))
                .withPlateau(ReduceOnPlateau.Config.DEFAULTS.withPatience(0).withFactor(0.7))
                .withClipping(Clipping.byNorm(5))
                .withEarlyStopping(EarlyStopping.patience(10));
    }

    @Test
    void resumingAfterEpochKIsBitIdenticalToAnUninterruptedRun(@TempDir Path dir) {
        for (Optimizer opt : List.of(Optimizers.sgd(0.1).momentum(0.9).nesterov(), Optimizers.adamW(0.003))) {
            Path ckpt = dir.resolve(opt.getClass().getSimpleName());
            TrainingResult whole = new Trainer(SIMD, MODEL, LOSS, opt, config(5)).fit(DIGITS.train(), DIGITS.test());
            new Trainer(SIMD, MODEL, LOSS, opt, config(2).withCheckpoints(ckpt, 1)).fit(DIGITS.train(), DIGITS.test());
            TrainingResult resumed =
                    new Trainer(SIMD, MODEL, LOSS, opt, config(5)).resume(ckpt, DIGITS.train(), DIGITS.test());

            assertArrayEquals(whole.parameters(), resumed.parameters(), opt + ": parameters after resuming");
            assertEquals(
                    whole.history().steps().size(), resumed.history().steps().size());
            for (int i = 0; i < whole.history().steps().size(); i++) {
                History.Step a = whole.history().steps().get(i),
                        b = resumed.history().steps().get(i);
                assertEquals(a.loss(), b.loss(), 0, "loss of step " + i);
                assertEquals(a.lr(), b.lr(), 0, "lr of step " + i);
            }
            for (int e = 0; e < 5; e++)
                assertEquals(
                        whole.history().epochs().get(e).valLoss(),
                        resumed.history().epochs().get(e).valLoss(),
                        0);
        }
    }

    @Test
    void theWeightsAreAPyTorchStyleSafetensorsFile(@TempDir Path dir) throws Exception {
        Path ckpt = dir.resolve("run");
        TrainingResult r = new Trainer(
                        SIMD,
                        MODEL,
                        LOSS,
                        Optimizers.sgd(0.1).momentum(0.9),
                        config(1).withCheckpoints(ckpt, 1))
                .fit(DIGITS.train());
        Checkpoint c = Checkpoint.read(ckpt);
        float[] w0 = c.requireShape("layers.0.weight", 32, 64);
        float[] b1 = c.requireShape("layers.1.bias", 10);
        assertEquals(r.parameters()[0], w0[0]);
        assertEquals(r.parameters()[r.parameters().length - 1], b1[9]);
        c.requireShape("optimizer.momentum_buffer", MODEL.parameterCount());
        assertEquals(1L, c.stateLong("epochs_done"));
        assertEquals(r.history().steps().size(), c.stateLong("step"));
    }

    @Test
    void aCheckpointOfAnotherModelOrRunIsRejectedAndLeftAlone(@TempDir Path dir) throws Exception {
        Path ckpt = dir.resolve("run");
        Optimizer opt = Optimizers.sgd(0.1).momentum(0.9);
        new Trainer(SIMD, MODEL, LOSS, opt, config(1).withCheckpoints(ckpt, 1)).fit(DIGITS.train());
        byte[] weights = Files.readAllBytes(ckpt.resolve(Checkpoint.MODEL_FILE));

        var wider = new Trainer(
                SIMD, Models.mlp(64).dense(48, Activation.TANH).dense(10).build(), LOSS, opt, config(3));
        var e = assertThrows(UncheckedIOException.class, () -> wider.resume(ckpt, DIGITS.train(), null));
        assertInstanceOf(CheckpointException.class, e.getCause());
        assertTrue(
                e.getMessage().contains("model.safetensors") && e.getMessage().contains("layers.0.weight"),
                e.getMessage());

        var otherSeed = new Trainer(SIMD, MODEL, LOSS, opt, config(3).withSeed(12));
        e = assertThrows(UncheckedIOException.class, () -> otherSeed.resume(ckpt, DIGITS.train(), null));
        assertTrue(e.getMessage().contains("seed 11, this trainer has 12"), e.getMessage());

        var done = new Trainer(SIMD, MODEL, LOSS, opt, config(1));
        assertArrayEquals(weights, Files.readAllBytes(ckpt.resolve(Checkpoint.MODEL_FILE)), "nothing was overwritten");

        Path corrupt = dir.resolve("corrupt");
        Files.createDirectories(corrupt);
        for (String f : List.of(Checkpoint.MODEL_FILE, Checkpoint.STATE_FILE))
            Files.copy(ckpt.resolve(f), corrupt.resolve(f));
        Files.write(corrupt.resolve(Checkpoint.MODEL_FILE), java.util.Arrays.copyOf(weights, weights.length - 7));
        e = assertThrows(UncheckedIOException.class, () -> done.resume(corrupt, DIGITS.train(), null));
        assertInstanceOf(CheckpointException.class, e.getCause());
        System.out.println(e.getMessage());
        assertTrue(e.getMessage().contains("model.safetensors"), e.getMessage());
    }
}
