package dev.descent.backend;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the operating system says about the processor's cores, for the thresholds at which the SIMD
 * backend splits small work over threads. Two logical CPUs of one core (SMT, hyperthreads) share its
 * vector units, so splitting compute gains little there; two cores behind different last-level
 * caches pass every operand through memory. Two cores sharing a last-level cache gain the most.
 */
final class CpuTopology {

    private CpuTopology() {}

    /** Linux's description of logical CPU 0. */
    static final Path CPU0 = Path.of("/sys/devices/system/cpu/cpu0");

    /**
     * Whether CPU 0 has a core to itself (its {@code topology/thread_siblings_list} names one CPU) and
     * shares its last-level cache with another CPU (the {@code shared_cpu_list} of its highest-level
     * {@code cache/index*} names more than one). False where that cannot be read (another operating
     * system, a restricted container).
     */
    static boolean separateCoresSharingCache() {
        try {
            if (!isSingleCpu(Files.readString(CPU0.resolve("topology/thread_siblings_list")))) return false;
            int level = -1;
            String shared = null;
            try (var caches = Files.newDirectoryStream(CPU0.resolve("cache"), "index*")) {
                for (Path c : caches) {
                    int l = Integer.parseInt(
                            Files.readString(c.resolve("level")).strip());
                    if (l > level) {
                        level = l;
                        shared = Files.readString(c.resolve("shared_cpu_list"));
                    }
                }
            }
            return shared != null && !isSingleCpu(shared) && !shared.isBlank();
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Whether a sysfs CPU list (numbers and ranges {@code a-b}, separated by commas) is one number. */
    static boolean isSingleCpu(String cpuList) {
        return cpuList.strip().matches("\\d+");
    }
}
