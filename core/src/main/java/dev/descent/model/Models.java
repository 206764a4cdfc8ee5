package dev.descent.model;

import dev.descent.backend.Activation;

/** Ready-made models. Each is a {@link Sequential}; pair it with the loss named in its Javadoc. */
public final class Models {
    private Models() {}

    /** Linear regression {@code y = x·Wᵀ + b}; train with {@code Loss.mse()}. */
    public static Sequential linearRegression(int inputs, int outputs) {
        return Sequential.input(inputs).dense(outputs, Activation.IDENTITY).build();
    }

    /** Logistic regression: one logit; train with {@code Loss.bceWithLogits()}, targets 0/1. */
    public static Sequential logisticRegression(int inputs) {
        return Sequential.input(inputs).dense(1, Activation.IDENTITY).build();
    }

    /** Softmax (multinomial logistic) regression: one logit per class; train with softmax cross-entropy. */
    public static Sequential softmaxRegression(int inputs, int classes) {
        return Sequential.input(inputs).dense(classes, Activation.IDENTITY).build();
    }

    /**
     * Starts a model of any {@link Layer}s over {@code inputs} features: {@code
     * Models.sequential(784).dense(128).add(new LayerNorm(128)).activation(Activation.RELU).dense(10)}.
     */
    public static Sequential.Builder sequential(int inputs) {
        return Sequential.input(inputs);
    }

    /**
     * Starts a model over images of shape {@code [channels, height, width]} (rows of NCHW floats):
     * {@code Models.image(1, 28, 28).conv2d(16, 5).activation(RELU).maxPool2d(2).flatten().dense(10)}.
     */
    public static Sequential.Builder image(int channels, int height, int width) {
        return Sequential.image(channels, height, width);
    }

    /** Starts a multi-layer perceptron over {@code inputs} features (dense layers, activations fused). */
    public static Sequential.Builder mlp(int inputs) {
        return Sequential.input(inputs);
    }
}
