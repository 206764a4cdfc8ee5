package dev.descent.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** The CPU lists of Linux's sysfs, and the split thresholds the SIMD backend takes from them. */
class CpuTopologyTest {

    @Test
    void aListNamingOneCpuIsSingle() {
        assertTrue(CpuTopology.isSingleCpu("0\n"));
        assertTrue(CpuTopology.isSingleCpu("17"));
        assertFalse(CpuTopology.isSingleCpu("0-1\n"), "a range");
        assertFalse(CpuTopology.isSingleCpu("0,16"), "hyperthreads numbered apart");
        assertFalse(CpuTopology.isSingleCpu(""));
        assertFalse(CpuTopology.isSingleCpu("cpu0"));
    }

    @Test
    void withoutSysfsTheThresholdsOfSharedOrDistantCoresHold() {
        if (!Files.isDirectory(CpuTopology.CPU0)) assertFalse(CpuTopology.separateCoresSharingCache());
        assertEquals(CpuTopology.separateCoresSharingCache(), SimdBackend.CLOSE_CORES);
        assertEquals(SimdBackend.CLOSE_CORES ? 16 : 64, SimdBackend.DEFAULT_SPLIT_INTENSITY);
        assertEquals((SimdBackend.CLOSE_CORES ? 16 : 128) * 1024, SimdBackend.ELEMENTWISE_TASK_MIN);
    }
}
