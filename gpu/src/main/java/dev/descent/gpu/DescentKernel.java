package dev.descent.gpu;

import com.aparapi.Kernel;

/**
 * Every device operation of the OpenCL backend in one Aparapi kernel, selected by {@link #op}.
 *
 * <p>One kernel class means one OpenCL program (compiled once per device and cached by Aparapi) and,
 * per instance, one set of device buffers that persists across launches. That is what a
 * device-resident training session needs: {@link #mem} is an arena that can hold parameters,
 * gradients, optimizer state and activations for as long as the instance lives, {@link #io} is the
 * staging area that travels between host and device, {@link #red} receives per-work-group partial
 * results of reductions, {@link #ix} holds a CSR batch's row pointers and column indices. Every
 * operand is addressed as (buffer, offset): {@code BUF_IO} or {@code BUF_MEM} plus an element
 * offset, so an operation can, for example, read a batch from io and weights from mem. The kernel
 * never moves data itself; {@link OpenClEngine} does, with Aparapi's explicit {@code put}/{@code
 * get}.
 *
 * <p>Aparapi constraints this class respects (Aparapi 3.0.2): only primitive fields and primitive
 * arrays; no allocation, no switch (off by default), no doubles (devices without fp64 would fall
 * back), no objects; {@code run()} is a flat if-chain that calls one method per operation — inlining
 * loops into a long if/else-if chain made Aparapi's bytecode folder fail with "child list broken";
 * kernels must be top-level classes (a nested class makes Aparapi warn about the NestHost attribute).
 * Java's {@code Math.max}/{@code Math.min} propagate NaN, OpenCL's {@code fmax}/{@code fmin} do
 * not, so NaN handling is spelled out with {@code v != v}.
 *
 * <p>Formulas are ScalarBackend's, term by term and in the same association order, in float. OpenCL
 * C compiles with {@code FP_CONTRACT ON}: a compiler may fuse {@code a*b + c} into one fma when both
 * are in the same expression (PoCL does). Element-wise ops therefore compute every product into its
 * own local variable before adding it, which makes them bit-identical to ScalarBackend on PoCL
 * (measured); Aparapi keeps such locals as separate C statements. Matrix products and reductions are
 * left free to contract (as SimdBackend's fma does). What remains device-dependent: {@code exp} and
 * {@code tanh} (activations), and on some drivers {@code sqrt} and division, which OpenCL does not
 * require to be correctly rounded.
 */
final class DescentKernel extends Kernel {

    static final int OP_MATMUL = 1;
    static final int OP_ADD_ROW_VECTOR = 2;
    static final int OP_SUM_ROWS = 3;
    static final int OP_ACTIVATE = 4;
    static final int OP_ACTIVATION_GRAD = 5;
    static final int OP_DOT = 6;
    static final int OP_SUM_SQUARES = 7;
    static final int OP_SUM_ABS = 8;
    static final int OP_MAX_ABS = 9;
    static final int OP_SCALE = 10;
    static final int OP_CLAMP_ABS = 11;
    static final int OP_AXPY = 12;
    static final int OP_SGD = 13;
    static final int OP_ADAM = 14;
    static final int OP_RMSPROP = 15;
    static final int OP_ADAGRAD = 16;
    static final int OP_STAMP_MEM = 17;
    static final int OP_PROBE_MEM = 18;
    static final int OP_LOSS = 19;
    static final int OP_FILL = 20;
    static final int OP_COPY = 21;
    static final int OP_AXPBY = 22;
    static final int OP_ADDCMUL = 23;
    static final int OP_ADDCDIV = 24;
    static final int OP_MAP = 25;
    static final int OP_MAXIMUM = 26;
    static final int OP_IM2COL = 27;
    static final int OP_COL2IM = 28;
    static final int OP_CHANNELS_TO_ROWS = 29;
    static final int OP_ROWS_TO_CHANNELS = 30;
    static final int OP_SUM_EACH_ROW = 31;
    static final int OP_MAX_POOL = 32;
    static final int OP_MAX_POOL_BACKWARD = 33;
    static final int OP_AVG_POOL = 34;
    static final int OP_AVG_POOL_BACKWARD = 35;
    static final int OP_BATCH_NORM = 36;
    static final int OP_BATCH_NORM_BACKWARD = 37;
    static final int OP_LAYER_NORM = 38;
    static final int OP_LAYER_NORM_WEIGHT_GRAD = 39;
    static final int OP_LAYER_NORM_BACKWARD = 40;
    static final int OP_DROPOUT = 41;
    static final int OP_SHIFT = 42;
    static final int OP_SPARSE_LINEAR = 43;
    static final int OP_SPARSE_WEIGHT_GRAD = 44;

    /** The functions of {@code OP_MAP} ({@code Backend.Unary}'s order). */
    static final int FN_SQRT = 0;

    static final int FN_ABS = 1;
    static final int FN_SIGN = 2;

    static final int BUF_IO = 0;
    static final int BUF_MEM = 1;

    static final int F_ACCUMULATE = 1;
    static final int F_TRANS_A = 2;
    static final int F_TRANS_B = 4;
    static final int F_MOMENTUM = 8;
    static final int F_NESTEROV = 16;
    static final int F_FIRST_STEP = 32;
    static final int F_AMSGRAD = 64;
    static final int F_CENTERED = 128;
    static final int F_SKIP_FIRST = 256;
    static final int F_TRAINING = 512;
    static final int F_CUMULATIVE = 1024;
    static final int F_HAS_DX = 2048;

    static final int ACT_IDENTITY = 0;
    static final int ACT_RELU = 1;
    static final int ACT_LEAKY_RELU = 2;
    static final int ACT_TANH = 3;
    static final int ACT_SIGMOID = 4;
    static final int ACT_GELU = 5;
    static final int ACT_GELU_TANH = 6;

    static final int LOSS_MSE = 0;
    static final int LOSS_SOFTMAX_CE = 1;
    static final int LOSS_BCE_WITH_LOGITS = 2;
    static final int LOSS_HUBER = 3;
    static final int LOSS_HINGE = 4;
    static final int LOSS_L1 = 5;
    static final int LOSS_NLL = 6;
    static final int LOSS_KL_DIV = 7;
    static final int LOSS_KL_DIV_LOG_TARGET = 8;

    /** The operation of the next launch, one of the {@code OP_} constants. */
    int op;
    /** {@code F_} bits. */
    int flags;
    /** Activation kind, one of the {@code ACT_} constants. */
    int kind;
    /** Element count of element-wise ops and reductions; columns of matrix ops. */
    int n;
    /** Rows of matrix ops. */
    int m;
    /** Inner dimension of matrix products. */
    int k;
    /** Side of the square matmul tile; the launch's local size is tile × tile. */
    int tile;

