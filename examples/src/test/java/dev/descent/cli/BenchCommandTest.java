package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.descent.Shared;
import dev.descent.backend.Backends;
import dev.descent.data.Batch;
import dev.descent.data.Batches;
import dev.descent.data.Dataset;
import dev.descent.data.Idx;
import dev.descent.examples.CnnExample;
import dev.descent.loss.Loss;
import dev.descent.model.Sequential;
import dev.descent.optim.Optimizers;
import dev.descent.train.TrainingSession;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code descent bench} on a small run (1 epoch on 2,000 rows, no warm-up): the last line is one
 * JSON object with every key and sane values. Checks the report, not the speed.
 */
class BenchCommandTest {

    static final List<String> KEYS = List.of(
            "model",
            "backend",
            "device",
            "threads",
            "epoch_s_median",
            "samples_per_s",
            "train_loss",
            "test_accuracy",
            "jdk");

    @Test
    void lastLineIsJsonWithEveryKeyAndSaneValues() throws Exception {
        for (String threads : new String[] {"1", "2"}) {
            String out = run(
                    "bench",
                    "--backend",
                    "simd",
                    "--threads",
                    threads,
                    "--epochs",
                    "1",
                    "--warmup",
                    "0",
                    "--limit",
                    "2000",
                    "--data",
                    Shared.data().resolve("mnist10k").toString());
            String[] lines = out.strip().split("\\R");
            assertTrue(lines.length >= 3, out);
            assertTrue(lines[lines.length - 2].startsWith("test accuracy"), out);
            JsonNode json = new ObjectMapper().readTree(lines[lines.length - 1]);
            for (String key : KEYS) assertTrue(json.has(key), key + " missing in " + json);
            assertEquals(KEYS.size(), json.size(), json.toString());
            assertEquals("simd", json.get("backend").asText());
            assertEquals("mlp", json.get("model").asText());
            assertEquals(Integer.parseInt(threads), json.get("threads").asInt(), json.toString());
            assertTrue(!json.get("device").asText().isBlank(), json.toString());
            assertTrue(json.get("epoch_s_median").asDouble() > 0, json.toString());
            assertEquals(
                    2000 / json.get("epoch_s_median").asDouble(),
                    json.get("samples_per_s").asDouble(),
                    2000 / json.get("epoch_s_median").asDouble() * 1e-3,
                    json.toString());
            double loss = json.get("train_loss").asDouble();
            assertTrue(loss > 0 && loss < 1.5, json.toString());
            assertTrue(json.get("test_accuracy").asDouble() > 0.8, json.toString());
            assertTrue(
                    json.get("jdk")
                            .asText()
                            .contains(String.valueOf(Runtime.version().feature())),
                    json.toString());
        }
    }

    /**
     * {@code --model cnn} trains {@code descent cnn}'s network at lr 0.05 with momentum 0.9: its
     * reported loss is the mean batch loss of the same epoch trained here through a session of
     * {@link CnnExample#model} (same seed, batches and rule), and a pass over 1,280 digits lifts the
     * test accuracy well above chance.
     */
    @Test
    void cnnModelTrainsTheCnnExamplesNetwork() throws Exception {
        Path mnist = Shared.data().resolve("mnist10k");
        String out = run(
                "bench",
                "--model",
                "cnn",
                "--threads",
                "1",
                "--epochs",
                "1",
                "--warmup",
                "0",
                "--limit",
                "1280",
                "--data",
                mnist.toString());
        String[] lines = out.strip().split("\\R");
        assertTrue(lines[0].contains("conv2d"), out);
        JsonNode json = new ObjectMapper().readTree(lines[lines.length - 1]);
        assertEquals("cnn", json.get("model").asText(), json.toString());

        Dataset train = Idx.mnist(mnist).train();
        int[] first = new int[1280];
        Arrays.setAll(first, i -> i);
        train = train.select(first, "first 1280");
        Sequential cnn = CnnExample.model();
        Batches batches = new Batches(train, 64, 42);
        Batch batch = batches.newBatch();
        double sum = 0;
        try (TrainingSession session = TrainingSession.open(
                Backends.byName("simd"),
                cnn,
                Loss.softmaxCrossEntropy(),
                Optimizers.sgd(0.05f).momentum(0.9),
                cnn.initialParameters(42))) {
            while (batches.next(batch)) {
                sum += session.accumulate(batch.x(), batch.y(), batch.rows(), 1f) * batch.rows();
                session.step(0.05f);
            }
        }
        assertEquals(sum / train.rows(), json.get("train_loss").asDouble(), 1e-6, json.toString());
        assertTrue(json.get("test_accuracy").asDouble() > 0.5, json.toString());
    }

