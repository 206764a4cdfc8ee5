package dev.descent.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Winograd}'s convolution against the direct sums in double precision: within a few 10⁻⁶ of
 * the largest output (float rounding of the transforms), on whole tiles and cropped edge tiles, odd
 * channel counts, out-channels that are not a whole vector, and the same bits on any thread count.
 */
class WinogradTest {

    /**
     * [channels, height, width, kernel, out-channels, rows]: MNIST's second layer (whole 4×4 tiles)
     * in one call and in 9-image blocks, cropped edge tiles on both sides, 3×3 kernels (6×6 tiles),
     * odd channels, out-channels below and above a vector, one image and several, images whose tiles
     * straddle two of the gradient's blocks (9 tiles an image).
     */
    static Stream<Arguments> shapes() {
        return Stream.of(
                Arguments.of(16, 12, 12, 5, 32, 64),
                Arguments.of(16, 12, 12, 5, 32, 9),
                Arguments.of(3, 11, 13, 5, 5, 2),
                Arguments.of(2, 9, 9, 5, 17, 3),
                Arguments.of(7, 20, 17, 3, 40, 2),
                Arguments.of(7, 20, 17, 3, 40, 5),
                Arguments.of(5, 8, 8, 3, 1, 1),
                Arguments.of(32, 14, 14, 3, 16, 3));
    }

    /** {@code y = conv(x, w) + bias} by the definition, in double. */
    static double[] direct(ImageWindow v, int out, float[] x, int rows, float[] w, float[] bias) {
        int c = v.channels(), h = v.height(), wd = v.width(), r = v.kernelHeight();
        int oh = v.outHeight(), ow = v.outWidth(), plane = oh * ow;
        double[] y = new double[rows * out * plane];
        for (int e = 0; e < rows; e++)
            for (int o = 0; o < out; o++)
                for (int a = 0; a < oh; a++)
                    for (int b = 0; b < ow; b++) {
                        double s = bias[o];
                        for (int ch = 0; ch < c; ch++)
                            for (int i = 0; i < r; i++)
                                for (int j = 0; j < r; j++)
                                    s += (double) w[((o * c + ch) * r + i) * r + j]
                                            * x[e * c * h * wd + ch * h * wd + (a + i) * wd + b + j];
                        y[(e * out + o) * plane + a * ow + b] = s;
                    }
        return y;
    }

