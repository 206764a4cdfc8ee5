package dev.descent.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.Shared;
import dev.descent.data.Csv;
import dev.descent.data.Split;
import dev.descent.data.Standardizer;
import dev.descent.loss.Loss;
import dev.descent.model.Models;
import dev.descent.model.Sequential;
import dev.descent.optim.Optimizers;
import dev.descent.train.Evaluation;
import dev.descent.train.Trainer;
import dev.descent.train.TrainingConfig;
import dev.descent.train.TrainingSession;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BackendsTest {

    @Test
    void namesSelectBackends() {
        assertInstanceOf(ScalarBackend.class, Backends.byName("scalar"));
        assertInstanceOf(SimdBackend.class, Backends.byName("SIMD"));
        assertEquals("simd", Backends.byName("auto").name(), "auto picks SIMD when the Vector API is present");
    }

    @Test
    void unknownNameIsAClearError() {
        var e = assertThrows(IllegalArgumentException.class, () -> Backends.byName("tpu"));
        assertTrue(e.getMessage().contains("'tpu'") && e.getMessage().contains("scalar"), e.getMessage());
    }

    @Test
    void gpuWithoutTheGpuModuleSaysWhatIsMissing() {
        var e = assertThrows(IllegalArgumentException.class, () -> Backends.byName("gpu"));
        assertTrue(e.getMessage().contains("descent-gpu"), e.getMessage());
    }

    /**
     * In a JVM started without the incubator module: auto falls back to scalar with one WARNING
     * naming the flag (once, though asked twice) and trains to exactly the numbers scalar gives here;
     * simd refuses with an error naming the flag. No NoClassDefFoundError either way.
     */
    @Test
    void withoutTheVectorModuleAutoFallsBackOnceAndSimdNamesTheFlag() throws Exception {
        String out = runProbe(List.of(), "auto");
        assertEquals(1, count(out, "WARNING"), out);
        assertEquals(1, count(out, "descent: backend auto -> scalar"), out);
        assertTrue(
                out.contains("module jdk.incubator.vector is not in the boot layer (start java with "
                        + Backends.VECTOR_FLAG + " for SIMD)"),
                out);
        assertTrue(out.contains("RESULT scalar accuracy " + Probe.accuracy(new ScalarBackend())), out);
        assertFalse(out.contains("NoClassDefFoundError"), out);

        String simd = runProbe(List.of(), "simd");
        assertTrue(
                simd.contains("ERROR backend 'simd' needs the Vector API") && simd.contains(Backends.VECTOR_FLAG),
                simd);
        assertFalse(simd.contains("NoClassDefFoundError"), simd);
    }

    /** Without C2 the Vector API is slower than plain loops (Lucene's rule): auto says so and runs scalar. */
    @Test
    void withoutC2AutoFallsBackToScalar() throws Exception {
        String out = runProbe(List.of(Backends.VECTOR_FLAG, "-XX:TieredStopAtLevel=1"), "auto");
        assertTrue(out.contains("descent: backend auto -> scalar, because the C2 compiler is off"), out);
        assertTrue(out.contains("RESULT scalar accuracy"), out);
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) n++;
        return n;
    }

    /** Runs {@link Probe} in a fresh JVM with core's classes and these JVM flags (none: no Vector API). */
    private static String runProbe(List<String> jvmFlags, String backend) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmFlags);
        cmd.addAll(List.of(
                "-Ddescent.data=" + Shared.data(),
                "-cp",
                System.getProperty("java.class.path"),
                Probe.class.getName(),
                backend));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] bytes = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "probe JVM did not finish");
        String out = new String(bytes, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    /** Entry point of the probe JVM: picks a backend (twice) and trains a small MLP on breast cancer. */
    public static final class Probe {
        public static void main(String[] args) {
            try {
                Backends.byName(args[0]);
                Backend b = Backends.byName(args[0]);
                System.out.println("RESULT " + b.name() + " accuracy " + accuracy(b));
            } catch (IllegalArgumentException e) {
                System.out.println("ERROR " + e.getMessage());
            }
        }

        /** Test accuracy of an MLP 30-8-2 after 5 epochs, printed in full: equal runs give equal text. */
        static double accuracy(Backend backend) {
            Split split = Split.benchmark(Csv.load(Shared.data().resolve("breast_cancer.csv")));
            Standardizer std = Standardizer.fit(split.train());
            Sequential model = Models.mlp(30).dense(8, Activation.RELU).dense(2).build();
            Loss loss = Loss.softmaxCrossEntropy();
            TrainingConfig config =
                    TrainingConfig.defaults().withBatchSize(16).withEpochs(5).withSeed(3);
            float[] params = new Trainer(backend, model, loss, Optimizers.sgd(0.1), config)
                    .fit(std.apply(split.train()))
                    .parameters();
            try (var s = TrainingSession.open(backend, model, loss, Optimizers.sgd(0), params)) {
                return Evaluation.of(s, std.apply(split.test())).accuracy();
            }
        }
    }
}
