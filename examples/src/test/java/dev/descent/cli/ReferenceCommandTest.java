package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.Shared;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code descent reference}: every shipped case passes; new cases of the format work; failures fail. */
class ReferenceCommandTest {

    @Test
    void everyShippedCasePassesOnBothCpuBackends() {
        for (String backend : new String[] {"scalar", "simd"}) {
            var run = run(referenceArgs("--backend", backend));
            assertEquals(0, run.exit, run.out);
            assertTrue(run.out.strip().endsWith("116 passed, 0 failed"), run.out);
        }
    }

    /** {@code reference FILE... OPTIONS} over the reference files the runner implements today. */
    static String[] referenceArgs(String... options) {
        return referenceArgs(Shared.implementedReferenceFiles(), options);
    }

    /** {@code reference FILE... OPTIONS} over the given files. */
    static String[] referenceArgs(List<Path> files, String... options) {
        var args = new ArrayList<String>();
        args.add("reference");
        files.forEach(f -> args.add(f.toString()));
        args.addAll(List.of(options));
        return args.toArray(String[]::new);
    }

    /** A case with other seeds and hyper-parameters, computed here in double precision, passes. */
    @Test
    void casesNotShippedPassToo(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("sgd_other.json"), sgdCase(new Random(99), 0.05, 0.7, 0.2, 0.03, 40));
        var run = run("reference", dir.toString());
        assertEquals(0, run.exit, run.out);
        assertTrue(run.out.contains("1 passed, 0 failed"), run.out);
    }

    @Test
    void wrongNumbersAndUnknownKindsFailAndExitNonZero(@TempDir Path dir) throws IOException {
        String good = sgdCase(new Random(5), 0.1, 0.9, 0, 0, 10);
        // shift the first expected parameter: the case must fail
        String bad = good.replaceFirst("\"params_after_each_step\": \\[\\[", "\"params_after_each_step\": [[1.5+");
        bad = bad.replace("[[1.5+", "[[");
        int i = bad.indexOf("\"params_after_each_step\": [[") + "\"params_after_each_step\": [[".length();
        bad = bad.substring(0, i) + "123.0, " + bad.substring(bad.indexOf(',', i) + 2);
        Files.writeString(dir.resolve("a_bad.json"), bad);
        Files.writeString(dir.resolve("b_unknown.json"), "{\"cases\": [{\"kind\": \"quantum_annealing\", \"x\": 1}]}");
        var run = run("reference", dir.toString());
        assertEquals(1, run.exit, run.out);
        assertTrue(run.out.contains("0 passed, 2 failed"), run.out);
        assertTrue(run.out.contains("unsupported"), run.out);
    }

    /**
     * One SGD case in the reference format: PyTorch's rule (momentum, dampening, weight decay) run
     * in double precision on f(p) = ½·Σ a·p² + b·p.
     */
    static String sgdCase(Random rnd, double lr, double momentum, double dampening, double wd, int steps) {
        int n = 5;
        double[] a = new double[n], b = new double[n], p = new double[n], buf = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = 0.5 + rnd.nextDouble();
            b[i] = rnd.nextGaussian() * 0.5;
            p[i] = rnd.nextGaussian();
        }
        StringBuilder grads = new StringBuilder(), after = new StringBuilder();
        String p0 = list(p);
        for (int k = 0; k < steps; k++) {
            double[] g = new double[n];
            for (int i = 0; i < n; i++) g[i] = a[i] * p[i] + b[i];
            grads.append(k == 0 ? "" : ", ").append(list(g));
            for (int i = 0; i < n; i++) {
                double d = g[i] + wd * p[i];
                buf[i] = k == 0 ? d : momentum * buf[i] + (1 - dampening) * d;
                p[i] -= lr * (momentum == 0 ? d : buf[i]);
            }
            after.append(k == 0 ? "" : ", ").append(list(p));
        }
        return String.format(
                Locale.ROOT,
                "{\"meta\": {\"generator\": \"test\"}, \"cases\": [{\"optimizer\": \"SGD\", \"hyper\": {\"lr\": %s,"
                        + " \"momentum\": %s, \"dampening\": %s, \"weight_decay\": %s}, \"a\": %s, \"b\": %s, \"p0\": %s,"
                        + " \"grads\": [%s], \"params_after_each_step\": [%s]}]}",
                lr,
                momentum,
                dampening,
                wd,
                list(a),
                list(b),
                p0,
                grads,
                after);
    }

    private static String list(double[] v) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) s.append(i == 0 ? "" : ", ").append(Double.toString(v[i]));
        return s.append(']').toString();
    }

    private record Run(int exit, String out) {}

    private static Run run(String... args) {
        PrintStream saved = System.out;
        var bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            int exit = Main.run(args);
            return new Run(exit, bytes.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(saved);
        }
    }
}
