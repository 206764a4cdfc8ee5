package dev.descent.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.backend.Backends;
import dev.descent.checkpoint.Checkpoint;
import dev.descent.checkpoint.Json;
import dev.descent.cli.Main;
import dev.descent.train.Callback;
import dev.descent.train.History;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./descent out-of-core} on a small data set: the JSON line's keys and values (the learned
 * weights approach the true ones), the files it writes, the same figures when the data is reused,
 * and a damaged shard reported in one line.
 */
class OutOfCoreExampleTest {

    @TempDir
    Path dir;

    private static final String[] SMALL = {
        "--rows",
        "24000",
        "--features",
        "1000",
        "--nnz",
        "10",
        "--test-rows",
        "3000",
        "--rows-per-shard",
        "7000",
        "--epochs",
        "3",
        "--backend",
        "simd",
        "--shuffle-buffer",
        "4096"
    };

    /** Runs the command through the CLI; returns {exit code, stdout, stderr}. */
    private static Object[] cli(String... args) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        PrintStream oldOut = System.out, oldErr = System.err;
        int code;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            code = Main.run(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        return new Object[] {code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    }

    /** {@code out-of-core}, the small data set, {@code --out dir}, then {@code more}. */
    private String[] args(String... more) {
        List<String> a = new java.util.ArrayList<>(List.of("out-of-core"));
        a.addAll(List.of(SMALL));
        a.addAll(List.of("--out", dir.toString()));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(String stdout) {
        String[] lines = stdout.strip().split("\\R");
        return (Map<String, Object>) Json.parse(lines[lines.length - 1]);
    }

    @Test
    void learnsTheTrueWeightsFromAStreamAndReportsThemAsJson() throws Exception {
        Object[] run = cli(args("--seed", "5"));
        assertEquals(0, run[0], (String) run[2]);
        Map<String, Object> j = json((String) run[1]);
        assertEquals(
                List.of("rows", "rows_per_s", "peak_heap_mb", "test_auc", "weight_cosine"), List.copyOf(j.keySet()));
        assertEquals(24000L, j.get("rows"));
        double auc = ((Number) j.get("test_auc")).doubleValue();
        double cosine = ((Number) j.get("weight_cosine")).doubleValue();
        assertTrue(((Number) j.get("rows_per_s")).doubleValue() > 1000, j.toString());
        double heap = ((Number) j.get("peak_heap_mb")).doubleValue();
        // MiB; maxMemory leaves out one survivor space that the heap's use may include
        assertTrue(heap > 1 && heap <= 1.1 * Runtime.getRuntime().maxMemory() / (1 << 20), j.toString());
        // 24,000 rows × 10 non-zeros over 1,000 features: 240 looks at each weight
        assertTrue(auc > 0.88, j.toString());
        assertTrue(cosine > 0.9, j.toString());
        String out = (String) run[1];
        assertTrue(out.contains("(the true weights: 0.9"), out);
        Path data = dir.resolve("data");
        assertEquals(4, Files.list(data.resolve("train")).count(), "4 shards of at most 7,000 rows");
        assertTrue(Files.exists(data.resolve("test.svm.gz")));
        Outputs.png(dir.resolve("loss.png"), Plots.WIDTH, Plots.HEIGHT);
        Outputs.csv(dir.resolve("loss.csv"), "step,epoch,loss,lr", 3 * 94);

        // the data set is reused (not rewritten) and the run repeats exactly
        long written = Files.getLastModifiedTime(data.resolve("test.svm.gz")).toMillis();
        Object[] again = cli(args("--seed", "5"));
        assertEquals(0, again[0], (String) again[2]);
        assertEquals(
                written, Files.getLastModifiedTime(data.resolve("test.svm.gz")).toMillis());
        Map<String, Object> k = json((String) again[1]);
        assertEquals(j.get("test_auc"), k.get("test_auc"));
        assertEquals(j.get("weight_cosine"), k.get("weight_cosine"));

        // a bad line (appended to a shard as a second gzip member): one line naming it, or skipped and reported
        Path one = data.resolve("train").resolve("part-00001.svm.gz");
        try (var gz = new java.util.zip.GZIPOutputStream(
                Files.newOutputStream(one, java.nio.file.StandardOpenOption.APPEND))) {
            gz.write("1 5:0.5 3:0.2\n".getBytes(StandardCharsets.US_ASCII));
        }
        Object[] failed = cli(args("--seed", "5"));
        assertEquals(Main.BAD_DATA, failed[0]);
        assertEquals(
                "descent out-of-core: " + one + ":7001: expected a feature index above 5 (indices increase), found 3",
                ((String) failed[2]).strip());
        Object[] skipped = cli(args("--seed", "5", "--skip-bad-lines"));
        assertEquals(0, skipped[0], (String) skipped[2]);
        assertTrue(
                ((String) skipped[1]).contains("train: skipped 1 bad line of 24,001 (first 1: " + one + ":7001: "),
                (String) skipped[1]);

        // a truncated shard: one line naming file and line, exit code BAD_DATA, no stack trace
        Path shard = one; // the bad line goes with the cut
        byte[] bytes = Files.readAllBytes(shard);
        Files.write(shard, Arrays.copyOf(bytes, bytes.length / 3));
        Object[] bad = cli(args("--seed", "5"));
        assertEquals(Main.BAD_DATA, bad[0]);
        String err = ((String) bad[2]).strip();
        assertTrue(
                err.startsWith("descent out-of-core: " + shard + ":") && err.endsWith("a truncated gzip stream"), err);
        assertEquals(1, err.lines().count(), err);
    }

    /** Thrown by a callback to stop a run as a crash would (no final checkpoint). */
    private static final class Crash extends RuntimeException {}

    @Test
    void aRunResumedFromAMidEpochCheckpointEndsWithTheStraightRunsWeights() throws Exception {
        // 6,000 rows in batches of 256: 24 steps an epoch; checkpoints every 10 steps
        String[] options = {
            "--rows",
            "6000",
            "--features",
            "500",
            "--nnz",
            "8",
            "--test-rows",
            "1000",
            "--rows-per-shard",
            "2000",
            "--epochs",
            "2",
            "--backend",
            "simd",
            "--shuffle-buffer",
            "1000",
            "--seed",
            "7",
            "--checkpoint-every-steps",
            "10"
        };
        Path straightDir = dir.resolve("straight"), crashedDir = dir.resolve("crashed");
        List<String> straight = new java.util.ArrayList<>(List.of("out-of-core"));
        straight.addAll(List.of(options));
        straight.addAll(List.of("--out", straightDir.toString()));
        Object[] run = cli(straight.toArray(String[]::new));
        assertEquals(0, run[0], (String) run[2]);

        // the same run, crashing after its step 34 (0-based): its last checkpoint is after step 30,
        // 6 batches into epoch 2 of the stream
        Callback crash = new Callback() {
            @Override
            public void onStepEnd(History.Step s) {
                if (s.step() == 34) throw new Crash();
            }
        };
        org.junit.jupiter.api.Assertions.assertThrows(
                Crash.class,
                () -> OutOfCoreExample.compute(
                        crashedDir.resolve("data"),
                        6000,
                        500,
                        8,
                        1000,
                        2000,
                        1000,
                        false,
                        false,
                        "adagrad",
                        Backends.byName("simd"),
                        2,
                        256,
                        0.3,
                        7,
                        crashedDir.resolve("checkpoint"),
                        10,
                        false,
                        crash));
        Map<String, Object> state =
                Checkpoint.read(crashedDir.resolve("checkpoint")).state();
        assertEquals(30L, state.get("step"));
        assertEquals(6L, ((Map<?, ?>) state.get("in_epoch")).get("batch"));

        List<String> resumed = new java.util.ArrayList<>(List.of("out-of-core"));
        resumed.addAll(List.of(options));
        resumed.addAll(List.of("--out", crashedDir.toString(), "--resume"));
        Object[] again = cli(resumed.toArray(String[]::new));
        assertEquals(0, again[0], (String) again[2]);
        Map<String, Object> a = json((String) run[1]), b = json((String) again[1]);
        assertEquals(a.get("test_auc"), b.get("test_auc"));
        assertEquals(a.get("weight_cosine"), b.get("weight_cosine"));
        assertEquals(
                Files.readString(straightDir.resolve("loss.csv")),
                Files.readString(crashedDir.resolve("loss.csv")),
                "every step's loss and learning rate");
        assertEquals(
                java.util.Arrays.toString(Checkpoint.read(straightDir.resolve("checkpoint"))
                        .tensor("layers.0.weight")
                        .data()),
                java.util.Arrays.toString(Checkpoint.read(crashedDir.resolve("checkpoint"))
                        .tensor("layers.0.weight")
                        .data()),
                "the final weights, bit for bit");

        // a new run into a folder holding a checkpoint is refused, pointing at --resume
        Object[] refused = cli(straight.toArray(String[]::new));
        assertEquals(Main.USAGE, refused[0], (String) refused[2]);
        assertTrue(((String) refused[2]).contains("To continue that run pass --resume"), (String) refused[2]);
    }
}
