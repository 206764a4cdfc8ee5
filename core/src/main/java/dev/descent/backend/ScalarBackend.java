package dev.descent.backend;

import dev.descent.optim.Adagrad;
import dev.descent.optim.Adam;
import dev.descent.optim.RmsProp;
import dev.descent.optim.Sgd;
import java.util.Arrays;

/**
 * The reference backend: plain loops, one formula per operation, no threads. Every other backend
 * is tested against it. Element-wise loops here are also what the faster backends inherit: the JIT
 * auto-vectorises them, so only reductions and matrix products need the Vector API.
 */
public class ScalarBackend implements Backend {

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public String device() {
        return "CPU, plain Java loops";
    }

    @Override
    public void matmul(
            float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int m, int n, int k, boolean accumulate) {
        for (int i = 0; i < m; i++) {
            int ci = cOff + i * n;
            if (!accumulate) Arrays.fill(c, ci, ci + n, 0f);
            for (int p = 0; p < k; p++) {
                float aip = a[aOff + i * k + p];
                int bp = bOff + p * n;
                for (int j = 0; j < n; j++) c[ci + j] += aip * b[bp + j];
            }
        }
    }

    @Override
    public void matmulTN(
            float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int m, int n, int k, boolean accumulate) {
        if (!accumulate) Arrays.fill(c, cOff, cOff + m * n, 0f);
        for (int p = 0; p < k; p++) {
            int ap = aOff + p * m;
            int bp = bOff + p * n;
            for (int i = 0; i < m; i++) {
                float api = a[ap + i];
                int ci = cOff + i * n;
                for (int j = 0; j < n; j++) c[ci + j] += api * b[bp + j];
            }
        }
    }

