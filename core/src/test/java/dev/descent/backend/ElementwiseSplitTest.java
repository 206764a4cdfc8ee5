package dev.descent.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.descent.optim.Sgd;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The SIMD backend's element-wise passes (the SGD update and the ReLU forward and backward, split over
 * threads) give exactly the scalar backend's bits, on 1, 2 and 3 threads, at awkward sizes and at the MNIST
 * MLP's 101,770 parameters.
 */
class ElementwiseSplitTest {

    static final Sgd[] RULES = {
        Sgd.lr(0.1).momentum(0.9),
        Sgd.lr(0.05).momentum(0.9).nesterov().weightDecay(1e-4),
        Sgd.lr(0.01).momentum(0.5).dampening(0.1).maximize(),
        Sgd.lr(0.1).weightDecay(1e-3),
    };

    @ParameterizedTest
    @ValueSource(ints = {1, 15, 16, 17, 63, 1023, 1025, 4099, 32_768, 32_769, 50_001, 101_770, 262_144, 600_001})
    void sgdUpdateEqualsScalarBitForBitOnAnyThreadCount(int n) {
        Backend[] backends = {new ScalarBackend(), new SimdBackend(1), new SimdBackend(2), new SimdBackend(3)};
        for (Sgd rule : RULES) {
            float[][] p = new float[backends.length][], buf = new float[backends.length][];
            for (int b = 0; b < backends.length; b++) {
                p[b] = randoms(1, n);
                buf[b] = new float[n];
                Sgd.State state = new Sgd.State(buf[b]);
                for (int step = 0; step < 3; step++) {
                    float[] g = randoms(10 + step, n);
                    backends[b].sgdUpdate(
                            rule, state, p[b], g, n, (float) rule.lr(), (float) rule.momentum(), step == 0);
                }
            }
            float[] start = randoms(1, n);
            assertEquals(false, java.util.Arrays.equals(start, p[0]), rule + ": the update changed nothing");
            for (int b = 1; b < backends.length; b++) {
                String what = rule + " on " + backends[b].device() + ", n = " + n;
                assertArrayEquals(p[0], p[b], what + ": parameters");
                assertArrayEquals(buf[0], buf[b], what + ": momentum buffer");
            }
        }
    }

    /** On 1, 2 and 3 threads: from two {@link SimdBackend#ELEMENTWISE_TASK_MIN} a pass is split. */
    @ParameterizedTest
    @ValueSource(ints = {1, 15, 16, 17, 63, 8192, 4099, 262_144, 600_001})
    void reluBackwardEqualsScalarBitForBit(int n) {
        float[] z = randoms(3, n), d = randoms(4, n);
        // the awkward inputs: zeros of both signs, NaN and infinities among z and dOut
        float[] special = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE};
        for (int i = 0; i < n; i += 7) z[i] = special[(i / 7) % special.length];
        for (int i = 3; i < n; i += 11) d[i] = special[(i / 11) % special.length];
        for (Activation f : new Activation[] {Activation.RELU, Activation.LEAKY_RELU, Activation.leakyRelu(0.2f)}) {
            float[] want = new float[n + 3], got = new float[n + 3];
            new ScalarBackend().activationGrad(f, z, 0, null, 0, d, 0, want, 3, n);
            for (int threads = 1; threads <= 3; threads++) {
                java.util.Arrays.fill(got, 0f);
                new SimdBackend(threads).activationGrad(f, z, 0, null, 0, d, 0, got, 3, n);
                assertArrayEquals(want, got, f + ", n = " + n + ", " + threads + " threads");
                for (int i = 0; i < n; i++)
                    assertEquals(
                            Float.floatToRawIntBits(want[3 + i]),
                            Float.floatToRawIntBits(got[3 + i]),
                            f + " at " + i + " (z " + z[i] + ", d " + d[i] + "), " + threads + " threads");
            }
        }
        // in place: dz is dOut
        float[] want = d.clone();
        new ScalarBackend().activationGrad(Activation.RELU, z, 0, null, 0, want, 0, want, 0, n);
        for (int threads = 1; threads <= 3; threads++) {
            float[] got = d.clone();
            new SimdBackend(threads).activationGrad(Activation.RELU, z, 0, null, 0, got, 0, got, 0, n);
            assertArrayEquals(want, got, "in place, n = " + n + ", " + threads + " threads");
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 15, 16, 17, 63, 8192, 4099, 262_144, 600_001})
    void reluForwardEqualsScalarBitForBit(int n) {
        float[] z = randoms(5, n);
        float[] special = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -Float.MIN_VALUE};
        for (int i = 0; i < n; i += 5) z[i] = special[(i / 5) % special.length];
        for (Activation f : new Activation[] {Activation.RELU, Activation.LEAKY_RELU, Activation.leakyRelu(0.2f)}) {
            float[] want = new float[n + 3], got = new float[n + 3];
            new ScalarBackend().activate(f, z, 0, want, 3, n);
            for (int threads = 1; threads <= 3; threads++) {
                java.util.Arrays.fill(got, 0f);
                new SimdBackend(threads).activate(f, z, 0, got, 3, n);
                for (int i = 0; i < n + 3; i++)
                    assertEquals(
                            Float.floatToRawIntBits(want[i]),
                            Float.floatToRawIntBits(got[i]),
                            f + " at " + i + (i >= 3 ? " (z " + z[i - 3] + ")" : "") + ", " + threads + " threads");
                float[] inPlace = z.clone(); // out may be z itself
                new SimdBackend(threads).activate(f, inPlace, 0, inPlace, 0, n);
                for (int i = 0; i < n; i++)
                    assertEquals(
                            Float.floatToRawIntBits(want[3 + i]),
                            Float.floatToRawIntBits(inPlace[i]),
                            f + " in place, " + threads + " threads");
            }
        }
    }

    /**
     * A batch's rows gathered from a data set, split over 1, 2 and 3 threads: every row where the
     * plain copy puts it, and nothing else of dst written (MNIST's 64 × 784, and row counts that do
     * not divide evenly, below and above the split size and the eight rows copied side by side; at
     * MNIST's width, a whole number of vectors, and at breast cancer's 30 and a width of 13, which
     * leave a tail after the last whole vector).
     */
    @ParameterizedTest
    @CsvSource({"1,784", "3,784", "37,784", "64,784", "65,784", "333,784", "64,30", "333,30", "9,13", "71,13"})
    void gatherRowsPutsEachRowWhereThePlainCopyDoes(int count, int width) {
        int rows = 1000, dstOff = 5;
        float[] src = randoms(7, rows * width);
        int[] order = new int[count + 3];
        SplittableRandom r = new SplittableRandom(count);
        for (int i = 0; i < order.length; i++) order[i] = r.nextInt(rows);
        float[] want = new float[dstOff + count * width + 4];
        java.util.Arrays.fill(want, 42f);
        for (int i = 0; i < count; i++) System.arraycopy(src, order[3 + i] * width, want, dstOff + i * width, width);
        for (int threads = 1; threads <= 3; threads++) {
            float[] dst = new float[want.length];
            java.util.Arrays.fill(dst, 42f);
            new SimdBackend(threads).gatherRows(src, width, order, 3, count, dst, dstOff);
            assertArrayEquals(want, dst, count + " rows of " + width + " on " + threads + " threads");
        }
    }

    /** n floats uniform in [-1, 1). */
    static float[] randoms(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (r.nextDouble() * 2 - 1);
        return x;
    }
}
