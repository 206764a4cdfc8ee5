package dev.descent.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.checkpoint.Checkpoint;
import dev.descent.cli.Main;
import dev.descent.train.History;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MnistExampleTest {

    @TempDir
    Path dir;

    /**
     * 2 epochs on the first 2,000 training digits (500 test digits), then one more epoch resumed from
     * the checkpoint: accuracy, every file, and a history that continues where the checkpoint left it.
     */
    @Test
    void trainsWritesACheckpointAndResumesFromIt() throws IOException {
        String[] common = {"--limit", "2000", "--backend", "simd", "--out", dir.toString(), "--no-progress"};
        MnistExample first = Outputs.run(new MnistExample(), concat(common, "--epochs", "2"));
        var r = first.result;
        assertEquals(2000, r.train().rows());
        assertEquals(500, r.test().rows());
        assertEquals(2 * 32, r.totalSteps()); // 2000 rows in batches of 64: 32 steps per epoch
        assertEquals(6, r.warmupSteps());
        History h = r.fit().history();
        assertEquals(2, h.epochs().size());
        assertEquals(64, h.steps().size());
        assertTrue(r.testAccuracy() > 0.88, "test accuracy " + r.testAccuracy());
        assertEquals(r.testAccuracy(), h.lastEpoch().valAccuracy(), 1e-12, "validation = test split");
        assertEquals(Math.round((1 - r.testAccuracy()) * 500), r.misclassified().length);
        assertTrue(h.lastEpoch().loss() < h.epochs().get(0).loss(), "training loss falls");
        assertEquals(0, h.steps().get(0).lr(), 1e-12, "warmup starts at 0");
        assertEquals(0.1, h.steps().get(6).lr(), 1e-9, "and reaches the base rate");

        Outputs.png(dir.resolve("training.png"), 1520, 520);
        Outputs.png(dir.resolve("lr.png"), 900, 600);
        int shown = Math.min(48, r.misclassified().length), rows = Math.max(1, (shown + 11) / 12);
        Outputs.png(dir.resolve("misclassified.png"), 1138, 44 + rows * 116 + 10); // up to 48 digits, 12 a row
        List<String> epochs = Outputs.csv(
                dir.resolve("epochs.csv"), "epoch,steps,samples,loss,val_loss,val_accuracy,val_rmse,lr,seconds", 2);
        assertEquals(3, epochs.size(), "header + one row per epoch");
        assertEquals(
                65,
                Outputs.csv(dir.resolve("steps.csv"), "step,epoch,loss,lr,grad_norm,seconds", 64)
                        .size());
        Path checkpoint = dir.resolve("checkpoint");
        assertTrue(Files.size(checkpoint.resolve(Checkpoint.MODEL_FILE)) > 4 * 101_770, "parameters stored");
        assertEquals(2, MnistExample.epochsDone(checkpoint));

        // one more epoch from the checkpoint (named by its --out folder); the schedule is re-sized for 3 epochs
        MnistExample resumed =
                Outputs.run(new MnistExample(), concat(common, "--epochs", "3", "--resume", dir.toString()));
        History h3 = resumed.result.fit().history();
        assertEquals(3, h3.epochs().size());
        assertEquals(
                List.of(1, 2, 3), h3.epochs().stream().map(History.Epoch::epoch).toList());
        assertEquals(96, h3.steps().size());
        assertEquals(96, h3.lastEpoch().steps());
        assertEquals(h.epochs(), h3.epochs().subList(0, 2), "the checkpoint's epochs are kept as they were");
        assertArrayEquals(
                h.steps().stream().mapToDouble(History.Step::loss).toArray(),
                h3.steps().subList(0, 64).stream()
                        .mapToDouble(History.Step::loss)
                        .toArray());
        assertTrue(resumed.result.testAccuracy() > 0.88, "test accuracy " + resumed.result.testAccuracy());
        assertEquals(3, MnistExample.epochsDone(checkpoint));
        assertEquals(4, Files.readAllLines(dir.resolve("epochs.csv")).size());
    }

    @Test
    void resumingWithoutMoreEpochsSaysWhatToPass() throws IOException {
        Path cp = dir.resolve("checkpoint");
        Outputs.run(
                new MnistExample(), "--limit", "256", "--epochs", "1", "--out", dir.toString(), "--backend", "simd");
        var err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        int code;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            code = Main.run(
                    "mnist", "--limit", "256", "--epochs", "1", "--resume", cp.toString(), "--out", dir.toString());
        } finally {
            System.setErr(old);
        }
        assertEquals(2, code);
        String message = err.toString(StandardCharsets.UTF_8);
        assertTrue(message.contains("1 epochs done already") && message.contains("--epochs 2"), message);
        code = Main.run("mnist", "--resume", dir.resolve("nothing").toString(), "--out", dir.toString());
        assertEquals(2, code);
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
