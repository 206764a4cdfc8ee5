package dev.descent.gpu;

import dev.descent.backend.Activation;
import dev.descent.backend.Backend;
import dev.descent.backend.ImageWindow;
import dev.descent.gpu.OpenClEngine.Ref;
import dev.descent.gpu.OpenClEngine.UpdateOperands;
import dev.descent.loss.Loss;
import dev.descent.model.Sequential;
import dev.descent.optim.Adagrad;
import dev.descent.optim.Adam;
import dev.descent.optim.Optimizer;
import dev.descent.optim.RmsProp;
import dev.descent.optim.Sgd;
import dev.descent.train.TrainingSession;
import java.util.function.Consumer;

/**
 * {@link Backend} on an OpenCL device through Aparapi: every operation is one launch of {@link
 * DescentKernel} on the device, verified to have run there (never a silent Java fallback).
 *
 * <p>Training does not go through these per-call methods: as a {@link TrainingSession.SessionFactory}
 * the backend opens an {@link OpenClTrainingSession}, which keeps parameters, gradients, optimizer
 * state and activations on the device for the whole run and uploads only each batch ({@code
 * TrainingSession.open(backend, ...)} picks it automatically).
 *
 * <p>The {@link Backend} methods are the host-array level of the API: each call copies its inputs
 * into the engine's staging buffer, uploads it, launches, downloads, and copies the outputs back.
 * That costs two transfers per call, which is fine for tests and for occasional use.
 *
 * <p>Results match {@link dev.descent.backend.ScalarBackend}'s formulas, computed in float on the
 * device; they can differ from it in the last bits (fma contraction, device {@code exp}/{@code
 * tanh}/{@code sqrt}, the order of a parallel reduction). Reductions add per-work-group float
 * partials on the host in double.
 *
 * <p>Instances share one engine per JVM (one compiled kernel, one set of device buffers) and are
 * safe to use from several threads; calls are serialized.
 */
public final class OpenClBackend implements Backend, TrainingSession.SessionFactory {

    private final OpenClEngine engine;

    OpenClBackend(OpenClEngine engine) {
        this.engine = engine;
    }

    /**
     * The backend on the chosen OpenCL device (see {@link OpenClDevices}).
     *
     * @throws IllegalStateException if there is no usable OpenCL device; the message says what is
     *     missing and how to install it
     */
    public static OpenClBackend create() {
        return new OpenClBackend(OpenClBackendProvider.sharedEngine());
    }

    @Override
    public String name() {
        return "gpu";
    }

    /** {@code "OpenCL: <platform> / <device name> (<type>)"}. */
    @Override
    public String device() {
        return "OpenCL: " + engine.info().describe();
    }

    /** The device this backend runs on. */
    public OpenClDeviceInfo deviceInfo() {
        return engine.info();
    }

    /**
     * Kernel launches so far (by all backends sharing this engine) that completed and were verified
     * to have run as OpenCL on {@link #deviceInfo()}.
     */
    public long verifiedLaunches() {
        synchronized (engine) {
            return engine.verifiedLaunches();
        }
    }

    /**
     * A device-resident training session (its own kernel instance and arena on this backend's
     * device).
     *
     * @throws IllegalArgumentException for an optimizer without a fused device update (only {@code
     *     Sgd}, {@code Adam}/AdamW, {@code RmsProp} and {@code Adagrad} have one)
     */
    @Override
    public OpenClTrainingSession openSession(
            Sequential model, Loss loss, Optimizer optimizer, float[] initialParameters) {
        return new OpenClTrainingSession(this, model, loss, optimizer, initialParameters);
    }

    /** True: its sessions train on CSR batches on the device (dense update; not {@code SparseUpdate.LAZY}). */
    @Override
    public boolean takesSparseInput() {
        return true;
    }

    // ---- matrix products -------------------------------------------------------------------

    @Override
    public void matmul(
            float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int m, int n, int k, boolean accumulate) {
        product(a, aOff, b, bOff, c, cOff, m, n, k, accumulate, false, false);
    }

