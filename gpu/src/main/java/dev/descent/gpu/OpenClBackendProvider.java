package dev.descent.gpu;

import dev.descent.backend.Backend;
import dev.descent.backend.BackendProvider;

/**
 * Contributes the {@code "gpu"} backend ({@link OpenClBackend}) through {@link java.util.ServiceLoader}.
 *
 * <p><b>What "gpu" means.</b> {@code backend("gpu")} runs on the best OpenCL device found: a GPU if
 * there is one, else an accelerator, else an OpenCL CPU driver such as PoCL (override with {@code
 * -Ddescent.opencl.device=<index or name substring>}, see {@link OpenClDevices}). With only PoCL
 * installed, "gpu" therefore runs real OpenCL kernels on the CPU: useful to test the OpenCL path,
 * slower than {@code simd}.
 *
 * <p><b>{@code auto}.</b> {@link #priority()} is positive (10) only when the chosen device is a real
 * GPU ({@code CL_DEVICE_TYPE_GPU}); for a CPU driver or an accelerator it is 0, so {@code auto} never
 * prefers PoCL-on-CPU over the SIMD backend. {@code priority()} only enumerates devices; {@link
 * #available()} also compiles the kernel and checks one launch on the device (once per JVM, a few
 * seconds on PoCL), so a GPU whose driver cannot build or run the kernel is reported unavailable
 * rather than picked. Without {@code LD_PRELOAD=$JAVA_HOME/lib/libjsig.so}, {@code auto} does not
 * look for OpenCL devices at all (see {@link #priority()}).
 *
 * <p>Constructing the provider touches neither Aparapi nor OpenCL.
 */
public final class OpenClBackendProvider implements BackendProvider {

    /** Priority for {@code auto} when the device is a GPU; SIMD counts as 0. */
    public static final int GPU_PRIORITY = 10;

    private static OpenClEngine shared;
    private static String sharedFailure;

    /** Called by ServiceLoader. */
    public OpenClBackendProvider() {}

    @Override
    public String name() {
        return "gpu";
    }

    @Override
    public boolean available() {
        return unavailableReason() == null;
    }

    /**
     * Null when available; else what is missing, how to install it, and that {@code gpu-or-simd}
     * would fall back to simd.
     */
    @Override
    public String unavailableReason() {
        AparapiRuntime.Probe probe = AparapiRuntime.probe();
        if (!probe.found()) return probe.reason() + FALLBACK_HINT;
        try {
            sharedEngine();
            return null;
        } catch (IllegalStateException e) {
            return e.getMessage() + FALLBACK_HINT;
        }
    }

    static final String FALLBACK_HINT =
            " (to run on simd instead when there is no OpenCL device, select backend '" + GpuOrSimdProvider.NAME + "')";

    @Override
    public Backend create() {
        return OpenClBackend.create();
    }

    /**
     * {@link #GPU_PRIORITY} when the chosen device is a GPU, else 0. Without libjsig preloaded this
     * does not look for devices at all and returns 0 (logging why once): enumerating platforms makes
     * ocl-icd load every installed driver, and PoCL's LLVM then replaces the JVM's SIGSEGV/SIGBUS/
     * SIGFPE/SIGILL handlers, which must not happen in a JVM that merely asked for {@code auto}.
     * Selecting {@code "gpu"} explicitly still works (with a warning).
     */
    @Override
    public int priority() {
        if (!AparapiRuntime.probed()) {
            String jsig = AparapiRuntime.jsigWarning();
            if (jsig != null) {
                if (!skipLogged) {
                    skipLogged = true;
                    AparapiRuntime.LOG.info("descent: not looking for OpenCL devices for backend 'auto': " + jsig
                            + "; or select backend 'gpu' explicitly");
                }
                return 0;
            }
        }
        AparapiRuntime.Probe probe = AparapiRuntime.probe();
        return probe.found() && probe.info().isGpu() ? GPU_PRIORITY : 0;
    }

    private static volatile boolean skipLogged;

    /**
     * The engine shared by all {@link OpenClBackend}s of this JVM, created (kernel compiled and
     * checked) on first use.
     *
     * @throws IllegalStateException with the reason when there is no usable device
     */
    static synchronized OpenClEngine sharedEngine() {
        if (shared != null) return shared;
        if (sharedFailure != null) throw new IllegalStateException(sharedFailure);
        AparapiRuntime.Probe probe = AparapiRuntime.probe();
        if (!probe.found()) throw new IllegalStateException("backend 'gpu' is not available: " + probe.reason());
        String jsig = AparapiRuntime.jsigWarning();
        if (jsig != null) AparapiRuntime.LOG.warning(jsig);
        try {
            shared = new OpenClEngine(probe.device(), probe.info());
            AparapiRuntime.LOG.fine(() -> "descent gpu: kernel ready on " + shared.info() + ", work-group "
                    + shared.localSize() + ", matmul tile " + shared.tile());
            return shared;
        } catch (IllegalStateException e) {
            sharedFailure = e.getMessage();
            throw e;
        }
    }
}