    // operands: buffer (BUF_IO or BUF_MEM) and element offset
    int aBuf;
    int aOff;
    int bBuf;
    int bOff;
    int cBuf;
    int cOff;
    int dBuf;
    int dOff;
    int eBuf;
    int eOff;
    int fBuf;
    int fOff;
    int gBuf;
    int gOff;
    int hBuf;
    int hOff;
    int jBuf;
    int jOff;

    // the image window of im2col, col2im and pooling (dev.descent.backend.ImageWindow)
    int wC;
    int wH;
    int wW;
    int wKh;
    int wKw;
    int wSh;
    int wSw;
    int wPh;
    int wPw;
    int wOh;
    int wOw;

    // CSR operands of the sparse ops: offsets into ix of the row pointers and the column indices
    int rsOff;
    int colOff;

    /** Dropout: the pass's CounterRandom key, and the bits below which an element is dropped. */
    long key;

    long threshold;

    // scalar arguments; their meaning depends on op
    float s0;
    float s1;
    float s2;
    float s3;
    float s4;
    float s5;
    float s6;
    float s7;

    /** Staging buffer exchanged with the host around launches. */
    float[] io = new float[1];
    /** Device-resident arena (parameters, gradients, state, activations). */
    float[] mem = new float[1];
    /** Per-work-group partial results of reductions. */
    float[] red = new float[1];
    /**
     * Integer staging buffer (uploaded with the batch, never written on the device): the row
     * pointers and column indices of a CSR batch.
     */
    int[] ix = new int[1];
    /**
     * Fallback canary: every launch sets {@code ran[0] = 1}. On OpenCL that write lands in the device
     * copy, which is never downloaded, so the host array stays 0; if Aparapi fell back to running
     * {@code run()} as Java, the host array becomes 1.
     */
    int[] ran = new int[1];

    @Local
    float[] tileA = new float[256];

    @Local
    float[] tileB = new float[256];

    @Local
    float[] scratch = new float[256];

    @Override
    public void run() {
        int i = getGlobalId(0);
        mark(i);
        if (op == OP_MATMUL) {
            opMatmul();
        } else if (op == OP_ADD_ROW_VECTOR) {
            opAddRowVector(i);
        } else if (op == OP_SUM_ROWS) {
            opSumRows(i);
        } else if (op == OP_ACTIVATE) {
            opActivate(i);
        } else if (op == OP_ACTIVATION_GRAD) {
            opActivationGrad(i);
        } else if (op == OP_DOT) {
            opDot();
        } else if (op == OP_SUM_SQUARES) {
            opSumSquares();
        } else if (op == OP_SUM_ABS) {
            opSumAbs();
        } else if (op == OP_MAX_ABS) {
            opMaxAbs();
        } else if (op == OP_SCALE) {
            opScale(i);
        } else if (op == OP_CLAMP_ABS) {
            opClampAbs(i);
        } else if (op == OP_AXPY) {
            opAxpy(i);
        } else if (op == OP_SGD) {
            opSgd(i);
        } else if (op == OP_ADAM) {
            opAdam(i);
        } else if (op == OP_RMSPROP) {
            opRmsprop(i);
        } else if (op == OP_ADAGRAD) {
            opAdagrad(i);
        } else if (op == OP_STAMP_MEM) {
            opStampMem(i);
        } else if (op == OP_PROBE_MEM) {
            opProbeMem(i);
        } else if (op == OP_LOSS) {
            opLoss();
        } else if (op == OP_FILL) {
            opFill(i);
        } else if (op == OP_COPY) {
            opCopy(i);
        } else if (op == OP_AXPBY) {
            opAxpby(i);
        } else if (op == OP_ADDCMUL) {
            opAddcmul(i);
        } else if (op == OP_ADDCDIV) {
            opAddcdiv(i);
        } else if (op == OP_MAP) {
            opMap(i);
        } else if (op == OP_MAXIMUM) {
            opMaximum(i);
        } else if (op == OP_IM2COL) {
            opIm2col(i);
        } else if (op == OP_COL2IM) {
            opCol2im(i);
        } else if (op == OP_CHANNELS_TO_ROWS) {
            opChannelsToRows(i);
        } else if (op == OP_ROWS_TO_CHANNELS) {
            opRowsToChannels(i);
        } else if (op == OP_SUM_EACH_ROW) {
            opSumEachRow(i);
        } else if (op == OP_MAX_POOL) {
            opMaxPool(i);
        } else if (op == OP_MAX_POOL_BACKWARD) {
            opMaxPoolBackward(i);
        } else if (op == OP_AVG_POOL) {
            opAvgPool(i);
        } else if (op == OP_AVG_POOL_BACKWARD) {
            opAvgPoolBackward(i);
        } else if (op == OP_BATCH_NORM) {
            opBatchNorm(i);
        } else if (op == OP_BATCH_NORM_BACKWARD) {
            opBatchNormBackward(i);
        } else if (op == OP_LAYER_NORM) {
            opLayerNorm(i);
        } else if (op == OP_LAYER_NORM_WEIGHT_GRAD) {
            opLayerNormWeightGrad(i);
        } else if (op == OP_LAYER_NORM_BACKWARD) {
            opLayerNormBackward(i);
        } else if (op == OP_DROPOUT) {
            opDropout(i);
        } else if (op == OP_SHIFT) {
            opShift(i);
        } else if (op == OP_SPARSE_LINEAR) {
            opSparseLinear(i);
        } else if (op == OP_SPARSE_WEIGHT_GRAD) {
            opSparseWeightGrad(i);
        }
    }

    /** c = s0. */
    private void opFill(int i) {
        if (i < n) {
            st(cBuf, cOff + i, s0);
        }
    }

    /** c = a (non-overlapping ranges). */
    private void opCopy(int i) {
        if (i < n) {
            st(cBuf, cOff + i, ld(aBuf, aOff + i));
        }
    }

    /** mem[n] = s0 on the device (the residency sentinel; see OpenClEngine#memResident). */
    private void opStampMem(int i) {
        if (i == 0) {
            mem[n] = s0;
        }
    }

    /** red[0] = mem[n]. */
    private void opProbeMem(int i) {
        if (i == 0) {
            red[0] = mem[n];
        }
    }

    private void mark(int i) {
        if (i == 0) {
            if (getGlobalId(1) == 0) {
                ran[0] = 1;
            }
        }
    }

    private float ld(int buf, int idx) {
        return buf == BUF_IO ? io[idx] : mem[idx];
    }