    @Override
    public void matmulTN(
            float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int m, int n, int k, boolean accumulate) {
        product(a, aOff, b, bOff, c, cOff, m, n, k, accumulate, true, false);
    }

    @Override
    public void matmulNT(
            float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int m, int n, int k, boolean accumulate) {
        product(a, aOff, b, bOff, c, cOff, m, n, k, accumulate, false, true);
    }

    private void product(
            float[] a,
            int aOff,
            float[] b,
            int bOff,
            float[] c,
            int cOff,
            int m,
            int n,
            int k,
            boolean accumulate,
            boolean transA,
            boolean transB) {
        if (m <= 0 || n <= 0) return;
        int sa = m * Math.max(k, 0), sb = Math.max(k, 0) * n, sc = m * n;
        synchronized (engine) {
            float[] io = engine.ioCapacity(sa + sb + sc);
            System.arraycopy(a, aOff, io, 0, sa);
            System.arraycopy(b, bOff, io, sa, sb);
            if (accumulate) System.arraycopy(c, cOff, io, sa + sb, sc);
            engine.putIo();
            engine.matmul(Ref.io(0), Ref.io(sa), Ref.io(sa + sb), m, n, Math.max(k, 0), transA, transB, accumulate);
            engine.getIo();
            System.arraycopy(io, sa + sb, c, cOff, sc);
        }
    }

    // ---- dense-layer helpers ---------------------------------------------------------------

    @Override
    public void addRowVector(float[] c, int cOff, int rows, int cols, float[] bias, int biasOff) {
        if (rows <= 0 || cols <= 0) return;
        int sc = rows * cols;
        synchronized (engine) {
            float[] io = engine.ioCapacity(sc + cols);
            System.arraycopy(c, cOff, io, 0, sc);
            System.arraycopy(bias, biasOff, io, sc, cols);
            engine.putIo();
            engine.addRowVector(Ref.io(0), rows, cols, Ref.io(sc));
            engine.getIo();
            System.arraycopy(io, 0, c, cOff, sc);
        }
    }

    @Override
    public void sumRows(float[] a, int aOff, int rows, int cols, float[] out, int outOff, boolean accumulate) {
        if (cols <= 0) return;
        int sa = Math.max(rows, 0) * cols;
        synchronized (engine) {
            float[] io = engine.ioCapacity(sa + cols);
            System.arraycopy(a, aOff, io, 0, sa);
            if (accumulate) System.arraycopy(out, outOff, io, sa, cols);
            engine.putIo();
            engine.sumRows(Ref.io(0), rows, cols, Ref.io(sa), accumulate);
            engine.getIo();
            System.arraycopy(io, sa, out, outOff, cols);
        }
    }

    @Override
    public void activate(Activation f, float[] z, int zOff, float[] out, int outOff, int n) {
        if (n <= 0) return;
        synchronized (engine) {
            float[] io = engine.ioCapacity(2 * n);
            System.arraycopy(z, zOff, io, 0, n);
            engine.putIo();
            engine.activate(kind(f), f.slope(), Ref.io(0), Ref.io(n), n);
            engine.getIo();
            System.arraycopy(io, n, out, outOff, n);
        }
    }

    @Override
    public void activationGrad(
            Activation f,
            float[] z,
            int zOff,
            float[] out,
            int outOff,
            float[] dOut,
            int dOutOff,
            float[] dz,
            int dzOff,
            int n) {
        if (n <= 0) return;
        // only the input the derivative needs travels: z for (leaky) ReLU and GELU, out for tanh and sigmoid
        boolean needsZ = f.kind() == Activation.Kind.RELU
                || f.kind() == Activation.Kind.LEAKY_RELU
                || f.kind() == Activation.Kind.GELU
                || f.kind() == Activation.Kind.GELU_TANH;
        boolean needsOut = f.kind() == Activation.Kind.TANH || f.kind() == Activation.Kind.SIGMOID;
        synchronized (engine) {
            float[] io = engine.ioCapacity(3 * n);
            System.arraycopy(dOut, dOutOff, io, 0, n);
            if (needsZ) System.arraycopy(z, zOff, io, n, n);
            if (needsOut) System.arraycopy(out, outOff, io, n, n);
            engine.putIo();
            engine.activationGrad(kind(f), f.slope(), Ref.io(n), Ref.io(n), Ref.io(0), Ref.io(2 * n), n);
            engine.getIo();
            System.arraycopy(io, 2 * n, dz, dzOff, n);
        }
    }

