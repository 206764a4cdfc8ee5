package dev.descent.model;

import dev.descent.backend.Activation;

/**
 * An element-wise activation as a layer of its own (PyTorch's {@code nn.ReLU}, {@code
 * nn.LeakyReLU}, {@code nn.Tanh}, {@code nn.Sigmoid}): {@code y = f(x)}, same shape, no parameters.
 * The function and its derivative live in {@link Activation}; the backend runs them ({@link
 * dev.descent.backend.Backend#activate}, {@link dev.descent.backend.Backend#activationGrad}).
 *
 * <p>Right after a {@link Dense} without activation, the model fuses the two: the activation rides
 * in the matrix product's epilogue, as in {@code dense(width, f)}. A ReLU right before a {@link
 * MaxPool2D} runs after it instead, on the pooled values: the same bits, and a quarter of the work
 * for a 2×2 window ({@link Sequential}).
 */
public record ActivationLayer(Activation function) implements Layer {

    public ActivationLayer {
        if (function == null) throw new IllegalArgumentException("activation layer function must not be null");
    }

    @Override
    public String kind() {
        return function.toString();
    }

    @Override
    public int[] outputShape(int[] inputShape) {
        return inputShape.clone();
    }

    @Override
    public void forward(LayerContext c, float[] x, float[] y) {
        c.backend().activate(function, x, 0, y, 0, c.rows() * c.inputWidth());
    }

    @Override
    public void backward(LayerContext c, float[] x, float[] y, float[] dy, float[] dx) {
        if (dx != null) c.backend().activationGrad(function, x, 0, y, 0, dy, 0, dx, 0, c.rows() * c.inputWidth());
    }

    @Override
    public String toString() {
        return kind();
    }
}
