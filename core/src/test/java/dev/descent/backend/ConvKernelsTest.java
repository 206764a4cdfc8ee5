package dev.descent.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link SimdBackend}'s layer-operation kernels against {@link ScalarBackend}'s loops (the
 * reference): bit-identical outputs on awkward image sizes, with ties, zeros of both signs and NaNs.
 */
class ConvKernelsTest {

    private static final ScalarBackend SCALAR = new ScalarBackend();

    /** Values with many ties (a few levels), ±0, and some NaNs when asked. */
    static float[] activations(long seed, int n, boolean nans) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            int k = r.nextInt(12);
            x[i] = k == 0 ? 0f : k == 1 ? -0f : k == 2 && nans ? Float.NaN : (r.nextInt(5) - 2) * 0.5f;
            if (k > 8) x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    /**
     * [channels, height, width] of pooled images: even and odd sizes (a trailing row/column dropped),
     * tiny, wide, large.
     */
    static final int[][] POOL_SHAPES = {
        {16, 24, 24},
        {32, 8, 8},
        {1, 2, 2},
        {3, 5, 7},
        {2, 3, 2},
        {1, 2, 130},
        {5, 47, 33},
        {1, 70, 70},
        // rows of half a vector (each vector a row pair of windows), four pairs a step or a ragged count
        {5, 6, SimdBackend.S.length() / 2},
        {1, 8, SimdBackend.S.length() / 2},
        {1, 7, SimdBackend.S.length() / 2}
    };

    /** The same bits as the scalar loop, forward and backward, on 1, 2 and 3 threads (split by images). */
    @Test
    void maxPool2x2EqualsTheScalarLoop() {
        for (int[] s : POOL_SHAPES)
            for (boolean nans : new boolean[] {false, true})
                for (int threads : new int[] {1, 2, 3}) {
                    ImageWindow v = new ImageWindow(s[0], s[1], s[2], 2, 2, 2, 2, 0, 0);
                    int in = v.inputSize(), out = v.channels() * v.plane(), off = 5;
                    // enough images that 2 and 3 threads split them (SimdBackend.imageTasks), a ragged count
                    int rows = 3 * SimdBackend.ELEMENTWISE_TASK_MIN / in + 1;
                    float[] x = activations(s[1] * 31L + s[2], off + rows * in, nans);
                    float[] y0 = new float[off + rows * out], a0 = new float[off + rows * out];
                    float[] y1 = new float[off + rows * out], a1 = new float[off + rows * out];
                    SCALAR.maxPool(v, x, off, rows, y0, off, a0, off);
                    new SimdBackend(threads).maxPool(v, x, off, rows, y1, off, a1, off);
                    String what = java.util.Arrays.toString(s) + (nans ? " with NaNs" : "");
                    assertArrayEquals(bits(y0), bits(y1), "max " + what);
                    assertArrayEquals(a0, a1, "argmax " + what);
                    float[] dy = activations(7, off + rows * out, false);
                    float[] dx0 = new float[off + rows * in], dx1 = new float[off + rows * in];
                    SCALAR.maxPoolBackward(v, dy, off, a0, off, rows, dx0, off);
                    new SimdBackend(threads).maxPoolBackward(v, dy, off, a1, off, rows, dx1, off);
                    assertArrayEquals(bits(dx0), bits(dx1), "dx " + what);
                    float[] added = new float[off + rows * in]; // zeros, then each gradient added at its argmax
                    for (int n = 0; n < rows; n++)
                        for (int o = 0; o < out; o++)
                            added[off + n * in + (int) a0[off + n * out + o]] += dy[off + n * out + o];
                    assertArrayEquals(bits(added), bits(dx0), "dx against zeros plus each gradient, " + what);
                }
    }