    /**
     * {@code --paced}: one prompt before each timed epoch and one before the test pass, each waiting
     * for its line; input that ends early fails the run with a message naming what was next.
     */
    @Test
    void pacedWaitsForALineBeforeEachEpochAndTheTestPass() throws Exception {
        String[] args = {
            "bench",
            "--threads",
            "1",
            "--epochs",
            "2",
            "--warmup",
            "0",
            "--limit",
            "640",
            "--paced",
            "--data",
            Shared.data().resolve("mnist10k").toString()
        };
        var saved = System.in;
        PrintStream savedErr = System.err;
        var err = new ByteArrayOutputStream();
        try {
            System.setIn(new java.io.ByteArrayInputStream("go\ngo\ngo\n".getBytes(StandardCharsets.UTF_8)));
            String[] lines = run(args).strip().split("\\R");
            List<String> kinds = new java.util.ArrayList<>();
            for (String l : lines)
                if (l.equals(BenchCommand.PACED_PROMPT)) kinds.add("wait");
                else if (l.startsWith("epoch ")) kinds.add("epoch");
                else if (l.startsWith("test accuracy")) kinds.add("test");
            assertEquals(List.of("wait", "epoch", "wait", "epoch", "wait", "test"), kinds, String.join("\n", lines));

            System.setIn(new java.io.ByteArrayInputStream("go\n".getBytes(StandardCharsets.UTF_8)));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            assertTrue(Main.run(args) != 0);
        } finally {
            System.setIn(saved);
            System.setErr(savedErr);
        }
        assertTrue(
                err.toString(StandardCharsets.UTF_8).contains("--paced: standard input ended before epoch 2"),
                err.toString(StandardCharsets.UTF_8));
    }

    /** {@code --gemm --paced}: a prompt before each case and one before the report. */
    @Test
    void pacedGemmWaitsBeforeEachCaseAndTheReport() throws Exception {
        var saved = System.in;
        try {
            System.setIn(new java.io.ByteArrayInputStream("\n".repeat(10).getBytes(StandardCharsets.UTF_8)));
            String[] lines = run("bench", "--gemm", "--gemm-sizes", "33", "--threads", "1", "--paced")
                    .strip()
                    .split("\\R");
            StringBuilder kinds = new StringBuilder();
            for (String l : lines)
                kinds.append(l.equals(BenchCommand.PACED_PROMPT) ? 'w' : l.startsWith("gemm ") ? 'g' : l.charAt(0));
            assertEquals("wgwgwgwgwgwgw{", kinds.toString(), String.join("\n", lines));
        } finally {
            System.setIn(saved);
        }
    }

    /** {@code --gemm}: one line per case, then JSON with every case's shape and a consistent rate. */
    @Test
    void gemmReportsEveryLayoutAndShape() throws Exception {
        String out = run("bench", "--gemm", "--gemm-sizes", "33,64", "--threads", "1");
        String[] lines = out.strip().split("\\R");
        JsonNode json = new ObjectMapper().readTree(lines[lines.length - 1]);
        assertEquals(1, json.get("threads").asInt(), json.toString());
        JsonNode cases = json.get("gemm");
        assertEquals(3 + 2 * 3, cases.size(), json.toString());
        assertEquals(9, lines.length - 1, out);
        String layouts = "";
        for (JsonNode c : cases) {
            layouts += c.get("layout").asText();
            double flops =
                    2.0 * c.get("m").asInt() * c.get("n").asInt() * c.get("k").asInt();
            double ms = c.get("ms").asDouble();
            assertTrue(ms > 0, c.toString());
            assertEquals(flops / ms / 1e6, c.get("gflops").asDouble(), flops / ms / 1e6 * 0.02 + 0.01, c.toString());
        }
        assertEquals("NTTNNN" + "NNTNNT" + "NNTNNT", layouts);
        assertTrue(Main.run("bench", "--gemm", "--gemm-sizes", "0") != 0);
    }

    @Test
    void badArgumentsFailWithAMessage() {
        PrintStream saved = System.err;
        var err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            assertTrue(Main.run("bench", "--epochs", "0") != 0);
            assertTrue(Main.run("bench", "--threads", "0") != 0);
            assertTrue(Main.run("bench", "--gemm", "--model", "cnn") != 0);
        } finally {
            System.setErr(saved);
        }
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--epochs must be at least 1, got 0"), err.toString());
        assertTrue(
                err.toString(StandardCharsets.UTF_8).contains("--gemm times the matrix products alone; --model cnn"),
                err.toString());
    }

    private static String run(String... args) {
        PrintStream saved = System.out;
        var bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            Main.run(args);
            return bytes.toString(StandardCharsets.UTF_8);
        } finally {
            System.setOut(saved);
        }
    }
}
