package dev.descent.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.descent.backend.Activation;
import dev.descent.backend.Backend;
import dev.descent.backend.ScalarBackend;
import dev.descent.optim.Adagrad;
import dev.descent.optim.Adam;
import dev.descent.optim.RmsProp;
import dev.descent.optim.Sgd;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every {@link Backend} operation of the OpenCL backend against {@link ScalarBackend}, on awkward
 * sizes, with offsets and sentinels around every output range. Written against the interface: only
 * {@link #backend} names the implementation. Runs for real on whatever OpenCL device is chosen (PoCL
 * on the build machines); one kernel compile per JVM.
 *
 * <p>Tolerances: operations that are one IEEE operation per element (add, multiply, compare) or a
 * fixed-order sum of additions must be bit-identical on any device. Element-wise operations with
 * products and additions ({@code axpy}, the optimizers, gradients of tanh/sigmoid) are bit-identical
 * on PoCL (the kernel keeps products out of fma contraction, and PoCL's sqrt and division are
 * correctly rounded); on other drivers they are compared within a few ulps. {@code tanh} and
 * sigmoid's {@code exp} are device functions: a few ulps. Matrix products may contract into fma:
 * within a few ulps of the sum of |products|. Reductions are compared with the exact (double) value
 * and with ScalarBackend's sequential float result.
 */
@RequiresOpenCl
class OpenClBackendTest {

    static final int[] SIZES = {1, 3, 15, 16, 17, 63, 1023, 1025, 4099};
    static final float SENTINEL = -12345.5f;
    /** Relative tolerance for multiply-add/transcendental results: about 8 float ulps. */
    static final double REL = 1e-6;

    static Backend backend;
    static final Backend ref = new ScalarBackend();
    /** Whether element-wise results must be bit-identical (PoCL), or only within a few ulps. */
    static boolean exactElementwise;

    @BeforeAll
    static void createBackend() {
        OpenClBackend gpu = OpenClBackend.create();
        backend = gpu;
        exactElementwise = gpu.deviceInfo().platform().contains("Portable Computing Language");
    }

    static IntStream sizes() {
        return IntStream.of(SIZES);
    }

    // ---- helpers ---------------------------------------------------------------------------