    /**
     * The 2×2 max-pool allocates nothing once compiled, on the MNIST CNN's shapes. Its NaN test was
     * {@code test(IS_NAN)}, whose lane reinterpretation C2 (JDK 17, AVX-512) did not intrinsify in
     * this method when called alone: a boxed vector per window row, 4 MB a call on the first pool,
     * 1.1 ms against 0.37 (a small CNN's step, which inlines it differently, showed none).
     */
    @Test
    void maxPool2x2AllocatesNothingOnceCompiled() {
        var mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        SimdBackend simd = new SimdBackend(1);
        for (int[] s : new int[][] {{16, 24, 24}, {32, 8, 8}}) {
            ImageWindow v = new ImageWindow(s[0], s[1], s[2], 2, 2, 2, 2, 0, 0);
            int rows = 64, out = rows * v.channels() * v.plane();
            float[] x = activations(3, rows * v.inputSize(), false), y = new float[out], arg = new float[out];
            long bytes = -1;
            for (int round = 0; round < 20 && bytes != 0; round++) { // until compiled: at most 20 × 200 calls
                long before = mx.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < 200; i++) simd.maxPool(v, x, 0, rows, y, 0, arg, 0);
                bytes = mx.getCurrentThreadAllocatedBytes() - before;
            }
            assertEquals(0, bytes, "bytes allocated by 200 warm pools of " + v);
        }
    }

    @Test
    void maxPool2x2PicksTheFirstMaximumAndTheLastNaN() {
        ImageWindow v = new ImageWindow(1, 2, 4, 2, 2, 2, 2, 0, 0);
        float[] x = {1, 5, Float.NaN, 2, 5, 3, 0, Float.NaN}, y = new float[2], arg = new float[2];
        new SimdBackend(1).maxPool(v, x, 0, 1, y, 0, arg, 0);
        assertEquals(5f, y[0]);
        assertEquals(1f, arg[0]); // the first 5 in row-major order
        assertEquals(Float.NaN, y[1]);
        assertEquals(7f, arg[1]); // a later NaN replaces an earlier one
    }

    /**
     * Unpadded windows with stride 1 across (the vector kernels' case): the CNN's two convolutions,
     * widths below, at and above a vector, a 1×1 kernel, kernels as wide as the image, a row stride.
     */
    static final ImageWindow[] CONV_WINDOWS = {
        new ImageWindow(1, 28, 28, 5, 5, 1, 1, 0, 0),
        new ImageWindow(16, 12, 12, 5, 5, 1, 1, 0, 0),
        new ImageWindow(3, 7, 9, 3, 2, 1, 1, 0, 0),
        new ImageWindow(2, 5, 17, 2, 3, 1, 1, 0, 0),
        new ImageWindow(2, 4, 40, 3, 5, 1, 1, 0, 0),
        new ImageWindow(3, 6, 6, 1, 1, 1, 1, 0, 0),
        new ImageWindow(1, 3, 33, 3, 33, 1, 1, 0, 0),
        new ImageWindow(2, 9, 11, 3, 3, 2, 1, 0, 0),
        new ImageWindow(1, 1, 1, 1, 1, 1, 1, 0, 0),
        // col2im four channels at once (and a fifth alone): rows of half a vector or more, and wider
        new ImageWindow(6, 5, 9, 3, 3, 1, 1, 0, 0),
        new ImageWindow(5, 4, 20, 2, 3, 1, 1, 0, 0),
    };

    @Test
    void im2colAndCol2imEqualTheScalarLoopsAtTheArraysEdges() {
        for (ImageWindow v : CONV_WINDOWS)
            for (int rows : new int[] {1, 3})
                for (int off : new int[] {0, 7}) {
                    int in = rows * v.inputSize(), cols = v.patch() * rows * v.plane();
                    float[] x = activations(v.width() * 13L + rows, off + in, true);
                    float[] c0 = new float[off + cols], c1 = new float[off + cols];
                    java.util.Arrays.fill(c1, 42f); // the kernel must write every element
                    SCALAR.im2col(v, x, off, rows, c0, off);
                    new SimdBackend(1).im2col(v, x, off, rows, c1, off);
                    java.util.Arrays.fill(c1, 0, off, 0f);
                    assertArrayEquals(bits(c0), bits(c1), "im2col " + v + " rows " + rows + " off " + off);
                    float[] dcol = activations(v.height() * 7L + off, off + cols, true);
                    float[] d0 = new float[off + in + 3], d1 = new float[off + in + 3];
                    java.util.Arrays.fill(d1, 42f);
                    d0[off + in] = d0[off + in + 1] = d0[off + in + 2] = 42f; // past the region: untouched
                    java.util.Arrays.fill(d1, 0, off, 0f);
                    SCALAR.col2im(v, dcol, off, rows, d0, off);
                    new SimdBackend(1).col2im(v, dcol, off, rows, d1, off);
                    assertArrayEquals(bits(d0), bits(d1), "col2im " + v + " rows " + rows + " off " + off);
                }
    }

    /**
     * col2im split by images: each range of images writes only its own dx (ranges run last to first
     * here, so a vector spilling past its range's end would overwrite a finished image), and split
     * over 2 and 3 threads it gives the scalar loop's bits.
     */
    @Test
    void col2imSplitByImagesWritesEachImageOnce() {
        for (ImageWindow v : CONV_WINDOWS) {
            int rows = 5, off = 3, in = rows * v.inputSize(), cols = v.patch() * rows * v.plane();
            float[] dcol = activations(v.width() * 11L + 1, off + cols, true);
            float[] whole = new float[off + in + 3], ranges = new float[off + in + 3];
            java.util.Arrays.fill(ranges, 42f);
            java.util.Arrays.fill(ranges, 0, off, 0f);
            whole[off + in] = whole[off + in + 1] = whole[off + in + 2] = 42f;
            ConvKernels.col2im(v, dcol, off, rows, whole, off);
            int[] cuts = {0, 1, 3, 5};
            for (int r = cuts.length - 2; r >= 0; r--)
                ConvKernels.col2im(v, dcol, off, rows, ranges, off, cuts[r], cuts[r + 1]);
            assertArrayEquals(bits(whole), bits(ranges), "col2im by ranges " + v);
        }
        for (ImageWindow v : CONV_WINDOWS)
            for (int threads : new int[] {2, 3}) {
                // enough images that 2 and 3 threads split them (SimdBackend.imageTasks), a ragged count
                int rows = 3 * SimdBackend.ELEMENTWISE_TASK_MIN / v.inputSize() + 1;
                int in = rows * v.inputSize(), cols = v.patch() * rows * v.plane();
                float[] dcol = activations(v.height() * 5L + threads, cols, true);
                float[] d0 = new float[in], d1 = new float[in];
                java.util.Arrays.fill(d1, 42f);
                SCALAR.col2im(v, dcol, 0, rows, d0, 0);
                new SimdBackend(threads).col2im(v, dcol, 0, rows, d1, 0);
                assertArrayEquals(bits(d0), bits(d1), "col2im " + v + " on " + threads + " threads");
            }
    }

    /**
     * The products that gather im2col's matrix (or its transpose) from x as they pack it give the
     * bits of the same products on the matrix written out: the forward (composition: im2col, W·col,
     * the scatter) on windows the direct convolution does not take (the first is never direct),
     * with stride and without, on
     * 1 and 2 threads, and the weight gradient {@code dY·colT} on patches of four vectors or more.
     */
    @Test
    void gatheredProductsGiveTheWrittenOutProductsBits() {
        ImageWindow[] windows = {
            new ImageWindow(16, 12, 12, 5, 5, 1, 1, 0, 0),
            new ImageWindow(3, 7, 9, 3, 2, 1, 1, 0, 0),
            new ImageWindow(2, 9, 11, 3, 3, 2, 1, 0, 0),
            new ImageWindow(8, 7, 8, 3, 3, 1, 2, 0, 0),
            new ImageWindow(1, 3, 33, 3, 33, 1, 1, 0, 0),
        };
        for (ImageWindow v : windows)
            for (int out : new int[] {1, 7, 32})
                for (int threads : new int[] {1, 2}) {
                    if (DirectConv.applies(v)) continue; // rows a vector wide or more on AVX2
                    int rows = 3, off = 4, k = v.patch(), plane = v.plane(), gp = rows * plane;
                    float[] x = activations(out * 13L + v.width(), off + rows * v.inputSize(), false);
                    float[] w = activations(out + 3L, off + out * k + out, false);
                    float[] dy = activations(out * 3L + v.height(), off + out * gp, false);
                    // im2col's gathered products, not Winograd (WinogradTest checks that)
                    SimdBackend simd =
                            new SimdBackend(threads).setSplitIntensity(0).setWinograd(false);
                    float[] col = new float[k * gp], colT = new float[gp * k];
                    SCALAR.im2col(v, x, off, rows, col, 0);
                    for (int r = 0; r < k; r++) for (int q = 0; q < gp; q++) colT[q * k + r] = col[r * gp + q];
                    float[] ycm = new float[out * gp], want = new float[off + rows * out * plane];
                    simd.matmul(w, off, col, 0, ycm, 0, out, gp, k, false);
                    simd.channelMajorToRows(ycm, 0, rows, out, plane, w, off + out * k, want, off);
                    float[] got = new float[want.length], scratch = new float[gp * (k + out)];
                    simd.convolution(v, out, x, off, rows, w, off, w, off + out * k, got, off, scratch, 0);
                    String what = v + " out " + out + ", " + threads + " thread(s)";
                    assertArrayEquals(bits(want), bits(got), "y " + what);
                    float[] dwWant = activations(5, out * k, false), dwGot = dwWant.clone();
                    simd.matmul(dy, off, colT, 0, dwWant, 0, out, k, gp, true);
                    simd.convolutionWeightGradient(v, out, x, off, rows, dy, off, dwGot, 0, scratch, 0);
                    if (k >= 4 * SimdBackend.S.length()) assertArrayEquals(bits(dwWant), bits(dwGot), "dW " + what);
                    else assertClose(dwWant, dwGot, gp, "dW " + what);
                }
    }

    /**
     * The SIMD backend's convolution blocks against the scalar backend's (the reference composition):
     * within float rounding (its products use FMA; its weight gradient is associated otherwise), and
     * the same bits on 1 and 2 threads.
     */
    @Test
    void convolutionBlocksMatchTheScalarCompositionOnAnyThreadCount() {
        for (ImageWindow v : CONV_WINDOWS)
            for (int out : new int[] {1, 5, 32}) {
                int rows = 3, off = 2, k = v.patch(), plane = v.plane(), in = rows * v.inputSize();
                int yn = rows * out * plane, scratch = rows * plane * (k + out);
                float[] x = activations(out * 31L + v.width(), off + in, false);
                float[] p = activations(out + 5L, off + out * k + out, false);
                float[] dy = activations(out * 7L + v.height(), off + yn, false);
                float[][] y = new float[3][off + yn],
                        g = new float[3][off + out * k + out],
                        dx = new float[3][off + in];
                Backend[] backends = {SCALAR, new SimdBackend(1), new SimdBackend(2).setSplitIntensity(0)};
                for (int b = 0; b < 3; b++) {
                    float[] s = new float[scratch + 3];
                    backends[b].convolution(v, out, x, off, rows, p, off, p, off + out * k, y[b], off, s, 3);
                    backends[b].convolutionBackward(
                            v, out, x, off, rows, p, off, dy, off, g[b], off, off + out * k, dx[b], off, s, 3);
                }
                String what = v + " out " + out;
                if (Winograd.applies(v)) {
                    // Winograd's transforms round relative to the largest element, not each one's own
                    assertWithinLargest(y[0], y[1], 1e-5, "y (Winograd) " + what);
                    assertWithinLargest(g[0], g[1], 3e-5, "grad (Winograd) " + what);
                    assertWithinLargest(dx[0], dx[1], 1e-5, "dx (Winograd) " + what);
                } else {
                    assertClose(y[0], y[1], Math.sqrt(k), "y " + what);
                    assertClose(g[0], g[1], Math.sqrt(rows * plane), "grad " + what);
                    assertClose(dx[0], dx[1], 1, "dx " + what);
                }
                assertArrayEquals(bits(y[1]), bits(y[2]), "y, 2 threads " + what);
                assertArrayEquals(bits(g[1]), bits(g[2]), "grads, 2 threads " + what);
                assertArrayEquals(bits(dx[1]), bits(dx[2]), "dx, 2 threads " + what);
            }
    }

    /**
     * Windows {@link DirectConv} computes (a small patch, output rows at least a vector wide): the
     * MNIST CNN's first layer, rows a whole number of vectors and not, several input channels.
     */
    static final ImageWindow[] DIRECT_WINDOWS = {
        new ImageWindow(1, 28, 28, 5, 5, 1, 1, 0, 0),
        new ImageWindow(2, 4, 40, 3, 5, 1, 1, 0, 0),
        new ImageWindow(3, 9, 2 * SimdBackend.S.length() + 2, 3, 3, 1, 1, 0, 0),
        new ImageWindow(1, 6, SimdBackend.S.length(), 2, 1, 1, 1, 0, 0),
        new ImageWindow(7, 5, 21, 3, 3, 1, 1, 0, 0),
    };

    /**
     * The direct forward gives the composition's bits (im2col, the product, the scatter with the
     * bias) on any thread count, for even and odd channel counts and batches that fill the tiles or
     * not; the direct weight and bias gradients (a first layer: no dx) match the scalar backend's
     * within float rounding and give the same bits on 1 and 2 threads.
     */
    @Test
    void directConvolutionMatchesTheComposition() {
        for (ImageWindow v : DIRECT_WINDOWS)
            for (int out : new int[] {1, 5, 16}) {
                assertTrue(DirectConv.applies(v), v.toString());
                int rows = 3, off = 2, k = v.patch(), plane = v.plane(), in = rows * v.inputSize();
                int yn = rows * out * plane, gp = rows * plane;
                float[] x = activations(out * 11L + v.width(), off + in, false);
                float[] p = activations(out + 9L, off + out * k + out, false);
                float[] dy = activations(out * 5L + v.height(), off + yn, false);
                SimdBackend one = new SimdBackend(1);
                float[] col = new float[gp * (k + out)], composed = new float[off + yn];
                one.im2col(v, x, off, rows, col, 0);
                one.matmul(p, off, col, 0, col, k * gp, out, gp, k, false);
                one.channelMajorToRows(col, k * gp, rows, out, plane, p, off + out * k, composed, off);
                Backend[] backends = {SCALAR, one, new SimdBackend(2)};
                float[][] y = new float[3][off + yn], g = new float[3][off + out * k + out];
                for (int b = 0; b < 3; b++) {
                    float[] s = new float[gp * (k + out)];
                    backends[b].convolution(v, out, x, off, rows, p, off, p, off + out * k, y[b], off, s, 0);
                    java.util.Arrays.fill(g[b], 0.25f); // the gradients are added
                    backends[b].convolutionBackward(
                            v, out, x, off, rows, p, off, dy, off, g[b], off, off + out * k, null, 0, s, 0);
                }
                String what = v + " out " + out;
                assertArrayEquals(bits(composed), bits(y[1]), "y, the composition's bits, " + what);
                assertArrayEquals(bits(y[1]), bits(y[2]), "y, 2 threads " + what);
                assertArrayEquals(bits(g[1]), bits(g[2]), "grads, 2 threads " + what);
                assertClose(g[0], g[1], Math.sqrt(rows * plane), "grad " + what);
                assertEquals(0.25f, g[1][0], "before the gradients: untouched");
            }
    }

    /** Stride, padding, a patch of 64 or more, or rows narrower than a vector keep the composition. */
    @Test
    void directConvolutionAppliesOnlyToItsWindows() {
        int l = SimdBackend.S.length();
        assertFalse(DirectConv.applies(new ImageWindow(1, 28, 28, 5, 5, 2, 1, 0, 0)));
        assertFalse(DirectConv.applies(new ImageWindow(1, 28, 28, 5, 5, 1, 2, 0, 0)));
        assertFalse(DirectConv.applies(new ImageWindow(1, 28, 28, 5, 5, 1, 1, 1, 0)));
        assertFalse(DirectConv.applies(new ImageWindow(16, 12, 28, 5, 5, 1, 1, 0, 0)));
        assertFalse(DirectConv.applies(new ImageWindow(1, 28, l + 1, 3, 3, 1, 1, 0, 0)));
        assertTrue(DirectConv.applies(new ImageWindow(1, 28, l + 2, 3, 3, 1, 1, 0, 0)));
    }

    /**
     * The channel-major product to NCHW rows with the bias: the scalar loop's bits, for planes of
     * whole vectors, of a vector and a bit, and shorter than one, at offsets.
     */
    @Test
    void channelMajorToRowsEqualsTheScalarLoop() {
        int l = SimdBackend.S.length();
        for (int plane : new int[] {64, l + 3, l - 1, 1})
            for (int channels : new int[] {1, 5, 32}) {
                int rows = 3, off = 2, n = rows * channels * plane;
                float[] src = activations(plane * 7L + channels, off + n, true);
                float[] bias = activations(channels, off + channels, true);
                float[] want = new float[off + n + 4], got = new float[off + n + 4];
                SCALAR.channelMajorToRows(src, off, rows, channels, plane, bias, off, want, off);
                new SimdBackend(1).channelMajorToRows(src, off, rows, channels, plane, bias, off, got, off);
                assertArrayEquals(bits(want), bits(got), "plane " + plane + ", " + channels + " channels");
            }
    }

    /** Each element of got within {@code 1e-5·max(1, |want|)·scale} of want's. */
    static void assertClose(float[] want, float[] got, double scale, String what) {
        for (int i = 0; i < want.length; i++)
            assertEquals(want[i], got[i], 1e-5 * Math.max(1, Math.abs(want[i])) * scale, what + " at " + i);
    }

    /** Each element of got within {@code tolerance} of want's largest magnitude. */
    static void assertWithinLargest(float[] want, float[] got, double tolerance, String what) {
        double largest = 0;
        for (float f : want) largest = Math.max(largest, Math.abs(f));
        for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], tolerance * largest, what + " at " + i);
    }

    static int[] bits(float[] a) {
        int[] b = new int[a.length];
        for (int i = 0; i < a.length; i++) b[i] = Float.floatToRawIntBits(a[i]);
        return b;
    }
}
