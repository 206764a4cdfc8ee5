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

    /** Reads x and the parameters; overwrites y and the scratch (x̂, then 1/σ per row). */
    @Override
    public void forward(LayerContext c, float[] x, float[] y) {
        int rows = c.rows();
        c.backend()
                .layerNormForward(
                        x,
                        0,
                        rows,
                        features,
                        c.params(),
                        c.parameterOffset(0),
                        c.parameterOffset(1),
                        eps,
                        c.scratch(),
                        0,
                        rows * features,
                        y,
                        0);
    }

    /**
     * {@code dx = (dx̂ - mean(dx̂) - x̂·mean(dx̂·x̂))/σ} with {@code dx̂ = dy·weight}; {@code dweight = Σ
     * dy·x̂}, {@code dbias = Σ dy} over the rows.
     */
    @Override
    public void backward(LayerContext c, float[] x, float[] y, float[] dy, float[] dx) {
        int rows = c.rows();
        c.backend()
                .layerNormBackward(
                        dy,
                        0,
                        rows,
                        features,
                        c.params(),
                        c.grads(),
                        c.parameterOffset(0),
                        c.parameterOffset(1),
                        c.accumulate(),
                        c.scratch(),
                        0,
                        rows * features,
                        dx,
                        0);
    }

    @Override
    public String toString() {
        return "layer_norm(" + features + (eps == DEFAULT_EPS ? "" : ", eps " + eps) + ")";
    }
}