    private void st(int buf, int idx, float v) {
        if (buf == BUF_IO) {
            io[idx] = v;
        } else {
            mem[idx] = v;
        }
    }

    /** Java's Math.max for floats: NaN wins, otherwise the larger. */
    private float maxNaN(float x, float y) {
        float r = y;
        if (x != x) {
            r = x;
        } else if (x > y) {
            r = x;
        }
        return r;
    }

    // ---- matrix products -------------------------------------------------------------------

    /**
     * C[m×n] (+)= op(A)·op(B) with tile×tile work-groups: global id 0 is the column j, id 1 the row
     * i. op(A)(i,p) is a[i*k+p], or a[p*m+i] when F_TRANS_A (A stored k×m); op(B)(p,j) is b[p*n+j],
     * or b[j*k+p] when F_TRANS_B (B stored n×k). Each output sums its k products in order p = 0..k-1,
     * as ScalarBackend does; out-of-range lanes load zeros but still reach every barrier.
     */
    private void opMatmul() {
        int t = tile;
        int lx = getLocalId(0);
        int ly = getLocalId(1);
        int j = getGlobalId(0);
        int i = getGlobalId(1);
        int transA = flags & F_TRANS_A;
        int transB = flags & F_TRANS_B;
        float s = 0f;
        int tiles = (k + t - 1) / t;
        for (int q = 0; q < tiles; q++) {
            int pa = q * t + lx;
            float av = 0f;
            if (i < m && pa < k) {
                if (transA != 0) {
                    av = ld(aBuf, aOff + pa * m + i);
                } else {
                    av = ld(aBuf, aOff + i * k + pa);
                }
            }
            tileA[ly * t + lx] = av;
            int pb = q * t + ly;
            float bv = 0f;
            if (pb < k && j < n) {
                if (transB != 0) {
                    bv = ld(bBuf, bOff + j * k + pb);
                } else {
                    bv = ld(bBuf, bOff + pb * n + j);
                }
            }
            tileB[ly * t + lx] = bv;
            localBarrier();
            for (int p = 0; p < t; p++) {
                s += tileA[ly * t + p] * tileB[p * t + lx];
            }
            localBarrier();
        }
        if (i < m && j < n) {
            int idx = cOff + i * n + j;
            if ((flags & F_ACCUMULATE) != 0) {
                st(cBuf, idx, ld(cBuf, idx) + s);
            } else {
                st(cBuf, idx, s);
            }
        }
    }

    /** c[m×n] += bias[n] on every row; one work-item per element. */
    private void opAddRowVector(int i) {
        if (i < m * n) {
            int idx = cOff + i;
            st(cBuf, idx, ld(cBuf, idx) + ld(bBuf, bOff + i % n));
        }
    }

    /** out[n] (+)= column sums of a[m×n]; one work-item per column, rows in order. */
    private void opSumRows(int j) {
        if (j < n) {
            float s = 0f;
            if ((flags & F_ACCUMULATE) != 0) {
                s = ld(cBuf, cOff + j);
            }
            for (int r = 0; r < m; r++) {
                s += ld(aBuf, aOff + r * n + j);
            }
            st(cBuf, cOff + j, s);
        }
    }

    // ---- activations -----------------------------------------------------------------------

    private float sigmoid(float x) {
        float r = 0f;
        if (x >= 0f) {
            r = 1f / (1f + exp(-x));
        } else {
            float e = exp(x);
            r = e / (1f + e);
        }
        return r;
    }

    /**
     * {@code 1 + erf(x)}, from erfc's Chebyshev fit (Numerical Recipes' {@code erfcc}, the formula of
     * the CPU's {@code Activation.erf}) in float: {@code erfc(|x|)} for x below 0 and {@code 2 -
     * erfc(x)} above, so the sum does not cancel where GELU is tiny.
     */
    private float onePlusErf(float x) {
        float z = abs(x);
        float t = 1f / (1f + 0.5f * z);
        float poly = -1.26551223f
                + t
                        * (1.00002368f
                                + t
                                        * (0.37409196f
                                                + t
                                                        * (0.09678418f
                                                                + t
                                                                        * (-0.18628806f
                                                                                + t
                                                                                        * (0.27886807f
                                                                                                + t
                                                                                                        * (-1.13520398f
                                                                                                                + t
                                                                                                                        * (1.48851587f
                                                                                                                                + t
                                                                                                                                        * (-0.82215223f
                                                                                                                                                + t
                                                                                                                                                        * 0.17087277f))))))));
        float r = t * exp(-z * z + poly);
        if (x >= 0f) {
            r = 2f - r;
        }
        return r;
    }

    /** out = f(z): z at a, out at c; s0 is the leaky slope. */
    private void opActivate(int i) {
        if (i < n) {
            float v = ld(aBuf, aOff + i);
            float r = v;
            if (kind == ACT_RELU) {
                r = 0f;
                if (v > 0f || v != v) {
                    r = v;
                }
            } else if (kind == ACT_LEAKY_RELU) {
                r = s0 * v;
                if (v > 0f) {
                    r = v;
                }
            } else if (kind == ACT_TANH) {
                r = tanh(v);
            } else if (kind == ACT_SIGMOID) {
                r = sigmoid(v);
            } else if (kind == ACT_GELU) {
                r = 0.5f * v * onePlusErf(v * 0.70710678f); // x·Φ(x)
            } else if (kind == ACT_GELU_TANH) {
                // x/2·(1 + tanh(u)) = x·sigmoid(2u): no cancellation where it is tiny
                r = v * sigmoid(2f * 0.7978845608f * (v + 0.044715f * v * v * v));
            }
            st(cBuf, cOff + i, r);
        }
    }

    /** dz = dOut·f'(z): z at a, out = f(z) at b, dOut at d, dz at c; s0 is the leaky slope. */
    private void opActivationGrad(int i) {
        if (i < n) {
            float d = ld(dBuf, dOff + i);
            float r = d;
            if (kind == ACT_RELU) {
                r = 0f;
                if (ld(aBuf, aOff + i) > 0f) {
                    r = d;
                }
            } else if (kind == ACT_LEAKY_RELU) {
                r = s0 * d;
                if (ld(aBuf, aOff + i) > 0f) {
                    r = d;
                }
            } else if (kind == ACT_TANH) {
                float y = ld(bBuf, bOff + i);
                float yy = y * y;
                float oneMinus = 1f - yy;
                r = d * oneMinus;
            } else if (kind == ACT_SIGMOID) {
                float y = ld(bBuf, bOff + i);
                float dy = d * y;
                r = dy * (1f - y);
            } else if (kind == ACT_GELU) {
                float z = ld(aBuf, aOff + i); // Φ(z) + z·φ(z)
                r = d * (0.5f * onePlusErf(z * 0.70710678f) + z * 0.3989422804f * exp(-0.5f * z * z));
            } else if (kind == ACT_GELU_TANH) {
                // with s = sigmoid(2u): (1 + tanh u)/2 = s and 1 - tanh²u = 4s(1 - s)
                float z = ld(aBuf, aOff + i);
                float s = sigmoid(2f * 0.7978845608f * (z + 0.044715f * z * z * z));
                r = d * (s + 2f * z * s * (1f - s) * 0.7978845608f * (1f + 3f * 0.044715f * z * z));
            }
            st(cBuf, cOff + i, r);
        }
    }

