package dev.descent.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@link SimdBackend} against the contract, plus its threading: split products, any thread count. */
class SimdBackendContractTest extends BackendContractTest {

    private static final SimdBackend SIMD = new SimdBackend();

    @Override
    protected Backend backend() {
        return SIMD;
    }

    /**
     * Shapes above the parallel threshold, split by columns, by rows, both big, narrower than a
     * register tile (A·Bᵀ then takes the dot-product kernel), and the MNIST MLP's first layer (A
     * packed once and shared by the column tasks, several k-blocks).
     */
    private static final int[][] PARALLEL_SHAPES = {
        {130, 1025, 63}, {1023, 17, 129}, {300, 257, 520}, {2001, 15, 301}, {64, 10, 2000}, {64, 128, 784}
    };

    /** A backend on which every product of more than 2²⁰ multiply-adds is split over the threads. */
    private static SimdBackend split(int threads) {
        return new SimdBackend(threads).setSplitIntensity(0);
    }

    @ParameterizedTest
    @EnumSource(Layout.class)
    void resultDoesNotDependOnThreadCount(Layout layout) {
        for (int[] s : PARALLEL_SHAPES) {
            assertTrue((long) s[0] * s[1] * s[2] >= Gemm.PARALLEL_MIN, "shape must take the parallel path");
            for (boolean accumulate : new boolean[] {false, true}) {
                float[] one = checkProduct(new SimdBackend(1), layout, s[0], s[1], s[2], accumulate);
                for (int threads : new int[] {2, 3}) {
                    float[] many = runProduct(split(threads), layout, s[0], s[1], s[2], accumulate);
                    assertBitEqual(layout + " " + s[0] + "×" + s[1] + "×" + s[2] + " threads " + threads, one, many);
                }
            }
        }
    }

