package dev.descent.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.checkpoint.Checkpoint;
import dev.descent.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The flagship's --out/--resume handling: nothing lost, nothing replaced behind the user's back. */
class CheckpointCliTest {

    @TempDir
    Path root;

    record Run(int code, String err) {}

    /** {@code ./descent mnist} on 256 rows with these arguments; the exit code and what it printed to stderr. */
    static Run mnist(String... args) {
        String[] all = Stream.concat(
                        Stream.of("mnist", "--limit", "256", "--backend", "simd", "--no-progress"), Stream.of(args))
                .toArray(String[]::new);
        var err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(all);
            return new Run(code, err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(old);
        }
    }

    static long epochsDone(Path checkpoint) throws IOException {
        return Checkpoint.read(checkpoint).stateLong("epochs_done");
    }

    @Test
    void aCheckpointLeftAsOldByACrashIsResumedAndNeverDeleted() throws IOException {
        Path out = root.resolve("run");
        assertEquals(0, mnist("--epochs", "1", "--out", out.toString()).code());
        // the state a crash between the two renames of a checkpoint write leaves
        Path old = out.resolve("checkpoint.old-0123456789ab");
        Files.move(out.resolve("checkpoint"), old);
        byte[] weights = Files.readAllBytes(old.resolve(Checkpoint.MODEL_FILE));

        Run plain = mnist("--epochs", "1", "--out", out.toString());
        assertEquals(2, plain.code(), plain.err());
        assertTrue(plain.err().contains(old.toString()), plain.err());
        assertArrayEquals(
                weights, Files.readAllBytes(old.resolve(Checkpoint.MODEL_FILE)), "the only checkpoint is kept");

        Run resumed = mnist("--epochs", "2", "--resume", out.toString(), "--out", out.toString());
        assertEquals(0, resumed.code(), resumed.err());
        assertEquals(2, epochsDone(out.resolve("checkpoint")));
        assertFalse(Files.exists(old), "the leftover goes once a newer checkpoint is complete");
    }

    @Test
    void aCheckpointFolderThatIsASymbolicLinkIsRefusedAndItsTargetKept() throws IOException {
        Path keep = root.resolve("keep");
        assertEquals(0, mnist("--epochs", "1", "--out", keep.toString()).code());
        byte[] weights = Files.readAllBytes(keep.resolve("checkpoint").resolve(Checkpoint.MODEL_FILE));
        Path out = Files.createDirectories(root.resolve("out"));
        Files.createSymbolicLink(out.resolve("checkpoint"), keep.resolve("checkpoint"));

        Run r = mnist("--epochs", "1", "--out", out.toString(), "--overwrite");
        assertEquals(4, r.code(), r.err()); // a file that cannot be written (README "Errors and exit codes")
        assertTrue(r.err().contains(out.resolve("checkpoint") + ": is a symbolic link"), r.err());
        assertArrayEquals(weights, Files.readAllBytes(keep.resolve("checkpoint").resolve(Checkpoint.MODEL_FILE)));
    }

    @Test
    void aNewRunRefusesToReplaceAnotherRunsCheckpointUnlessOverwrite() throws IOException {
        Path out = root.resolve("run");
        Path ckpt = out.resolve("checkpoint");
        assertEquals(0, mnist("--epochs", "1", "--out", out.toString()).code());
        byte[] weights = Files.readAllBytes(ckpt.resolve(Checkpoint.MODEL_FILE));

        Run r = mnist("--epochs", "2", "--out", out.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains(ckpt + " holds the checkpoint of another run ("), r.err());
        assertTrue(r.err().contains("1 of 1 epochs done") && r.err().contains("256 training rows"), r.err());
        assertTrue(
                r.err().contains("--resume " + out)
                        && r.err().contains("another --out")
                        && r.err().contains("--overwrite"),
                r.err());
        assertArrayEquals(weights, Files.readAllBytes(ckpt.resolve(Checkpoint.MODEL_FILE)), "nothing replaced");

        r = mnist("--epochs", "2", "--out", out.toString(), "--overwrite");
        assertEquals(0, r.code(), r.err());
        assertEquals(2, epochsDone(ckpt));
    }
}
