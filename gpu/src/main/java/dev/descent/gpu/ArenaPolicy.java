package dev.descent.gpu;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.stream.Collectors;

/**
 * How large a device-resident arena's host array must be so that the garbage collector never moves
 * it (Aparapi would otherwise re-create the device buffer from the stale host copy; see {@link
 * OpenClEngine}).
 *
 * <p>G1 allocates an object of at least half a heap region as a <em>humongous</em> object in
 * regions of its own and never moves it (neither in young, mixed nor full collections, JDK 17-25).
 * Other collectors give no such guarantee: Parallel and Serial compact the old generation and copy
 * young objects, ZGC and Shenandoah relocate everything.
 */
final class ArenaPolicy {

    private static final boolean G1 = collectorNames().stream().anyMatch(n -> n.startsWith("G1"));
    private static final long REGION_BYTES = regionBytes();

    private ArenaPolicy() {}

    /**
     * Forces mirrored sessions (state downloaded after every call) even under G1; for diagnosis and
     * for tests of the mirrored path.
     */
    static final String MIRROR_PROPERTY = "descent.gpu.mirror";

    /** Whether a large enough array is never moved by this JVM's collector (G1), unless mirroring is forced. */
    static boolean largeArraysStayPut() {
        return G1 && REGION_BYTES > 0 && !Boolean.getBoolean(MIRROR_PROPERTY);
    }

    /** The length to allocate for an arena of {@code n} floats: n, or more so that G1 never moves it. */
    static int arenaLength(int n, boolean mirrored) {
        if (mirrored) return n;
        long humongous = REGION_BYTES / 2 / Float.BYTES + 16;
        return (int) Math.max(n, Math.min(humongous, Integer.MAX_VALUE - 16));
    }

    /** The collectors of this JVM, for messages. */
    static String collectors() {
        return String.join(", ", collectorNames());
    }

    private static List<String> collectorNames() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .map(GarbageCollectorMXBean::getName)
                .collect(Collectors.toList());
    }

    private static long regionBytes() {
        try {
            HotSpotDiagnosticMXBean hs = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            return Long.parseLong(hs.getVMOption("G1HeapRegionSize").getValue());
        } catch (RuntimeException | LinkageError e) {
            return 0;
        }
    }
}