    // ---- reductions: each work-group writes one partial into red[group] ----------------------

    private void reduceSum(float acc) {
        int lid = getLocalId(0);
        scratch[lid] = acc;
        localBarrier();
        for (int w = getLocalSize(0) / 2; w > 0; w = w / 2) {
            if (lid < w) {
                scratch[lid] = scratch[lid] + scratch[lid + w];
            }
            localBarrier();
        }
        if (lid == 0) {
            red[getGroupId(0)] = scratch[0];
        }
    }

    private void reduceMax(float acc) {
        int lid = getLocalId(0);
        scratch[lid] = acc;
        localBarrier();
        for (int w = getLocalSize(0) / 2; w > 0; w = w / 2) {
            if (lid < w) {
                scratch[lid] = maxNaN(scratch[lid], scratch[lid + w]);
            }
            localBarrier();
        }
        if (lid == 0) {
            red[getGroupId(0)] = scratch[0];
        }
    }

    private void opDot() {
        float acc = 0f;
        int stride = getGlobalSize(0);
        for (int i = getGlobalId(0); i < n; i += stride) {
            acc += ld(aBuf, aOff + i) * ld(bBuf, bOff + i);
        }
        reduceSum(acc);
    }

    private void opSumSquares() {
        float acc = 0f;
        int stride = getGlobalSize(0);
        for (int i = getGlobalId(0); i < n; i += stride) {
            float v = ld(aBuf, aOff + i);
            acc += v * v;
        }
        reduceSum(acc);
    }

    private void opSumAbs() {
        float acc = 0f;
        int stride = getGlobalSize(0);
        for (int i = getGlobalId(0); i < n; i += stride) {
            acc += abs(ld(aBuf, aOff + i));
        }
        reduceSum(acc);
    }

    private void opMaxAbs() {
        float acc = 0f;
        int stride = getGlobalSize(0);
        for (int i = getGlobalId(0); i < n; i += stride) {
            acc = maxNaN(acc, abs(ld(aBuf, aOff + i)));
        }
        reduceMax(acc);
    }

    // ---- losses: Loss.valueAndGradient on the device ----------------------------------------

    /**
     * One loss term and its gradient: pred at a, targets at b, gradient (overwritten) at c. kind is a
     * {@code LOSS_} constant; n counts the terms (rows for softmax cross-entropy, whose rows have m
     * columns and one class index each; rows×cols otherwise). s0 is the gradient factor
     * {@code (float) (norm·gradScale)}, s1 the Huber delta. Each work-group writes the float sum of its
     * terms into red; the host adds them in double and multiplies by norm, as Loss does.
     */
    private void opLoss() {
        float acc = 0f;
        int stride = getGlobalSize(0);
        for (int i = getGlobalId(0); i < n; i += stride) {
            if (kind == LOSS_SOFTMAX_CE) {
                acc += lossSoftmaxRow(i);
            } else if (kind == LOSS_NLL) {
                acc += lossNllRow(i);
            } else {
                acc += lossElement(i);
            }
        }
        reduceSum(acc);
    }

    private float lossSoftmaxRow(int r) {
        int o = aOff + r * m;
        int g = cOff + r * m;
        int cls = (int) ld(bBuf, bOff + r);
        float mx = ld(aBuf, o);
        for (int j = 1; j < m; j++) {
            float v = ld(aBuf, o + j);
            if (v > mx) {
                mx = v;
            }
        }
        float sum = 0f;
        for (int j = 0; j < m; j++) {
            sum += exp(ld(aBuf, o + j) - mx);
        }
        float logSum = log(sum) + mx;
        for (int j = 0; j < m; j++) {
            float p = exp(ld(aBuf, o + j) - logSum);
            if (j == cls) {
                p = p - 1f;
            }
            st(cBuf, g + j, p * s0);
        }
        return logSum - ld(aBuf, o + cls);
    }

    /** NLL on log-probabilities: row r's value {@code -x[cls]}, gradient {@code -s0} at cls, 0 elsewhere. */
    private float lossNllRow(int r) {
        int o = aOff + r * m;
        int g = cOff + r * m;
        int cls = (int) ld(bBuf, bOff + r);
        for (int j = 0; j < m; j++) {
            float v = 0f;
            if (j == cls) {
                v = -s0;
            }
            st(cBuf, g + j, v);
        }
        return -ld(aBuf, o + cls);
    }

    private float lossElement(int i) {
        float x = ld(aBuf, aOff + i);
        float t = ld(bBuf, bOff + i);
        float value = 0f;
        float grad = 0f;
        if (kind == LOSS_MSE) {
            float d = x - t;
            value = d * d;
            float d2 = 2f * d;
            grad = d2 * s0;
        } else if (kind == LOSS_BCE_WITH_LOGITS) {
            float ax = abs(x);
            float pos = 0f;
            if (x > 0f) {
                pos = x;
            }
            float xt = x * t;
            value = pos - xt + log(1f + exp(-ax));
            float sg = 0f;
            if (x >= 0f) {
                sg = 1f / (1f + exp(-x));
            } else {
                float e = exp(x);
                sg = e / (1f + e);
            }
            grad = (sg - t) * s0;
        } else if (kind == LOSS_HUBER) {
            float d = x - t;
            float ad = abs(d);
            if (ad <= s1) {
                float dd = d * d;
                value = 0.5f * dd;
                grad = d * s0;
            } else {
                float halfDelta = 0.5f * s1;
                value = s1 * (ad - halfDelta);
                float sd = s1;
                if (d < 0f) {
                    sd = -s1;
                }
                grad = sd * s0;
            }
        } else if (kind == LOSS_HINGE) {
            float tx = t * x;
            float margin = 1f - tx;
            if (margin > 0f) {
                value = margin;
                grad = -t * s0;
            }
        } else if (kind == LOSS_L1) {
            float d = x - t;
            value = abs(d);
            if (d > 0f) {
                grad = s0;
            } else if (d < 0f) {
                grad = -s0;
            }
        } else if (kind == LOSS_KL_DIV) {
            if (t != 0f) {
                value = t * (log(t) - x);
            }
            grad = -t * s0;
        } else if (kind == LOSS_KL_DIV_LOG_TARGET) {
            float p = exp(t);
            value = p * (t - x);
            grad = -p * s0;
        }
        st(cBuf, cOff + i, grad);
        return value;
    }

