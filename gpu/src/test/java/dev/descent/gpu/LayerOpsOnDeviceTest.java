package dev.descent.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.backend.Activation;
import dev.descent.backend.Backend;
import dev.descent.backend.CounterRandom;
import dev.descent.backend.ImageWindow;
import dev.descent.backend.ScalarBackend;
import dev.descent.model.BatchNorm;
import dev.descent.model.Dropout;
import dev.descent.model.LayerNorm;
import dev.descent.model.Models;
import dev.descent.model.Sequential;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The layer operations of {@link Backend} (im2col, col2im, the channel-major gathers, per-row sums,
 * pooling, batch and layer norm, dropout) on the device through {@link ArenaBackend}, whose arrays
 * are handles of arena slices, against {@link ScalarBackend} on the same random data. Gathers,
 * pooling and dropout's mask are bit-identical (same float sums in the same order); the norms sum
 * in float on the device (double on the host), so they agree to a relative 1e-4. Finally whole
 * models of every built-in layer run forward and backward on the device against the host.
 */
@RequiresOpenCl
class LayerOpsOnDeviceTest {

    /** Floats of the test arena: 16 MB, a humongous array that G1 does not move between launches. */
    static final int ARENA = 1 << 22;

    static OpenClEngine engine;
    static final Backend host = new ScalarBackend();

