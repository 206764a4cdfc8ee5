package dev.descent.gpu;

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

    /** Prints the devices and the chosen one; exit status 1 when there is none. */
    public static void main(String[] args) {
        List<OpenClDeviceInfo> devices = list();
        if (devices.isEmpty()) {
            System.out.println("No OpenCL device: " + unavailableReason());
            System.exit(1);
        }
        System.out.println("OpenCL devices:");
        for (OpenClDeviceInfo d : devices) {
            System.out.println("  " + d);
            System.out.println("      platform vendor: " + d.platformVendor() + ", version: " + d.platformVersion()
                    + ", max buffer " + (d.maxAllocBytes() >> 20) + " MiB");
        }
        Optional<OpenClDeviceInfo> c = chosen();
        if (c.isEmpty()) {
            System.out.println("No device chosen: " + unavailableReason());
            System.exit(1);
        }
        System.out.println(
                "backend 'gpu' uses #" + c.get().index() + ": " + c.get().describe());
        System.out.println(
                c.get().isGpu()
                        ? "backend 'auto' prefers it (a real GPU)"
                        : "backend 'auto' does not prefer it (not a GPU): 'auto' picks simd; select it with 'gpu'");
    }
}
