package dev.descent.backend;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;

/**
 * What the operating system says about the processor's cores, for the thresholds at which the SIMD
 * backend splits small work over threads. Two logical CPUs of one core (SMT, hyperthreads) share its
 * vector units, so splitting compute gains little there; two cores behind different last-level
 * caches pass every operand through memory. Two cores sharing a last-level cache gain the most.
 */
final class CpuTopology {

    private CpuTopology() {}

    /** Linux's description of the logical CPUs: {@code cpu<N>/topology}, {@code cpu<N>/cache}. */
    static final Path CPUS = Path.of("/sys/devices/system/cpu");

    /** This process's status, whose {@code Cpus_allowed_list} names the CPUs it may run on. */
    static final Path STATUS = Path.of("/proc/self/status");

    /**
     * Whether the first CPU this process may run on has a core to itself among those CPUs (its {@code
     * topology/thread_siblings_list} names no other allowed CPU) and shares its last-level cache
     * with another of them (the {@code shared_cpu_list} of its highest-level {@code cache/index*}).
     * False where that cannot be read (another operating system, a restricted container).
     */
    static boolean separateCoresSharingCache() {
        try {
            BitSet allowed = null;
            for (String line : Files.readAllLines(STATUS))
                if (line.startsWith("Cpus_allowed_list:")) allowed = cpuList(line.substring(line.indexOf(':') + 1));
            if (allowed == null || allowed.cardinality() < 2) return false;
            Path cpu = CPUS.resolve("cpu" + allowed.nextSetBit(0));
            BitSet siblings = cpuList(Files.readString(cpu.resolve("topology/thread_siblings_list")));
            siblings.and(allowed);
            if (siblings.cardinality() != 1) return false;
            int level = -1;
            BitSet shared = null;
            try (var caches = Files.newDirectoryStream(cpu.resolve("cache"), "index*")) {
                for (Path c : caches) {
                    int l = Integer.parseInt(
                            Files.readString(c.resolve("level")).strip());
                    if (l > level) {
                        level = l;
                        shared = cpuList(Files.readString(c.resolve("shared_cpu_list")));
                    }
                }
            }
            if (shared == null) return false;
            shared.and(allowed);
            return shared.cardinality() >= 2;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * The CPUs of a Linux CPU list: numbers and ranges {@code a-b}, separated by commas, e.g. {@code
     * 0-3,8}.
     *
     * @throws IllegalArgumentException naming the list if it is empty or malformed
     */
    static BitSet cpuList(String list) {
        BitSet cpus = new BitSet();
        String s = list.strip();
        if (s.isEmpty()) throw new IllegalArgumentException("empty CPU list");
        for (String part : s.split(",")) {
            int dash = part.indexOf('-');
            try {
                int from = Integer.parseInt(
                        dash < 0 ? part.strip() : part.substring(0, dash).strip());
                int to = dash < 0
                        ? from
                        : Integer.parseInt(part.substring(dash + 1).strip());
                if (from < 0 || to < from) throw new NumberFormatException();
                cpus.set(from, to + 1);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("malformed CPU list '" + s + "' at '" + part + "'");
            }
        }
        return cpus;
    }
}