    static float[] random(SplittableRandom r, int n, double lo, double hi) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (lo + (hi - lo) * r.nextDouble());
        return a;
    }

    /** A copy of src placed at {@code off} inside an array padded with sentinels on both sides. */
    static float[] padded(float[] src, int off, int tail) {
        float[] a = new float[off + src.length + tail];
        java.util.Arrays.fill(a, SENTINEL);
        System.arraycopy(src, 0, a, off, src.length);
        return a;
    }

    static void assertExact(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++)
            if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(actual[i])
                    && !(expected[i] == 0f && actual[i] == 0f))
                fail(what + ": element " + i + " expected " + expected[i] + " but was " + actual[i]);
    }

    /** Bit-identical on PoCL, else {@link #assertClose}. */
    static void assertElementwise(float[] expected, float[] actual, float scale, String what) {
        if (exactElementwise) assertExact(expected, actual, what);
        else assertClose(expected, actual, scale, what);
    }

    /** |e - a| ≤ REL·(|e| + scale) + tiny, NaN only where expected; sentinels must be untouched. */
    static void assertClose(float[] expected, float[] actual, float scale, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            float e = expected[i], a = actual[i];
            if (e == SENTINEL || a == SENTINEL) {
                if (e != a) fail(what + ": element " + i + " expected " + e + " but was " + a + " (sentinel)");
                continue;
            }
            if (Float.isNaN(e) || Float.isNaN(a)) {
                if (Float.isNaN(e) != Float.isNaN(a)) fail(what + ": element " + i + " expected " + e + " was " + a);
                continue;
            }
            if (e == a) continue;
            double tol = REL * (Math.abs(e) + scale) + 1e-37;
            if (Math.abs(e - a) > tol)
                fail(what + ": element " + i + " expected " + e + " but was " + a + " (diff " + Math.abs(e - a) + " > "
                        + tol + ")");
        }
    }

    // ---- element-wise ----------------------------------------------------------------------

    @ParameterizedTest(name = "n={0}")
    @MethodSource("sizes")
    void scale(int n) {
        SplittableRandom r = new SplittableRandom(n);
        float[] x = padded(random(r, n, -3, 3), 5, 4);
        float[] y = x.clone();
        ref.scale(x, 5, n, -1.7f);
        backend.scale(y, 5, n, -1.7f);
        assertExact(x, y, "scale");
    }

    @ParameterizedTest(name = "n={0}")
    @MethodSource("sizes")
    void clampAbs(int n) {
        SplittableRandom r = new SplittableRandom(n);
        float[] src = random(r, n, -3, 3);
        src[0] = Float.NaN;
        if (n > 2) src[2] = Float.NEGATIVE_INFINITY;
        float[] x = padded(src, 7, 3);
        float[] y = x.clone();
        ref.clampAbs(x, 7, n, 1.25f);
        backend.clampAbs(y, 7, n, 1.25f);
        assertExact(x, y, "clampAbs");
    }

    @ParameterizedTest(name = "n={0}")
    @MethodSource("sizes")
    void axpy(int n) {
        SplittableRandom r = new SplittableRandom(n);
        float[] x = padded(random(r, n, -2, 2), 3, 0);
        float[] y1 = padded(random(r, n, -2, 2), 1, 6);
        float[] y2 = y1.clone();
        ref.axpy(0.37f, x, 3, y1, 1, n);
        backend.axpy(0.37f, x, 3, y2, 1, n);
        assertElementwise(y1, y2, 2f, "axpy");
    }

    /**
     * The generic element-wise steps (axpby, addcmul, addcdiv, map, maximum) as one kernel each,
     * against ScalarBackend's loops: over an inner range (sentinels around it untouched), with the
     * output aliasing an input, with a skipped first term over NaN garbage, and with NaN, ±0 and
     * negative inputs for sign, abs, sqrt and maximum.
     */
    @ParameterizedTest(name = "n={0}")
    @MethodSource("sizes")
    void genericElementwiseSteps(int n) {
        SplittableRandom r = new SplittableRandom(31 + n);
        int off = 4, len = off + n + 3;
        float[] x = padded(random(r, n, -2, 2), off, 3), y = padded(random(r, n, -2, 2), off, 3);
        float[] z = padded(random(r, n, 0.1, 3), off, 3);
        x[off] = Float.NaN;
        if (n > 2) {
            x[off + 1] = 0f;
            x[off + 2] = -0f;
        }
        float[] garbage = new float[len];
        java.util.Arrays.fill(garbage, Float.NaN);
        for (int variant = 0; variant < 9; variant++) {
            float[] a = variant % 2 == 0 ? y.clone() : garbage.clone(), b = a.clone();
            for (Backend be : List.of(ref, backend)) {
                float[] out = be == ref ? a : b;
                switch (variant) {
                    case 0 -> be.axpby(out, 0.9f, out, 0.1f, x, off, n); // out aliases x's partner
                    case 1 -> be.axpby(out, 0f, out, -1.5f, x, off, n); // skipped: garbage not read
                    case 2 -> be.addcmul(out, 0.999f, out, 0.001f, x, x, off, n);
                    case 3 -> be.addcdiv(out, 0f, out, 0.7f, x, z, 1e-8f, off, n);
                    case 4 -> be.addcdiv(out, 1f, out, -0.01f, y, z, 1e-3f, off, n);
                    case 5 -> be.map(Backend.Unary.SIGN, out, 1f, x, 0f, off, n);
                    case 6 -> be.map(Backend.Unary.ABS, out, -2f, x, 0.5f, off, n);
                    case 7 -> be.map(Backend.Unary.SQRT, out, 1.5f, z, 1e-3f, off, n);
                    default -> be.maximum(out, 0.99f, out, x, -0.25f, off, n);
                }
            }
            assertElementwise(a, b, 2f, "generic step variant " + variant);
        }
    }

    static Stream<Arguments> activationsAndSizes() {
        List<Arguments> list = new ArrayList<>();
        Activation[] fs = {
            Activation.IDENTITY,
            Activation.RELU,
            Activation.LEAKY_RELU,
            Activation.leakyRelu(0.2f),
            Activation.TANH,
            Activation.SIGMOID,
            Activation.GELU,
            Activation.GELU_TANH
        };
        for (Activation f : fs) for (int n : SIZES) list.add(Arguments.of(f, n));
        return list.stream();
    }

    static boolean exactActivation(Activation f) {
        return switch (f.kind()) {
            case TANH, SIGMOID, GELU, GELU_TANH -> false; // the device's exp/tanh, in float
            default -> true;
        };
    }

    /**
     * GELU's erf and exp are float fits on the device (the CPU evaluates them in double): within
     * REL of 1 absolutely where GELU is below 1 in magnitude, relatively above.
     */
    static boolean gelu(Activation f) {
        return f.kind() == Activation.Kind.GELU || f.kind() == Activation.Kind.GELU_TANH;
    }

    @ParameterizedTest(name = "{0} n={1}")
    @MethodSource("activationsAndSizes")
    void activate(Activation f, int n) {
        SplittableRandom r = new SplittableRandom(n);
        float[] src = random(r, n, -6, 6);
        float[] special = {Float.NaN, -0f, 0f, 1e-30f, -1e-30f, 30f, -30f, 100f, -100f, Float.POSITIVE_INFINITY};
        System.arraycopy(special, 0, src, 0, Math.min(n, special.length));
        float[] z = padded(src, 2, 0);
        float[] out1 = padded(new float[n], 4, 2), out2 = out1.clone();
        ref.activate(f, z, 2, out1, 4, n);
        backend.activate(f, z, 2, out2, 4, n);
        if (exactActivation(f)) assertExact(out1, out2, "activate " + f);
        else assertClose(out1, out2, gelu(f) ? 1f : 0f, "activate " + f);
        // in place: out is z itself
        float[] in1 = z.clone(), in2 = z.clone();
        ref.activate(f, in1, 2, in1, 2, n);
        backend.activate(f, in2, 2, in2, 2, n);
        if (exactActivation(f)) assertExact(in1, in2, "activate in place " + f);
        else assertClose(in1, in2, gelu(f) ? 1f : 0f, "activate in place " + f);
    }

    @ParameterizedTest(name = "{0} n={1}")
    @MethodSource("activationsAndSizes")
    void activationGrad(Activation f, int n) {
        SplittableRandom r = new SplittableRandom(31L * n);
        float[] zs = random(r, n, -4, 4);
        zs[0] = 0f; // the kink: ReLU' is 0 there
        float[] outs = new float[n];
        ref.activate(f, zs, 0, outs, 0, n);
        float[] z = padded(zs, 1, 1), out = padded(outs, 3, 0), dOut = padded(random(r, n, -2, 2), 2, 2);
        float[] dz1 = padded(new float[n], 5, 1), dz2 = dz1.clone();
        ref.activationGrad(f, z, 1, out, 3, dOut, 2, dz1, 5, n);
        backend.activationGrad(f, z, 1, out, 3, dOut, 2, dz2, 5, n);
        if (gelu(f)) assertClose(dz1, dz2, 2f, "activationGrad " + f); // float erf/exp fits: never exact
        else assertElementwise(dz1, dz2, 2f, "activationGrad " + f);
        // dz is dOut itself
        float[] d1 = dOut.clone(), d2 = dOut.clone();
        ref.activationGrad(f, z, 1, out, 3, d1, 2, d1, 2, n);
        backend.activationGrad(f, z, 1, out, 3, d2, 2, d2, 2, n);
        if (gelu(f)) assertClose(d1, d2, 2f, "activationGrad in place " + f);
        else assertElementwise(d1, d2, 2f, "activationGrad in place " + f);
    }

    // ---- dense-layer helpers ---------------------------------------------------------------

    static Stream<Arguments> shapes() {
        List<Arguments> list = new ArrayList<>();
        int[][] s = {{1, 1}, {1, 1025}, {1025, 1}, {3, 17}, {16, 16}, {17, 15}, {63, 3}, {15, 63}, {1023, 3}, {4, 1023}
        };
        for (int[] rc : s) list.add(Arguments.of(rc[0], rc[1]));
        return list.stream();
    }

    @ParameterizedTest(name = "{0}x{1}")
    @MethodSource("shapes")
    void addRowVector(int rows, int cols) {
        SplittableRandom r = new SplittableRandom(rows * 7919L + cols);
        float[] c1 = padded(random(r, rows * cols, -1, 1), 3, 2), c2 = c1.clone();
        float[] bias = padded(random(r, cols, -1, 1), 1, 0);
        ref.addRowVector(c1, 3, rows, cols, bias, 1);
        backend.addRowVector(c2, 3, rows, cols, bias, 1);
        assertExact(c1, c2, "addRowVector");
    }

    @ParameterizedTest(name = "{0}x{1}")
    @MethodSource("shapes")
    void sumRows(int rows, int cols) {
        SplittableRandom r = new SplittableRandom(rows * 104729L + cols);
        float[] a = padded(random(r, rows * cols, -1, 1), 2, 3);
        for (boolean acc : new boolean[] {false, true}) {
            float[] o1 = padded(random(r, cols, -1, 1), 4, 1), o2 = o1.clone();
            ref.sumRows(a, 2, rows, cols, o1, 4, acc);
            backend.sumRows(a, 2, rows, cols, o2, 4, acc);
            assertExact(o1, o2, "sumRows accumulate=" + acc);
        }
    }

    // ---- matrix products -------------------------------------------------------------------

    static Stream<Arguments> products() {
        List<Arguments> list = new ArrayList<>();
        int[][] mnk = {
            {1, 1, 1},
            {3, 1, 17},
            {1, 3, 15},
            {16, 16, 16},
            {17, 17, 17},
            {15, 16, 17},
            {17, 63, 1},
            {63, 15, 3},
            {3, 1025, 16},
            {1025, 3, 15},
            {1, 1, 1025},
            {2, 3, 1023},
            {63, 63, 63},
            {33, 17, 0}
        };
        for (String layout : new String[] {"NN", "TN", "NT"})
            for (int[] d : mnk)
                for (boolean acc : new boolean[] {false, true}) list.add(Arguments.of(layout, d[0], d[1], d[2], acc));
        return list.stream();
    }

    @ParameterizedTest(name = "{0} m={1} n={2} k={3} acc={4}")
    @MethodSource("products")
    void matmul(String layout, int m, int n, int k, boolean acc) {
        SplittableRandom r = new SplittableRandom(m * 31L + n * 17L + k + layout.hashCode());
        int aOff = 3, bOff = 5, cOff = 2;
        float[] a = padded(random(r, m * k, -1, 1), aOff, 1);
        float[] b = padded(random(r, k * n, -1, 1), bOff, 2);
        float[] c1 = padded(random(r, m * n, -1, 1), cOff, 3), c2 = c1.clone();
        switch (layout) {
            case "NN" -> {
                ref.matmul(a, aOff, b, bOff, c1, cOff, m, n, k, acc);
                backend.matmul(a, aOff, b, bOff, c2, cOff, m, n, k, acc);
            }
            case "TN" -> {
                ref.matmulTN(a, aOff, b, bOff, c1, cOff, m, n, k, acc);
                backend.matmulTN(a, aOff, b, bOff, c2, cOff, m, n, k, acc);
            }
            default -> {
                ref.matmulNT(a, aOff, b, bOff, c1, cOff, m, n, k, acc);
                backend.matmulNT(a, aOff, b, bOff, c2, cOff, m, n, k, acc);
            }
        }
        // entries are sums of k products of magnitude ≤ 1 (plus c when accumulating); the sum order is
        // the reference's, so only contraction and the final "c + s" grouping differ
        assertClose(c1, c2, (float) (k + 1) * 4f, layout + " product");
    }

    // ---- reductions ------------------------------------------------------------------------

    @ParameterizedTest(name = "n={0}")
    @MethodSource("sizes")
    void reductions(int n) {
        SplittableRandom r = new SplittableRandom(n * 13L);
        float[] a = padded(random(r, n, -2, 2), 3, 2), b = padded(random(r, n, -2, 2), 1, 0);
        double exactDot = 0, absDot = 0, exactSq = 0, exactAbs = 0;
        float max = 0f;
        for (int i = 0; i < n; i++) {
            double x = a[3 + i], y = b[1 + i];
            exactDot += x * y;
            absDot += Math.abs(x * y);
            exactSq += x * x;
            exactAbs += Math.abs(x);
            max = Math.max(max, Math.abs(a[3 + i]));
        }
        float dot = backend.dot(a, 3, b, 1, n);
        assertTrue(Math.abs(dot - exactDot) <= 1e-6 * absDot + 1e-30, "dot " + dot + " vs exact " + exactDot);
        float refDot = ref.dot(a, 3, b, 1, n);
        assertTrue(
                Math.abs(dot - refDot) <= (2.5e-7 * n + 1e-6) * absDot, "dot " + dot + " vs ScalarBackend " + refDot);
        double sq = backend.sumSquares(a, 3, n);
        assertEquals(ref.sumSquares(a, 3, n), sq, 1e-6 * exactSq, "sumSquares");
        assertEquals(exactSq, sq, 1e-6 * exactSq, "sumSquares vs exact");
        double abs = backend.sumAbs(a, 3, n);
        assertEquals(ref.sumAbs(a, 3, n), abs, 1e-6 * exactAbs, "sumAbs");
        assertEquals(max, backend.maxAbs(a, 3, n), "maxAbs");
        assertEquals(ref.maxAbs(a, 3, n), backend.maxAbs(a, 3, n), "maxAbs vs ScalarBackend");
    }

    @Test
    void reductionsOfNothing() {
        float[] a = {1f, 2f};
        assertEquals(0f, backend.dot(a, 0, a, 0, 0));
        assertEquals(0.0, backend.sumSquares(a, 1, 0));
        assertEquals(0.0, backend.sumAbs(a, 1, 0));
        assertEquals(0f, backend.maxAbs(a, 2, 0));
    }

    @Test
    void maxAbsPropagatesNaNAndInfinity() {
        for (int n : SIZES) {
            for (int at : new int[] {0, n / 2, n - 1}) {
                float[] a = random(new SplittableRandom(at), n, -1, 1);
                a[at] = Float.NaN;
                assertTrue(Float.isNaN(backend.maxAbs(a, 0, n)), "NaN at " + at + " of " + n);
                a[at] = Float.NEGATIVE_INFINITY;
                assertEquals(Float.POSITIVE_INFINITY, backend.maxAbs(a, 0, n), "-inf at " + at + " of " + n);
            }
        }
        float[] neg = {-3f, -7f, -0.5f};
        assertEquals(7f, backend.maxAbs(neg, 0, 3));
    }

    // ---- fused optimizer updates: several steps, all variants ------------------------------

    record State(float[] p, float[] a, float[] b, float[] c) {
        State copy() {
            return new State(p.clone(), clone(a), clone(b), clone(c));
        }

        static float[] clone(float[] x) {
            return x == null ? null : x.clone();
        }
    }

    interface Step {
        void apply(Backend be, State s, float[] g, int n, int step);
    }

    static void compareSteps(String what, int n, boolean a, boolean b, boolean c, Step step) {
        SplittableRandom r = new SplittableRandom(n * 101L + what.hashCode());
        State s1 = new State(
                random(r, n, -1, 1), a ? new float[n] : null, b ? new float[n] : null, c ? new float[n] : null);
        State s2 = s1.copy();
        for (int t = 1; t <= 3; t++) {
            float[] g = random(r, n, -1, 1);
            step.apply(ref, s1, g, n, t);
            step.apply(backend, s2, g, n, t);
            assertElementwise(s1.p(), s2.p(), 1f, what + " p, step " + t);
            if (a) assertElementwise(s1.a(), s2.a(), 1f, what + " state a, step " + t);
            if (b) assertElementwise(s1.b(), s2.b(), 1f, what + " state b, step " + t);
            if (c) assertElementwise(s1.c(), s2.c(), 1f, what + " state c, step " + t);
        }
    }

    @ParameterizedTest(name = "n={0}")
    @MethodSource("sizes")
    void sgd(int n) {
        compareSteps(
                "sgd plain",
                n,
                false,
                false,
                false,
                (be, s, g, k, t) -> be.sgdUpdate(Sgd.lr(0.1), new Sgd.State(null), s.p(), g, k, 0.1f, 0f, t == 1));
        compareSteps(
                "sgd momentum",
                n,
                true,
                false,
                false,
                (be, s, g, k, t) -> sgd(be, Sgd.lr(0.05).momentum(0.9), s, g, k, t));
        compareSteps(
                "sgd dampening+wd",
                n,
                true,
                false,
                false,
                (be, s, g, k, t) ->
                        sgd(be, Sgd.lr(0.05).momentum(0.9).dampening(0.3).weightDecay(0.01), s, g, k, t));
        compareSteps(
                "sgd nesterov+maximize",
                n,
                true,
                false,
                false,
                (be, s, g, k, t) -> sgd(
                        be,
                        Sgd.lr(0.05).momentum(0.8).nesterov().weightDecay(0.02).maximize(),
                        s,
                        g,
                        k,
                        t));
    }

    @ParameterizedTest(name = "n={0}")
    @MethodSource("sizes")
    void adam(int n) {
        compareSteps("adam", n, true, true, false, (be, s, g, k, t) -> adam(be, Adam.adam(1e-3), s, g, k, t));
        compareSteps(
                "adam l2+maximize",
                n,
                true,
                true,
                false,
                (be, s, g, k, t) -> adam(
                        be,
                        Adam.adam(1e-2)
                                .betas(0.8, 0.99)
                                .eps(1e-6)
                                .weightDecay(0.1)
                                .maximize(),
                        s,
                        g,
                        k,
                        t));
        compareSteps(
                "adamw amsgrad",
                n,
                true,
                true,
                true,
                (be, s, g, k, t) -> adam(be, Adam.adamW(1e-2).amsgrad(), s, g, k, t));
    }

    @ParameterizedTest(name = "n={0}")
    @MethodSource("sizes")
    void rmsprop(int n) {
        compareSteps("rmsprop", n, true, false, false, (be, s, g, k, t) -> rmsprop(be, RmsProp.lr(1e-2), s, g, k));
        compareSteps(
                "rmsprop momentum+wd",
                n,
                true,
                true,
                false,
                (be, s, g, k, t) -> rmsprop(
                        be, RmsProp.lr(1e-2).alpha(0.9).weightDecay(0.01).momentum(0.9), s, g, k));
        compareSteps(
                "rmsprop centered+maximize",
                n,
                true,
                false,
                true,
                (be, s, g, k, t) -> rmsprop(
                        be, RmsProp.lr(1e-2).alpha(0.9).eps(1e-6).centered().maximize(), s, g, k));
        compareSteps(
                "rmsprop centered+momentum",
                n,
                true,
                true,
                true,
                (be, s, g, k, t) -> rmsprop(
                        be,
                        RmsProp.lr(1e-2)
                                .alpha(0.95)
                                .eps(1e-6)
                                .weightDecay(0.001)
                                .momentum(0.5)
                                .centered(),
                        s,
                        g,
                        k));
    }

    @ParameterizedTest(name = "n={0}")
    @MethodSource("sizes")
    void adagrad(int n) {
        compareSteps("adagrad", n, true, false, false, (be, s, g, k, t) -> adagrad(be, Adagrad.lr(1e-1), s, g, k, t));
        compareSteps(
                "adagrad decay+wd+maximize",
                n,
                true,
                false,
                false,
                (be, s, g, k, t) -> adagrad(be, new Adagrad(1e-1, 0.01, 0.05, 1e-10, true), s, g, k, t));
    }

    // the fused updates with a rule's own hyper-parameters at its base rate, state in the slots a, b, c

    private static void sgd(Backend be, Sgd rule, State s, float[] g, int n, int t) {
        be.sgdUpdate(rule, new Sgd.State(s.a()), s.p(), g, n, (float) rule.lr(), (float) rule.momentum(), t == 1);
    }

    private static void adam(Backend be, Adam rule, State s, float[] g, int n, int t) {
        be.adamUpdate(
                rule, new Adam.State(s.a(), s.b(), s.c()), s.p(), g, n, (float) rule.lr(), (float) rule.beta1(), t);
    }

    private static void rmsprop(Backend be, RmsProp rule, State s, float[] g, int n) {
        var state = new RmsProp.State(s.a(), s.b(), s.c());
        be.rmspropUpdate(rule, state, s.p(), g, n, (float) rule.lr(), (float) rule.momentum());
    }

    private static void adagrad(Backend be, Adagrad rule, State s, float[] g, int n, int t) {
        be.adagradUpdate(rule, new Adagrad.State(s.a()), s.p(), g, n, (float) rule.lr(), t);
    }
}
