package dev.descent.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.Shared;
import dev.descent.cli.Main;
import dev.descent.data.Csv;
import dev.descent.data.Idx;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataAndCliTest {

    @TempDir
    Path dir;

    @Test
    void embeddedDataEqualsTheSharedFiles() {
        var mnist = EmbeddedData.mnist10k();
        var shared = Idx.mnist(Shared.data().resolve("mnist10k"));
        assertEquals(8000, mnist.train().rows());
        assertEquals(2000, mnist.test().rows());
        assertArrayEquals(shared.train().x(), mnist.train().x());
        assertArrayEquals(shared.test().y(), mnist.test().y());
        var cancer = EmbeddedData.breastCancer();
        assertEquals(569, cancer.rows());
        assertArrayEquals(Csv.load(Shared.data().resolve("breast_cancer.csv")).x(), cancer.x());
    }

    @Test
    void formatFromTheName() throws Exception {
        assertEquals("csv", DataOption.guessFormat(Path.of("a.csv")));
        assertEquals("csv", DataOption.guessFormat(Path.of("a.CSV.gz")));
        assertEquals("libsvm", DataOption.guessFormat(Path.of("a.libsvm")));
        assertEquals("libsvm", DataOption.guessFormat(Path.of("a.svm.gz")));
        assertEquals("idx", DataOption.guessFormat(Path.of("train-images.idx3-ubyte")));
        assertEquals("idx", DataOption.guessFormat(Path.of("train-images.idx3-ubyte.gz")));
        assertEquals("idx", DataOption.guessFormat(dir));
        var e = assertThrows(IllegalArgumentException.class, () -> DataOption.guessFormat(Path.of("a.dat")));
        assertTrue(e.getMessage().contains("--format"), e.getMessage());
        Path images = Files.createFile(dir.resolve("t10k-images-idx3-ubyte"));
        Files.createFile(dir.resolve("t10k-labels-idx1-ubyte"));
        assertEquals(dir.resolve("t10k-labels-idx1-ubyte"), DataOption.labelsBeside(images));
    }

    @Test
    void ownDataInEveryFormat() {
        Path cancer = Shared.data().resolve("breast_cancer.libsvm");
        SchedulesExample s = Outputs.run(
                new SchedulesExample(),
                "--data",
                cancer.toString(),
                "--epochs",
                "1",
                "--backend",
                "scalar",
                "--out",
                dir.toString());
        assertEquals(15, s.result.runs().size());
        assertTrue(s.result.data().endsWith("breast_cancer.libsvm"));
        // a CSV with a named label column, and the digits' 10 classes (softmax regression)
        GradientNoiseExample g = Outputs.run(
                new GradientNoiseExample(),
                "--data",
                Shared.data().resolve("digits.csv").toString(),
                "--label-column",
                "label",
                "--batch-sizes",
                "1,8",
                "--draws",
                "50",
                "--epochs",
                "1",
                "--out",
                dir.toString());
        assertEquals(2, g.result.points().size());
        // an MNIST folder
        GradientNoiseExample m = Outputs.run(
                new GradientNoiseExample(),
                "--data",
                Shared.data().resolve("mnist10k").toString(),
                "--batch-sizes",
                "4",
                "--draws",
                "5",
                "--epochs",
                "1",
                "--out",
                dir.toString());
        assertTrue(m.result.points().get(0).noise().sigma2() > 0);
    }

    @Test
    void cliListsEveryExampleAndReportsUserErrorsInOneLine() {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        PrintStream oldOut = System.out, oldErr = System.err;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            assertEquals(0, Main.run("--help"));
            for (String c : new String[] {
                "trajectories",
                "local-minima",
                "gradient-noise",
                "schedules",
                "linear-regression",
                "batch-size",
                "gd-vs-sgd",
                "linear-scaling",
                "mnist",
                "cnn",
                "lr-finder"
            }) {
                assertTrue(out.toString(StandardCharsets.UTF_8).contains(c), c + " missing from --help");
                assertEquals(0, Main.run(c, "--help"), c + " --help");
            }
            String help = out.toString(StandardCharsets.UTF_8);
            for (String o : new String[] {"--backend", "--epochs", "--batch-size", "--lr", "--seed", "--out"})
                assertTrue(help.contains(o), o + " missing from the examples' help");
            assertEquals(2, Main.run("trajectories", "--epochs", "0", "--out", dir.toString()));
            assertEquals(
                    4, // an I/O error (Main.IO)
                    Main.run("schedules", "--data", dir.resolve("missing.csv").toString(), "--out", dir.toString()));
            // a shared option the example does not use is refused, not ignored
            assertEquals(2, Main.run("lr-finder", "--epochs", "3", "--out", dir.toString()));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        String e = err.toString(StandardCharsets.UTF_8);
        assertTrue(e.contains("trajectories: --epochs must be >= 1, got 0"), e);
        assertTrue(e.contains("missing.csv"), e);
        assertTrue(e.contains("lr-finder has no --epochs option"), e);
        assertTrue(!e.contains("\tat "), "no stack trace: " + e);
    }
}
