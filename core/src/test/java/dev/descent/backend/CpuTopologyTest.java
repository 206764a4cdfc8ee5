package dev.descent.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.BitSet;
import org.junit.jupiter.api.Test;

/** The CPU lists of Linux's sysfs and procfs, and the split thresholds the SIMD backend takes from them. */
class CpuTopologyTest {

    @Test
    void cpuListsNameNumbersAndRanges() {
        assertEquals(bits(0), CpuTopology.cpuList("0\n"));
        assertEquals(bits(0, 1), CpuTopology.cpuList("0-1\n"));
        assertEquals(bits(0, 16), CpuTopology.cpuList("0,16"));
        assertEquals(bits(2, 3, 4, 5, 9), CpuTopology.cpuList(" 2-5,9 "));
        for (String bad : new String[] {"", "cpu0", "3-1", "1,,2", "-2"}) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> CpuTopology.cpuList(bad), bad);
            assertTrue(e.getMessage().contains("CPU list"), e.getMessage());
        }
    }

    @Test
    void theThresholdsFollowTheTopology() {
        if (!Files.isDirectory(CpuTopology.CPUS) || !Files.isReadable(CpuTopology.STATUS))
            assertFalse(CpuTopology.separateCoresSharingCache(), "nothing to read: the thresholds of shared cores");
        assertEquals(CpuTopology.separateCoresSharingCache(), SimdBackend.CLOSE_CORES);
        assertEquals(SimdBackend.CLOSE_CORES ? 16 : 64, SimdBackend.DEFAULT_SPLIT_INTENSITY);
        assertEquals((SimdBackend.CLOSE_CORES ? 16 : 128) * 1024, SimdBackend.ELEMENTWISE_TASK_MIN);
    }

    private static BitSet bits(int... cpus) {
        BitSet b = new BitSet();
        for (int c : cpus) b.set(c);
        return b;
    }
}
