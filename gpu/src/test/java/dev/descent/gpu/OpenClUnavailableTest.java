package dev.descent.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Without OpenCL the provider says "unavailable" with what is missing and how to install it; without
 * libjsig, {@code auto} leaves OpenCL alone. Each case runs in a child JVM with its own environment;
 * none needs an OpenCL device, so they run on every machine (one needs the ICD loader).
 */
class OpenClUnavailableTest {

    /** The probe's finding when libOpenCL.so.1 (or Aparapi's own native library) cannot be loaded. */
    private static final String NO_LOADER =
            "Aparapi could not load its native library or the OpenCL loader libOpenCL.so.1";

    @TempDir
    Path tmp;

    /**
     * ocl-icd reads the drivers to load from OCL_ICD_VENDORS: an empty directory means none. This needs
     * the ICD loader itself (ocl-icd-libopencl1); without it the child reports the missing loader
     * instead (the case of {@link #aMissingOpenClLoaderIsReportedWithoutAnUnsatisfiedLinkError}).
     */
    @Test
    void noPlatformIsReportedWithTheInstallCommand() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("vendors"));
        String out = runProbe(Map.of("OCL_ICD_VENDORS", empty.toString()));
        if (out.contains("reason=" + NO_LOADER))
            OpenClCondition.skipOrFail(
                    "OpenClUnavailableTest.noPlatformIsReportedWithTheInstallCommand",
                    "the OpenCL ICD loader libOpenCL.so.1 (ocl-icd-libopencl1), which this test needs to"
                            + " simulate a machine without drivers, was not found");
        assertTrue(out.contains("available=false"), out);
        assertTrue(out.contains("priority=0"), out);
        assertTrue(out.contains("devices=0"), out);
        assertTrue(
                out.contains("reason=no OpenCL platform found; on Debian/Ubuntu: apt-get install pocl-opencl-icd"
                        + " ocl-icd-libopencl1 (CPU) or your GPU vendor's OpenCL driver"),
                out);
        assertTrue(out.contains("byName=backend 'gpu' is not available: no OpenCL platform found"), out);
    }

    /**
     * Explicit {@code gpu} fails naming the fallback; {@code gpu-or-simd} runs on simd and says so in
     * exactly one log record.
     */
    @Test
    void gpuOrSimdFallsBackToSimdWithOneLoggedLine() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("vendors"));
        String out = run(Map.of("OCL_ICD_VENDORS", empty.toString()), true, "fallback");
        // no platform behind the ICD loader; on a machine without the loader, no loader: the same fallback
        String finding = out.contains("reason=" + NO_LOADER) ? NO_LOADER : "no OpenCL platform found";
        assertTrue(out.contains("byName=backend 'gpu' is not available: " + finding), out);
        assertTrue(out.contains("select backend 'gpu-or-simd'"), out);
        assertTrue(out.contains("fallback=simd SimdBackend"), out);
        String line = "descent: backend 'gpu-or-simd' runs on simd (CPU, Vector API";
        assertEquals(1, out.split(java.util.regex.Pattern.quote(line), -1).length - 1, out);
        assertTrue(out.contains("no usable OpenCL device: " + finding), out);
        assertTrue(out.contains("; on Debian/Ubuntu: apt-get install pocl-opencl-icd"), out);
        // what 'descent devices' prints here
        assertTrue(out.contains("No OpenCL device: " + finding), out);
        assertTrue(out.contains("backend 'auto' picks simd: no OpenCL device (" + finding), out);
    }

    /** A libOpenCL.so.1 that cannot be loaded (here: an empty file first on LD_LIBRARY_PATH). */
    @Test
    void aMissingOpenClLoaderIsReportedWithoutAnUnsatisfiedLinkError() throws Exception {
        Path lib = Files.createDirectories(tmp.resolve("lib"));
        Files.write(lib.resolve("libOpenCL.so.1"), new byte[0]);
        String out = runProbe(Map.of("LD_LIBRARY_PATH", lib.toString()));
        assertTrue(out.contains("available=false"), out);
        assertTrue(out.contains("reason=" + NO_LOADER), out);
        assertTrue(out.contains("apt-get install pocl-opencl-icd ocl-icd-libopencl1"), out);
        assertTrue(out.contains("byName=backend 'gpu' is not available: Aparapi could not load"), out);
    }

    /** Without libjsig preloaded, auto must not load OpenCL drivers (PoCL's LLVM takes over signals). */
    @Test
    void autoDoesNotLoadOpenClDriversWithoutLibjsig() throws Exception {
        String out = run(Map.of(), false, "priority");
        assertTrue(out.contains("priority=0"), out);
        assertTrue(out.contains("probed=false"), out);
        assertTrue(out.contains("not looking for OpenCL devices for backend 'auto'"), out);
        assertTrue(out.contains("LD_PRELOAD=" + System.getProperty("java.home") + "/lib/libjsig.so"), out);
    }

    private static String runProbe(Map<String, String> env) throws IOException, InterruptedException {
        return run(env, true);
    }

    private static String run(Map<String, String> env, boolean jsig, String... args)
            throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(
                java,
                "--add-modules=jdk.incubator.vector",
                "-cp",
                System.getProperty("java.class.path"),
                UnavailableProbeMain.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        if (jsig) pb.environment().put("LD_PRELOAD", System.getProperty("java.home") + "/lib/libjsig.so");
        else pb.environment().remove("LD_PRELOAD");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        byte[] bytes = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM timed out");
        String out = new String(bytes, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        return out;
    }
}