    // ---- element-wise ----------------------------------------------------------------------

    /** c *= s0. */
    private void opScale(int i) {
        if (i < n) {
            int idx = cOff + i;
            st(cBuf, idx, ld(cBuf, idx) * s0);
        }
    }

    /** c = clamp(c, -s0, s0), NaN stays NaN (Java's Math.max(-l, Math.min(l, v))). */
    private void opClampAbs(int i) {
        if (i < n) {
            int idx = cOff + i;
            float v = ld(cBuf, idx);
            float r = v;
            if (v > s0) {
                r = s0;
            } else if (v < -s0) {
                r = -s0;
            }
            st(cBuf, idx, r);
        }
    }

    /** y (at c) += s0 · x (at a). */
    private void opAxpy(int i) {
        if (i < n) {
            int idx = cOff + i;
            float ax = s0 * ld(aBuf, aOff + i);
            st(cBuf, idx, ld(cBuf, idx) + ax);
        }
    }

    // ---- fused optimizer updates: p at c, g at a -------------------------------------------

    /** SGD: buf at d; s0 lr, s1 momentum, s2 dampening, s3 weight decay, s4 sign (-1 maximize). */
    private void opSgd(int i) {
        if (i < n) {
            float p = ld(cBuf, cOff + i);
            float sg = s4 * ld(aBuf, aOff + i);
            float wp = s3 * p;
            float d = sg + wp;
            if ((flags & F_MOMENTUM) != 0) {
                float b = d;
                if ((flags & F_FIRST_STEP) == 0) {
                    float mb = s1 * ld(dBuf, dOff + i);
                    float dd = (1f - s2) * d;
                    b = mb + dd;
                }
                st(dBuf, dOff + i, b);
                if ((flags & F_NESTEROV) != 0) {
                    float mb2 = s1 * b;
                    d = d + mb2;
                } else {
                    d = b;
                }
            }
            float step = s0 * d;
            st(cBuf, cOff + i, p - step);
        }
    }

    /**
     * Adam/AdamW: m at d, v at e, vMax at f; s0 step size lr/(1-β1^t), s1 β1, s2 β2, s3 eps, s4
     * sqrt(1-β2^t), s5 decoupled decay factor, s6 L2 weight decay, s7 sign.
     */
    private void opAdam(int i) {
        if (i < n) {
            float pi = ld(cBuf, cOff + i) * s5;
            float sg = s7 * ld(aBuf, aOff + i);
            float wp = s6 * pi;
            float gi = sg + wp;
            float bm = s1 * ld(dBuf, dOff + i);
            float gm = (1f - s1) * gi;
            float mi = bm + gm;
            float bv = s2 * ld(eBuf, eOff + i);
            float gv = (1f - s2) * gi;
            gv = gv * gi;
            float vi = bv + gv;
            st(dBuf, dOff + i, mi);
            st(eBuf, eOff + i, vi);
            if ((flags & F_AMSGRAD) != 0) {
                vi = maxNaN(ld(fBuf, fOff + i), vi);
                st(fBuf, fOff + i, vi);
            }
            float num = s0 * mi;
            float den = sqrt(vi) / s4;
            den = den + s3;
            float q = num / den;
            st(cBuf, cOff + i, pi - q);
        }
    }

    /**
     * RMSprop: square average at d, momentum buffer at e (F_MOMENTUM), gradient average at f
     * (F_CENTERED); s0 lr, s1 alpha, s2 eps, s3 weight decay, s4 momentum, s5 sign.
     */
    private void opRmsprop(int i) {
        if (i < n) {
            float p = ld(cBuf, cOff + i);
            float sg = s5 * ld(aBuf, aOff + i);
            float wp = s3 * p;
            float gi = sg + wp;
            float as = s1 * ld(dBuf, dOff + i);
            float gg = (1f - s1) * gi;
            gg = gg * gi;
            float s = as + gg;
            st(dBuf, dOff + i, s);
            if ((flags & F_CENTERED) != 0) {
                float aa = s1 * ld(fBuf, fOff + i);
                float ga = (1f - s1) * gi;
                float a = aa + ga;
                st(fBuf, fOff + i, a);
                float a2 = a * a;
                s = s - a2;
            }
            float denom = sqrt(s) + s2;
            if ((flags & F_MOMENTUM) != 0) {
                float mb = s4 * ld(eBuf, eOff + i);
                float gd = gi / denom;
                float b = mb + gd;
                st(eBuf, eOff + i, b);
                float step = s0 * b;
                st(cBuf, cOff + i, p - step);
            } else {
                float step = s0 * gi;
                step = step / denom;
                st(cBuf, cOff + i, p - step);
            }
        }
    }

    /** Adagrad: sum at d; s0 decayed lr, s1 weight decay, s2 eps, s3 sign. */
    private void opAdagrad(int i) {
        if (i < n) {
            float p = ld(cBuf, cOff + i);
            float sg = s3 * ld(aBuf, aOff + i);
            float wp = s1 * p;
            float gi = sg + wp;
            float g2 = gi * gi;
            float s = ld(dBuf, dOff + i) + g2;
            st(dBuf, dOff + i, s);
            float step = s0 * gi;
            float den = sqrt(s) + s2;
            step = step / den;
            st(cBuf, cOff + i, p - step);
        }
    }

    // ---- the generic element-wise steps (Backend.axpby ... maximum): out at c ----------------
    // Every input may be the output itself: each work-item reads its element before writing it.
    // F_SKIP_FIRST: the first term's coefficient is 0, so its operand is not read (Backend's rule).

    /** out = s0·x + s1·y: x at a, y at b. */
    private void opAxpby(int i) {
        if (i < n) {
            float by = s1 * ld(bBuf, bOff + i);
            float r = by;
            if ((flags & F_SKIP_FIRST) == 0) {
                float ax = s0 * ld(aBuf, aOff + i);
                r = ax + by;
            }
            st(cBuf, cOff + i, r);
        }
    }