    @BeforeAll
    static void open() {
        AparapiRuntime.Probe probe = AparapiRuntime.probe();
        engine = new OpenClEngine(probe.device(), probe.info());
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    /** One operation (or a short sequence) written against a backend, over arrays it is given. */
    interface Op {
        void run(Backend b, float[][] a);
    }

    /**
     * Runs {@code op} on the host over random arrays of the given sizes and on the device over equal
     * copies, then compares every array (inputs, which must be unchanged, and outputs): exactly when
     * {@code rel} is 0, else to {@code rel} relative (absolute below 1).
     */
    static void compare(String what, double rel, Op op, int... sizes) {
        SplittableRandom rnd = new SplittableRandom(what.hashCode());
        float[][] a = new float[sizes.length][], d = new float[sizes.length][];
        for (int i = 0; i < sizes.length; i++) {
            a[i] = new float[sizes[i]];
            for (int j = 0; j < sizes[i]; j++) a[i][j] = (float) (rnd.nextDouble() * 2 - 1);
            d[i] = a[i].clone();
        }
        op.run(host, a);
        float[] mem = engine.allocateMem(ARENA);
        engine.putMem();
        ArenaBackend arena = new ArenaBackend(engine, 0, ARENA, what, false);
        arena.adoptUnbound(true); // the host arrays get arena slices as the test names them
        op.run(arena, d);
        assertTrue(engine.memResident(), what + ": the arena was re-created on the device");
        engine.getMem();
        for (int i = 0; i < sizes.length; i++) {
            int at = arena.offsetOf(d[i]);
            float[] got = at < 0 ? d[i] : Arrays.copyOfRange(mem, at, at + sizes[i]);
            for (int j = 0; j < sizes[i]; j++) {
                float e = a[i][j], g = got[j];
                if (rel == 0) {
                    if (Float.floatToIntBits(e) != Float.floatToIntBits(g))
                        throw new AssertionError(what + ": array " + i + " [" + j + "] host " + e + ", device " + g);
                } else if (!(Math.abs(e - g) <= rel * Math.max(1, Math.abs(e))))
                    throw new AssertionError(what + ": array " + i + " [" + j + "] host " + e + ", device " + g);
            }
        }
    }

    static Stream<ImageWindow> windows() {
        return Stream.of(
                new ImageWindow(2, 7, 6, 3, 3, 1, 1, 1, 1),
                new ImageWindow(3, 9, 8, 3, 2, 2, 1, 1, 0),
                new ImageWindow(1, 5, 5, 5, 5, 1, 1, 0, 0),
                new ImageWindow(2, 8, 8, 2, 2, 2, 2, 0, 0),
                new ImageWindow(2, 7, 7, 3, 3, 2, 2, 0, 0), // overlapping windows
                new ImageWindow(1, 6, 7, 2, 3, 3, 2, 2, 1));
    }

    @ParameterizedTest
    @MethodSource("windows")
    void im2colAndCol2imAreExact(ImageWindow v) {
        int rows = 3, col = v.patch() * rows * v.plane(), in = rows * v.inputSize();
        compare("im2col " + v, 0, (b, a) -> b.im2col(v, a[0], v.inputSize(), 2, a[1], 5), in, col + 5);
        compare("col2im " + v, 0, (b, a) -> b.col2im(v, a[0], 1, 2, a[1], v.inputSize()), col + 1, in);
    }

    @ParameterizedTest
    @MethodSource("windows")
    void poolingAndItsBackwardAreExact(ImageWindow v) {
        if (v.paddingHeight() != 0 || v.paddingWidth() != 0) return; // pools have no padding
        int rows = 3, out = rows * v.channels() * v.plane(), in = rows * v.inputSize();
        compare(
                "max pool " + v,
                0,
                (b, a) -> {
                    b.maxPool(v, a[0], 0, rows, a[1], 0, a[2], 0);
                    b.maxPoolBackward(v, a[3], 0, a[2], 0, rows, a[4], 0);
                },
                in,
                out,
                out,
                out,
                in);
        compare(
                "avg pool " + v,
                0,
                (b, a) -> {
                    b.avgPool(v, a[0], 0, rows, a[1], 0);
                    b.avgPoolBackward(v, a[2], 0, rows, a[3], 0);
                },
                in,
                out,
                out,
                in);
    }

    @Test
    void aNanWinsItsMaxPoolWindowOnTheDevice() {
        ImageWindow v = new ImageWindow(1, 4, 4, 2, 2, 2, 2, 0, 0);
        compare(
                "max pool with NaN",
                0,
                (b, a) -> {
                    b.fill(a[0], 5, 1, Float.NaN);
                    b.maxPool(v, a[0], 0, 1, a[1], 0, a[2], 0);
                },
                16,
                4,
                4);
    }

    @Test
    void theChannelGathersAndRowSumsAreExact() {
        int rows = 5, ch = 3, plane = 17, n = rows * ch * plane;
        compare(
                "channel-major gathers",
                0,
                (b, a) -> {
                    b.channelMajorToRows(a[0], 2, rows, ch, plane, a[1], 1, a[2], 3);
                    b.rowsToChannelMajor(a[2], 3, rows, ch, plane, a[3], 0);
                    b.sumEachRow(a[3], 0, ch, rows * plane, a[4], 0, true);
                    b.sumEachRow(a[3], 0, ch, rows * plane, a[4], ch, false);
                    b.fill(a[5], 1, 4, 0.25f);
                },
                n + 2,
                ch + 1,
                n + 3,
                n,
                2 * ch,
                6);
    }

    static Stream<int[]> normShapes() { // rows, channels, positions
        return Stream.of(new int[] {2, 1, 1}, new int[] {7, 3, 1}, new int[] {4, 2, 15}, new int[] {3, 5, 36});
    }

    @ParameterizedTest
    @MethodSource("normShapes")
    void batchNormMatchesTheHostInTrainingAndEvaluation(int[] shape) {
        int rows = shape[0], ch = shape[1], pos = shape[2], n = rows * ch * pos;
        for (boolean cumulative : new boolean[] {false, true})
            for (boolean accumulate : new boolean[] {false, true})
                compare(
                        "batch norm " + Arrays.toString(shape) + (cumulative ? " cumulative" : "")
                                + (accumulate ? " accumulate" : ""),
                        1e-4,
                        (b, a) -> {
                            // params [weight, bias], buffers [mean, var, tracked], scratch [x̂, 1/σ]
                            b.fill(a[2], ch, ch, 1.5f);
                            b.fill(a[2], 2 * ch, 1, 2f);
                            b.batchNormForward(
                                    a[0],
                                    0,
                                    rows,
                                    ch,
                                    pos,
                                    a[1],
                                    0,
                                    ch,
                                    a[2],
                                    0,
                                    ch,
                                    2 * ch,
                                    true,
                                    cumulative,
                                    0.1,
                                    1e-5,
                                    a[3],
                                    0,
                                    n,
                                    a[4],
                                    0);
                            b.batchNormBackward(
                                    a[5], 0, rows, ch, pos, a[1], a[6], 0, ch, accumulate, true, a[3], 0, n, a[7], 0);
                            // evaluation with the updated running statistics, no dx
                            b.batchNormForward(
                                    a[0], 0, rows, ch, pos, a[1], 0, ch, a[2], 0, ch, 2 * ch, false, false, 0.1, 1e-5,
                                    a[3], 0, n, a[8], 0);
                            b.batchNormBackward(
                                    a[5], 0, rows, ch, pos, a[1], a[9], 0, ch, accumulate, false, a[3], 0, n, null, 0);
                        },
                        n,
                        2 * ch,
                        2 * ch + 1,
                        n + ch,
                        n,
                        n,
                        2 * ch,
                        n,
                        n,
                        2 * ch);
    }

    @ParameterizedTest
    @MethodSource("normShapes")
    void layerNormMatchesTheHost(int[] shape) {
        int rows = shape[0], f = shape[1] * shape[2], n = rows * f;
        for (boolean accumulate : new boolean[] {false, true})
            compare(
                    "layer norm " + Arrays.toString(shape) + (accumulate ? " accumulate" : ""),
                    1e-4,
                    (b, a) -> {
                        b.layerNormForward(a[0], 0, rows, f, a[1], 0, f, 1e-5, a[2], 0, n, a[3], 0);
                        b.layerNormBackward(a[4], 0, rows, f, a[1], a[5], 0, f, accumulate, a[2], 0, n, a[6], 0);
                        b.layerNormBackward(a[4], 0, rows, f, a[1], a[7], 0, f, accumulate, a[2], 0, n, null, 0);
                    },
                    n,
                    2 * f,
                    n + rows,
                    n,
                    n,
                    2 * f,
                    n,
                    2 * f);
    }

    @Test
    void dropoutDrawsTheHostsMaskBitForBit() {
        for (double p : new double[] {0.5, 0.1, 0.9}) {
            long key = CounterRandom.key(42, 17, 1, "layers.3");
            int n = 4099;
            compare(
                    "dropout " + p,
                    0,
                    (b, a) -> {
                        b.dropout(a[0], 0, a[1], 0, a[2], 0, n, key, p);
                        b.addcmul(a[3], 0f, a[3], 1f, a[4], a[2], 0, n);
                    },
                    n,
                    n,
                    n,
                    n,
                    n);
        }
    }

    /** The bit test behind dropout's device mask: {@code bits < threshold(p)} iff {@code uniform < p}. */
    @Test
    void theIntegerThresholdIsTheDoubleComparison() {
        long key = CounterRandom.key(1, 2, 0, "x");
        for (double p : new double[] {0, 1e-9, 0.3, 0.5, 1 - 1e-12, 1})
            for (long e = 0; e < 20_000; e++)
                assertEquals(
                        CounterRandom.uniform(key, e) < p,
                        CounterRandom.bits(key, e) < CounterRandom.threshold(p),
                        "p " + p + ", element " + e);
    }

    static Stream<Sequential> models() {
        return Stream.of(
                Models.image(2, 9, 8)
                        .conv2d(3, 3, 2, 1)
                        .add(BatchNorm.batchNorm2d(3))
                        .activation(Activation.RELU)
                        .maxPool2d(2)
                        .flatten()
                        .add(new Dropout(0.3))
                        .dense(6)
                        .add(new LayerNorm(6))
                        .dense(2)
                        .build(),
                Models.image(1, 7, 7)
                        .conv2d(2, 3)
                        .avgPool2d(2, 1)
                        .maxPool2d(2, 1)
                        .flatten()
                        .add(new BatchNorm(18))
                        .dense(3)
                        .build());
    }

    /**
     * Every built-in layer, in models, on the device: a training forward and backward (with dx),
     * a second accumulating step, and an evaluation pass, against the host.
     */
    @ParameterizedTest
    @MethodSource("models")
    void wholeModelsRunOnTheDevice(Sequential m) {
        int rows = 6;
        int in = rows * m.inputs(), out = rows * m.outputs(), np = m.parameterCount(), nb = m.bufferCount();
        float[] params = m.initialParameters(3), buffers = m.initialBuffers();
        compare(
                "model " + m,
                2e-4,
                (b, a) -> {
                    // a: x, dy, params, buffers, grads, dx, y (train 1), y (train 2), y (eval)
                    b.copy(params, 0, a[2], 0, np);
                    b.copy(buffers, 0, a[3], 0, nb);
                    var ws = m.workspace(rows);
                    for (int step = 0; step < 2; step++) {
                        ws.training(11, step, 0);
                        b.copy(m.forward(b, a[2], a[3], a[0], rows, ws), 0, a[6 + step], 0, out);
                        m.backward(b, a[2], a[0], rows, ws, a[1], a[4], step > 0, a[5]);
                    }
                    ws.evaluation();
                    b.copy(m.forward(b, a[2], a[3], a[0], rows, ws), 0, a[8], 0, out);
                },
                in,
                out,
                np,
                nb,
                np,
                in,
                out,
                out,
                out);
    }

    // ---- sparse (CSR) input: the batch's row pointers and columns staged into ix -----------

    /**
     * A CSR batch of 9 rows over 40 columns, longest row 12: rows 0, 4 and 8 (the last) empty, rows 1
     * and 6 at the longest length, and columns repeated across rows (most drawn from [0, 8)), so
     * the weight gradient's scatter adds several rows into the same elements.
     */
    static int[][] csr() {
        int[] lengths = {0, 12, 3, 1, 0, 7, 12, 5, 0};
        int[] rowStart = new int[lengths.length + 1];
        for (int r = 0; r < lengths.length; r++) rowStart[r + 1] = rowStart[r] + lengths[r];
        int[] columns = new int[rowStart[lengths.length]];
        SplittableRandom rnd = new SplittableRandom(14);
        for (int r = 0; r < lengths.length; r++) {
            java.util.TreeSet<Integer> cols = new java.util.TreeSet<>();
            if (lengths[r] > 0) cols.add(39); // the last column too
            while (cols.size() < lengths[r]) cols.add(cols.size() < 6 ? rnd.nextInt(8) : rnd.nextInt(39));
            int e = rowStart[r];
            for (int c : cols) columns[e++] = c;
        }
        return new int[][] {rowStart, columns};
    }

    /** Stages the batch's int arrays into ix when the backend is the device's. */
    static void stageCsr(Backend b, int[] rowStart, int[] columns) {
        if (!(b instanceof ArenaBackend arena)) return;
        int[] ix = engine.ixCapacity(rowStart.length + columns.length);
        System.arraycopy(rowStart, 0, ix, 0, rowStart.length);
        System.arraycopy(columns, 0, ix, rowStart.length, columns.length);
        arena.bindInts(rowStart, 0, rowStart.length);
        arena.bindInts(columns, rowStart.length, columns.length);
        engine.putIx();
    }

    /**
     * sparseLinear and sparseWeightGradient (which adds into a gradient that already holds values)
     * equal ScalarBackend's bit for bit: the same sums in the same order, one output or several.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {1, 3, 17})
    void sparseLinearAndItsWeightGradientAreExact(int outputs) {
        int[][] csr = csr();
        int[] rowStart = csr[0], columns = csr[1];
        int rows = rowStart.length - 1, inputs = 40, nnz = columns.length;
        compare(
                "sparse " + outputs,
                0,
                (b, a) -> {
                    stageCsr(b, rowStart, columns);
                    // values, then W at offset 3 and the bias after it in one parameter array, z at offset 2
                    b.sparseLinear(
                            rowStart,
                            columns,
                            a[0],
                            rows,
                            a[1],
                            3,
                            inputs,
                            a[1],
                            3 + outputs * inputs,
                            a[2],
                            2,
                            outputs);
                    b.sparseWeightGradient(a[3], 1, outputs, rowStart, columns, a[0], rows, a[4], 5, inputs);
                },
                nnz,
                3 + outputs * inputs + outputs,
                2 + rows * outputs,
                1 + rows * outputs,
                5 + outputs * inputs);
    }

    /** The per-call backend stages host arrays (ints too) and gives the same numbers; it checks the CSR first. */
    @Test
    void thePerCallBackendRunsTheSparseKernelsOnHostArrays() {
        int[][] csr = csr();
        int[] rowStart = csr[0], columns = csr[1];
        int rows = rowStart.length - 1, inputs = 40, outputs = 3;
        SplittableRandom rnd = new SplittableRandom(5);
        float[] values = new float[columns.length], w = new float[outputs * inputs], bias = new float[outputs];
        float[] dz = new float[rows * outputs], g = new float[outputs * inputs];
        for (float[] a : new float[][] {values, w, bias, dz, g})
            for (int i = 0; i < a.length; i++) a[i] = (float) (rnd.nextDouble() * 2 - 1);
        float[] zHost = new float[rows * outputs], zDevice = new float[rows * outputs], gDevice = g.clone();
        OpenClBackend gpu = OpenClBackend.create();
        host.sparseLinear(rowStart, columns, values, rows, w, 0, inputs, bias, 0, zHost, 0, outputs);
        gpu.sparseLinear(rowStart, columns, values, rows, w, 0, inputs, bias, 0, zDevice, 0, outputs);
        host.sparseWeightGradient(dz, 0, outputs, rowStart, columns, values, rows, g, 0, inputs);
        gpu.sparseWeightGradient(dz, 0, outputs, rowStart, columns, values, rows, gDevice, 0, inputs);
        org.junit.jupiter.api.Assertions.assertArrayEquals(zHost, zDevice);
        org.junit.jupiter.api.Assertions.assertArrayEquals(g, gDevice);
        int[] bad = columns.clone();
        bad[4] = inputs;
        var e = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class,
                () -> gpu.sparseLinear(rowStart, bad, values, rows, w, 0, inputs, bias, 0, zDevice, 0, outputs));
        assertEquals("CSR column 40 of row 1 is outside [0, 40)", e.getMessage());
    }
}
