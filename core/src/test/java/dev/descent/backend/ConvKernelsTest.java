package dev.descent.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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

    /** [channels, height, width] of pooled images: even and odd sizes (a trailing row/column dropped), tiny, wide, large. */
    static final int[][] POOL_SHAPES = {
        {16, 24, 24}, {32, 8, 8}, {1, 2, 2}, {3, 5, 7}, {2, 3, 2}, {1, 2, 130}, {5, 47, 33}, {1, 70, 70}
    };

    @Test
    void maxPool2x2EqualsTheScalarLoop() {
        for (int[] s : POOL_SHAPES)
            for (boolean nans : new boolean[] {false, true})
                for (int threads : new int[] {1, 2}) {
                    ImageWindow v = new ImageWindow(s[0], s[1], s[2], 2, 2, 2, 2, 0, 0);
                    int rows = 3, in = v.inputSize(), out = v.channels() * v.plane(), off = 5;
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

    static int[] bits(float[] a) {
        int[] b = new int[a.length];
        for (int i = 0; i < a.length; i++) b[i] = Float.floatToRawIntBits(a[i]);
        return b;
    }
}