    @Override
    public void matmulNT(
            float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int m, int n, int k, boolean accumulate) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float s = 0f;
                for (int p = 0; p < k; p++) s += a[aOff + i * k + p] * b[bOff + j * k + p];
                int idx = cOff + i * n + j;
                c[idx] = accumulate ? c[idx] + s : s;
            }
        }
    }

    @Override
    public void addRowVector(float[] c, int cOff, int rows, int cols, float[] bias, int biasOff) {
        for (int i = 0; i < rows; i++) {
            int ci = cOff + i * cols;
            for (int j = 0; j < cols; j++) c[ci + j] += bias[biasOff + j];
        }
    }

    @Override
    public void sumRows(float[] a, int aOff, int rows, int cols, float[] out, int outOff, boolean accumulate) {
        if (!accumulate) Arrays.fill(out, outOff, outOff + cols, 0f);
        for (int i = 0; i < rows; i++) {
            int ai = aOff + i * cols;
            for (int j = 0; j < cols; j++) out[outOff + j] += a[ai + j];
        }
    }

    @Override
    public void activate(Activation f, float[] z, int zOff, float[] out, int outOff, int n) {
        f.apply(z, zOff, out, outOff, n);
    }

    /** The logistic function, computed without overflow for large |x|. */
    public static float sigmoid(float x) {
        if (x >= 0f) return (float) (1.0 / (1.0 + Math.exp(-x)));
        double e = Math.exp(x);
        return (float) (e / (1.0 + e));
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
        switch (f.kind()) {
            case IDENTITY -> {
                if (dOut != dz || dOutOff != dzOff) System.arraycopy(dOut, dOutOff, dz, dzOff, n);
            }
            case RELU -> {
                for (int i = 0; i < n; i++) dz[dzOff + i] = z[zOff + i] > 0f ? dOut[dOutOff + i] : 0f;
            }
            case LEAKY_RELU -> {
                float s = f.slope();
                for (int i = 0; i < n; i++) {
                    float d = dOut[dOutOff + i];
                    dz[dzOff + i] = z[zOff + i] > 0f ? d : s * d;
                }
            }
            case TANH -> {
                for (int i = 0; i < n; i++) {
                    float y = out[outOff + i];
                    dz[dzOff + i] = dOut[dOutOff + i] * (1f - y * y);
                }
            }
            case SIGMOID -> {
                for (int i = 0; i < n; i++) {
                    float y = out[outOff + i];
                    dz[dzOff + i] = dOut[dOutOff + i] * y * (1f - y);
                }
            }
            case GELU -> {
                for (int i = 0; i < n; i++) dz[dzOff + i] = dOut[dOutOff + i] * Activation.geluDerivative(z[zOff + i]);
            }
            case GELU_TANH -> {
                for (int i = 0; i < n; i++)
                    dz[dzOff + i] = dOut[dOutOff + i] * Activation.geluTanhDerivative(z[zOff + i]);
            }
        }
    }

    @Override
    public float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        float s = 0f;
        for (int i = 0; i < n; i++) s += a[aOff + i] * b[bOff + i];
        return s;
    }

    @Override
    public double sumSquares(float[] a, int off, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            double v = a[off + i];
            s += v * v;
        }
        return s;
    }

    @Override
    public double sumAbs(float[] a, int off, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) s += Math.abs(a[off + i]);
        return s;
    }

    @Override
    public float maxAbs(float[] a, int off, int n) {
        float m = 0f;
        for (int i = 0; i < n; i++) {
            float v = Math.abs(a[off + i]);
            if (v > m || Float.isNaN(v)) m = v;
            if (Float.isNaN(m)) return m;
        }
        return m;
    }

    @Override
    public void scale(float[] a, int off, int n, float s) {
        for (int i = 0; i < n; i++) a[off + i] *= s;
    }

    @Override
    public void clampAbs(float[] a, int off, int n, float limit) {
        for (int i = 0; i < n; i++) a[off + i] = Math.max(-limit, Math.min(limit, a[off + i]));
    }

    @Override
    public void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) y[yOff + i] += alpha * x[xOff + i];
    }

    @Override
    public void sgdUpdate(
            Sgd rule, Sgd.State s, float[] p, float[] g, int n, float lr, float momentum, boolean firstStep) {
        sgdRange(rule, s, p, g, 0, n, lr, momentum, firstStep);
    }

    /**
     * {@link #sgdUpdate} on the elements {@code [from, to)} only: reads g, overwrites p and the
     * momentum buffer there. Each element's result depends on that element alone, so any split of
     * {@code [0, n)} into ranges gives the same bits (what {@link SimdBackend} splits over threads).
     */
    static void sgdRange(
            Sgd rule,
            Sgd.State s,
            float[] p,
            float[] g,
            int from,
            int to,
            float lr,
            float momentum,
            boolean firstStep) {
        float[] buf = s.momentumBuffer();
        float dampening = (float) rule.dampening(), weightDecay = (float) rule.weightDecay();
        boolean nesterov = rule.isNesterov();
        float sign = rule.isMaximize() ? -1f : 1f;
        for (int i = from; i < to; i++) {
            float d = sign * g[i] + weightDecay * p[i];
            if (momentum != 0f) {
                float b = firstStep ? d : momentum * buf[i] + (1f - dampening) * d;
                buf[i] = b;
                d = nesterov ? d + momentum * b : b;
            }
            p[i] -= lr * d;
        }
    }

    @Override
    public void adamUpdate(Adam rule, Adam.State s, float[] p, float[] g, int n, float lr, float beta1, long step) {
        float[] m = s.expAvg(), v = s.expAvgSq(), vMax = s.maxExpAvgSq();
        float beta2 = (float) rule.beta2(), eps = (float) rule.eps();
        float sign = rule.isMaximize() ? -1f : 1f;
        float stepSize = Adam.stepSize(lr, beta1, step);
        float bc2Sqrt = rule.secondMomentCorrection(step);
        float decay = rule.decoupledDecay(lr);
        float l2 = rule.l2Coefficient();
        for (int i = 0; i < n; i++) {
            float pi = p[i] * decay;
            float gi = sign * g[i] + l2 * pi;
            float mi = beta1 * m[i] + (1f - beta1) * gi;
            float vi = beta2 * v[i] + (1f - beta2) * gi * gi;
            m[i] = mi;
            v[i] = vi;
            if (vMax != null) vi = vMax[i] = Math.max(vMax[i], vi);
            p[i] = pi - stepSize * mi / ((float) Math.sqrt(vi) / bc2Sqrt + eps);
        }
    }

    @Override
    public void rmspropUpdate(RmsProp rule, RmsProp.State s, float[] p, float[] g, int n, float lr, float momentum) {
        float[] sq = s.squareAvg(), buf = s.momentumBuffer(), gAvg = s.gradAvg();
        float alpha = (float) rule.alpha(), eps = (float) rule.eps(), weightDecay = (float) rule.weightDecay();
        float sign = rule.isMaximize() ? -1f : 1f;
        for (int i = 0; i < n; i++) {
            float gi = sign * g[i] + weightDecay * p[i];
            float sqi = alpha * sq[i] + (1f - alpha) * gi * gi;
            sq[i] = sqi;
            if (gAvg != null) {
                float a = alpha * gAvg[i] + (1f - alpha) * gi;
                gAvg[i] = a;
                sqi -= a * a;
            }
            float denom = (float) Math.sqrt(sqi) + eps;
            if (buf != null) {
                float b = momentum * buf[i] + gi / denom;
                buf[i] = b;
                p[i] -= lr * b;
            } else {
                p[i] -= lr * gi / denom;
            }
        }
    }

    @Override
    public void adagradUpdate(Adagrad rule, Adagrad.State s, float[] p, float[] g, int n, float lr, long step) {
        float[] sum = s.sum();
        float weightDecay = (float) rule.weightDecay(), eps = (float) rule.eps();
        float sign = rule.isMaximize() ? -1f : 1f;
        float clr = rule.decayedLr(lr, step);
        for (int i = 0; i < n; i++) {
            float gi = sign * g[i] + weightDecay * p[i];
            float si = sum[i] + gi * gi;
            sum[i] = si;
            p[i] -= clr * gi / ((float) Math.sqrt(si) + eps);
        }
    }
}
