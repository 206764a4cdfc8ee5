package dev.descent.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.backend.Activation;
import dev.descent.backend.Backend;
import dev.descent.backend.ScalarBackend;
import dev.descent.backend.SimdBackend;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Conv2D, MaxPool2D, AvgPool2D and Flatten: gradient checks, a direct convolution, blocks, shapes, errors. */
class ConvLayersTest {

    /** A layer and the per-example input shape it is checked on. */
    record Case(Layer layer, int[] shape) {
        @Override
        public String toString() {
            return layer + " on " + java.util.Arrays.toString(shape);
        }
    }

    static final List<Case> CASES = List.of(
            new Case(new Conv2D(1, 2, 3, 1, 0), new int[] {1, 6, 5}),
            new Case(new Conv2D(1, 2, 3, 1, 1), new int[] {1, 6, 5}),
            new Case(new Conv2D(2, 3, 3, 2, 1), new int[] {2, 6, 5}),
            new Case(new Conv2D(2, 3, 3, 2, 0), new int[] {2, 6, 5}),
            new Case(new Conv2D(2, 3, 2, 3, 1, 2, 1, 0), new int[] {2, 5, 7}),
            new Case(new Conv2D(3, 4, 1), new int[] {3, 4, 4}),
            new Case(new Conv2D(8, 3, 3), new int[] {8, 5, 6}), // patch 72: the SIMD weight gradient gathers colT
            new Case(new MaxPool2D(2), new int[] {2, 6, 5}),
            new Case(new MaxPool2D(3, 2), new int[] {2, 7, 6}),
            new Case(new AvgPool2D(2), new int[] {2, 6, 5}),
            new Case(new AvgPool2D(3, 2), new int[] {2, 7, 6}),
            new Case(new AvgPool2D(2, 3, 1, 2), new int[] {1, 5, 6}),
            new Case(new Flatten(), new int[] {3, 2, 2}));