    /**
     * Every path but the dot-product one (C narrower than a register tile) sums each element of C
     * as one FMA chain over k from C's old value (or from zero), whatever the path, blocking and
     * thread count: so the forward X·Wᵀ computed as its transpose gives the same bits as before.
     */
    @ParameterizedTest
    @EnumSource(Layout.class)
    void packedProductsSumEachElementAsOneFmaChain(Layout layout) {
        int[][] shapes = {{64, 128, 784}, {37, 50, 300}, {1, 40, 33}, {130, 1025, 63}, {97, 33, 513}};
        for (int[] s : shapes) {
            int m = s[0], n = s[1], k = s[2], ao = 3, bo = 7, co = 11;
            for (boolean accumulate : new boolean[] {false, true}) {
                float[] a = randoms(m, ao, m * k), b = randoms(n, bo, k * n);
                float[] c0 = accumulate ? randoms(k, co, m * n) : nans(co, m * n);
                float[] expected = c0.clone();
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < n; j++) {
                        float sum = accumulate ? c0[co + i * n + j] : 0f;
                        for (int p = 0; p < k; p++) {
                            float x = layout == Layout.TN ? a[ao + p * m + i] : a[ao + i * k + p];
                            float y = layout == Layout.NT ? b[bo + j * k + p] : b[bo + p * n + j];
                            sum = Math.fma(x, y, sum);
                        }
                        expected[co + i * n + j] = sum;
                    }
                for (int threads : new int[] {1, 2, 3}) {
                    float[] c = c0.clone();
                    layout.run(split(threads), a, ao, b, bo, c, co, m, n, k, accumulate);
                    String what =
                            layout + " " + m + "×" + n + "×" + k + (accumulate ? " +=" : "") + " threads " + threads;
                    assertBitEqual(what, expected, c);
                }
            }
        }
    }

    @Test
    void fusedDenseDoesNotDependOnThreadCount() {
        for (int[] s : PARALLEL_SHAPES) {
            int rows = s[0], outputs = s[1], inputs = s[2], n = rows * outputs;
            float[] x = randoms(1, 0, rows * inputs),
                    w = randoms(2, 0, outputs * inputs),
                    bias = randoms(3, 0, outputs);
            float[] z1 = new float[n], out1 = new float[n];
            new SimdBackend(1).dense(Activation.RELU, x, 0, w, 0, bias, 0, z1, 0, out1, 0, rows, outputs, inputs);
            for (int threads : new int[] {2, 3}) {
                float[] z = new float[n], out = new float[n];
                split(threads).dense(Activation.RELU, x, 0, w, 0, bias, 0, z, 0, out, 0, rows, outputs, inputs);
                String what = "dense " + rows + "×" + outputs + "×" + inputs + " threads " + threads;
                assertBitEqual(what + " z", z1, z);
                assertBitEqual(what + " out", out1, out);
            }
        }
    }

    @Test
    void concurrentCallersGetCorrectResults() throws Exception {
        SimdBackend shared = split(Runtime.getRuntime().availableProcessors());
        ExecutorService callers = Executors.newFixedThreadPool(3);
        try {
            List<Future<float[]>> results = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                Layout layout = Layout.values()[i % 3];
                Callable<float[]> job = () -> checkProduct(shared, layout, 200, 300, 100, false);
                results.add(callers.submit(job));
            }
            for (int i = 3; i < 6; i++)
                assertBitEqual(
                        "same product from two threads",
                        results.get(i - 3).get(),
                        results.get(i).get());
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void failureInsideSplitProductReachesCaller() {
        SimdBackend two = split(2);
        float[] a = new float[512 * 512], b = new float[512 * 512], c = new float[512 * 512 - 1];
        assertThrows(IndexOutOfBoundsException.class, () -> two.matmul(a, 0, b, 0, c, 0, 512, 512, 512, false));
        // the pool still works afterwards
        float[] ok = new float[512 * 512];
        two.matmul(a, 0, b, 0, ok, 0, 512, 512, 512, false);

        // a failure while the first tasks pack a shared A (the MLP's weight-gradient shape) ends the
        // call too: the column tasks waiting for the packing are released; and one while the column
        // tasks of the forward X·Wᵀ pack their own copy of X
        float[] dz = new float[64 * 128 - 1], x = new float[64 * 784], dw = new float[128 * 784];
        float[] xShort = new float[64 * 784 - 1], w = new float[128 * 784], z = new float[64 * 128];
        for (SimdBackend many : new SimdBackend[] {two, split(3), split(8)})
            for (int repeat = 0; repeat < 20; repeat++) {
                assertThrows(
                        IndexOutOfBoundsException.class, () -> many.matmulTN(dz, 0, x, 0, dw, 0, 128, 784, 64, false));
                assertThrows(
                        IndexOutOfBoundsException.class,
                        () -> many.matmulNT(xShort, 0, w, 0, z, 0, 64, 128, 784, false));
            }
    }

    @Test
    void threadCountComesFromPropertyOrSetter() {
        String old = System.getProperty(SimdBackend.THREADS_PROPERTY);
        try {
            System.setProperty(SimdBackend.THREADS_PROPERTY, "3");
            assertEquals(3, new SimdBackend().threads());
            System.setProperty(SimdBackend.THREADS_PROPERTY, "zero");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, SimdBackend::new);
            assertTrue(e.getMessage().contains(SimdBackend.THREADS_PROPERTY)
                    && e.getMessage().contains("zero"));
            System.clearProperty(SimdBackend.THREADS_PROPERTY);
            assertEquals(Runtime.getRuntime().availableProcessors(), new SimdBackend().threads());
        } finally {
            if (old == null) System.clearProperty(SimdBackend.THREADS_PROPERTY);
            else System.setProperty(SimdBackend.THREADS_PROPERTY, old);
        }
        SimdBackend b = new SimdBackend(4);
        assertEquals(1, b.setThreads(1).threads());
        assertTrue(b.device().contains("1 thread"));
        assertThrows(IllegalArgumentException.class, () -> b.setThreads(0));
    }

    @Test
    void productsBelowTheSplitIntensityStayOnTheCaller() {
        SimdBackend two = new SimdBackend(2);
        assertEquals(SimdBackend.DEFAULT_SPLIT_INTENSITY, two.splitIntensity());
        assertEquals(SimdBackend.CLOSE_CORES ? 16 : 64, SimdBackend.DEFAULT_SPLIT_INTENSITY);
        // the MLP's forward and weight gradient: 40.5 multiply-adds per float, split on close cores only
        int mlp = SimdBackend.CLOSE_CORES ? 2 : 1;
        assertEquals(mlp, two.productThreads(64, 128, 784), "the MLP's forward");
        assertEquals(mlp, two.productThreads(128, 784, 64), "the MLP's weight gradient");
        assertEquals(1, two.setSplitIntensity(64).productThreads(64, 128, 784));
        assertEquals(2, two.setSplitIntensity(40).productThreads(64, 128, 784), "40.5 per float");
        assertEquals(1, two.setSplitIntensity(41).productThreads(64, 128, 784));
        assertEquals(2, two.productThreads(1024, 1024, 1024), "1024²: 341 per float");
        assertEquals(2, two.setSplitIntensity(0).productThreads(64, 128, 784));
        assertEquals(1, new SimdBackend(1).setSplitIntensity(0).productThreads(1024, 1024, 1024));
        assertThrows(IllegalArgumentException.class, () -> two.setSplitIntensity(-1));

        String old = System.getProperty(SimdBackend.SPLIT_INTENSITY_PROPERTY);
        try {
            System.setProperty(SimdBackend.SPLIT_INTENSITY_PROPERTY, "16");
            assertEquals(16, new SimdBackend(2).splitIntensity());
            System.setProperty(SimdBackend.SPLIT_INTENSITY_PROPERTY, "-3");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SimdBackend(2));
            assertTrue(e.getMessage().contains(SimdBackend.SPLIT_INTENSITY_PROPERTY)
                    && e.getMessage().contains("-3"));
        } finally {
            if (old == null) System.clearProperty(SimdBackend.SPLIT_INTENSITY_PROPERTY);
            else System.setProperty(SimdBackend.SPLIT_INTENSITY_PROPERTY, old);
        }
    }
}
