package dev.descent.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.descent.optim.Adagrad;
import dev.descent.optim.Adam;
import dev.descent.optim.RmsProp;
import dev.descent.optim.Sgd;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The contract every {@link Backend} keeps, checked against {@link ScalarBackend} on awkward sizes
 * and non-zero offsets. A backend's test extends this class and supplies {@link #backend()}; the gpu
 * module reuses it through core's test-jar.
 *
 * <p>How results are compared:
 *
 * <ul>
 *   <li>Matrix products and reductions run twice: on small integers, where every summation order is
 *       exact, so the result must equal the reference bit for bit (this catches any indexing slip);
 *       and on random floats, within the worst-case rounding bound {@code 2·k·2⁻²⁴·Σ|a·b|} of two
 *       different summation orders.
 *   <li>Element-wise operations and optimizer updates must match to {@link
 *       #elementwiseTolerance()} (0: bit for bit).
 *   <li>Every output array carries guard elements before and after the written range, which must
 *       stay untouched; "overwrite" outputs start as NaN so a backend that reads them fails.
 * </ul>
 */
public abstract class BackendContractTest {

    /** The backend under test; may return the same instance every time. */
    protected abstract Backend backend();

    /** The reference the backend is compared with. */
    protected Backend reference() {
        return new ScalarBackend();
    }

    /** Relative tolerance of element-wise operations (tanh, sqrt, ...); 0 means bit-identical. */
    protected float elementwiseTolerance() {
        return 0f;
    }

    /** Sizes that straddle vector widths, register tiles and cache blocks. */
    protected static final int[] SIZES = {1, 3, 15, 16, 17, 63, 1023, 1025, 4099};

    private static final float GUARD = 12345.678f;
    private static final int PAD = 5;
    private static final double U = 0x1p-24;

    // ---- data ---------------------------------------------------------------------------------

    /** Uniform floats in [-1, 1) after {@code off} guard elements, with PAD guards after. */
    static float[] randoms(long seed, int off, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = guarded(off, n);
        for (int i = 0; i < n; i++) x[off + i] = (float) (r.nextDouble() * 2 - 1);
        return x;
    }

    /** Integers in [-bound, bound] (exact in float, as are their short sums and products). */
    static float[] ints(long seed, int off, int n, int bound) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = guarded(off, n);
        for (int i = 0; i < n; i++) x[off + i] = r.nextInt(-bound, bound + 1);
        return x;
    }

    static float[] guarded(int off, int n) {
        float[] x = new float[off + n + PAD];
        Arrays.fill(x, GUARD);
        return x;
    }

    static void fill(float[] x, int off, int n, float v) {
        Arrays.fill(x, off, off + n, v);
    }

    static void assertGuards(String what, float[] x, int off, int n) {
        for (int i = 0; i < off; i++)
            if (x[i] != GUARD) fail(what + ": wrote before the range at index " + i + " (" + x[i] + ")");
        for (int i = off + n; i < x.length; i++)
            if (x[i] != GUARD) fail(what + ": wrote past the range at index " + i + " (" + x[i] + ")");
    }

    /** |e - a| ≤ tol · scale[i] (scale null: max(1, |e|)); NaN must meet NaN. */
    static void assertClose(String what, float[] e, float[] a, int off, int n, double tol, float[] scale) {
        for (int i = off; i < off + n; i++) {
            if (Float.isNaN(e[i]) || Float.isNaN(a[i])) {
                if (Float.isNaN(e[i]) != Float.isNaN(a[i]))
                    fail(what + ": at " + (i - off) + " expected " + e[i] + " but was " + a[i]);
                continue;
            }
            double bound = tol * (scale == null ? Math.max(1, Math.abs(e[i])) : scale[i]);
            if (!(Math.abs(e[i] - a[i]) <= bound))
                fail(what + ": at " + (i - off) + " expected " + e[i] + " but was " + a[i] + " (|diff| "
                        + Math.abs(e[i] - a[i]) + " > " + bound + ")");
        }
    }

    static void assertBitEqual(String what, float[] e, float[] a) {
        for (int i = 0; i < e.length; i++)
            if (Float.floatToIntBits(e[i]) != Float.floatToIntBits(a[i]))
                fail(what + ": at index " + i + " expected " + e[i] + " but was " + a[i]);
    }

    // ---- matrix products ----------------------------------------------------------------------

    /** The three layouts of a dense layer, with how each stores A and B. */
    protected enum Layout {
        NN,
        TN,
        NT;

        void run(
                Backend be, float[] a, int ao, float[] b, int bo, float[] c, int co, int m, int n, int k, boolean acc) {
            switch (this) {
                case NN -> be.matmul(a, ao, b, bo, c, co, m, n, k, acc);
                case TN -> be.matmulTN(a, ao, b, bo, c, co, m, n, k, acc);
                case NT -> be.matmulNT(a, ao, b, bo, c, co, m, n, k, acc);
            }
        }
    }

    /** Shapes (m, n, k): every awkward size in every position, empty ones, and the MLP's own. */
    static List<int[]> productShapes() {
        List<int[]> shapes = new ArrayList<>();
        for (int s : SIZES) {
            shapes.add(new int[] {s, 17, 63});
            shapes.add(new int[] {15, s, 17});
            shapes.add(new int[] {16, 63, s});
            if (s <= 63) shapes.add(new int[] {s, s, s});
        }
        shapes.add(new int[] {0, 5, 7});
        shapes.add(new int[] {5, 0, 7});
        shapes.add(new int[] {5, 7, 0});
        shapes.add(new int[] {1, 1025, 257});
        shapes.add(new int[] {97, 33, 513});
        shapes.add(new int[] {64, 128, 784}); // forward X·Wᵀ (NT), also dW's shape transposed
        shapes.add(new int[] {128, 784, 64}); // weight gradient dYᵀ·X (TN)
        shapes.add(new int[] {64, 784, 128}); // input gradient dY·W (NN)
        shapes.add(new int[] {64, 10, 128}); // the output layer
        return shapes;
    }

    static Stream<Arguments> products() {
        return productShapes().stream().flatMap(s -> Stream.of(Layout.values())
                .flatMap(l -> Stream.of(false, true).map(acc -> Arguments.of(l, s[0], s[1], s[2], acc))));
    }

    @ParameterizedTest(name = "{0} m={1} n={2} k={3} accumulate={4}")
    @MethodSource("products")
    void matrixProductMatchesReference(Layout layout, int m, int n, int k, boolean accumulate) {
        checkProduct(backend(), layout, m, n, k, accumulate);
    }

    /**
     * Runs one product on integer and on random data against the reference; returns the random-data
     * result (C with its guards) for determinism checks.
     */
    protected float[] checkProduct(Backend be, Layout layout, int m, int n, int k, boolean accumulate) {
        int ao = 3, bo = 7, co = 11;
        long seed = 31L * m + 17L * n + k + layout.ordinal();
        String what = be.name() + " " + layout + " " + m + "×" + n + "×" + k + (accumulate ? " +=" : "");
        Backend ref = reference();

        // small integers: every order of summation is exact, so results must be identical
        float[] a = ints(seed, ao, m * k, 4), b = ints(seed + 1, bo, k * n, 4);
        float[] c = accumulate ? ints(seed + 2, co, m * n, 64) : nans(co, m * n);
        float[] expected = accumulate ? c.clone() : guarded(co, m * n);
        layout.run(ref, a, ao, b, bo, expected, co, m, n, k, accumulate);
        layout.run(be, a, ao, b, bo, c, co, m, n, k, accumulate);
        assertGuards(what + " (ints)", c, co, m * n);
        assertClose(what + " (ints)", expected, c, co, m * n, 0, null);

        // random floats: within the rounding bound of two summation orders
        a = randoms(seed, ao, m * k);
        b = randoms(seed + 1, bo, k * n);
        c = accumulate ? randoms(seed + 2, co, m * n) : nans(co, m * n);
        expected = accumulate ? c.clone() : guarded(co, m * n);
        layout.run(ref, a, ao, b, bo, expected, co, m, n, k, accumulate);
        float[] absA = abs(a), absB = abs(b), scale = accumulate ? abs(c) : guarded(co, m * n);
        if (!accumulate) fill(scale, co, m * n, 0f);
        layout.run(ref, absA, ao, absB, bo, scale, co, m, n, k, true); // Σ|a·b| (+ |c|)
        layout.run(be, a, ao, b, bo, c, co, m, n, k, accumulate);
        assertGuards(what, c, co, m * n);
        assertClose(what, expected, c, co, m * n, 2 * (k + 1) * U * 1.01, scale);
        return c;
    }

    static float[] nans(int off, int n) {
        float[] x = guarded(off, n);
        fill(x, off, n, Float.NaN);
        return x;
    }

    private static float[] abs(float[] x) {
        float[] y = x.clone();
        for (int i = 0; i < y.length; i++) y[i] = Math.abs(y[i]);
        return y;
    }

    /** The random-data product of {@link #checkProduct} without the reference: C with its guards. */
    protected static float[] runProduct(Backend be, Layout layout, int m, int n, int k, boolean accumulate) {
        int ao = 3, bo = 7, co = 11;
        long seed = 31L * m + 17L * n + k + layout.ordinal();
        float[] a = randoms(seed, ao, m * k), b = randoms(seed + 1, bo, k * n);
        float[] c = accumulate ? randoms(seed + 2, co, m * n) : nans(co, m * n);
        layout.run(be, a, ao, b, bo, c, co, m, n, k, accumulate);
        return c;
    }

    @Test
    void productsAreDeterministic() {
        Backend be = backend();
        for (Layout l : Layout.values()) {
            float[] first = checkProduct(be, l, 130, 257, 300, true);
            assertBitEqual(be.name() + " " + l + " run twice", first, runProduct(be, l, 130, 257, 300, true));
        }
    }

    // ---- dense-layer helpers ------------------------------------------------------------------

    static Stream<Arguments> matrixShapes() {
        List<Arguments> list = new ArrayList<>();
        for (int cols : SIZES) for (int rows : new int[] {1, 3, 64}) list.add(Arguments.of(rows, cols));
        list.add(Arguments.of(0, 17));
        list.add(Arguments.of(5, 0));
        return list.stream();
    }

    @ParameterizedTest(name = "rows={0} cols={1}")
    @MethodSource("matrixShapes")
    void addRowVectorMatchesReference(int rows, int cols) {
        int co = 2, bo = 9;
        float[] c = randoms(rows + cols, co, rows * cols), bias = randoms(cols, bo, cols);
        float[] expected = c.clone();
        reference().addRowVector(expected, co, rows, cols, bias, bo);
        backend().addRowVector(c, co, rows, cols, bias, bo);
        assertGuards("addRowVector", c, co, rows * cols);
        assertClose("addRowVector", expected, c, co, rows * cols, elementwiseTolerance(), null);
    }

    /**
     * Dense-layer shapes (rows, outputs, inputs): ragged tiles, a logits layer narrower than a
     * register tile, several k-blocks, a batch too big to pack once, and the MNIST MLP's two layers.
     */
    static final int[][] DENSE_SHAPES = {
        {1, 1, 1}, {5, 7, 3}, {13, 33, 40}, {64, 128, 784}, {64, 10, 128}, {300, 257, 520}, {2001, 15, 301}
    };

    static Stream<Arguments> denseLayers() {
        return activations().map(a -> (Activation) a.get()[0]).distinct().flatMap(f -> Arrays.stream(DENSE_SHAPES)
                .map(s -> Arguments.of(f, s[0], s[1], s[2])));
    }

    /** The backend's dense forward pass gives exactly its own product, bias row and activation in turn. */
    @ParameterizedTest(name = "{0} rows={1} outputs={2} inputs={3}")
    @MethodSource("denseLayers")
    void denseEqualsProductThenBiasThenActivation(Activation f, int rows, int outputs, int inputs) {
        Backend be = backend();
        int n = rows * outputs, xo = 2, wo = 3, bo = 4, zo = 1, oo = 6;
        float[] x = randoms(rows, xo, rows * inputs), w = randoms(inputs, wo, outputs * inputs);
        float[] bias = randoms(outputs, bo, outputs);
        float[] zExpected = nans(zo, n), outExpected = nans(oo, n);
        be.matmulNT(x, xo, w, wo, zExpected, zo, rows, outputs, inputs, false);
        be.addRowVector(zExpected, zo, rows, outputs, bias, bo);
        be.activate(f, zExpected, zo, outExpected, oo, n);

        float[] z = nans(zo, n), out = nans(oo, n);
        be.dense(f, x, xo, w, wo, bias, bo, z, zo, out, oo, rows, outputs, inputs);
        assertGuards("dense z", z, zo, n);
        assertGuards("dense out", out, oo, n);
        assertBitEqual("dense z " + f, zExpected, z);
        assertBitEqual("dense out " + f, outExpected, out);

        float[] inPlace = nans(oo, n); // out may be z itself
        be.dense(f, x, xo, w, wo, bias, bo, inPlace, oo, inPlace, oo, rows, outputs, inputs);
        assertBitEqual("dense in place " + f, outExpected, inPlace);
    }

    @ParameterizedTest(name = "rows={0} cols={1}")
    @MethodSource("matrixShapes")
    void sumRowsMatchesReference(int rows, int cols) {
        int ao = 4, oo = 6;
        for (boolean accumulate : new boolean[] {false, true}) {
            float[] a = ints(rows * 7L + cols, ao, rows * cols, 100);
            float[] out = accumulate ? ints(cols, oo, cols, 100) : nans(oo, cols);
            float[] expected = accumulate ? out.clone() : guarded(oo, cols);
            reference().sumRows(a, ao, rows, cols, expected, oo, accumulate);
            backend().sumRows(a, ao, rows, cols, out, oo, accumulate);
            assertGuards("sumRows", out, oo, cols);
            assertClose("sumRows (ints)", expected, out, oo, cols, 0, null);

            a = randoms(rows * 7L + cols, ao, rows * cols);
            out = accumulate ? randoms(cols, oo, cols) : nans(oo, cols);
            expected = accumulate ? out.clone() : guarded(oo, cols);
            float[] scale = accumulate ? abs(out) : guarded(oo, cols);
            if (!accumulate) fill(scale, oo, cols, 0f);
            reference().sumRows(abs(a), ao, rows, cols, scale, oo, true); // Σ|a| (+ |out|)
            reference().sumRows(a, ao, rows, cols, expected, oo, accumulate);
            backend().sumRows(a, ao, rows, cols, out, oo, accumulate);
            assertGuards("sumRows", out, oo, cols);
            assertClose("sumRows", expected, out, oo, cols, 2 * (rows + 1) * U * 1.01, scale);
        }
    }

    static Stream<Arguments> activations() {
        List<Arguments> list = new ArrayList<>();
        for (Activation f : List.of(
                Activation.IDENTITY,
                Activation.RELU,
                Activation.LEAKY_RELU,
                Activation.TANH,
                Activation.SIGMOID,
                Activation.GELU,
                Activation.GELU_TANH)) for (int n : new int[] {0, 1, 17, 1025}) list.add(Arguments.of(f, n));
        return list.stream();
    }

    /** Inputs spread over [-8, 8) with exact zeros and both signs of zero sprinkled in. */
    static float[] preActivations(long seed, int off, int n) {
        float[] z = randoms(seed, off, n);
        for (int i = 0; i < n; i++) z[off + i] *= 8;
        for (int i = 0; i < n; i += 7) z[off + i] = (i & 8) == 0 ? 0f : -0f;
        return z;
    }

    @ParameterizedTest(name = "{0} n={1}")
    @MethodSource("activations")
    void activationsMatchReference(Activation f, int n) {
        int zo = 3, oo = 8;
        float[] z = preActivations(n, zo, n);
        float[] out = nans(oo, n), expected = guarded(oo, n);
        reference().activate(f, z, zo, expected, oo, n);
        backend().activate(f, z, zo, out, oo, n);
        assertGuards("activate " + f, out, oo, n);
        assertClose("activate " + f, expected, out, oo, n, elementwiseTolerance(), null);

        float[] inPlace = z.clone(); // out may be z itself
        backend().activate(f, inPlace, zo, inPlace, zo, n);
        assertClose("activate in place " + f, expected, shift(inPlace, zo, oo, n), oo, n, elementwiseTolerance(), null);

        float[] dOut = randoms(n + 1, 5, n), dz = nans(2, n), dzExpected = guarded(2, n);
        reference().activationGrad(f, z, zo, expected, oo, dOut, 5, dzExpected, 2, n);
        backend().activationGrad(f, z, zo, expected, oo, dOut, 5, dz, 2, n);
        assertGuards("activationGrad " + f, dz, 2, n);
        assertClose("activationGrad " + f, dzExpected, dz, 2, n, elementwiseTolerance(), null);

        float[] dzInPlace = dOut.clone(); // dz may be dOut itself
        backend().activationGrad(f, z, zo, expected, oo, dzInPlace, 5, dzInPlace, 5, n);
        assertClose(
                "activationGrad in place " + f,
                dzExpected,
                shift(dzInPlace, 5, 2, n),
                2,
                n,
                elementwiseTolerance(),
                null);
    }

    private static float[] shift(float[] x, int from, int to, int n) {
        float[] y = guarded(to, n);
        System.arraycopy(x, from, y, to, n);
        return y;
    }

    // ---- reductions and element-wise ops --------------------------------------------------------

    static IntStream lengths() {
        return IntStream.concat(IntStream.of(0), Arrays.stream(SIZES));
    }

    @ParameterizedTest(name = "n={0}")
    @MethodSource("lengths")
    void reductionsMatchReference(int n) {
        Backend be = backend(), ref = reference();
        int ao = 5, bo = 2;
        // integers: exact whatever the order
        float[] a = ints(n, ao, n, 16), b = ints(n + 1, bo, n, 16);
        assertEquals(ref.dot(a, ao, b, bo, n), be.dot(a, ao, b, bo, n), "dot (ints) n=" + n);
        assertEquals(ref.sumSquares(a, ao, n), be.sumSquares(a, ao, n), "sumSquares (ints) n=" + n);
        assertEquals(ref.sumAbs(a, ao, n), be.sumAbs(a, ao, n), "sumAbs (ints) n=" + n);
        assertEquals(ref.maxAbs(a, ao, n), be.maxAbs(a, ao, n), "maxAbs (ints) n=" + n);

        // random floats: within 1e-5 relative to the sum of magnitudes (and the 2·n·u bound for dot)
        a = randoms(n, ao, n);
        b = randoms(n + 1, bo, n);
        double absDot = 0;
        for (int i = 0; i < n; i++) absDot += Math.abs((double) a[ao + i] * b[bo + i]);
        double dotTol = Math.min(1e-5, 2 * (n + 1) * U) * absDot + 1e-30;
        assertEquals(ref.dot(a, ao, b, bo, n), be.dot(a, ao, b, bo, n), dotTol, "dot n=" + n);
        double sq = ref.sumSquares(a, ao, n), sa = ref.sumAbs(a, ao, n);
        assertEquals(sq, be.sumSquares(a, ao, n), 1e-5 * sq, "sumSquares n=" + n);
        assertEquals(sa, be.sumAbs(a, ao, n), 1e-5 * sa, "sumAbs n=" + n);
        assertEquals(ref.maxAbs(a, ao, n), be.maxAbs(a, ao, n), "maxAbs n=" + n);
    }

    @Test
    void maxAbsPropagatesNaNAndInfinityFromAnyPosition() {
        Backend be = backend();
        for (int n : new int[] {1, 17, 1025}) {
            for (int pos : new int[] {0, n / 2, n - 1}) {
                float[] a = randoms(n, 3, n);
                a[3 + pos] = Float.NaN;
                assertTrue(Float.isNaN(be.maxAbs(a, 3, n)), "NaN at " + pos + " of " + n);
                a[3 + pos] = Float.NEGATIVE_INFINITY;
                assertEquals(Float.POSITIVE_INFINITY, be.maxAbs(a, 3, n), "-inf at " + pos + " of " + n);
                a[3 + pos] = -7.5f;
                assertEquals(7.5f, be.maxAbs(a, 3, n), "-7.5 at " + pos + " of " + n);
            }
        }
        float[] zeros = {-0f, -0f, 0f};
        assertEquals(0, Float.compare(0f, be.maxAbs(zeros, 0, 3)), "max |-0| is +0");
        assertEquals(0f, be.maxAbs(new float[] {Float.NaN}, 0, 0), "n = 0 gives 0");
        float[] tiny = {Float.MIN_VALUE, -Float.MIN_NORMAL, 1e-40f};
        assertEquals(Float.MIN_NORMAL, be.maxAbs(tiny, 0, 3), "subnormals and MIN_NORMAL");
    }

    @ParameterizedTest(name = "n={0}")
    @MethodSource("lengths")
    void elementwiseOpsMatchReference(int n) {
        Backend be = backend(), ref = reference();
        float tol = elementwiseTolerance();
        float[] x = randoms(n, 4, n);
        for (int i = 0; i < n; i++) x[4 + i] *= 3;

        float[] e = x.clone(), a = x.clone();
        ref.scale(e, 4, n, -0.37f);
        be.scale(a, 4, n, -0.37f);
        assertGuards("scale", a, 4, n);
        assertClose("scale", e, a, 4, n, tol, null);

        e = x.clone();
        a = x.clone();
        ref.clampAbs(e, 4, n, 1.25f);
        be.clampAbs(a, 4, n, 1.25f);
        assertGuards("clampAbs", a, 4, n);
        assertClose("clampAbs", e, a, 4, n, tol, null);

        float[] y = randoms(n + 3, 9, n);
        e = y.clone();
        a = y.clone();
        ref.axpy(0.71f, x, 4, e, 9, n);
        be.axpy(0.71f, x, 4, a, 9, n);
        assertGuards("axpy", a, 9, n);
        assertClose("axpy", e, a, 9, n, tol, null);
    }

    // ---- fused optimizer updates ----------------------------------------------------------------

    /** Parameters, gradient and optimizer state for n elements, with guards past n. */
    private record State(float[] p, float[] g, float[] s1, float[] s2, float[] s3, float[] s4) {
        static State random(int n, long seed) {
            float[] s2 = randoms(seed + 3, 0, n);
            for (int i = 0; i < n; i++) s2[i] = Math.abs(s2[i]); // second moments are non-negative
            float[] s4 = s2.clone();
            for (int i = 0; i < n; i++) s4[i] *= 1.5f;
            return new State(
                    randoms(seed, 0, n),
                    randoms(seed + 1, 0, n),
                    randoms(seed + 2, 0, n),
                    s2,
                    randoms(seed + 4, 0, n),
                    s4);
        }

        State copy() {
            return new State(p.clone(), g.clone(), s1.clone(), s2.clone(), s3.clone(), s4.clone());
        }

        void assertClose(String what, State e, int n, float tol) {
            String[] names = {"p", "g", "s1", "s2", "s3", "s4"};
            float[][] mine = {p, g, s1, s2, s3, s4}, theirs = {e.p, e.g, e.s1, e.s2, e.s3, e.s4};
            for (int i = 0; i < names.length; i++) {
                assertGuards(what + " " + names[i], mine[i], 0, n);
                BackendContractTest.assertClose(what + " " + names[i], theirs[i], mine[i], 0, n, tol, null);
            }
        }
    }

    static IntStream updateLengths() {
        return IntStream.of(1, 15, 17, 1025, 4099);
    }

    @ParameterizedTest(name = "n={0}")
    @MethodSource("updateLengths")
    void sgdUpdatesMatchReference(int n) {
        for (int variant = 0; variant < 8; variant++) {
            float momentum = (variant & 1) == 0 ? 0f : 0.9f;
            boolean nesterov = (variant & 2) != 0 && momentum != 0f;
            float dampening = nesterov ? 0f : (variant & 2) != 0 ? 0.1f : 0f;
            float wd = (variant & 4) != 0 ? 1e-2f : 0f;
            boolean maximize = variant == 5;
            var rule = Sgd.lr(0.05)
                    .momentum(momentum)
                    .dampening(dampening)
                    .nesterov(nesterov)
                    .weightDecay(wd);
            rule = rule.maximize(maximize);
            for (boolean first : new boolean[] {true, false}) {
                State s = State.random(n, variant), e = s.copy();
                reference().sgdUpdate(rule, new Sgd.State(e.s1), e.p, e.g, n, 0.05f, momentum, first);
                backend().sgdUpdate(rule, new Sgd.State(s.s1), s.p, s.g, n, 0.05f, momentum, first);
                s.assertClose("sgd variant " + variant + (first ? " first" : ""), e, n, elementwiseTolerance());
            }
        }
    }

    @ParameterizedTest(name = "n={0}")
    @MethodSource("updateLengths")
    void adamUpdatesMatchReference(int n) {
        for (int variant = 0; variant < 8; variant++) {
            boolean amsgrad = (variant & 1) != 0, decoupled = (variant & 2) != 0, maximize = (variant & 4) != 0;
            State s = State.random(n, variant), e = s.copy();
            var rule = new Adam(1e-3, 0.9, 0.999, 1e-8, 1e-2, decoupled, amsgrad, maximize);
            reference()
                    .adamUpdate(rule, new Adam.State(e.s1, e.s2, amsgrad ? e.s4 : null), e.p, e.g, n, 1e-3f, 0.9f, 7);
            backend().adamUpdate(rule, new Adam.State(s.s1, s.s2, amsgrad ? s.s4 : null), s.p, s.g, n, 1e-3f, 0.9f, 7);
            s.assertClose("adam variant " + variant, e, n, elementwiseTolerance());
        }
    }

    @ParameterizedTest(name = "n={0}")
    @MethodSource("updateLengths")
    void rmspropUpdatesMatchReference(int n) {
        for (int variant = 0; variant < 4; variant++) {
            boolean momentum = (variant & 1) != 0, centered = (variant & 2) != 0;
            State s = State.random(n, variant), e = s.copy();
            // a centered run keeps the running square above the squared running mean
            if (centered)
                for (int i = 0; i < n; i++) {
                    s.s2[i] += s.s4[i] * s.s4[i];
                    e.s2[i] = s.s2[i];
                }
            var rule = new RmsProp(1e-2, 0.99, 1e-8, 1e-3, momentum ? 0.9 : 0, centered, variant == 3);
            float m = momentum ? 0.9f : 0f;
            reference()
                    .rmspropUpdate(
                            rule,
                            new RmsProp.State(e.s2, momentum ? e.s1 : null, centered ? e.s4 : null),
                            e.p,
                            e.g,
                            n,
                            1e-2f,
                            m);
            backend()
                    .rmspropUpdate(
                            rule,
                            new RmsProp.State(s.s2, momentum ? s.s1 : null, centered ? s.s4 : null),
                            s.p,
                            s.g,
                            n,
                            1e-2f,
                            m);
            s.assertClose("rmsprop variant " + variant, e, n, elementwiseTolerance());
        }
    }

    @ParameterizedTest(name = "n={0}")
    @MethodSource("updateLengths")
    void adagradUpdatesMatchReference(int n) {
        for (int variant = 0; variant < 2; variant++) {
            State s = State.random(n, variant), e = s.copy();
            var rule = new Adagrad(1e-2, 1e-3, 1e-4, 1e-10, variant == 1);
            reference().adagradUpdate(rule, new Adagrad.State(e.s2), e.p, e.g, n, 1e-2f, 5);
            backend().adagradUpdate(rule, new Adagrad.State(s.s2), s.p, s.g, n, 1e-2f, 5);
            s.assertClose("adagrad variant " + variant, e, n, elementwiseTolerance());
        }
    }

    /**
     * The generic path's element-wise operations on a range {@code [off, off+n)} of guarded arrays:
     * the same bits as the reference (their formulas are element-wise), guards untouched; the sign
     * of a zero is that zero, of NaN NaN.
     */
    @ParameterizedTest(name = "n={0}")
    @MethodSource("updateLengths")
    void elementWiseOperationsMatchReference(int n) {
        int off = 3;
        float[] x = randoms(11, off, n), y = randoms(12, off, n), z = abs(randoms(13, off, n));
        if (n > 2) {
            x[off] = -0f;
            x[off + 1] = Float.NaN;
            x[off + 2] = 0f;
        }
        for (int op = 0; op < 8; op++) {
            float[] e = randoms(14, off, n), a = e.clone();
            for (int k = 0; k < 2; k++) {
                Backend be = k == 0 ? reference() : backend();
                float[] out = k == 0 ? e : a;
                switch (op) {
                    case 0 -> be.axpby(out, 0.9f, x, -0.1f, y, off, n);
                    case 1 -> be.axpby(out, 0f, out, 2f, y, off, n);
                    case 2 -> be.addcmul(out, 0.99f, out, 0.01f, x, y, off, n);
                    case 3 -> be.addcdiv(out, 1f, out, -0.05f, x, z, 1e-8f, off, n);
                    case 4 -> be.map(Backend.Unary.SQRT, out, 2f, z, 1e-6f, off, n);
                    case 5 -> be.map(Backend.Unary.ABS, out, -1f, x, 0.5f, off, n);
                    case 6 -> be.map(Backend.Unary.SIGN, out, 1f, x, 0f, off, n);
                    default -> be.maximum(out, 0.999f, out, z, 1e-8f, off, n);
                }
            }
            assertBitEqual("element-wise op " + op + " n=" + n, e, a);
        }
        if (n > 2) {
            float[] sign = new float[off + n];
            backend().map(Backend.Unary.SIGN, sign, 1f, x, 0f, off, n);
            assertEquals(0f, sign[off]); // -0 + c (0) is +0: sign(±0) is that zero
            assertTrue(Float.isNaN(sign[off + 1]));
            assertEquals(Float.floatToRawIntBits(0f), Float.floatToRawIntBits(sign[off + 2]));
        }
    }
}
