package dev.descent.gpu;

import dev.descent.backend.Backends;
import java.util.List;
import java.util.Optional;

/**
 * The OpenCL devices Aparapi can see, and the one the {@code "gpu"} backend uses.
 *
 * <p>Run {@code java -cp <descent-gpu and its dependencies> dev.descent.gpu.OpenClDevices} (with
 * {@code LD_PRELOAD=$JAVA_HOME/lib/libjsig.so}) to print them. The device is chosen as: the one named
 * by {@code -Ddescent.opencl.device} (its index in {@link #list()}, or a case-insensitive substring of
 * {@code "<platform> / <name> (<type>)"}), else the GPU with the most compute units, else an
 * accelerator, else a CPU driver such as PoCL.
 *
 * <p>Devices are enumerated once per JVM.
 */
public final class OpenClDevices {

    private OpenClDevices() {}

    /** Every OpenCL device of every platform; empty when there is none (see {@link #unavailableReason()}). */
    public static List<OpenClDeviceInfo> list() {
        return AparapiRuntime.probe().devices();
    }

    /** The device the {@code "gpu"} backend runs on, if any. */
    public static Optional<OpenClDeviceInfo> chosen() {
        AparapiRuntime.Probe p = AparapiRuntime.probe();
        return p.found() ? Optional.of(p.info()) : Optional.empty();
    }

    /** Null when a device was found, else what is missing and how to install it. */
    public static String unavailableReason() {
        return AparapiRuntime.probe().reason();
    }

    /**
     * Which backend {@code auto} picks in this JVM and why, in one sentence, without creating it (no
     * kernel compile unless the chosen device is a GPU, whose kernel must be checked).
     */
    public static String autoChoice() {
        String vector = Backends.simdFallbackReason();
        String cpu = vector == null ? "simd" : "scalar";
        String cpuWhy = vector == null ? "" : " (and not simd: " + vector + ")";
        String jsig = AparapiRuntime.jsigWarning();
        if (jsig != null && !AparapiRuntime.probed())
            return "backend 'auto' picks " + cpu + cpuWhy + ": it does not look for OpenCL devices without libjsig ("
                    + jsig + ")";
        Optional<OpenClDeviceInfo> c = chosen();
        if (c.isEmpty())
            return "backend 'auto' picks " + cpu + cpuWhy + ": no OpenCL device (" + unavailableReason() + ")";
        OpenClDeviceInfo d = c.get();
        if (!d.isGpu())
            return "backend 'auto' picks " + cpu + cpuWhy + ": the OpenCL device #" + d.index() + " is a " + d.type()
                    + " driver, not a GPU, and auto prefers OpenCL only on a real GPU (select it with backend 'gpu')";
        String why = new OpenClBackendProvider().unavailableReason();
        if (why != null) return "backend 'auto' picks " + cpu + cpuWhy + ": the GPU cannot run the kernel: " + why;
        return "backend 'auto' picks gpu: #" + d.index() + " " + d.describe() + " is a GPU";
    }

    /**
     * The listing printed by {@code descent devices}: every platform's devices (name, vendor, type,
     * compute units, memory), the device {@code gpu} runs on, and what {@code auto} picks and why.
     */
    public static String report() {
        StringBuilder s = new StringBuilder();
        List<OpenClDeviceInfo> devices = list();
        if (devices.isEmpty()) {
            s.append("No OpenCL device: ").append(unavailableReason()).append('\n');
        } else {
            String platform = null;
            for (OpenClDeviceInfo d : devices) {
                if (!d.platform().equals(platform)) {
                    platform = d.platform();
                    s.append("OpenCL platform: ")
                            .append(d.platform())
                            .append(" (vendor ")
                            .append(d.platformVendor())
                            .append(", ")
                            .append(d.platformVersion().strip())
                            .append(")\n");
                }
                s.append("  #")
                        .append(d.index())
                        .append(' ')
                        .append(d.name())
                        .append("\n      type ")
                        .append(d.type())
                        .append(", ")
                        .append(d.computeUnits())
                        .append(" compute units, ")
                        .append(d.globalMemBytes() >> 20)
                        .append(" MiB global memory, ")
                        .append(d.maxAllocBytes() >> 20)
                        .append(" MiB max buffer, ")
                        .append(d.localMemBytes() >> 10)
                        .append(" KiB local memory, max work-group ")
                        .append(d.maxWorkGroupSize())
                        .append('\n');
            }
            Optional<OpenClDeviceInfo> c = chosen();
            s.append(
                            c.isPresent()
                                    ? "backend 'gpu' runs on #" + c.get().index() + " "
                                            + c.get().describe()
                                    : "backend 'gpu' has no device: " + unavailableReason())
                    .append('\n');
        }
        s.append(autoChoice()).append('\n');
        return s.toString();
    }

    /** Prints {@link #report()}; exit status 1 when there is no OpenCL device. */
    public static void main(String[] args) {
        System.out.print(report());
        if (chosen().isEmpty()) System.exit(1);
    }
}
