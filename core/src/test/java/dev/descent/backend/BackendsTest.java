package dev.descent.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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

    /** In a JVM started without the incubator module: auto falls back with one log line, simd fails. */
    @Test
    void withoutTheVectorModuleAutoFallsBackAndSimdNamesTheFlag() throws Exception {
        String out = runWithoutVectorModule("auto");
        assertTrue(out.contains("RESULT scalar"), out);
        assertTrue(out.contains("backend auto -> scalar") && out.contains("--add-modules=jdk.incubator.vector"), out);
        String simd = runWithoutVectorModule("simd");
        assertTrue(simd.contains("ERROR") && simd.contains("--add-modules=jdk.incubator.vector"), simd);
    }

    /** Runs {@link Probe} in a fresh JVM with core's classes and no --add-modules. */
    private static String runWithoutVectorModule(String name) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(
                        List.of(java, "-cp", System.getProperty("java.class.path"), Probe.class.getName(), name))
                .redirectErrorStream(true)
                .start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "probe JVM did not finish");
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    /** Entry point of the probe JVM. */
    public static final class Probe {
        public static void main(String[] args) {
            try {
                System.out.println("RESULT " + Backends.byName(args[0]).name());
            } catch (IllegalArgumentException e) {
                System.out.println("ERROR " + e.getMessage());
            }
        }
    }
}
