package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.Shared;
import dev.descent.gpu.OpenClDeviceInfo;
import dev.descent.gpu.OpenClDevices;
import dev.descent.gpu.RequiresOpenCl;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code descent reference --backend gpu} and {@code descent devices}, for real on the OpenCL device
 * of this machine (PoCL on the build machines).
 */
@RequiresOpenCl
class GpuCommandsTest {

    /**
     * Every shipped reference case passes on the gpu backend within the default 1e-5, and the header
     * names the device. The optimizer trajectories (the generic path's element-wise steps included:
     * NAdam, RAdam, Adamax, Adadelta, ASGD and its average), parameter groups and iterate averages run
     * each operation as an OpenCL kernel on the device; the MLP cases (gradients at init and the
     * short training run) go through {@code TrainingSession.open}, i.e. the device-resident session;
     * the layer cases (layers.json: activations, layer and batch norm, convolution, pooling, flatten,
     * the tiny CNN) run each layer operation as the session's OpenCL kernel on staged copies.
     */
    @Test
    void everyShippedReferenceCasePassesOnGpuAndTheHeaderNamesTheDevice() {
        OpenClDeviceInfo device = OpenClDevices.chosen().orElseThrow();
        var files = Shared.implementedReferenceFiles();
        var run = run(ReferenceCommandTest.referenceArgs(files, "--backend", "gpu"));
        assertEquals(0, run.exit, run.out);
        String header = run.out.lines().findFirst().orElseThrow();
        assertEquals("backend: gpu (OpenCL: " + device.describe() + ")", header);
        assertTrue(run.out.strip().endsWith("116 passed, 0 failed"), run.out);
        // the worst case, for the record
        Matcher m = Pattern.compile("max_rel_err (\\S+)\\s+PASS").matcher(run.out);
        double worst = 0;
        int cases = 0;
        while (m.find()) {
            worst = Math.max(worst, Double.parseDouble(m.group(1)));
            cases++;
        }
        assertEquals(116, cases, run.out);
        System.out.printf("reference on gpu (%s): 116 passed, worst max_rel_err %.3e%n", device.describe(), worst);
    }

    @Test
    void devicesListsTheDevicesAndExplainsAuto() {
        OpenClDeviceInfo device = OpenClDevices.chosen().orElseThrow();
        var run = run("devices");
        assertEquals(0, run.exit, run.out);
        assertTrue(
                run.out.contains("OpenCL platform: " + device.platform() + " (vendor " + device.platformVendor()),
                run.out);
        assertTrue(run.out.contains("#" + device.index() + " " + device.name()), run.out);
        assertTrue(
                run.out.contains("type " + device.type() + ", " + device.computeUnits() + " compute units, "
                        + (device.globalMemBytes() >> 20) + " MiB global memory"),
                run.out);
        assertTrue(run.out.contains("backend 'gpu' runs on #" + device.index() + " " + device.describe()), run.out);
        String auto = device.isGpu()
                ? "backend 'auto' picks gpu"
                : "backend 'auto' picks simd: the OpenCL device #" + device.index() + " is a " + device.type()
                        + " driver, not a GPU";
        assertTrue(run.out.contains(auto), run.out);
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
