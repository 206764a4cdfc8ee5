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
import java.util.List;
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
     * Every reference case the gpu backend runs on the device passes within the default 1e-5, and
     * the header names the device. The MLP cases (gradients at init and the short training run) go
     * through {@code TrainingSession.open}, i.e. the device-resident session. {@code
     * more_optimizers.json} is left out: its NAdam, RAdam, Adamax, Adadelta and ASGD cases run on
     * the generic path, whose element-wise operations have no OpenCL kernels yet (the gpu backend
     * inherits the host loops), so passing them would prove nothing about the device. {@code
     * param_groups.json} is left out too: the device-resident session refuses parameter groups; and
     * {@code averaging.json}, whose averages are the generic path's host loops as well.
     */
    @Test
    void everyShippedReferenceCasePassesOnGpuAndTheHeaderNamesTheDevice() {
        OpenClDeviceInfo device = OpenClDevices.chosen().orElseThrow();
        var files = Shared.implementedReferenceFiles().stream()
                .filter(f -> !List.of("more_optimizers.json", "param_groups.json", "averaging.json")
                        .contains(f.getFileName().toString()))
                .toList();
        var run = run(ReferenceCommandTest.referenceArgs(files, "--backend", "gpu"));
        assertEquals(0, run.exit, run.out);
        String header = run.out.lines().findFirst().orElseThrow();
        assertEquals("backend: gpu (OpenCL: " + device.describe() + ")", header);
        assertTrue(run.out.strip().endsWith("71 passed, 0 failed"), run.out);
        // the worst case, for the record
        Matcher m = Pattern.compile("max_rel_err (\\S+)\\s+PASS").matcher(run.out);
        double worst = 0;
        int cases = 0;
        while (m.find()) {
            worst = Math.max(worst, Double.parseDouble(m.group(1)));
            cases++;
        }
        assertEquals(71, cases, run.out);
        System.out.printf("reference on gpu (%s): 71 passed, worst max_rel_err %.3e%n", device.describe(), worst);
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
