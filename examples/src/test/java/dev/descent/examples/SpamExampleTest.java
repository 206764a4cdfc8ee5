package dev.descent.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.backend.SimdBackend;
import dev.descent.data.TextFiles;
import dev.descent.metric.Metric;
import dev.descent.metric.Metrics;
import dev.descent.metric.RocAuc;
import dev.descent.train.SparseUpdate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpamExampleTest {

    /** sklearn 1.2.1: {@code roc_auc_score(t, s)} = 0.84375, {@code f1_score(t, s > 0)} = 0.6666…. */
    @Test
    void metricsEqualSklearns() {
        float[] s = {0.5f, -1, 2, 0.5f, -0.2f, 3, -2, 0.1f};
        float[] t = {1, 0, 1, 0, 1, 1, 0, 0};
        var shape = new Metric.Shape(8, 1, 1, false);
        assertEquals(0.84375, SpamExample.measure(Metrics.auc(), shape, s, t), 1e-12);
        assertEquals(2.0 / 3, SpamExample.measure(Metrics.f1(), shape, s, t), 1e-12);
        assertEquals(5.0 / 8, SpamExample.measure(Metrics.accuracy(), shape, s, t), 1e-12);
        double[][] roc = RocAuc.curve(s, t, 8);
        assertEquals(8, roc.length); // (0, 0, +inf) and one point per distinct score

        assertEquals(0, roc[0][0]);
        assertEquals(1, roc[roc.length - 1][0]);
        assertEquals(1, roc[roc.length - 1][1]);
        // the trapezoids under the curve are the AUC
        double area = 0;
        for (int i = 1; i < roc.length; i++) area += (roc[i][0] - roc[i - 1][0]) * (roc[i][1] + roc[i - 1][1]) / 2;
        assertEquals(0.84375, area, 1e-12);
    }

    /** A small corpus the hashed model separates: words that only spam uses, words that only ham uses. */
    @Test
    void separatesASmallCorpus(@TempDir Path dir) throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            boolean spam = i % 3 == 0;
            String text = spam ? "cheap pills offer winner " + i : "meeting notes agenda project " + i;
            lines.add("{\"label\": \"" + (spam ? "spam" : "ham") + "\", \"text\": \"" + text + "\"}");
        }
        Path f = Files.write(dir.resolve("mini.jsonl"), lines);
        TextFiles.LabeledTexts corpus = TextFiles.readJsonLines(f, "text", "label");
        var r = SpamExample.compute(
                corpus,
                corpus.classes().indexOf("spam"),
                new SimdBackend(1),
                2,
                1 << 16,
                3,
                16,
                8,
                0,
                SparseUpdate.LAZY,
                42);
        assertEquals(160, r.trainRows());
        assertEquals(40, r.testRows());
        assertEquals(1.0, r.accuracy());
        assertEquals(1.0, r.f1());
        assertEquals(1.0, r.auc());
        assertTrue(r.featurizeSeconds() > 0 && r.trainSeconds() > 0);
    }

    /** {@code --repeat 3}: the same model three times, the warm runs' medians in the JSON line, plots of the first. */
    @Test
    void theCommandRepeatsAndReportsTheWarmRuns(@TempDir Path dir) throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 100; i++)
            lines.add("{\"label\": \"" + (i % 2 == 0 ? "spam" : "ham") + "\", \"text\": \""
                    + (i % 2 == 0 ? "cheap pills " : "meeting notes ") + i + "\"}");
        Path f = Files.write(dir.resolve("mini.jsonl"), lines);
        var out = new java.io.ByteArrayOutputStream();
        var old = System.out;
        try {
            System.setOut(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
            Outputs.run(
                    new SpamExample(),
                    "--data",
                    f.toString(),
                    "--dimension",
                    "4096",
                    "--epochs",
                    "2",
                    "--repeat",
                    "3",
                    "--threads",
                    "1",
                    "--backend",
                    "simd",
                    "--out",
                    dir.resolve("out").toString());
        } finally {
            System.setOut(old);
        }
        List<String> printed =
                out.toString(java.nio.charset.StandardCharsets.UTF_8).lines().toList();
        assertTrue(printed.get(0).startsWith("run 2: featurize "), printed.toString());
        assertTrue(printed.get(1).startsWith("run 3: featurize "), printed.toString());
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(printed.get(printed.size() - 1));
        for (String key : List.of(
                "featurize_docs_per_s", "train_docs_per_s", "featurize_docs_per_s_warm", "train_docs_per_s_warm"))
            assertTrue(json.get(key).asDouble() > 0, key + " in " + json);
        assertEquals(3, json.get("repeat").asInt());
        assertEquals(1.0, json.get("test_accuracy").asDouble());
        Outputs.png(dir.resolve("out").resolve("roc.png"), 700, 600);
        assertEquals(2, dev.descent.cli.Main.run("spam", "--repeat", "0"), "--repeat 0 is refused");
    }
}
