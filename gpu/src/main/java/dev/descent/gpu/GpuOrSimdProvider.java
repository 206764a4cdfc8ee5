package dev.descent.gpu;

import dev.descent.backend.Backend;
import dev.descent.backend.BackendProvider;
import dev.descent.backend.Backends;

/**
 * The backend {@code "gpu-or-simd"}: the OpenCL backend when a usable OpenCL device is found, else
 * {@code simd}, saying so in one logged line (WARNING, logger {@code dev.descent.gpu}). This is how a
 * user <em>allows</em> the fallback; plain {@code "gpu"} never falls back and fails with what is
 * missing and how to install it.
 *
 * <p>Select it like any backend: {@code backend("gpu-or-simd")}, {@code -Ddescent.backend=gpu-or-simd}
 * or {@code --backend gpu-or-simd}. {@code auto} never picks it (priority 0); {@code auto} has its
 * own rule (a real GPU, else simd).
 */
public final class GpuOrSimdProvider implements BackendProvider {

    /** The name users select it by. */
    public static final String NAME = "gpu-or-simd";

    /** Called by ServiceLoader. */
    public GpuOrSimdProvider() {}

    @Override
    public String name() {
        return NAME;
    }

    /** Always: the fallback is the point. */
    @Override
    public boolean available() {
        return true;
    }

    @Override
    public String unavailableReason() {
        return null;
    }

    /**
     * The OpenCL backend, or {@code simd} with one WARNING line naming the reason.
     *
     * @throws IllegalArgumentException if there is no OpenCL device and SIMD is not available either
     *     (the message says which JVM flag to add)
     */
    @Override
    public Backend create() {
        OpenClBackendProvider gpu = new OpenClBackendProvider();
        String why = gpu.unavailableReason();
        if (why == null) return gpu.create();
        Backend simd = Backends.byName("simd");
        AparapiRuntime.LOG.warning("descent: backend '" + NAME + "' runs on simd (" + simd.device()
                + "): no usable OpenCL device: " + why);
        return simd;
    }

    /** Never chosen by {@code auto}. */
    @Override
    public int priority() {
        return 0;
    }
}