    /** out = s0·y + s1·x·z: y at a, x at b, z at d. */
    private void opAddcmul(int i) {
        if (i < n) {
            float bx = s1 * ld(bBuf, bOff + i);
            float bxz = bx * ld(dBuf, dOff + i);
            float r = bxz;
            if ((flags & F_SKIP_FIRST) == 0) {
                float ay = s0 * ld(aBuf, aOff + i);
                r = ay + bxz;
            }
            st(cBuf, cOff + i, r);
        }
    }

    /** out = s0·y + s1·x/(z + s2): y at a, x at b, z at d. */
    private void opAddcdiv(int i) {
        if (i < n) {
            float bx = s1 * ld(bBuf, bOff + i);
            float den = ld(dBuf, dOff + i) + s2;
            float q = bx / den;
            float r = q;
            if ((flags & F_SKIP_FIRST) == 0) {
                float ay = s0 * ld(aBuf, aOff + i);
                r = ay + q;
            }
            st(cBuf, cOff + i, r);
        }
    }

    /** out = f(s0·x + s1), f the FN_ constant in kind: x at a. Sign as Math.signum (±0 and NaN stay). */
    private void opMap(int i) {
        if (i < n) {
            float sx = s0 * ld(aBuf, aOff + i);
            float v = sx + s1;
            float r = v;
            if (kind == FN_SQRT) {
                r = sqrt(v);
            } else if (kind == FN_ABS) {
                r = abs(v);
            } else if (kind == FN_SIGN) {
                if (v > 0f) {
                    r = 1f;
                } else if (v < 0f) {
                    r = -1f;
                }
            }
            st(cBuf, cOff + i, r);
        }
    }

    /** out = max(s0·y, x + s1), NaN if either is NaN: y at a, x at b. */
    private void opMaximum(int i) {
        if (i < n) {
            float ay = s0 * ld(aBuf, aOff + i);
            float xc = ld(bBuf, bOff + i) + s1;
            st(cBuf, cOff + i, maxNaN(ay, xc));
        }
    }

    // ---- layer operations (Backend.im2col ... dropout): one work-item per output element ------
    // Gathers, never scatters: an element that sums several contributions (col2im, the pools'
    // backward passes) adds them itself, in the order LayerLoops adds them, so no two work-items
    // write one element and the float sums are LayerLoops' own.

    /** im2col: col at c, x at a; m rows, n = patch·m·OH·OW items. */
    private void opIm2col(int i) {
        if (i < n) {
            int plane = wOh * wOw;
            int gp = m * plane;
            int r = i / gp;
            int rem = i - r * gp;
            int e = rem / plane;
            int pq = rem - e * plane;
            int oa = pq / wOw;
            int ob = pq - oa * wOw;
            int kk = wKh * wKw;
            int ch = r / kk;
            int ij = r - ch * kk;
            int ki = ij / wKw;
            int kj = ij - ki * wKw;
            int ih = oa * wSh - wPh + ki;
            int iw = ob * wSw - wPw + kj;
            float v = 0f;
            if (ih >= 0 && ih < wH && iw >= 0 && iw < wW) {
                int hw = wH * wW;
                v = ld(aBuf, aOff + e * wC * hw + ch * hw + ih * wW + iw);
            }
            st(cBuf, cOff + i, v);
        }
    }

    /** col2im: dx at c gathers from col at a; m rows, n = m·C·H·W items. */
    private void opCol2im(int i) {
        if (i < n) {
            int hw = wH * wW;
            int inWidth = wC * hw;
            int e = i / inWidth;
            int rem = i - e * inWidth;
            int ch = rem / hw;
            int pix = rem - ch * hw;
            int ih = pix / wW;
            int iw = pix - ih * wW;
            int plane = wOh * wOw;
            int gp = m * plane;
            float s = 0f;
            for (int ki = 0; ki < wKh; ki++) {
                int ta = ih + wPh - ki;
                for (int kj = 0; kj < wKw; kj++) {
                    int tb = iw + wPw - kj;
                    if (ta >= 0 && tb >= 0) {
                        int oa = ta / wSh;
                        int ob = tb / wSw;
                        if (oa * wSh == ta && ob * wSw == tb && oa < wOh && ob < wOw) {
                            int r = (ch * wKh + ki) * wKw + kj;
                            s += ld(aBuf, aOff + r * gp + e * plane + oa * wOw + ob);
                        }
                    }
                }
            }
            st(cBuf, cOff + i, s);
        }
    }

    /** NCHW rows at c (m rows of k channels × plane, plane in wOh) from channel-major src at a, plus bias at b. */
    private void opChannelsToRows(int i) {
        if (i < n) {
            int plane = wOh;
            int width = k * plane;
            int e = i / width;
            int rem = i - e * width;
            int o = rem / plane;
            int q = rem - o * plane;
            float v = ld(aBuf, aOff + o * m * plane + e * plane + q);
            st(cBuf, cOff + i, v + ld(bBuf, bOff + o));
        }
    }

    /** channel-major dst at c from rows at a (m rows, k channels, plane in wOh). */
    private void opRowsToChannels(int i) {
        if (i < n) {
            int plane = wOh;
            int gp = m * plane;
            int o = i / gp;
            int rem = i - o * gp;
            int e = rem / plane;
            int q = rem - e * plane;
            st(cBuf, cOff + i, ld(aBuf, aOff + e * k * plane + o * plane + q));
        }
    }

    /** out[r] at c (+)= Σ_j a[r·k + j], r < n, in column order. */
    private void opSumEachRow(int r) {
        if (r < n) {
            float s = 0f;
            int base = aOff + r * k;
            for (int j = 0; j < k; j++) {
                s += ld(aBuf, base + j);
            }
            if ((flags & F_ACCUMULATE) != 0) {
                s = ld(cBuf, cOff + r) + s;
            }
            st(cBuf, cOff + r, s);
        }
    }

    /** Max pool: x at a, y at c, argmax at d; n = m·C·OH·OW items. */
    private void opMaxPool(int i) {
        if (i < n) {
            int plane = wOh * wOw;
            int outWidth = wC * plane;
            int e = i / outWidth;
            int rem = i - e * outWidth;
            int ch = rem / plane;
            int pq = rem - ch * plane;
            int oa = pq / wOw;
            int ob = pq - oa * wOw;
            int xRow = aOff + e * wC * wH * wW;
            int first = ch * wH * wW + oa * wSh * wW + ob * wSw;
            int best = first;
            float mx = ld(aBuf, xRow + first);
            for (int ki = 0; ki < wKh; ki++) {
                for (int kj = 0; kj < wKw; kj++) {
                    int at = first + ki * wW + kj;
                    float v = ld(aBuf, xRow + at);
                    if (v > mx || v != v) {
                        mx = v;
                        best = at;
                    }
                }
            }
            st(cBuf, cOff + i, mx);
            st(dBuf, dOff + i, (float) best);
        }
    }