    static float[] gaussian(long seed, int n, double scale, boolean relu) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            double g = r.nextGaussian() * scale;
            a[i] = (float) (relu ? Math.max(0, g) : g);
        }
        return a;
    }

    /** The forward against the sums in double, on {@link #shapes}. */
    @ParameterizedTest
    @MethodSource("shapes")
    void matchesTheDirectSumsAndIsTheSameOnAnyThreadCount(int c, int h, int wd, int r, int out, int rows) {
        ImageWindow v = new ImageWindow(c, h, wd, r, r, 1, 1, 0, 0);
        assertTrue(Winograd.applies(v), v.toString());
        int off = 3, plane = v.plane(), yn = rows * out * plane;
        float[] x = gaussian(c * 31L + h, off + rows * v.inputSize(), 1, true);
        float[] w = gaussian(out * 7L + r, off + out * v.patch(), 1 / Math.sqrt(v.patch()), false);
        float[] bias = gaussian(out, off + out, 0.1, false);
        float[] xs = java.util.Arrays.copyOfRange(x, off, x.length);
        float[] ws = java.util.Arrays.copyOfRange(w, off, w.length);
        float[] bs = java.util.Arrays.copyOfRange(bias, off, bias.length);
        double[] want = direct(v, out, xs, rows, ws, bs);
        float[][] got = new float[3][off + yn + 2];
        for (int t = 0; t < 3; t++) {
            got[t][off + yn] = 42f; // past the rows: left alone
            Winograd.forward(v, out, x, off, rows, w, off, bias, off, got[t], off, t + 1);
        }
        double largest = 0, worst = 0;
        for (double d : want) largest = Math.max(largest, Math.abs(d));
        for (int i = 0; i < yn; i++) worst = Math.max(worst, Math.abs(got[0][off + i] - want[i]));
        assertTrue(worst <= 1e-5 * largest, v + ": error " + worst + " against the largest output " + largest);
        assertEquals(0f, got[0][0]);
        assertEquals(42f, got[0][off + yn]);
        assertArrayEquals(bits(got[0]), bits(got[1]), "2 threads " + v);
        assertArrayEquals(bits(got[0]), bits(got[2]), "3 threads " + v);
    }

    /**
     * The gradients against their definitions in double: dW and db added into what grad held, dx set;
     * db and dx within 1e-5 of their largest element, dW within 3e-5 (its sums run over every tile of
     * the call: 1.0e-5 measured for 64 MNIST images, 2–5e-6 for the others), and the same bits on 1,
     * 2 and 3 threads.
     */
    @ParameterizedTest
    @MethodSource("shapes")
    void gradientsMatchTheirDefinitionsAndAreTheSameOnAnyThreadCount(int c, int h, int wd, int r, int out, int rows) {
        ImageWindow v = new ImageWindow(c, h, wd, r, r, 1, 1, 0, 0);
        int off = 3, plane = v.plane(), oh = v.outHeight(), ow = v.outWidth(), rr = r * r, in = v.inputSize();
        float[] x = gaussian(c * 13L + h, off + rows * in, 1, true);
        float[] w = gaussian(out * 5L + r, off + out * v.patch(), 1 / Math.sqrt(v.patch()), false);
        float[] dy = gaussian(out * 3L + wd, off + rows * out * plane, 0.1, false);
        int dwOff = 2, dbOff = dwOff + out * v.patch();
        float[] before = gaussian(9, dbOff + out + 1, 1, false);
        double[] dw = new double[out * v.patch()], db = new double[out], dx = new double[rows * in];
        for (int e = 0; e < rows; e++)
            for (int o = 0; o < out; o++)
                for (int a = 0; a < oh; a++)
                    for (int b = 0; b < ow; b++) {
                        double g = dy[off + (e * out + o) * plane + a * ow + b];
                        db[o] += g;
                        for (int ch = 0; ch < c; ch++)
                            for (int i = 0; i < r; i++)
                                for (int j = 0; j < r; j++) {
                                    int xi = e * in + ch * h * wd + (a + i) * wd + b + j;
                                    int wi = (o * c + ch) * rr + i * r + j;
                                    dw[wi] += g * x[off + xi];
                                    dx[xi] += g * w[off + wi];
                                }
                    }
        float[][] grads = new float[3][], dxs = new float[3][];
        for (int t = 0; t < 3; t++) {
            grads[t] = before.clone();
            dxs[t] = new float[off + rows * in + 1];
            java.util.Arrays.fill(dxs[t], 7f); // overwritten within the rows, left alone outside
            WinogradGradient.backward(
                    v, out, x, off, rows, w, off, dy, off, grads[t], dwOff, dbOff, dxs[t], off, t + 1);
        }
        double[] dwGot = new double[dw.length], dbGot = new double[out], dxGot = new double[dx.length];
        for (int i = 0; i < dw.length; i++) dwGot[i] = grads[0][dwOff + i] - (double) before[dwOff + i];
        for (int i = 0; i < out; i++) dbGot[i] = grads[0][dbOff + i] - (double) before[dbOff + i];
        for (int i = 0; i < dx.length; i++) dxGot[i] = dxs[0][off + i];
        assertWithin(dw, dwGot, 3e-5, "dW " + v);
        assertWithin(db, dbGot, 1e-5, "db " + v);
        assertWithin(dx, dxGot, 1e-5, "dx " + v);
        assertEquals(before[0], grads[0][0]);
        assertEquals(before[dbOff + out], grads[0][dbOff + out]);
        assertEquals(7f, dxs[0][0]);
        assertEquals(7f, dxs[0][off + rows * in]);
        for (int t = 1; t < 3; t++) {
            assertArrayEquals(bits(grads[0]), bits(grads[t]), (t + 1) + " threads, grad " + v);
            assertArrayEquals(bits(dxs[0]), bits(dxs[t]), (t + 1) + " threads, dx " + v);
        }
    }

    /**
     * The backward reuses the kernels its thread's forward transformed only when the weights hold the
     * same values: weights changed in place between the two give the gradient of the new ones, bit
     * for bit as with nothing cached.
     */
    @Test
    void theBackwardReusesTheForwardsKernelsOnlyForTheSameWeights() {
        ImageWindow v = new ImageWindow(16, 12, 12, 5, 5, 1, 1, 0, 0);
        int out = 32, rows = 2, n = out * v.patch(), plane = v.plane();
        float[] x = gaussian(4, rows * v.inputSize(), 1, true), w = gaussian(5, n, 0.05, false);
        float[] bias = new float[out], dy = gaussian(6, rows * out * plane, 0.1, false);
        float[] y = new float[rows * out * plane], changed = w.clone();
        changed[7] += 0.5f;
        float[][] dx = new float[3][rows * v.inputSize()];
        float[] grad = new float[n + out];
        Winograd.forward(v, out, x, 0, rows, w, 0, bias, 0, y, 0, 1);
        WinogradGradient.backward(v, out, x, 0, rows, w, 0, dy, 0, grad, 0, n, dx[0], 0, 1);
        Winograd.forward(v, out, x, 0, rows, w, 0, bias, 0, y, 0, 1);
        System.arraycopy(changed, 0, w, 0, n); // in place, after the forward
        WinogradGradient.backward(v, out, x, 0, rows, w, 0, dy, 0, grad, 0, n, dx[1], 0, 1);
        ImageWindow other = new ImageWindow(3, 9, 9, 3, 3, 1, 1, 0, 0); // the cache now holds other kernels
        Winograd.forward(other, 2, x, 0, 1, w, 0, bias, 0, y, 0, 1);
        WinogradGradient.backward(v, out, x, 0, rows, changed, 0, dy, 0, grad, 0, n, dx[2], 0, 1);
        assertArrayEquals(bits(dx[2]), bits(dx[1]), "the changed weights' gradient");
        assertFalse(java.util.Arrays.equals(dx[0], dx[1]), "not the first weights'");
    }

    /** Each element within {@code tolerance} of want's largest magnitude (float sums of the transforms). */
    static void assertWithin(double[] want, double[] got, double tolerance, String what) {
        double largest = 0, worst = 0;
        for (double d : want) largest = Math.max(largest, Math.abs(d));
        for (int i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
        assertTrue(worst <= tolerance * largest, what + ": error " + worst + " against the largest " + largest);
    }

    /** The SIMD backend takes these windows through Winograd, all rows at once; others keep their paths. */
    @Test
    void simdBackendRoutesThreeAndFiveSquareKernelsOfSeveralChannels() {
        assertTrue(Winograd.applies(new ImageWindow(16, 12, 12, 5, 5, 1, 1, 0, 0)));
        assertTrue(Winograd.applies(new ImageWindow(4, 8, 8, 3, 3, 1, 1, 0, 0)));
        assertFalse(Winograd.applies(new ImageWindow(1, 28, 28, 5, 5, 1, 1, 0, 0)), "one channel");
        assertFalse(Winograd.applies(new ImageWindow(16, 12, 12, 5, 5, 2, 2, 0, 0)), "stride");
        assertFalse(Winograd.applies(new ImageWindow(16, 12, 12, 5, 5, 1, 1, 2, 2)), "padding");
        assertFalse(Winograd.applies(new ImageWindow(16, 12, 12, 5, 3, 1, 1, 0, 0)), "not square");
        assertFalse(Winograd.applies(new ImageWindow(16, 12, 12, 7, 7, 1, 1, 0, 0)), "7×7");
        assertFalse(Winograd.applies(new ImageWindow(16, 7, 7, 5, 5, 1, 1, 0, 0)), "less than a tile");
        SimdBackend simd = new SimdBackend(1);
        ImageWindow mnist = new ImageWindow(16, 12, 12, 5, 5, 1, 1, 0, 0);
        assertEquals(64, simd.convolutionRows(mnist, 32, 9, 64));
        assertEquals(9, new ScalarBackend().convolutionRows(mnist, 32, 9, 64));
        assertEquals(9, simd.convolutionRows(new ImageWindow(16, 12, 12, 5, 5, 2, 2, 0, 0), 32, 9, 64));
        assertEquals(9, new SimdBackend(1).setWinograd(false).convolutionRows(mnist, 32, 9, 64), "switched off");
    }

    /**
     * With Winograd switched off the SIMD backend's second MNIST layer gives im2col's bits again, on
     * a batch of several blocks; {@code -Ddescent.winograd} sets the default and refuses other values.
     */
    @Test
    void switchedOffTheSimdBackendGivesTheCompositionsBits() {
        ImageWindow v = new ImageWindow(16, 12, 12, 5, 5, 1, 1, 0, 0);
        int out = 32, rows = 9, k = v.patch(), plane = v.plane(), gp = rows * plane;
        float[] x = gaussian(1, rows * v.inputSize(), 1, true), w = gaussian(2, out * k + out, 0.05, false);
        SimdBackend off = new SimdBackend(1).setWinograd(false), on = new SimdBackend(1);
        assertFalse(off.winograd());
        assertTrue(on.winograd());
        float[] scratch = new float[gp * (k + out)], col = new float[k * gp], ycm = new float[out * gp];
        float[] want = new float[rows * out * plane], got = new float[want.length], fast = new float[want.length];
        off.im2col(v, x, 0, rows, col, 0);
        off.matmul(w, 0, col, 0, ycm, 0, out, gp, k, false);
        off.channelMajorToRows(ycm, 0, rows, out, plane, w, out * k, want, 0);
        off.convolution(v, out, x, 0, rows, w, 0, w, out * k, got, 0, scratch, 0);
        on.convolution(v, out, x, 0, rows, w, 0, w, out * k, fast, 0, scratch, 0);
        assertArrayEquals(bits(want), bits(got));
        assertFalse(java.util.Arrays.equals(want, fast), "Winograd rounds otherwise");

        String old = System.getProperty(SimdBackend.WINOGRAD_PROPERTY);
        try {
            System.setProperty(SimdBackend.WINOGRAD_PROPERTY, "false");
            assertFalse(new SimdBackend(1).winograd());
            System.setProperty(SimdBackend.WINOGRAD_PROPERTY, "maybe");
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
                    IllegalArgumentException.class, () -> new SimdBackend(1));
            assertTrue(e.getMessage().contains(SimdBackend.WINOGRAD_PROPERTY)
                    && e.getMessage().contains("maybe"));
        } finally {
            if (old == null) System.clearProperty(SimdBackend.WINOGRAD_PROPERTY);
            else System.setProperty(SimdBackend.WINOGRAD_PROPERTY, old);
        }
    }

    /** Bᵀ inverts the points' Vandermonde matrix: Bᵀ·Vᵀ is the identity, to float rounding. */
    @Test
    void inputMatrixInvertsTheVandermondeMatrixOfThePoints() {
        double[] points = {0, 1, -1, 2, -2, 0.5, -0.5};
        int n = Winograd.N;
        for (int a = 0; a < n; a++)
            for (int b = 0; b < n; b++) {
                double s = 0;
                for (int k = 0; k < n; k++) {
                    double vbk = b < n - 1 ? Math.pow(points[b], k) : (k == n - 1 ? 1 : 0);
                    s += Winograd.BT[a * n + k] * vbk;
                }
                assertEquals(a == b ? 1 : 0, s, 1e-5, "(" + a + ", " + b + ")");
            }
    }

    static int[] bits(float[] a) {
        return ConvKernelsTest.bits(a);
    }
}
