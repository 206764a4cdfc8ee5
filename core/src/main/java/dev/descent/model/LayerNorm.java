package dev.descent.model;

import java.util.Arrays;
import java.util.List;

/**
 * Layer normalisation over each row's features, PyTorch's {@code nn.LayerNorm(features, eps)} with
 * {@code elementwise_affine=True}: {@code y = (x - mean)/sqrt(var + eps)·weight + bias}, mean and
 * (biased) variance over the row. Parameters {@code weight [features]} (starts at 1) and {@code bias
 * [features]} (starts at 0). Means and variances are accumulated in double.
 */
public record LayerNorm(int features, double eps) implements Layer {

    /** PyTorch's default eps. */
    public static final double DEFAULT_EPS = 1e-5;

    public LayerNorm {
        if (features <= 0) throw new IllegalArgumentException("layer norm features must be > 0, got " + features);
        if (!(eps > 0) || !Double.isFinite(eps))
            throw new IllegalArgumentException("layer norm eps must be > 0 and finite, got " + eps);
    }

    /** With PyTorch's default eps, 1e-5. */
    public LayerNorm(int features) {
        this(features, DEFAULT_EPS);
    }

    @Override
    public String kind() {
        return "layer_norm";
    }

    @Override
    public int[] outputShape(int[] inputShape) {
        if (inputShape.length != 1 || inputShape[0] != features)
            throw new IllegalArgumentException("layer norm over " + features + " features takes input shape ["
                    + features + "], got " + Arrays.toString(inputShape));
        return inputShape.clone();
    }

    @Override
    public List<Parameter> parameters(int[] inputShape) {
        return List.of(
                new Parameter("weight", new int[] {features}, Parameter.ONES),
                new Parameter("bias", new int[] {features}, Parameter.ZEROS));
    }

    /** The normalised row x̂ and its 1/σ. */
    @Override
    public int scratchPerRow(int[] inputShape) {
        return features + 1;
    }

    @Override
    public void forward(LayerContext c, float[] x, float[] y) {
        float[] p = c.params(), s = c.scratch();
        int w = c.parameterOffset(0), b = c.parameterOffset(1), n = features, rows = c.rows();
        for (int r = 0; r < rows; r++) {
            int o = r * n;
            double mean = 0;
            for (int j = 0; j < n; j++) mean += x[o + j];
            mean /= n;
            double var = 0;
            for (int j = 0; j < n; j++) {
                double d = x[o + j] - mean;
                var += d * d;
            }
            float rstd = (float) (1 / Math.sqrt(var / n + eps));
            s[rows * n + r] = rstd;
            for (int j = 0; j < n; j++) {
                float h = (float) (x[o + j] - mean) * rstd;
                s[o + j] = h;
                y[o + j] = h * p[w + j] + p[b + j];
            }
        }
    }

    /**
     * {@code dx = (dx̂ - mean(dx̂) - x̂·mean(dx̂·x̂))/σ} with {@code dx̂ = dy·weight}; {@code dweight = Σ
     * dy·x̂}, {@code dbias = Σ dy} over the rows.
     */
    @Override
    public void backward(LayerContext c, float[] x, float[] y, float[] dy, float[] dx) {
        float[] p = c.params(), g = c.grads(), s = c.scratch();
        int w = c.parameterOffset(0), n = features, rows = c.rows();
        c.backend().sumRows(dy, 0, rows, n, g, c.parameterOffset(1), c.accumulate());
        if (!c.accumulate()) Arrays.fill(g, w, w + n, 0f);
        for (int r = 0; r < rows; r++) {
            int o = r * n;
            for (int j = 0; j < n; j++) g[w + j] += dy[o + j] * s[o + j];
            if (dx == null) continue;
            double mean = 0, meanDot = 0;
            for (int j = 0; j < n; j++) {
                double d = dy[o + j] * p[w + j];
                mean += d;
                meanDot += d * s[o + j];
            }
            mean /= n;
            meanDot /= n;
            float rstd = s[rows * n + r];
            for (int j = 0; j < n; j++) dx[o + j] = (float) ((dy[o + j] * p[w + j] - mean - s[o + j] * meanDot) * rstd);
        }
    }

    @Override
    public String toString() {
        return "layer_norm(" + features + (eps == DEFAULT_EPS ? "" : ", eps " + eps) + ")";
    }
}
