package dev.descent.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Without OpenCL the provider says "unavailable" with what is missing and how to install it. Each
 * case runs in a child JVM whose environment hides the OpenCL installation.
 */
class OpenClUnavailableTest {

    @TempDir
    Path tmp;

    /** ocl-icd reads the drivers to load from OCL_ICD_VENDORS: an empty directory means none. */
    @Test
    void noPlatformIsReportedWithTheInstallCommand() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("vendors"));
        String out = runProbe(Map.of("OCL_ICD_VENDORS", empty.toString()));
        assertTrue(out.contains("available=false"), out);
        assertTrue(out.contains("priority=0"), out);
        assertTrue(out.contains("devices=0"), out);
        assertTrue(
                out.contains("reason=no OpenCL platform found; on Debian/Ubuntu: apt-get install pocl-opencl-icd"
                        + " ocl-icd-libopencl1 (CPU) or your GPU vendor's OpenCL driver"),
                out);
        assertTrue(out.contains("byName=backend 'gpu' is not available: no OpenCL platform found"), out);
    }

    /** A libOpenCL.so.1 that cannot be loaded (here: an empty file first on LD_LIBRARY_PATH). */
    @Test
    void aMissingOpenClLoaderIsReportedWithoutAnUnsatisfiedLinkError() throws Exception {
        Path lib = Files.createDirectories(tmp.resolve("lib"));
        Files.write(lib.resolve("libOpenCL.so.1"), new byte[0]);
        String out = runProbe(Map.of("LD_LIBRARY_PATH", lib.toString()));
        assertTrue(out.contains("available=false"), out);
        assertTrue(
                out.contains("reason=Aparapi could not load its native library or the OpenCL loader libOpenCL.so.1"),
                out);
        assertTrue(out.contains("apt-get install pocl-opencl-icd ocl-icd-libopencl1"), out);
        assertTrue(out.contains("byName=backend 'gpu' is not available: Aparapi could not load"), out);
    }

    private static String runProbe(Map<String, String> env) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(
                java,
                "--add-modules=jdk.incubator.vector",
                "-cp",
                System.getProperty("java.class.path"),
                UnavailableProbeMain.class.getName());
        pb.environment().putAll(env);
        pb.environment().put("LD_PRELOAD", System.getProperty("java.home") + "/lib/libjsig.so");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        byte[] bytes = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM timed out");
        String out = new String(bytes, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        return out;
    }
}
