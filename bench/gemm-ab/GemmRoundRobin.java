package dev.descent.backend;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Random;

/**
 * Round-robin of three builds of the SIMD backend's matrix product in one JVM: {@code GemmBase} (a
 * revision's {@code Gemm.java}, renamed), the working tree's {@link Gemm}, and {@code GemmBaseCopy}
 * (the same revision again under another name, the A/A control). Run by {@code bench/gemm-ab/run.sh},
 * which writes the two renamed copies. On shared hosts two identical copies of the code differ by up
 * to a fifth, so a change is judged against the control's spread, not against a separate run.
 *
 * <p>For each shape (the MNIST MLP step's products, then 1024³ and 2048³ in the three layouts) it
 * warms all three until the JIT is quiet, checks that the working tree's result has the base's bits, then times {@code
 * rounds} rounds in turn and prints each build's median GFLOP/s and its ratio to the base.
 */
public final class GemmRoundRobin {

    private interface Build {
        void run(boolean ta, boolean tb, float[] a, float[] b, float[] c, int m, int n, int k, int threads);
    }

    private static final String[] NAMES = {"base", "new", "A/A"};
    private static final Build[] BUILDS = {
        (ta, tb, a, b, c, m, n, k, t) ->
                GemmBase.product().operands(ta, tb, a, 0, b, 0, c, 0, m, n, k, false).run(t),
        (ta, tb, a, b, c, m, n, k, t) ->
                Gemm.product().operands(ta, tb, a, 0, b, 0, c, 0, m, n, k, false).run(t),
        (ta, tb, a, b, c, m, n, k, t) ->
                GemmBaseCopy.product().operands(ta, tb, a, 0, b, 0, c, 0, m, n, k, false).run(t),
    };

    /** m, n, k and the layout (0 NN, 1 TN, 2 NT; -1 all three). */
    private static final int[][] SHAPES = {
        {64, 128, 784, 2}, {128, 784, 64, 1}, {64, 784, 128, 0}, {64, 10, 128, 2}, {10, 128, 64, 1},
        {64, 128, 10, 0}, {1024, 1024, 1024, -1}, {2048, 2048, 2048, -1}
    };

    private static final String[] LAYOUTS = {"NN", "TN", "NT"};

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        System.out.printf("median GFLOP/s of %d rounds, %d thread(s); ratio to base in brackets%n", rounds, threads);
        // -Dshapes=0,1 times only those rows of SHAPES
        String only = System.getProperty("shapes");
        for (int si = 0; si < SHAPES.length; si++) {
            if (only != null && !("," + only + ",").contains("," + si + ",")) continue;
            int[] shape = SHAPES[si];
            int m = shape[0], n = shape[1], k = shape[2];
            float[] a = new float[m * k], b = new float[k * n], c = new float[m * n], ref = new float[m * n];
            Random random = new Random(n);
            for (int i = 0; i < a.length; i++) a[i] = random.nextFloat() - 0.5f;
            for (int i = 0; i < b.length; i++) b[i] = random.nextFloat() - 0.5f;
            for (int layout = 0; layout < 3; layout++) {
                if (shape[3] >= 0 && shape[3] != layout) continue;
                boolean ta = layout == 1, tb = layout == 2;
                int reps = (int) Math.max(1, 2e8 / ((double) m * n * k));
                warmUp(ta, tb, a, b, c, m, n, k, threads, reps);
                BUILDS[0].run(ta, tb, a, b, ref, m, n, k, threads);
                BUILDS[1].run(ta, tb, a, b, c, m, n, k, threads);
                boolean sameBits = Arrays.equals(c, ref);
                double[][] ms = new double[BUILDS.length][rounds];
                for (int round = 0; round < rounds; round++)
                    for (int g = 0; g < BUILDS.length; g++) {
                        long t0 = System.nanoTime();
                        for (int q = 0; q < reps; q++) BUILDS[g].run(ta, tb, a, b, c, m, n, k, threads);
                        ms[g][round] = (System.nanoTime() - t0) / 1e6 / reps;
                    }
                StringBuilder line = new StringBuilder(String.format("%s %dx%dx%d:", LAYOUTS[layout], m, n, k));
                double base = median(ms[0]);
                for (int g = 0; g < BUILDS.length; g++) {
                    double med = median(ms[g]);
                    line.append(String.format("  %s %.0f (%.2fx)", NAMES[g], 2.0 * m * n * k / med / 1e6, base / med));
                }
                System.out.println(line.append(sameBits ? "" : "  BITS DIFFER from base"));
            }
        }
    }

    /**
     * Runs all builds in turn, untimed, for at least 1 s and until the JIT has compiled nothing for
     * 0.5 s (20 s at most): a kernel still in C1's code runs at a fifth of its speed, and on a busy
     * 2-core machine C2 may take seconds to get to it.
     */
    private static void warmUp(
            boolean ta, boolean tb, float[] a, float[] b, float[] c, int m, int n, int k, int threads, int reps) {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        long start = System.nanoTime(), quietSince = start, compiled = jit.getTotalCompilationTime();
        while (true) {
            for (int w = 0; w < reps; w++) for (Build g : BUILDS) g.run(ta, tb, a, b, c, m, n, k, threads);
            long now = System.nanoTime(), time = jit.getTotalCompilationTime();
            if (time != compiled) {
                compiled = time;
                quietSince = now;
            }
            if (now - start >= 1e9 && now - quietSince >= 5e8 || now - start >= 2e10) return;
        }
    }

    private static double median(double[] x) {
        double[] y = x.clone();
        Arrays.sort(y);
        return y[y.length / 2];
    }
}