    static Stream<Arguments> cases() {
        return Stream.of(new ScalarBackend(), new SimdBackend())
                .flatMap(b -> CASES.stream().map(c -> Arguments.of(b, c)));
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("cases")
    void gradientCheck(Backend b, Case c) {
        var report = GradientCheck.of(c.layer(), c.shape()).rows(3).run(b).assertPassed();
        assertTrue(report.checked() >= 3 * Sequential.width(c.shape()), report.toString());
    }

    /** Direct convolution in double: y[n][o][a][b] = bias[o] + Σ w[o][ch][i][j]·x[n][ch][a·s−p+i][b·s−p+j]. */
    static double[] direct(Conv2D cv, float[] x, float[] p, int rows, int h, int w) {
        int kh = cv.kernelHeight(), kw = cv.kernelWidth(), in = cv.inChannels(), out = cv.outChannels();
        int oh = (h + 2 * cv.paddingHeight() - kh) / cv.strideHeight() + 1;
        int ow = (w + 2 * cv.paddingWidth() - kw) / cv.strideWidth() + 1;
        int bias = out * in * kh * kw;
        double[] y = new double[rows * out * oh * ow];
        for (int n = 0; n < rows; n++)
            for (int o = 0; o < out; o++)
                for (int a = 0; a < oh; a++)
                    for (int b = 0; b < ow; b++) {
                        double s = p[bias + o];
                        for (int ch = 0; ch < in; ch++)
                            for (int i = 0; i < kh; i++)
                                for (int j = 0; j < kw; j++) {
                                    int ih = a * cv.strideHeight() - cv.paddingHeight() + i;
                                    int iw = b * cv.strideWidth() - cv.paddingWidth() + j;
                                    if (ih < 0 || ih >= h || iw < 0 || iw >= w) continue;
                                    s += (double) p[((o * in + ch) * kh + i) * kw + j]
                                            * x[n * in * h * w + (ch * h + ih) * w + iw];
                                }
                        y[((n * out + o) * oh + a) * ow + b] = s;
                    }
        return y;
    }

    static float[] uniform(SplittableRandom rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (rnd.nextDouble() * 2 - 1);
        return a;
    }

    /**
     * A batch larger than one im2col block (2×40×39 images, 4 channels out: 7 rows a block; and the
     * CNN's second convolution) gives the direct convolution's output, and the same gradients as the
     * rows passed one at a time.
     */
    @ParameterizedTest
    @MethodSource("backends")
    void batchesSpanningSeveralBlocksMatchTheDirectConvolutionAndRowByRow(Backend b) {
        severalBlocks(b, new Conv2D(2, 4, 3, 1, 1), 40, 39, 30);
        severalBlocks(b, new Conv2D(16, 32, 5), 12, 12, 20); // the CNN's second convolution: 9 rows a block
    }

    private static void severalBlocks(Backend b, Conv2D cv, int h, int w, int rows) {
        Sequential m = Models.image(cv.inChannels(), h, w).add(cv).build();
        assertTrue(cv.blockRows(new int[] {cv.inChannels(), h, w}) < rows / 2, "several blocks");
        SplittableRandom rnd = new SplittableRandom(3);
        float[] x = uniform(rnd, rows * m.inputs()), p = m.initialParameters(5), dy = uniform(rnd, rows * m.outputs());
        var ws = m.workspace(rows);
        float[] y = m.forward(b, p, x, rows, ws).clone();
        double[] expected = direct(cv, x, p, rows, h, w);
        for (int i = 0; i < expected.length; i++)
            assertEquals(expected[i], y[i], 1e-5 * Math.max(1, Math.abs(expected[i])));
        float[] g = new float[p.length], dx = new float[x.length];
        m.backward(b, p, x, rows, ws, dy, g, false, dx);

        float[] g1 = new float[p.length], dx1 = new float[x.length], xr = new float[m.inputs()];
        float[] dyr = new float[m.outputs()], dxr = new float[m.inputs()];
        var ws1 = m.workspace(1);
        for (int r = 0; r < rows; r++) {
            System.arraycopy(x, r * m.inputs(), xr, 0, xr.length);
            System.arraycopy(dy, r * m.outputs(), dyr, 0, dyr.length);
            m.forward(b, p, xr, 1, ws1);
            m.backward(b, p, xr, 1, ws1, dyr, g1, r > 0, dxr);
            System.arraycopy(dxr, 0, dx1, r * m.inputs(), dxr.length);
        }
        assertArrayEquals(dx1, dx, 1e-5f);
        // the SIMD backend's Winograd gradients (5×5, several channels) round relative to the largest
        double largest = 0;
        for (float f : g1) largest = Math.max(largest, Math.abs(f));
        for (int i = 0; i < g.length; i++)
            assertEquals(g1[i], g[i], 1e-4 * Math.max(1, Math.abs(g1[i])) + 1e-5 * largest, "grad " + i);
    }

    static Stream<Backend> backends() {
        return Stream.of(new ScalarBackend(), new SimdBackend());
    }

    @Test
    void theScratchOfAConvolutionDoesNotGrowWithTheBatch() {
        Sequential m = Models.image(1, 28, 28).conv2d(16, 5).build();
        var ws = m.workspace(4096);
        assertTrue(ws.contexts[0].scratch().length <= Conv2D.BLOCK_FLOATS + 24 * 24 * 41, "one block");
    }

    @Test
    void aSmallCnnHasPyTorchNamesShapesAndInit() {
        Sequential m = Models.image(1, 6, 6)
                .conv2d(3, 3, 1, 1)
                .activation(Activation.RELU)
                .maxPool2d(2)
                .flatten()
                .dense(3)
                .build();
        assertEquals(36, m.inputs());
        assertArrayEquals(new int[] {1, 6, 6}, m.inputShape());
        assertArrayEquals(new int[] {3, 3, 3}, m.shapeBefore(3));
        assertEquals(
                List.of("layers.0.weight", "layers.0.bias", "layers.4.weight", "layers.4.bias"),
                m.parameters().stream().map(Sequential.Slot::name).toList());
        assertArrayEquals(new int[] {3, 1, 3, 3}, m.parameters().get(0).shape());
        assertEquals(27 + 3 + 81 + 3, m.parameterCount());
        // AUTO is PyTorch's nn.Conv2d default for the convolution: U(±1/√(in·kh·kw)) = U(±1/3), bias too
        float[] p = m.initialParameters(7);
        float max = 0;
        for (int i = 0; i < 30; i++) max = Math.max(max, Math.abs(p[i]));
        assertTrue(max <= 1 / 3f && max > 0.25f, "max |w| " + max);
        assertTrue(
                m.toString().startsWith("Sequential([1, 6, 6] -> conv2d(1→3, kernel 3×3, padding 1×1)"), m.toString());
    }

    @Test
    void shapeErrorsNameTheLayerAndTheShape() {
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> Models.image(1, 8, 8).conv2d(4, 3).add(new Dense(144, 10, Activation.IDENTITY, 0)));
        assertTrue(
                e.getMessage().contains("layers.1 (dense)")
                        && e.getMessage().contains("[4, 6, 6]")
                        && e.getMessage().contains("flatten"),
                e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> Models.image(1, 8, 8).conv2d(4, 3).dense(10));
        assertTrue(e.getMessage().contains("layers.1 (dense)") && e.getMessage().contains("[4, 6, 6]"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> Models.sequential(64).conv2d(4, 3));
        assertTrue(
                e.getMessage().contains("layers.0 (conv2d)") && e.getMessage().contains("[64]"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> Models.image(2, 8, 8).add(new Conv2D(3, 4, 3)));
        assertTrue(
                e.getMessage().contains("[2, 8, 8]") && e.getMessage().contains("[3, height, width]"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> Models.image(1, 4, 4).conv2d(2, 5));
        assertTrue(e.getMessage().contains("larger than the padded input"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> Models.image(1, 4, 4).maxPool2d(5));
        assertTrue(e.getMessage().contains("layers.0 (max_pool2d)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Conv2D(1, 2, 3, 0, 0));
        assertTrue(e.getMessage().contains("stride height must be > 0, got 0"), e.getMessage());
    }

    @Test
    void maxPoolRoutesTheGradientToTheFirstMaximum() {
        Sequential m = Models.image(1, 2, 4).maxPool2d(2).build();
        float[] x = {1, 5, 2, 2, 3, 5, 2, 0};
        var ws = m.workspace(1);
        assertArrayEquals(
                new float[] {5, 2}, java.util.Arrays.copyOf(m.forward(new SimdBackend(), new float[0], x, 1, ws), 2));
        float[] dx = new float[8];
        m.backward(new SimdBackend(), new float[0], x, 1, ws, new float[] {1, 10}, new float[0], false, dx);
        assertArrayEquals(new float[] {0, 1, 10, 0, 0, 0, 0, 0}, dx);
    }

    /**
     * A ReLU right before a max-pool runs pool first (then the ReLU on the pooled values): the same
     * bits as the two layers apart (an identity between them) for the output, the parameter
     * gradients and dx, with the pair first (inputs with ties, zeros of both signs, windows with no
     * positive element, NaNs) and after convolutions, on the scalar and SIMD backends.
     */
    @Test
    void aReluBeforeAMaxPoolGivesTheSameBitsPoolFirst() {
        List<java.util.function.Function<Boolean, Sequential>> models = List.of(
                apart -> relu(Models.image(2, 6, 7), apart)
                        .maxPool2d(2)
                        .flatten()
                        .dense(3)
                        .build(),
                apart -> relu(
                                relu(Models.image(1, 11, 12).conv2d(4, 3), apart)
                                        .maxPool2d(2)
                                        .conv2d(6, 2),
                                apart)
                        .maxPool2d(2)
                        .flatten()
                        .dense(5)
                        .build());
        Backend[] backends = {new ScalarBackend(), new SimdBackend(1), new SimdBackend(2)};
        for (var model : models)
            for (Backend b : backends) {
                Sequential fused = model.apply(false), apart = model.apply(true);
                int rows = 5, in = fused.inputs();
                float[] p = fused.initialParameters(3);
                assertArrayEquals(p, apart.initialParameters(3), "the identity adds no parameters");
                SplittableRandom r = new SplittableRandom(in);
                float[] x = new float[rows * in], dy = new float[rows * fused.outputs()];
                for (int i = 0; i < x.length; i++) {
                    int k = r.nextInt(12);
                    x[i] = k == 0 ? 0f : k == 1 ? -0f : k == 2 && i % 7 == 0 ? Float.NaN : (r.nextInt(5) - 3) * 0.5f;
                }
                for (int i = 0; i < dy.length; i++) dy[i] = (float) r.nextGaussian();
                float[][] y = new float[2][], g = new float[2][p.length], dx = new float[2][x.length];
                Sequential[] pair = {fused, apart};
                for (int m = 0; m < 2; m++) {
                    var ws = pair[m].workspace(rows);
                    y[m] = java.util.Arrays.copyOf(pair[m].forward(b, p, x, rows, ws), dy.length);
                    pair[m].backward(b, p, x, rows, ws, dy, g[m], false, dx[m]);
                }
                String what = fused + " on " + b;
                assertArrayEquals(bits(y[1]), bits(y[0]), "y, " + what);
                assertArrayEquals(bits(g[1]), bits(g[0]), "parameter gradients, " + what);
                assertArrayEquals(bits(dx[1]), bits(dx[0]), "dx, " + what);
            }
    }

    /**
     * A first convolution, ReLU and max-pool take the convolution's gradients straight from the
     * pool's when the model's dx is not wanted ({@code Backend#convolutionBackwardThroughMaxPool}):
     * the same bits as the passes that write dy (wanting dx), overwriting and accumulating, for
     * MNIST's first layer, odd sizes, overlapping pool windows and a patch the SIMD backend unfolds,
     * with ties (zero regions) in the pool windows, on the scalar and SIMD backends.
     */
    @Test
    void aFirstConvolutionTakesItsGradientsStraightFromTheMaxPoolWithTheSameBits() {
        List<Sequential> models = List.of(
                Models.image(1, 28, 28)
                        .conv2d(16, 5)
                        .activation(Activation.RELU)
                        .maxPool2d(2)
                        .flatten()
                        .dense(3)
                        .build(),
                Models.image(1, 19, 22)
                        .conv2d(5, 3)
                        .activation(Activation.RELU)
                        .maxPool2d(2)
                        .conv2d(3, 2)
                        .flatten()
                        .dense(2)
                        .build(),
                Models.image(1, 21, 21)
                        .conv2d(6, 3)
                        .activation(Activation.RELU)
                        .maxPool2d(3, 2)
                        .flatten()
                        .dense(2)
                        .build(),
                Models.image(3, 10, 10)
                        .conv2d(4, 5)
                        .activation(Activation.RELU)
                        .maxPool2d(2)
                        .flatten()
                        .dense(2)
                        .build());
        Backend[] backends = {new ScalarBackend(), new SimdBackend(1), new SimdBackend(2)};
        for (Sequential m : models)
            for (Backend b : backends)
                for (boolean accumulate : new boolean[] {false, true}) {
                    int rows = 5, in = m.inputs();
                    float[] p = m.initialParameters(7);
                    SplittableRandom r = new SplittableRandom(in);
                    float[] x = new float[rows * in], dy = new float[rows * m.outputs()];
                    for (int i = 0; i < x.length; i++) x[i] = i % in < in / 3 ? 0f : (float) r.nextGaussian();
                    for (int i = 0; i < dy.length; i++) dy[i] = (float) r.nextGaussian();
                    float[][] g = new float[2][p.length];
                    for (int i = 0; i < p.length; i++) g[0][i] = g[1][i] = 0.25f * i;
                    var ws = m.workspace(rows);
                    m.forward(b, p, x, rows, ws);
                    m.backward(b, p, x, rows, ws, dy, g[0], accumulate, new float[x.length]);
                    m.backward(b, p, x, rows, ws, dy, g[1], accumulate, null);
                    assertArrayEquals(
                            bits(g[0]), bits(g[1]), "parameter gradients, " + m + " on " + b + ", " + accumulate);
                }
    }

    /** A ReLU, and an identity after it when apart: the pair's ReLU not right before its pool. */
    private static Sequential.Builder relu(Sequential.Builder m, boolean apart) {
        m.activation(Activation.RELU);
        return apart ? m.activation(Activation.IDENTITY) : m;
    }

    private static int[] bits(float[] a) {
        int[] b = new int[a.length];
        for (int i = 0; i < a.length; i++) b[i] = Float.floatToRawIntBits(a[i]);
        return b;
    }
}