    /** Whether the device kernels implement f (every activation today; a new kind must opt in). */
    static boolean supports(Activation f) {
        return switch (f.kind()) {
            case IDENTITY, RELU, LEAKY_RELU, TANH, SIGMOID, GELU, GELU_TANH -> true;
        };
    }

    static int kind(Activation f) {
        return switch (f.kind()) {
            case IDENTITY -> DescentKernel.ACT_IDENTITY;
            case RELU -> DescentKernel.ACT_RELU;
            case LEAKY_RELU -> DescentKernel.ACT_LEAKY_RELU;
            case TANH -> DescentKernel.ACT_TANH;
            case SIGMOID -> DescentKernel.ACT_SIGMOID;
            case GELU -> DescentKernel.ACT_GELU;
            case GELU_TANH -> DescentKernel.ACT_GELU_TANH;
            default -> throw new UnsupportedOperationException("the gpu backend has no kernel for activation " + f);
        };
    }

    // ---- reductions and element-wise ops --------------------------------------------------

    @Override
    public float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        if (n <= 0) return 0f;
        synchronized (engine) {
            float[] io = engine.ioCapacity(2 * n);
            System.arraycopy(a, aOff, io, 0, n);
            System.arraycopy(b, bOff, io, n, n);
            engine.putIo();
            return (float) engine.dot(Ref.io(0), Ref.io(n), n);
        }
    }

    @Override
    public double sumSquares(float[] a, int off, int n) {
        if (n <= 0) return 0;
        synchronized (engine) {
            upload(a, off, n);
            return engine.sumSquares(Ref.io(0), n);
        }
    }

    @Override
    public double sumAbs(float[] a, int off, int n) {
        if (n <= 0) return 0;
        synchronized (engine) {
            upload(a, off, n);
            return engine.sumAbs(Ref.io(0), n);
        }
    }

    @Override
    public float maxAbs(float[] a, int off, int n) {
        if (n <= 0) return 0f;
        synchronized (engine) {
            upload(a, off, n);
            return engine.maxAbs(Ref.io(0), n);
        }
    }

    private float[] upload(float[] a, int off, int n) {
        float[] io = engine.ioCapacity(n);
        System.arraycopy(a, off, io, 0, n);
        engine.putIo();
        return io;
    }

    @Override
    public void scale(float[] a, int off, int n, float s) {
        if (n <= 0) return;
        synchronized (engine) {
            float[] io = upload(a, off, n);
            engine.scale(Ref.io(0), n, s);
            engine.getIo();
            System.arraycopy(io, 0, a, off, n);
        }
    }

    @Override
    public void clampAbs(float[] a, int off, int n, float limit) {
        if (n <= 0) return;
        synchronized (engine) {
            float[] io = upload(a, off, n);
            engine.clampAbs(Ref.io(0), n, limit);
            engine.getIo();
            System.arraycopy(io, 0, a, off, n);
        }
    }

    @Override
    public void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        if (n <= 0) return;
        synchronized (engine) {
            float[] io = engine.ioCapacity(2 * n);
            System.arraycopy(x, xOff, io, 0, n);
            System.arraycopy(y, yOff, io, n, n);
            engine.putIo();
            engine.axpy(alpha, Ref.io(0), Ref.io(n), n);
            engine.getIo();
            System.arraycopy(io, n, y, yOff, n);
        }
    }

    // ---- the generic element-wise steps: one kernel each, operands staged through io --------

    /**
     * Stages {@code [off, off+n)} of each operand into io, one after another (a null operand, a term
     * the op skips, takes its slot unfilled); returns io. The output's slot follows them.
     */
    private float[] stage(int off, int n, float[]... operands) {
        float[] io = engine.ioCapacity((operands.length + 1) * n);
        for (int k = 0; k < operands.length; k++)
            if (operands[k] != null) System.arraycopy(operands[k], off, io, k * n, n);
        engine.putIo();
        return io;
    }

    /** Downloads io and copies the output slot (after {@code inputs} operands) into out. */
    private void unstage(float[] out, int off, int n, int inputs) {
        engine.getIo();
        System.arraycopy(engine.ioCapacity((inputs + 1) * n), inputs * n, out, off, n);
    }

    @Override
    public void axpby(float[] out, float a, float[] x, float b, float[] y, int off, int n) {
        if (n <= 0) return;
        synchronized (engine) {
            stage(off, n, a == 0f ? null : x, y);
            engine.axpby(Ref.io(2 * n), a, Ref.io(0), b, Ref.io(n), n);
            unstage(out, off, n, 2);
        }
    }

    @Override
    public void addcmul(float[] out, float a, float[] y, float b, float[] x, float[] z, int off, int n) {
        if (n <= 0) return;
        synchronized (engine) {
            stage(off, n, a == 0f ? null : y, x, z);
            engine.addcmul(Ref.io(3 * n), a, Ref.io(0), b, Ref.io(n), Ref.io(2 * n), n);
            unstage(out, off, n, 3);
        }
    }

    @Override
    public void addcdiv(float[] out, float a, float[] y, float b, float[] x, float[] z, float eps, int off, int n) {
        if (n <= 0) return;
        synchronized (engine) {
            stage(off, n, a == 0f ? null : y, x, z);
            engine.addcdiv(Ref.io(3 * n), a, Ref.io(0), b, Ref.io(n), Ref.io(2 * n), eps, n);
            unstage(out, off, n, 3);
        }
    }

    @Override
    public void map(Unary f, float[] out, float s, float[] x, float c, int off, int n) {
        if (n <= 0) return;
        synchronized (engine) {
            stage(off, n, x);
            engine.map(f, Ref.io(n), s, Ref.io(0), c, n);
            unstage(out, off, n, 1);
        }
    }

    @Override
    public void maximum(float[] out, float a, float[] y, float[] x, float c, int off, int n) {
        if (n <= 0) return;
        synchronized (engine) {
            stage(off, n, y, x);
            engine.maximum(Ref.io(2 * n), a, Ref.io(0), Ref.io(n), c, n);
            unstage(out, off, n, 2);
        }
    }

    // ---- fused optimizer updates -----------------------------------------------------------

    @Override
    public void sgdUpdate(
            Sgd rule, Sgd.State s, float[] p, float[] g, int n, float lr, float momentum, boolean firstStep) {
        float[] buf = momentum != 0f ? s.momentumBuffer() : null;
        fused(n, p, g, buf, null, null, o -> engine.sgd(rule, o, n, lr, momentum, firstStep));
    }

    @Override
    public void adamUpdate(Adam rule, Adam.State s, float[] p, float[] g, int n, float lr, float beta1, long step) {
        fused(n, p, g, s.expAvg(), s.expAvgSq(), s.maxExpAvgSq(), o -> engine.adam(rule, o, n, lr, beta1, step));
    }

    @Override
    public void rmspropUpdate(RmsProp rule, RmsProp.State s, float[] p, float[] g, int n, float lr, float momentum) {
        fused(n, p, g, s.squareAvg(), s.momentumBuffer(), s.gradAvg(), o -> engine.rmsprop(rule, o, n, lr, momentum));
    }

    @Override
    public void adagradUpdate(Adagrad rule, Adagrad.State s, float[] p, float[] g, int n, float lr, long step) {
        fused(n, p, g, s.sum(), null, null, o -> engine.adagrad(rule, o, n, lr, step));
    }

    /**
     * A fused update through io: stages p, g and the state buffers s1..s3 (null ones skipped), runs
     * {@code launch} on their io slots, and copies p and the state buffers back. Overwrites p, s1..s3.
     */
    private void fused(
            int n, float[] p, float[] g, float[] s1, float[] s2, float[] s3, Consumer<UpdateOperands> launch) {
        if (n <= 0) return;
        synchronized (engine) {
            float[][] slots = {p, g, s1, s2, s3};
            float[] io = engine.ioCapacity(slots.length * n);
            for (int k = 0; k < slots.length; k++) if (slots[k] != null) System.arraycopy(slots[k], 0, io, k * n, n);
            engine.putIo();
            launch.accept(new UpdateOperands(Ref.io(0), Ref.io(n), slot(s1, 2 * n), slot(s2, 3 * n), slot(s3, 4 * n)));
            engine.getIo();
            for (int k = 0; k < slots.length; k++)
                if (k != 1 && slots[k] != null) System.arraycopy(io, k * n, slots[k], 0, n);
        }
    }

    // ---- layer operations: the device session's kernels over host arrays staged whole ----------

    /**
     * Runs {@code op} on the device with an {@link ArenaBackend} whose handles are the given host
     * arrays, each staged whole into the io buffer (an array named twice once, null skipped): one
     * upload, the op's launches, one download, and every array copied back (the op's outputs among
     * them; its inputs come back unchanged). So the layer operations run the very kernels the
     * training session runs, with no second host-array implementation of each.
     */
    private void staged(java.util.function.Consumer<ArenaBackend> op, float[]... arrays) {
        staged(op, new int[0][], arrays);
    }

    /** {@link #staged(java.util.function.Consumer, float[]...)} with int operands staged whole into ix (read only). */
    private void staged(java.util.function.Consumer<ArenaBackend> op, int[][] ints, float[]... arrays) {
        synchronized (engine) {
            java.util.Set<float[]> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            java.util.List<float[]> distinct = new java.util.ArrayList<>();
            long total = 0, intTotal = 0;
            for (float[] a : arrays)
                if (a != null && seen.add(a)) {
                    distinct.add(a);
                    total += a.length;
                }
            for (int[] a : ints) intTotal += a.length;
            if (total > Integer.MAX_VALUE - 16 || intTotal > Integer.MAX_VALUE - 16)
                throw new IllegalArgumentException("the operands of one gpu operation hold " + total + " floats and "
                        + intTotal + " ints, more than one device buffer holds");
            float[] io = engine.ioCapacity((int) total);
            ArenaBackend device = new ArenaBackend(engine, 0, 0, "host arrays", false);
            int at = 0;
            for (float[] a : distinct) {
                System.arraycopy(a, 0, io, at, a.length);
                device.bind(a, Ref.io(at), a.length);
                at += a.length;
            }
            if (ints.length > 0) {
                int[] ix = engine.ixCapacity((int) intTotal);
                at = 0;
                for (int[] a : ints) {
                    System.arraycopy(a, 0, ix, at, a.length);
                    device.bindInts(a, at, a.length);
                    at += a.length;
                }
                engine.putIx();
            }
            engine.putIo();
            op.accept(device);
            engine.getIo();
            at = 0;
            for (float[] a : distinct) {
                System.arraycopy(io, at, a, 0, a.length);
                at += a.length;
            }
        }
    }

    /**
     * Checks a CSR batch before it reaches the device, where a bad index would read or write outside
     * its operand instead of failing: row pointers non-decreasing from {@code rowStart[0] >= 0}
     * within the column and value arrays, columns in {@code [0, inputs)}.
     */
    static void checkCsr(int[] rowStart, int[] columns, float[] values, int rows, int inputs) {
        if (rows < 0 || rowStart.length < rows + 1)
            throw new IllegalArgumentException(
                    rows + " CSR rows need " + (rows + 1) + " row pointers, got " + rowStart.length);
        if (rows == 0) return;
        int end = rowStart[rows];
        if (rowStart[0] < 0 || end > columns.length || end > values.length)
            throw new IllegalArgumentException("CSR entries [" + rowStart[0] + ", " + end + ") are outside the "
                    + columns.length + " columns and " + values.length + " values given");
        for (int r = 0; r < rows; r++) {
            if (rowStart[r + 1] < rowStart[r])
                throw new IllegalArgumentException(
                        "CSR row pointers decrease at row " + r + ": " + rowStart[r] + " then " + rowStart[r + 1]);
            for (int e = rowStart[r]; e < rowStart[r + 1]; e++)
                if (columns[e] < 0 || columns[e] >= inputs)
                    throw new IllegalArgumentException(
                            "CSR column " + columns[e] + " of row " + r + " is outside [0, " + inputs + ")");
        }
    }

    @Override
    public void sparseLinear(
            int[] rowStart,
            int[] columns,
            float[] values,
            int rows,
            float[] w,
            int wOff,
            int inputs,
            float[] bias,
            int biasOff,
            float[] z,
            int zOff,
            int outputs) {
        if (rows <= 0 || outputs <= 0) return;
        checkCsr(rowStart, columns, values, rows, inputs);
        staged(
                d -> d.sparseLinear(rowStart, columns, values, rows, w, wOff, inputs, bias, biasOff, z, zOff, outputs),
                new int[][] {rowStart, columns},
                values,
                w,
                bias,
                z);
    }

    @Override
    public void sparseWeightGradient(
            float[] dz,
            int dzOff,
            int outputs,
            int[] rowStart,
            int[] columns,
            float[] values,
            int rows,
            float[] g,
            int gOff,
            int inputs) {
        if (rows <= 0 || outputs <= 0) return;
        checkCsr(rowStart, columns, values, rows, inputs);
        staged(
                d -> d.sparseWeightGradient(dz, dzOff, outputs, rowStart, columns, values, rows, g, gOff, inputs),
                new int[][] {rowStart, columns},
                dz,
                values,
                g);
    }

    /** A copy between host arrays is no arithmetic: the interface's {@code System.arraycopy}. */
    @Override
    public void copy(float[] src, int srcOff, float[] dst, int dstOff, int n) {
        Backend.super.copy(src, srcOff, dst, dstOff, n);
    }

    /** On the host: a batch is gathered into host arrays before its step stages them. */
    @Override
    public void gatherRows(float[] src, int width, int[] rows, int rowsOff, int count, float[] dst, int dstOff) {
        Backend.super.gatherRows(src, width, rows, rowsOff, count, dst, dstOff);
    }

    @Override
    public void fill(float[] a, int off, int n, float value) {
        staged(d -> d.fill(a, off, n, value), a);
    }

    @Override
    public void im2col(ImageWindow window, float[] x, int xOff, int rows, float[] col, int colOff) {
        staged(d -> d.im2col(window, x, xOff, rows, col, colOff), x, col);
    }

    @Override
    public void col2im(ImageWindow window, float[] col, int colOff, int rows, float[] dx, int dxOff) {
        staged(d -> d.col2im(window, col, colOff, rows, dx, dxOff), col, dx);
    }

    /** The device runs the composition (im2col and a product) on the layer's blocks, as they are. */
    @Override
    public int convolutionRows(ImageWindow window, int outChannels, int blockRows, int rows) {
        return blockRows;
    }

    @Override
    public void channelMajorToRows(
            float[] src,
            int srcOff,
            int rows,
            int channels,
            int plane,
            float[] bias,
            int biasOff,
            float[] dst,
            int dstOff) {
        staged(
                d -> d.channelMajorToRows(src, srcOff, rows, channels, plane, bias, biasOff, dst, dstOff),
                src,
                bias,
                dst);
    }

    @Override
    public void rowsToChannelMajor(
            float[] src, int srcOff, int rows, int channels, int plane, float[] dst, int dstOff) {
        staged(d -> d.rowsToChannelMajor(src, srcOff, rows, channels, plane, dst, dstOff), src, dst);
    }

    @Override
    public void sumEachRow(float[] a, int aOff, int rows, int cols, float[] out, int outOff, boolean accumulate) {
        staged(d -> d.sumEachRow(a, aOff, rows, cols, out, outOff, accumulate), a, out);
    }

    @Override
    public void maxPool(
            ImageWindow window, float[] x, int xOff, int rows, float[] y, int yOff, float[] argmax, int argmaxOff) {
        staged(d -> d.maxPool(window, x, xOff, rows, y, yOff, argmax, argmaxOff), x, y, argmax);
    }

    @Override
    public void maxPoolBackward(
            ImageWindow window, float[] dy, int dyOff, float[] argmax, int argmaxOff, int rows, float[] dx, int dxOff) {
        staged(d -> d.maxPoolBackward(window, dy, dyOff, argmax, argmaxOff, rows, dx, dxOff), dy, argmax, dx);
    }

    @Override
    public void avgPool(ImageWindow window, float[] x, int xOff, int rows, float[] y, int yOff) {
        staged(d -> d.avgPool(window, x, xOff, rows, y, yOff), x, y);
    }

    @Override
    public void avgPoolBackward(ImageWindow window, float[] dy, int dyOff, int rows, float[] dx, int dxOff) {
        staged(d -> d.avgPoolBackward(window, dy, dyOff, rows, dx, dxOff), dy, dx);
    }

    @Override
    public void batchNormForward(
            float[] x,
            int xOff,
            int rows,
            int channels,
            int positions,
            float[] params,
            int weightOff,
            int biasOff,
            float[] buffers,
            int meanOff,
            int varOff,
            int trackedOff,
            boolean training,
            boolean cumulative,
            double momentum,
            double eps,
            float[] scratch,
            int xhatOff,
            int rstdOff,
            float[] y,
            int yOff) {
        staged(
                d -> d.batchNormForward(
                        x,
                        xOff,
                        rows,
                        channels,
                        positions,
                        params,
                        weightOff,
                        biasOff,
                        buffers,
                        meanOff,
                        varOff,
                        trackedOff,
                        training,
                        cumulative,
                        momentum,
                        eps,
                        scratch,
                        xhatOff,
                        rstdOff,
                        y,
                        yOff),
                x,
                params,
                buffers,
                scratch,
                y);
    }

    @Override
    public void batchNormBackward(
            float[] dy,
            int dyOff,
            int rows,
            int channels,
            int positions,
            float[] params,
            float[] grads,
            int weightOff,
            int biasOff,
            boolean accumulate,
            boolean training,
            float[] scratch,
            int xhatOff,
            int rstdOff,
            float[] dx,
            int dxOff) {
        staged(
                d -> d.batchNormBackward(
                        dy,
                        dyOff,
                        rows,
                        channels,
                        positions,
                        params,
                        grads,
                        weightOff,
                        biasOff,
                        accumulate,
                        training,
                        scratch,
                        xhatOff,
                        rstdOff,
                        dx,
                        dxOff),
                dy,
                params,
                grads,
                scratch,
                dx);
    }

    @Override
    public void layerNormForward(
            float[] x,
            int xOff,
            int rows,
            int features,
            float[] params,
            int weightOff,
            int biasOff,
            double eps,
            float[] scratch,
            int xhatOff,
            int rstdOff,
            float[] y,
            int yOff) {
        staged(
                d -> d.layerNormForward(
                        x, xOff, rows, features, params, weightOff, biasOff, eps, scratch, xhatOff, rstdOff, y, yOff),
                x,
                params,
                scratch,
                y);
    }

    @Override
    public void layerNormBackward(
            float[] dy,
            int dyOff,
            int rows,
            int features,
            float[] params,
            float[] grads,
            int weightOff,
            int biasOff,
            boolean accumulate,
            float[] scratch,
            int xhatOff,
            int rstdOff,
            float[] dx,
            int dxOff) {
        staged(
                d -> d.layerNormBackward(
                        dy,
                        dyOff,
                        rows,
                        features,
                        params,
                        grads,
                        weightOff,
                        biasOff,
                        accumulate,
                        scratch,
                        xhatOff,
                        rstdOff,
                        dx,
                        dxOff),
                dy,
                params,
                grads,
                scratch,
                dx);
    }

    @Override
    public void dropout(
            float[] x, int xOff, float[] y, int yOff, float[] mask, int maskOff, int n, long key, double p) {
        staged(d -> d.dropout(x, xOff, y, yOff, mask, maskOff, n, key, p), x, y, mask);
    }

    private static Ref slot(float[] a, int off) {
        return a == null ? null : Ref.io(off);
    }
}
