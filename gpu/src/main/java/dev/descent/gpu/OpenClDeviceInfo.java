package dev.descent.gpu;

/**
 * One OpenCL device as seen through Aparapi, for listings, logs and benchmark reports.
 *
 * @param index position in {@link OpenClDevices#list()} (platform order, then device order)
 * @param platform the platform's name, e.g. "Portable Computing Language" or "NVIDIA CUDA"
 * @param platformVendor the platform's vendor
 * @param platformVersion the platform's version string
 * @param name the device's name
 * @param type "GPU", "CPU", "ACC" (accelerator) or "UNKNOWN"
 * @param computeUnits {@code CL_DEVICE_MAX_COMPUTE_UNITS}
 * @param globalMemBytes {@code CL_DEVICE_GLOBAL_MEM_SIZE}
 * @param maxAllocBytes {@code CL_DEVICE_MAX_MEM_ALLOC_SIZE}: the largest single buffer
 * @param localMemBytes {@code CL_DEVICE_LOCAL_MEM_SIZE}
 * @param maxWorkGroupSize {@code CL_DEVICE_MAX_WORK_GROUP_SIZE}
 */
public record OpenClDeviceInfo(
        int index,
        String platform,
        String platformVendor,
        String platformVersion,
        String name,
        String type,
        int computeUnits,
        long globalMemBytes,
        long maxAllocBytes,
        long localMemBytes,
        int maxWorkGroupSize) {

    /** Whether this is a GPU (not a CPU driver such as PoCL, and not an accelerator card). */
    public boolean isGpu() {
        return "GPU".equals(type);
    }

    /** {@code "<platform> / <device name> (<type>)"}, the form used by {@code Backend.device()}. */
    public String describe() {
        return platform + " / " + name + " (" + type + ")";
    }

    @Override
    public String toString() {
        return "#" + index + " " + describe() + ", " + computeUnits + " compute units, "
                + (globalMemBytes >> 20) + " MiB global, " + (localMemBytes >> 10) + " KiB local, max work-group "
                + maxWorkGroupSize;
    }
}
