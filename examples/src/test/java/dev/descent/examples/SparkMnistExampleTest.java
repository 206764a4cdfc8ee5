package dev.descent.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.descent.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./descent spark-mnist} on {@code local[2]} with 2 partitions, 2,000 MNIST rows, 2 epochs:
 * plots and CSVs like mnist, and a last line of JSON with the keys the issue names.
 */
class SparkMnistExampleTest {

    @TempDir
    Path dir;

    @Test
    void trainsOnSparkAndEndsWithOneJsonLine() throws IOException {
        PrintStream saved = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int code;
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            code = Main.run(
                    "spark-mnist",
                    "--master",
                    "local[2]",
                    "--partitions",
                    "2",
                    "--epochs",
                    "2",
                    "--limit",
                    "2000",
                    "--no-progress",
                    "--out",
                    dir.toString());
        } finally {
            System.setOut(saved);
        }
        String out = bytes.toString(StandardCharsets.UTF_8);
        System.out.print(out);
        assertEquals(0, code, out);
        List<String> lines = out.lines().toList();
        JsonNode json = new ObjectMapper().readTree(lines.get(lines.size() - 1));
        for (String key : List.of("mode", "partitions", "test_accuracy", "epoch_s_median", "step_overhead_ms"))
            assertTrue(json.has(key), key + " missing in " + json);
        assertEquals("sync", json.get("mode").asText());
        assertEquals(2, json.get("partitions").asInt());
        // 2,000 rows, 2 epochs: a 784-128-10 MLP is far past chance (0.1) on the 500 test rows
        assertTrue(json.get("test_accuracy").asDouble() > 0.8, json.toString());
        assertTrue(json.get("epoch_s_median").asDouble() > 0, json.toString());
        assertTrue(Double.isFinite(json.get("step_overhead_ms").asDouble()), json.toString());
        Outputs.png(dir.resolve("training.png"), 1520, 520);
        Outputs.csv(dir.resolve("epochs.csv"), "epoch,steps,samples,loss,val_loss,val_accuracy,val_rmse,lr,seconds", 2);
    }
}
