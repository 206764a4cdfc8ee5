package dev.descent.backend;

import dev.descent.optim.Adagrad;
import dev.descent.optim.Adam;
import dev.descent.optim.RmsProp;
import dev.descent.optim.Sgd;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The arithmetic a training step needs, on flat row-major {@code float[]} buffers addressed by
 * offset. Models, losses, optimizers and the trainer call only this interface; {@link
 * ScalarBackend} is the readable reference, {@link SimdBackend} the Vector API implementation, and
 * the gpu module adds an OpenCL one.
 *
 * <p>Conventions: a matrix of {@code r×c} is stored row-major at {@code off}, element (i, j) at
 * {@code off + i*c + j}. Methods name the arrays they overwrite ("out", "c", "dz") and read all
 * others. Arrays named differently may alias only where a method says so.
 */
public interface Backend {

    /**
     * Marks a default operation written only with other {@code Backend} operations (no loop over
     * the arrays of its own): it runs on any backend's kernels for those, so a backend that keeps
     * its arrays elsewhere (the gpu's device buffers) need not declare it. A default with a host
     * loop carries no mark, and such a backend must implement or refuse it.
     */
    @Documented
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.METHOD)
    @interface Composed {}

    /** Short name: "scalar", "simd", "gpu". */
    String name();

    /** What the arithmetic runs on, for logs and benchmark reports (e.g. "CPU, 16 float lanes"). */
    String device();

    // ---- matrix products: the three layouts of a dense layer -------------------------------

    /** {@code C[m×n] = A[m×k]·B[k×n]}, or {@code C += A·B} when {@code accumulate}. Overwrites c. */
    void matmul(float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int m, int n, int k, boolean accumulate);

    /** {@code C[m×n] = Aᵀ·B} with A stored {@code k×m} and B {@code k×n}; {@code +=} when accumulate. */
    void matmulTN(
            float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int m, int n, int k, boolean accumulate);

    /** {@code C[m×n] = A·Bᵀ} with A stored {@code m×k} and B {@code n×k}; {@code +=} when accumulate. */
    void matmulNT(
            float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int m, int n, int k, boolean accumulate);

    // ---- dense-layer helpers ---------------------------------------------------------------

    /**
     * A dense layer's forward pass: {@code z[rows×outputs] = x[rows×inputs]·Wᵀ + bias} with W stored
     * {@code outputs×inputs}, then {@code out = f(z)}. Reads x, w and bias; overwrites z and out
     * (out may be z itself). This default runs {@link #matmulNT}, {@link #addRowVector} and {@link
     * #activate} in turn; a backend may fuse them, with the same result.
     */
    @Composed
    default void dense(
            Activation f,
            float[] x,
            int xOff,
            float[] w,
            int wOff,
            float[] bias,
            int biasOff,
            float[] z,
            int zOff,
            float[] out,
            int outOff,
            int rows,
            int outputs,
            int inputs) {
        matmulNT(x, xOff, w, wOff, z, zOff, rows, outputs, inputs, false);
        addRowVector(z, zOff, rows, outputs, bias, biasOff);
        activate(f, z, zOff, out, outOff, rows * outputs);
    }

    // ---- sparse (CSR) input of a first dense layer -----------------------------------------

    /**
     * A dense layer's pre-activation for CSR input: {@code z[r×outputs + o] = Σ_k values[k]·W[o,
     * columns[k]] + bias[o]} over row r's entries {@code k ∈ [rowStart[r], rowStart[r+1])}, W stored
     * {@code outputs×inputs} from wOff. Reads the CSR arrays, w and bias; overwrites {@code
     * z[zOff, zOff + rows×outputs)}. Equal to {@link #dense} on the densified rows up to float
     * summation order.
     */
    default void sparseLinear(
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
        LayerLoops.sparseLinear(rowStart, columns, values, 0, rows, w, wOff, inputs, bias, biasOff, z, zOff, outputs);
    }

    /**
     * The weight gradient of {@link #sparseLinear}, a transposed scatter: {@code g[gOff + o×inputs +
     * columns[k]] += dz[r×outputs + o]·values[k]} for every row r, entry k of row r and output o.
     * Reads dz and the CSR arrays; adds into g (only at the batch's columns: the caller zeroes g first
     * to overwrite).
     */
    default void sparseWeightGradient(
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
        LayerLoops.sparseWeightGradient(
                dz, dzOff, outputs, rowStart, columns, values, rows, g, gOff, inputs, 0, inputs);
    }

    /** Adds {@code bias[cols]} to every row of {@code c[rows×cols]}. Overwrites c. */
    void addRowVector(float[] c, int cOff, int rows, int cols, float[] bias, int biasOff);

    /** Column sums of {@code a[rows×cols]} into {@code out[cols]} ({@code +=} when accumulate). */
    void sumRows(float[] a, int aOff, int rows, int cols, float[] out, int outOff, boolean accumulate);

    /** {@code out[i] = f(z[i])} for n elements; out may be z itself. */
    void activate(Activation f, float[] z, int zOff, float[] out, int outOff, int n);

    /**
     * {@code dz[i] = dOut[i]·f'(z[i])}, given the pre-activation z and the output {@code out = f(z)}
     * (tanh and sigmoid use out). dz may be dOut itself.
     */
    void activationGrad(
            Activation f,
            float[] z,
            int zOff,
            float[] out,
            int outOff,
            float[] dOut,
            int dOutOff,
            float[] dz,
            int dzOff,
            int n);

    // ---- reductions and element-wise ops --------------------------------------------------

    /** {@code Σ a[i]·b[i]}. */
    float dot(float[] a, int aOff, float[] b, int bOff, int n);

    /** {@code Σ a[i]²}, accumulated in double. */
    double sumSquares(float[] a, int off, int n);

    /** {@code Σ |a[i]|}, accumulated in double. */
    double sumAbs(float[] a, int off, int n);

    /** {@code max |a[i]|} (0 for n = 0; NaN if any element is NaN). */
    float maxAbs(float[] a, int off, int n);

    /** {@code a[i] *= s}. Overwrites a. */
    void scale(float[] a, int off, int n, float s);

    /** {@code a[i] = clamp(a[i], -limit, limit)}. Overwrites a. */
    void clampAbs(float[] a, int off, int n, float limit);

    /** {@code y[i] += alpha·x[i]}. Overwrites y. */
    void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n);

    // ---- element-wise steps: the generic path of update rules without a fused kernel -------

    /**
     * The functions {@link #map} applies: square root, absolute value, sign ({@link Math#signum}:
     * -1, 0 or 1, NaN stays NaN).
     */
    enum Unary {
        SQRT,
        ABS,
        SIGN
    }

    /*
     * The element-wise operations below are what an update rule without a fused kernel is written
     * with (PyTorch's "foreach" vocabulary). Every array is addressed over the same range
     * [off, off + n) (they all run parallel to the flat parameter buffer); out is overwritten, the
     * other arrays are read, and any input may be out itself (each element is read before it is
     * written). A term whose coefficient a is 0 is skipped, so out's old value (a scratch buffer's
     * garbage, a NaN) is not read. The defaults are plain loops that the JIT auto-vectorises, so
     * the scalar and SIMD backends share them. The gpu backend runs each as one OpenCL kernel,
     * on host arrays (per call) or on the device arena (inside its training session).
     */

    /** {@code out = a·x + b·y}, element-wise (the x term skipped when a is 0). Overwrites out. */
    default void axpby(float[] out, float a, float[] x, float b, float[] y, int off, int n) {
        if (a == 0f) for (int i = off; i < off + n; i++) out[i] = b * y[i];
        else for (int i = off; i < off + n; i++) out[i] = a * x[i] + b * y[i];
    }

    /** {@code out = a·y + b·x·z}, element-wise (the y term skipped when a is 0). Overwrites out. */
    default void addcmul(float[] out, float a, float[] y, float b, float[] x, float[] z, int off, int n) {
        if (a == 0f) for (int i = off; i < off + n; i++) out[i] = b * x[i] * z[i];
        else for (int i = off; i < off + n; i++) out[i] = a * y[i] + b * x[i] * z[i];
    }

    /** {@code out = a·y + b·x / (z + eps)}, element-wise (the y term skipped when a is 0). Overwrites out. */
    default void addcdiv(float[] out, float a, float[] y, float b, float[] x, float[] z, float eps, int off, int n) {
        if (a == 0f) for (int i = off; i < off + n; i++) out[i] = b * x[i] / (z[i] + eps);
        else for (int i = off; i < off + n; i++) out[i] = a * y[i] + b * x[i] / (z[i] + eps);
    }

    /** {@code out = f(s·x + c)}, element-wise. Overwrites out. */
    default void map(Unary f, float[] out, float s, float[] x, float c, int off, int n) {
        switch (f) {
            case SQRT -> {
                for (int i = off; i < off + n; i++) out[i] = (float) Math.sqrt(s * x[i] + c);
            }
            case ABS -> {
                for (int i = off; i < off + n; i++) out[i] = Math.abs(s * x[i] + c);
            }
            case SIGN -> {
                for (int i = off; i < off + n; i++) out[i] = Math.signum(s * x[i] + c);
            }
        }
    }

    /** {@code out = max(a·y, x + c)}, element-wise (NaN if either is NaN). Overwrites out. */
    default void maximum(float[] out, float a, float[] y, float[] x, float c, int off, int n) {
        for (int i = off; i < off + n; i++) out[i] = Math.max(a * y[i], x[i] + c);
    }

    /**
     * {@code dst[dstOff + i] = src[srcOff + i]} for {@code i < n}: parameter groups gather their
     * ranges into compact arrays and scatter them back with it. The two ranges must not overlap.
     * Overwrites dst.
     */
    default void copy(float[] src, int srcOff, float[] dst, int dstOff, int n) {
        System.arraycopy(src, srcOff, dst, dstOff, n);
    }

    /**
     * Row i of dst (the width floats from {@code dstOff + i·width}) becomes row {@code rows[rowsOff +
     * i]} of the row-major src, for {@code i < count}: a minibatch's features gathered from its data
     * set ({@link dev.descent.data.Batches#next(dev.descent.data.Batch, Backend)}). Reads src and
     * rows; overwrites those rows of dst.
     */
    default void gatherRows(float[] src, int width, int[] rows, int rowsOff, int count, float[] dst, int dstOff) {
        for (int i = 0; i < count; i++)
            System.arraycopy(src, rows[rowsOff + i] * width, dst, dstOff + i * width, width);
    }

    /** {@code a[off + i] = value} for {@code i < n}. Overwrites a. */
    default void fill(float[] a, int off, int n, float value) {
        java.util.Arrays.fill(a, off, off + n, value);
    }

    // ---- layer operations: what the built-in layers do besides matrix products --------------
    // Every built-in layer reaches its arrays only through Backend operations, so it runs on every
    // backend, the gpu's device-resident one included (whose arrays are handles of device memory).
    // Rows are NCHW examples as in ImageWindow; x, y, dx, dy, scratch, parameters and gradients are
    // addressed by offset like every other operand. The defaults are the reference loops.

    /**
     * im2col: unfolds {@code rows} images of {@code x} (from xOff) into {@code col [patch, rows·P]}
     * (P = {@link ImageWindow#plane}, row length {@code rows·P}): {@code col[(ch·kh + i)·kw + j][e·P +
     * a·OW + b] = x[e][ch][a·sh − ph + i][b·sw − pw + j]}, 0 in the padding. Reads x; overwrites
     * {@code col[colOff, colOff + patch·rows·P)}.
     */
    default void im2col(ImageWindow window, float[] x, int xOff, int rows, float[] col, int colOff) {
        LayerLoops.im2col(window, x, xOff, rows, col, colOff);
    }

    /**
     * col2im, the adjoint of {@link #im2col}: {@code dx} (rows images from dxOff) is set to 0, then
     * every element of col is added into the element of dx it was read from. Reads col; overwrites
     * {@code dx[dxOff, dxOff + rows·C·H·W)}.
     */
    default void col2im(ImageWindow window, float[] col, int colOff, int rows, float[] dx, int dxOff) {
        LayerLoops.col2im(window, col, colOff, rows, dx, dxOff);
    }

    /**
     * From channel-major {@code src [channels, rows·plane]} (a convolution's {@code W·col}) to NCHW
     * rows {@code dst[e·channels·plane + o·plane + q] = src[o·rows·plane + e·plane + q] + bias[o]}.
     * Reads src and bias; overwrites {@code dst[dstOff, dstOff + rows·channels·plane)}.
     */
    default void channelMajorToRows(
            float[] src,
            int srcOff,
            int rows,
            int channels,
            int plane,
            float[] bias,
            int biasOff,
            float[] dst,
            int dstOff) {
        LayerLoops.channelMajorToRows(src, srcOff, rows, channels, plane, bias, biasOff, dst, dstOff);
    }

    /**
     * The inverse gather of {@link #channelMajorToRows}, without bias: {@code dst[o·rows·plane + e·plane
     * + q] = src[e·channels·plane + o·plane + q]}. Reads src; overwrites {@code dst[dstOff, dstOff +
     * rows·channels·plane)}.
     */
    default void rowsToChannelMajor(
            float[] src, int srcOff, int rows, int channels, int plane, float[] dst, int dstOff) {
        LayerLoops.rowsToChannelMajor(src, srcOff, rows, channels, plane, dst, dstOff);
    }

    /**
     * Row sums of {@code a[rows×cols]} (each a float sum in column order) into {@code out[rows]}
     * ({@code +=} when accumulate), e.g. a convolution's bias gradient per channel. Overwrites out.
     */
    default void sumEachRow(float[] a, int aOff, int rows, int cols, float[] out, int outOff, boolean accumulate) {
        LayerLoops.sumEachRow(a, aOff, rows, cols, out, outOff, accumulate);
    }

    /**
     * Images per {@link #convolution} call for a layer of {@code rows} images whose im2col block
     * (the layer's scratch) holds {@code blockRows}: this default keeps blockRows; a backend whose
     * convolution of this window needs no scratch may take more at once.
     */
    default int convolutionRows(ImageWindow window, int outChannels, int blockRows, int rows) {
        return blockRows;
    }

    /**
     * One block of a convolution's forward pass: {@code rows} images of x (from xOff) convolved with
     * {@code w [out, patch]} (from wOff, {@code out = outChannels}) plus {@code bias [out]}, into
     * {@code rows} NCHW rows {@code [out, OH, OW]} of y (from yOff). This default unfolds the block
     * ({@link #im2col}), multiplies ({@link #matmul}) and scatters with the bias ({@link
     * #channelMajorToRows}). Reads x, w and bias; overwrites those rows of y and {@code
     * scratch[scratchOff, scratchOff + rows·P·(patch + out))}.
     */
    @Composed
    default void convolution(
            ImageWindow window,
            int outChannels,
            float[] x,
            int xOff,
            int rows,
            float[] w,
            int wOff,
            float[] bias,
            int biasOff,
            float[] y,
            int yOff,
            float[] scratch,
            int scratchOff) {
        int k = window.patch(), plane = window.plane(), gp = rows * plane, at = scratchOff + k * gp;
        im2col(window, x, xOff, rows, scratch, scratchOff);
        matmul(w, wOff, scratch, scratchOff, scratch, at, outChannels, gp, k, false);
        channelMajorToRows(scratch, at, rows, outChannels, plane, bias, biasOff, y, yOff);
    }

    /**
     * One block of a convolution's backward pass (see {@link #convolution}): with dy the {@code
     * rows} NCHW rows of dLoss/dy (from dyOff), adds {@code dW = dY·colᵀ} into {@code grad[dwOff,
     * dwOff + out·patch)} and each channel's sum of dy into {@code grad[dbOff, dbOff + out)}, and,
     * unless dx is null, sets dx's rows (from dxOff) to the input gradient ({@code Wᵀ·dY} folded by
     * {@link #col2im}; the weight gradient by {@link #convolutionWeightGradient}). Reads x, w and dy;
     * overwrites {@code scratch[scratchOff, scratchOff + rows·P·(patch + out))}.
     */
    @Composed
    default void convolutionBackward(
            ImageWindow window,
            int outChannels,
            float[] x,
            int xOff,
            int rows,
            float[] w,
            int wOff,
            float[] dy,
            int dyOff,
            float[] grad,
            int dwOff,
            int dbOff,
            float[] dx,
            int dxOff,
            float[] scratch,
            int scratchOff) {
        int k = window.patch(), plane = window.plane(), gp = rows * plane, at = scratchOff + k * gp;
        rowsToChannelMajor(dy, dyOff, rows, outChannels, plane, scratch, at);
        sumEachRow(scratch, at, outChannels, gp, grad, dbOff, true); // db += Σ dY
        convolutionWeightGradient(window, outChannels, x, xOff, rows, scratch, at, grad, dwOff, scratch, scratchOff);
        if (dx != null)
            convolutionInputGradient(window, outChannels, w, wOff, scratch, at, rows, dx, dxOff, scratch, scratchOff);
    }

    /**
     * {@link #convolutionBackward} with no input gradient (a first layer) for a convolution whose
     * output a max-pool took (window {@code pool} over the convolution's output): the pool's backward
     * first, from {@code dPooled} (dLoss/d(pooled output), {@code rows} rows of {@code C·PH·PW} from
     * dPooledOff) and the pool's argmax (same layout, from argmaxOff), into dy ({@code rows} NCHW
     * rows of the convolution's output from dyOff), then the weight and bias gradients from dy. Reads
     * x, dPooled and argmax; adds into grad; overwrites dy's rows (or leaves them undefined: a backend
     * may never write them) and the scratch.
     */
    @Composed
    default void convolutionBackwardThroughMaxPool(
            ImageWindow window,
            int outChannels,
            float[] x,
            int xOff,
            int rows,
            ImageWindow pool,
            float[] dPooled,
            int dPooledOff,
            float[] argmax,
            int argmaxOff,
            float[] dy,
            int dyOff,
            float[] grad,
            int dwOff,
            int dbOff,
            float[] scratch,
            int scratchOff) {
        maxPoolBackward(pool, dPooled, dPooledOff, argmax, argmaxOff, rows, dy, dyOff);
        convolutionBackward(
                window,
                outChannels,
                x,
                xOff,
                rows,
                null,
                0,
                dy,
                dyOff,
                grad,
                dwOff,
                dbOff,
                null,
                0,
                scratch,
                scratchOff);
    }

    /**
     * A convolution block's input gradient (see {@link #convolutionBackward}): sets dx's {@code rows}
     * rows (from dxOff) to {@code Wᵀ·dY} folded by {@link #col2im}, with {@code dY [out, rows·P]}
     * channel-major at dyOff. Reads w and dy; overwrites those rows of dx and {@code col[colOff,
     * colOff + patch·rows·P)}.
     */
    @Composed
    default void convolutionInputGradient(
            ImageWindow window,
            int outChannels,
            float[] w,
            int wOff,
            float[] dy,
            int dyOff,
            int rows,
            float[] dx,
            int dxOff,
            float[] col,
            int colOff) {
        int k = window.patch(), gp = rows * window.plane();
        matmulTN(w, wOff, dy, dyOff, col, colOff, k, gp, outChannels, false); // col = Wᵀ·dY
        col2im(window, col, colOff, rows, dx, dxOff);
    }

    /**
     * A convolution block's weight gradient (see {@link #convolutionBackward}): adds {@code dY·colᵀ}
     * into {@code grad[dwOff, dwOff + out·patch)}, with {@code dY [out, rows·P]} channel-major at
     * dyOff and col the block's unfolding of x. This default unfolds x ({@link #im2col}) into {@code
     * col[colOff, colOff + patch·rows·P)}, which it overwrites, and multiplies ({@link #matmulNT}).
     * Reads x and dy.
     */
    @Composed
    default void convolutionWeightGradient(
            ImageWindow window,
            int outChannels,
            float[] x,
            int xOff,
            int rows,
            float[] dy,
            int dyOff,
            float[] grad,
            int dwOff,
            float[] col,
            int colOff) {
        im2col(window, x, xOff, rows, col, colOff);
        matmulNT(dy, dyOff, col, colOff, grad, dwOff, outChannels, window.patch(), rows * window.plane(), true);
    }

    /**
     * Max pooling (window padding 0): {@code y} gets each window's largest element (a NaN wins; among
     * equal maxima the first in row-major order), {@code argmax} its index within the input row, as a
     * float. Reads x; overwrites {@code rows·C·OH·OW} floats of y and of argmax.
     */
    default void maxPool(
            ImageWindow window, float[] x, int xOff, int rows, float[] y, int yOff, float[] argmax, int argmaxOff) {
        LayerLoops.maxPool(window, x, xOff, rows, y, yOff, argmax, argmaxOff);
    }

    /**
     * The backward pass of {@link #maxPool}: dx is 0 except at each window's maximum, which receives
     * the sum of the dy of the windows it won. Reads dy and argmax; overwrites {@code rows·C·H·W}
     * floats of dx.
     */
    default void maxPoolBackward(
            ImageWindow window, float[] dy, int dyOff, float[] argmax, int argmaxOff, int rows, float[] dx, int dxOff) {
        LayerLoops.maxPoolBackward(window, dy, dyOff, argmax, argmaxOff, rows, dx, dxOff);
    }

    /** Average pooling (window padding 0): each output the mean of its window. Reads x; overwrites y. */
    default void avgPool(ImageWindow window, float[] x, int xOff, int rows, float[] y, int yOff) {
        LayerLoops.avgPool(window, x, xOff, rows, y, yOff);
    }

    /**
     * The backward pass of {@link #avgPool}: each output's dy spread evenly over its window. Reads dy;
     * overwrites {@code rows·C·H·W} floats of dx.
     */
    default void avgPoolBackward(ImageWindow window, float[] dy, int dyOff, int rows, float[] dx, int dxOff) {
        LayerLoops.avgPoolBackward(window, dy, dyOff, rows, dx, dxOff);
    }

    /**
     * Batch normalisation per channel over {@code rows} examples of {@code channels × positions}:
     * {@code y = x̂·weight + bias} with {@code x̂ = (x − mean)/sqrt(var + eps)}. In training the mean
     * and biased variance are the batch's (accumulated in double), {@code buffers[trackedOff]} is
     * incremented and the running mean and variance (unbiased) move by {@code momentum}, or by {@code
     * 1/tracked} when {@code cumulative}; in evaluation the running statistics are used. Reads x,
     * weight and bias in params and (evaluation) the buffers; overwrites y, {@code x̂} at {@code
     * scratch[xhatOff]} ({@code rows·channels·positions}), 1/σ per channel at {@code
     * scratch[rstdOff]}, and in training the three buffers.
     */
    default void batchNormForward(
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
        LayerLoops.batchNormForward(
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
                yOff);
    }

    /**
     * The backward pass of {@link #batchNormForward}: per channel {@code dweight = Σ dy·x̂}, {@code
     * dbias = Σ dy} (in double) into grads at weightOff and biasOff ({@code +=} when accumulate); in
     * training {@code dx = (dy·weight − mean(dy·weight) − x̂·mean(dy·weight·x̂))/σ}, in evaluation
     * {@code dx = dy·weight/σ}. Reads dy, the weight, x̂ and 1/σ; overwrites dx unless it is null.
     */
    default void batchNormBackward(
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
        LayerLoops.batchNormBackward(
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
                dxOff);
    }

    /**
     * Layer normalisation of each of {@code rows} rows of {@code features}: {@code y = x̂·weight +
     * bias}, {@code x̂ = (x − mean)/sqrt(var + eps)} with the row's mean and biased variance (in
     * double). Reads x, weight and bias; overwrites y, x̂ at {@code scratch[xhatOff]} and 1/σ per row
     * at {@code scratch[rstdOff]}.
     */
    default void layerNormForward(
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
        LayerLoops.layerNormForward(
                x, xOff, rows, features, params, weightOff, biasOff, eps, scratch, xhatOff, rstdOff, y, yOff);
    }

    /**
     * The backward pass of {@link #layerNormForward}: {@code dbias = Σ dy} ({@link #sumRows}), {@code
     * dweight = Σ dy·x̂} over the rows, into grads ({@code +=} when accumulate); {@code dx = (dx̂ −
     * mean(dx̂) − x̂·mean(dx̂·x̂))/σ} with {@code dx̂ = dy·weight}. Reads dy, the weight, x̂ and 1/σ;
     * overwrites dx unless it is null.
     */
    default void layerNormBackward(
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
        sumRows(dy, dyOff, rows, features, grads, biasOff, accumulate);
        LayerLoops.layerNormBackward(
                dy, dyOff, rows, features, params, grads, weightOff, accumulate, scratch, xhatOff, rstdOff, dx, dxOff);
    }

    /**
     * Dropout's training pass over n elements: {@code mask[i] = 0} when {@link CounterRandom#uniform
     * CounterRandom.uniform(key, i)} {@code < p}, else {@code 1/(1 − p)}; {@code y = x·mask}. Reads x;
     * overwrites y and mask. (Backward is {@link #addcmul} of dy and the mask.)
     */
    default void dropout(
            float[] x, int xOff, float[] y, int yOff, float[] mask, int maskOff, int n, long key, double p) {
        LayerLoops.dropout(x, xOff, y, yOff, mask, maskOff, n, key, p);
    }

    // ---- fused optimizer updates over the flat parameter buffer ----------------------------
    // Each takes its optimizer's record (the configured hyper-parameters, named there once), its
    // typed state, and what changes per step: the scheduled learning rate, a cycled momentum, the
    // step count.

    /**
     * One {@code torch.optim.SGD} step over {@code p[0..n)} with gradient g (read only), momentum
     * {@code momentum} in place of the rule's (one-cycle), the rest from {@code rule}. The state's
     * momentum buffer (ignored when momentum is 0): on the first step it is set to the
     * (weight-decayed) gradient, after that {@code buf = momentum·buf + (1-dampening)·g}.
     * Overwrites p and the buffer.
     */
    void sgdUpdate(Sgd rule, Sgd.State s, float[] p, float[] g, int n, float lr, float momentum, boolean firstStep);

    /**
     * One {@code torch.optim.Adam}/{@code AdamW} step ({@code rule.decoupled()} selects AdamW's
     * weight decay) with β₁ {@code beta1} in place of the rule's; step is the 1-based step count
     * used for bias correction. Overwrites p and the state's moments (and AMSGrad maximum).
     */
    void adamUpdate(Adam rule, Adam.State s, float[] p, float[] g, int n, float lr, float beta1, long step);

    /**
     * One {@code torch.optim.RMSprop} step with momentum {@code momentum} in place of the rule's
     * (used only when the state has a momentum buffer). Overwrites p and the state's buffers.
     */
    void rmspropUpdate(RmsProp rule, RmsProp.State s, float[] p, float[] g, int n, float lr, float momentum);

    /**
     * One {@code torch.optim.Adagrad} step; step is the 1-based step count (for lr decay).
     * Overwrites p and the state's sum.
     */
    void adagradUpdate(Adagrad rule, Adagrad.State s, float[] p, float[] g, int n, float lr, long step);
}