    /** Max pool backward: dx at c gathers dy (at a) of the windows whose argmax (at b) it is. */
    private void opMaxPoolBackward(int i) {
        if (i < n) {
            int hw = wH * wW;
            int inWidth = wC * hw;
            int e = i / inWidth;
            int rem = i - e * inWidth;
            int ch = rem / hw;
            int pix = rem - ch * hw;
            int ih = pix / wW;
            int iw = pix - ih * wW;
            int plane = wOh * wOw;
            int outRow = e * wC * plane + ch * plane;
            float me = (float) rem;
            float s = 0f;
            for (int oa = 0; oa < wOh; oa++) {
                int top = oa * wSh;
                if (ih >= top && ih < top + wKh) {
                    for (int ob = 0; ob < wOw; ob++) {
                        int left = ob * wSw;
                        if (iw >= left && iw < left + wKw) {
                            int o = outRow + oa * wOw + ob;
                            if (ld(bBuf, bOff + o) == me) {
                                s += ld(aBuf, aOff + o);
                            }
                        }
                    }
                }
            }
            st(cBuf, cOff + i, s);
        }
    }

    /** Avg pool: x at a, y at c; s0 = 1/(kh·kw). */
    private void opAvgPool(int i) {
        if (i < n) {
            int plane = wOh * wOw;
            int outWidth = wC * plane;
            int e = i / outWidth;
            int rem = i - e * outWidth;
            int ch = rem / plane;
            int pq = rem - ch * plane;
            int oa = pq / wOw;
            int ob = pq - oa * wOw;
            int first = aOff + e * wC * wH * wW + ch * wH * wW + oa * wSh * wW + ob * wSw;
            float s = 0f;
            for (int ki = 0; ki < wKh; ki++) {
                for (int kj = 0; kj < wKw; kj++) {
                    s += ld(aBuf, first + ki * wW + kj);
                }
            }
            st(cBuf, cOff + i, s * s0);
        }
    }

    /** Avg pool backward: dx at c gathers dy (at a)·s0 of the windows that cover it. */
    private void opAvgPoolBackward(int i) {
        if (i < n) {
            int hw = wH * wW;
            int inWidth = wC * hw;
            int e = i / inWidth;
            int rem = i - e * inWidth;
            int ch = rem / hw;
            int pix = rem - ch * hw;
            int ih = pix / wW;
            int iw = pix - ih * wW;
            int plane = wOh * wOw;
            int outRow = e * wC * plane + ch * plane;
            float s = 0f;
            for (int oa = 0; oa < wOh; oa++) {
                int top = oa * wSh;
                if (ih >= top && ih < top + wKh) {
                    for (int ob = 0; ob < wOw; ob++) {
                        int left = ob * wSw;
                        if (iw >= left && iw < left + wKw) {
                            float g = ld(aBuf, aOff + outRow + oa * wOw + ob) * s0;
                            s += g;
                        }
                    }
                }
            }
            st(cBuf, cOff + i, s);
        }
    }

    /**
     * Batch norm, one work-item per channel ch < n over m rows of k positions: x at a, weight at b,
     * bias at d, y at c, x̂ at e, 1/σ at f, running mean at g, running var at h, the (already
     * incremented) batch count at j; s0 momentum, s1 eps; F_TRAINING, F_CUMULATIVE.
     */
    private void opBatchNorm(int ch) {
        if (ch < n) {
            int width = n * k;
            float count = (float) (m * k);
            float mu = 0f;
            float rstd = 0f;
            if ((flags & F_TRAINING) != 0) {
                float sum = 0f;
                for (int r = 0; r < m; r++) {
                    int o = aOff + r * width + ch * k;
                    for (int q = 0; q < k; q++) {
                        sum += ld(aBuf, o + q);
                    }
                }
                mu = sum / count;
                float squares = 0f;
                for (int r = 0; r < m; r++) {
                    int o = aOff + r * width + ch * k;
                    for (int q = 0; q < k; q++) {
                        float dv = ld(aBuf, o + q) - mu;
                        float dd = dv * dv;
                        squares += dd;
                    }
                }
                float var = squares / count;
                rstd = 1f / sqrt(var + s1);
                float factor = s0;
                if ((flags & F_CUMULATIVE) != 0) {
                    factor = 1f / ld(jBuf, jOff);
                }
                float keepOld = 1f - factor;
                float oldMean = keepOld * ld(gBuf, gOff + ch);
                float newMean = factor * mu;
                st(gBuf, gOff + ch, oldMean + newMean);
                float oldVar = keepOld * ld(hBuf, hOff + ch);
                float unbiased = squares / (count - 1f);
                float newVar = factor * unbiased;
                st(hBuf, hOff + ch, oldVar + newVar);
            } else {
                mu = ld(gBuf, gOff + ch);
                rstd = 1f / sqrt(ld(hBuf, hOff + ch) + s1);
            }
            st(fBuf, fOff + ch, rstd);
            float gamma = ld(bBuf, bOff + ch);
            float beta = ld(dBuf, dOff + ch);
            for (int r = 0; r < m; r++) {
                int o = r * width + ch * k;
                for (int q = 0; q < k; q++) {
                    float hat = (ld(aBuf, aOff + o + q) - mu) * rstd;
                    st(eBuf, eOff + o + q, hat);
                    float hg = hat * gamma;
                    st(cBuf, cOff + o + q, hg + beta);
                }
            }
        }
    }

    /**
     * Batch norm backward, one work-item per channel: dy at a, weight at b, dx at c (F_HAS_DX),
     * weight gradient at d, bias gradient at e, x̂ at f, 1/σ at g; F_ACCUMULATE, F_TRAINING.
     */
    private void opBatchNormBackward(int ch) {
        if (ch < n) {
            int width = n * k;
            float count = (float) (m * k);
            float sumDy = 0f;
            float sumDyH = 0f;
            for (int r = 0; r < m; r++) {
                int o = r * width + ch * k;
                for (int q = 0; q < k; q++) {
                    float d = ld(aBuf, aOff + o + q);
                    sumDy += d;
                    float dh = d * ld(fBuf, fOff + o + q);
                    sumDyH += dh;
                }
            }
            float gw = sumDyH;
            float gb = sumDy;
            if ((flags & F_ACCUMULATE) != 0) {
                gw = ld(dBuf, dOff + ch) + sumDyH;
                gb = ld(eBuf, eOff + ch) + sumDy;
            }
            st(dBuf, dOff + ch, gw);
            st(eBuf, eOff + ch, gb);
            if ((flags & F_HAS_DX) != 0) {
                float gamma = ld(bBuf, bOff + ch);
                float rstd = ld(gBuf, gOff + ch);
                float meanD = 0f;
                float meanDH = 0f;
                if ((flags & F_TRAINING) != 0) {
                    float gs = gamma * sumDy;
                    meanD = gs / count;
                    float gsh = gamma * sumDyH;
                    meanDH = gsh / count;
                }
                for (int r = 0; r < m; r++) {
                    int o = r * width + ch * k;
                    for (int q = 0; q < k; q++) {
                        float dg = ld(aBuf, aOff + o + q) * gamma;
                        float hm = ld(fBuf, fOff + o + q) * meanDH;
                        float v = dg - meanD;
                        v = v - hm;
                        st(cBuf, cOff + o + q, v * rstd);
                    }
                }
            }
        }
    }

