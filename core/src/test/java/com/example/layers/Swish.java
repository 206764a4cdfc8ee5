package com.example.layers;

// README:begin swish-layer
import dev.descent.model.Layer;
import dev.descent.model.LayerContext;
import dev.descent.model.Parameter;
import java.util.Arrays;
import java.util.List;

/** Swish with a learnable slope per feature, y = x·σ(β·x) (β = 1 is SiLU); β starts at 1. */
public record Swish(int features) implements Layer {

    @Override
    public String kind() {
        return "swish";
    }

    @Override
    public int[] outputShape(int[] inputShape) {
        if (inputShape.length != 1 || inputShape[0] != features)
            throw new IllegalArgumentException("swish takes [" + features + "], got " + Arrays.toString(inputShape));
        return inputShape.clone();
    }

    @Override
    public List<Parameter> parameters(int[] inputShape) {
        return List.of(new Parameter("beta", new int[] {features}, Parameter.ONES));
    }

    @Override
    public void forward(LayerContext c, float[] x, float[] y) {
        float[] p = c.params();
        int beta = c.parameterOffset(0);
        for (int r = 0, i = 0; r < c.rows(); r++)
            for (int j = 0; j < features; j++, i++) y[i] = x[i] * sigmoid(p[beta + j] * x[i]);
    }

    @Override
    public void backward(LayerContext c, float[] x, float[] y, float[] dy, float[] dx) {
        float[] p = c.params(), g = c.grads();
        int beta = c.parameterOffset(0);
        if (!c.accumulate()) Arrays.fill(g, beta, beta + features, 0f);
        for (int r = 0, i = 0; r < c.rows(); r++)
            for (int j = 0; j < features; j++, i++) {
                float v = x[i], b = p[beta + j], s = sigmoid(b * v), ds = s * (1f - s);
                g[beta + j] += dy[i] * v * v * ds; // ∂y/∂β = x²·σ'(βx)
                if (dx != null) dx[i] = dy[i] * (s + b * v * ds); // ∂y/∂x = σ(βx) + βx·σ'(βx)
            }
    }

    private static float sigmoid(float v) {
        return (float) (1 / (1 + Math.exp(-v)));
    }
}
// README:end
