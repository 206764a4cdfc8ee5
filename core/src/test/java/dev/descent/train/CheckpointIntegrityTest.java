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

import dev.descent.checkpoint.Checkpoint;
import dev.descent.checkpoint.CheckpointException;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Optimizers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint is only resumed when it is whole and consistent, and a run never replaces another
 * run's checkpoint: every refusal names the file and the reason, and leaves the files as they were.
 */
class CheckpointIntegrityTest {

    static final Optimizer SGD = Optimizers.sgd(0.1).momentum(0.9);

    @TempDir
    Path root;

    static TrainingConfig config(int epochs) {
        return CheckpointResumeTest.config(epochs);
    }

    /** A 2-epoch run's checkpoint in root/ckpt. */
    private Path twoEpochs() {
        Path ckpt = root.resolve("ckpt");
        new Trainer(SIMD, MODEL, LOSS, SGD, config(2).withCheckpoints(ckpt, 1)).fit(DIGITS.train(), DIGITS.test());
        return ckpt;
    }

    /** Rewrites the checkpoint with one state value changed, keeping it well-formed (valid checksums). */
    private static void edit(Path ckpt, Consumer<Map<String, Object>> change) throws IOException {
        Checkpoint c = Checkpoint.read(ckpt);
        Map<String, Object> state = deepCopy(c.state());
        change.accept(state);
        Checkpoint.write(ckpt, new ArrayList<>(c.tensors().values()), state);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> deepCopy(Map<String, Object> m) {
        Map<String, Object> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, v instanceof Map<?, ?> inner ? deepCopy((Map<String, Object>) inner) : v));
        return out;
    }

    /** Resuming is refused with a message naming state.json and containing {@code reason}; nothing changes. */
    private static void refused(Path ckpt, String reason) throws IOException {
        byte[] model = Files.readAllBytes(ckpt.resolve(Checkpoint.MODEL_FILE));
        byte[] state = Files.readAllBytes(ckpt.resolve(Checkpoint.STATE_FILE));
        var trainer = new Trainer(SIMD, MODEL, LOSS, SGD, config(4).withCheckpoints(ckpt, 1));
        var e = assertThrows(UncheckedIOException.class, () -> trainer.resume(ckpt, DIGITS.train(), DIGITS.test()));
        assertInstanceOf(CheckpointException.class, e.getCause());
        assertTrue(
                e.getMessage().contains(ckpt.resolve(Checkpoint.STATE_FILE) + ": ")
                        && e.getMessage().contains(reason),
                e.getMessage());
        assertArrayEquals(model, Files.readAllBytes(ckpt.resolve(Checkpoint.MODEL_FILE)), "model untouched");
        assertArrayEquals(state, Files.readAllBytes(ckpt.resolve(Checkpoint.STATE_FILE)), "state untouched");
    }

    @Test
    void aStepThatDisagreesWithTheEpochsDoneIsRefused() throws IOException {
        Path ckpt = twoEpochs();
        long step = Checkpoint.read(ckpt).stateLong("step");
        assertEquals(2 * 18, step, "1,437 rows, 36 batches of 40, 2 per step: 18 steps per epoch");
        edit(ckpt, s -> s.put("step", step + 1));
        refused(ckpt, "state 'step' is 37, but 2 epochs of 18 steps end at step 36");
    }

    @Test
    void aNegativeFirstLossThatWouldSwitchTheDivergenceGuardOffIsRefused() throws IOException {
        Path ckpt = twoEpochs();
        edit(ckpt, s -> s.put("first_loss", -1.0));
        refused(ckpt, "state 'first_loss' is -1.0, but the history's first step loss is ");
    }

    @Test
    void wrongTypesAndHugeNumbersAreRefusedByName() throws IOException {
        Path ckpt = twoEpochs();
        edit(ckpt, s -> ((Map<String, Object>) s.get("plateau")).put("factor", "half"));
        refused(ckpt, "state 'plateau.factor' must be a number in (0, 1], found \"half\"");
        edit(ckpt, s -> ((Map<String, Object>) s.get("plateau")).put("factor", 0.7));
        edit(ckpt, s -> s.put("bad_epochs", 1L << 40));
        refused(ckpt, "state 'bad_epochs' must be an integer in [0, 10], found 1099511627776");
    }

    @Test
    void aFreshRunRefusesToReplaceAnotherRunsCheckpoint() throws IOException {
        Path ckpt = twoEpochs();
        byte[] model = Files.readAllBytes(ckpt.resolve(Checkpoint.MODEL_FILE));
        var other = new Trainer(SIMD, MODEL, LOSS, SGD, config(3).withCheckpoints(ckpt, 1));
        var e = assertThrows(UncheckedIOException.class, () -> other.fit(DIGITS.train(), DIGITS.test()));
        assertTrue(e.getMessage().startsWith(ckpt + ": holds the checkpoint of another run ("), e.getMessage());
        assertTrue(e.getMessage().contains("2 of 2 epochs done"), e.getMessage());
        assertArrayEquals(model, Files.readAllBytes(ckpt.resolve(Checkpoint.MODEL_FILE)), "nothing was overwritten");
    }

    @Test
    void aResumedRunReplacesItsOwnCheckpointEveryEpoch() throws IOException {
        Path ckpt = twoEpochs();
        var more = new Trainer(SIMD, MODEL, LOSS, SGD, config(4).withCheckpoints(ckpt, 1));
        more.resume(ckpt, DIGITS.train(), DIGITS.test());
        assertEquals(4L, Checkpoint.read(ckpt).stateLong("epochs_done"));
    }

    @Test
    void flippedBitsInTheWeightsAreRefusedAndNothingIsOverwritten() throws IOException {
        Path ckpt = twoEpochs();
        Path file = ckpt.resolve(Checkpoint.MODEL_FILE);
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 1000] ^= 0x01;
        Files.write(file, bytes);
        var trainer = new Trainer(SIMD, MODEL, LOSS, SGD, config(4).withCheckpoints(ckpt, 1));
        var e = assertThrows(UncheckedIOException.class, () -> trainer.resume(ckpt, DIGITS.train(), DIGITS.test()));
        assertTrue(e.getMessage().contains(file + ": content does not match the SHA-256"), e.getMessage());
        assertArrayEquals(bytes, Files.readAllBytes(file), "the damaged file is kept as it is, for inspection");
    }

    @Test
    void aFullDiskWhileWritingTheHistoryCsvLeavesNoTruncatedFile() throws IOException {
        Path csv = root.resolve("steps.csv");
        History.write(csv, "a,b", List.of(1, 2), i -> i + "," + i, java.util.function.UnaryOperator.identity());
        String before = Files.readString(csv);
        var e = assertThrows(
                UncheckedIOException.class,
                () -> History.write(
                        csv,
                        "a,b",
                        List.of(3, 4, 5),
                        i -> i + "," + i,
                        ch -> new java.nio.channels.WritableByteChannel() {
                            int written;

                            @Override
                            public int write(java.nio.ByteBuffer src) throws IOException {
                                if (written > 3) throw new IOException("No space left on device");
                                src.get();
                                return ++written > 0 ? 1 : 0;
                            }

                            @Override
                            public boolean isOpen() {
                                return true;
                            }

                            @Override
                            public void close() {}
                        }));
        assertEquals(
                "no space left on device: " + csv + " (nothing written; any earlier file is unchanged)",
                e.getMessage());
        assertEquals(before, Files.readString(csv));
        try (var files = Files.list(root)) {
            assertEquals(List.of(csv), files.toList(), "no temporary file left");
        }
    }

    @Test
    void aCheckpointFolderLockedByAnotherRunIsRefused() throws Exception {
        Path ckpt = root.resolve("ckpt");
        var other = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            var held = new java.util.concurrent.CountDownLatch(1);
            var release = new java.util.concurrent.CountDownLatch(1);
            other.submit(() -> {
                try (var lock = dev.descent.checkpoint.OutputLock.acquire(ckpt)) {
                    held.countDown();
                    release.await();
                }
                return null;
            });
            held.await();
            var trainer = new Trainer(SIMD, MODEL, LOSS, SGD, config(1).withCheckpoints(ckpt, 1));
            var e = assertThrows(UncheckedIOException.class, () -> trainer.fit(DIGITS.train()));
            assertTrue(e.getMessage().startsWith(root + ": is being written by another run (pid "), e.getMessage());
            assertTrue(!Files.exists(ckpt), "nothing written");
            release.countDown();
        } finally {
            other.shutdown();
            other.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
        }
        new Trainer(SIMD, MODEL, LOSS, SGD, config(1).withCheckpoints(ckpt, 1)).fit(DIGITS.train());
        assertEquals(1L, Checkpoint.read(ckpt).stateLong("epochs_done"));
    }

    @Test
    void overwriteReplacesAnotherRunsCheckpointOnlyWhenAsked() throws IOException {
        Path ckpt = twoEpochs();
        new Trainer(SIMD, MODEL, LOSS, SGD, config(3).withCheckpoints(ckpt, 1).withCheckpointOverwrite(true))
                .fit(DIGITS.train(), DIGITS.test());
        assertEquals(3L, Checkpoint.read(ckpt).stateLong("epochs_done"));
        assertEquals(3L, Checkpoint.read(ckpt).stateLong("epochs"));
    }
}