    /**
     * Layer norm, one work-item per row r < n of k features: x at a, weight at b, bias at d, y at c,
     * x̂ at e, 1/σ at f; s1 eps.
     */
    private void opLayerNorm(int r) {
        if (r < n) {
            int o = r * k;
            float mean = 0f;
            for (int j = 0; j < k; j++) {
                mean += ld(aBuf, aOff + o + j);
            }
            mean = mean / (float) k;
            float var = 0f;
            for (int j = 0; j < k; j++) {
                float dv = ld(aBuf, aOff + o + j) - mean;
                float dd = dv * dv;
                var += dd;
            }
            float vk = var / (float) k;
            float rstd = 1f / sqrt(vk + s1);
            st(fBuf, fOff + r, rstd);
            for (int j = 0; j < k; j++) {
                float hat = (ld(aBuf, aOff + o + j) - mean) * rstd;
                st(eBuf, eOff + o + j, hat);
                float hw = hat * ld(bBuf, bOff + j);
                st(cBuf, cOff + o + j, hw + ld(dBuf, dOff + j));
            }
        }
    }

    /** Layer norm's weight gradient, one work-item per feature j < n: c (+)= Σ_r dy (at a)·x̂ (at e), m rows. */
    private void opLayerNormWeightGrad(int j) {
        if (j < n) {
            float s = 0f;
            if ((flags & F_ACCUMULATE) != 0) {
                s = ld(cBuf, cOff + j);
            }
            for (int r = 0; r < m; r++) {
                int o = r * n + j;
                float p = ld(aBuf, aOff + o) * ld(eBuf, eOff + o);
                s += p;
            }
            st(cBuf, cOff + j, s);
        }
    }

    /** Layer norm's dx, one work-item per row r < n of k features: dy at a, weight at b, dx at c, x̂ at e, 1/σ at f. */
    private void opLayerNormBackward(int r) {
        if (r < n) {
            int o = r * k;
            float mean = 0f;
            float meanDot = 0f;
            for (int j = 0; j < k; j++) {
                float d = ld(aBuf, aOff + o + j) * ld(bBuf, bOff + j);
                mean += d;
                float dh = d * ld(eBuf, eOff + o + j);
                meanDot += dh;
            }
            mean = mean / (float) k;
            meanDot = meanDot / (float) k;
            float rstd = ld(fBuf, fOff + r);
            for (int j = 0; j < k; j++) {
                float d = ld(aBuf, aOff + o + j) * ld(bBuf, bOff + j);
                float hm = ld(eBuf, eOff + o + j) * meanDot;
                float v = d - mean;
                v = v - hm;
                st(cBuf, cOff + o + j, v * rstd);
            }
        }
    }

    /** SplitMix64's finaliser with the logical shifts spelled as masks (CounterRandom.mix). */
    private long mix64(long z0) {
        long z = z0;
        z = (z ^ ((z >> 30) & 0x3FFFFFFFFL)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ ((z >> 27) & 0x1FFFFFFFFFL)) * 0x94D049BB133111EBL;
        return z ^ ((z >> 31) & 0x1FFFFFFFFL);
    }

    /** Dropout: x at a, y at c, mask at d; mask 0 where CounterRandom.bits(key, i) < threshold, else s0. */
    private void opDropout(int i) {
        if (i < n) {
            long e = i;
            long inner = mix64(e + 0x632BE59BD9B4E019L);
            long bits = (mix64(key ^ inner) >> 11) & 0x1FFFFFFFFFFFFFL;
            float mask = s0;
            if (bits < threshold) {
                mask = 0f;
            }
            st(dBuf, dOff + i, mask);
            st(cBuf, cOff + i, ld(aBuf, aOff + i) * mask);
        }
    }

    /** c += s0. */
    private void opShift(int i) {
        if (i < n) {
            st(cBuf, cOff + i, ld(cBuf, cOff + i) + s0);
        }
    }

    // ---- sparse (CSR) input of a first dense layer -----------------------------------------

    /**
     * z[m×n] = CSR rows · Wᵀ + bias, one work-item per (row r, output o): row pointers at ix[rsOff],
     * column indices at ix[colOff], values at a, W (n×k) at b, bias at d, z at c. Sums the row's
     * entries in order, each product in its own local (no fma), as Backend.sparseLinear does.
     */
    private void opSparseLinear(int i) {
        if (i < m * n) {
            int r = i / n;
            int o = i - r * n;
            int from = ix[rsOff + r];
            int to = ix[rsOff + r + 1];
            int row = bOff + o * k;
            float s = 0f;
            for (int e = from; e < to; e++) {
                float p = ld(aBuf, aOff + e) * ld(bBuf, row + ix[colOff + e]);
                s += p;
            }
            st(cBuf, cOff + i, s + ld(dBuf, dOff + o));
        }
    }

    /**
     * g[o, col] += dz[r, o]·value over the m rows' entries, one work-item per output o (n of them),
     * rows and entries in order: no two work-items write the same element, so no atomics, and each
     * element receives its terms in Backend.sparseWeightGradient's order (bit-identical). dz at a
     * (m×n), values at b, g (n×k) at c; row pointers at ix[rsOff], columns at ix[colOff].
     */
    private void opSparseWeightGrad(int o) {
        if (o < n) {
            int row = cOff + o * k;
            for (int r = 0; r < m; r++) {
                float d = ld(aBuf, aOff + r * n + o);
                int from = ix[rsOff + r];
                int to = ix[rsOff + r + 1];
                for (int e = from; e < to; e++) {
                    int at = row + ix[colOff + e];
                    float p = d * ld(bBuf, bOff + e);
                    st(cBuf, at, ld(cBuf, at) + p);
                }
            }
        }
    }
}
