package dev.descent.model;

import dev.descent.backend.Activation;

/** Ready-made models. Each is an {@link Mlp}; pair it with the loss named in its Javadoc. */
public final class Models {
    private Models() {}

    /** Linear regression {@code y = x·Wᵀ + b}; train with {@code Loss.mse()}. */
    public static Mlp linearRegression(int inputs, int outputs) {
        return Mlp.input(inputs).dense(outputs, Activation.IDENTITY).build();
    }

    /** Logistic regression: one logit; train with {@code Loss.bceWithLogits()}, targets 0/1. */
    public static Mlp logisticRegression(int inputs) {
        return Mlp.input(inputs).dense(1, Activation.IDENTITY).build();
    }

    /** Softmax (multinomial logistic) regression: one logit per class; train with softmax cross-entropy. */
    public static Mlp softmaxRegression(int inputs, int classes) {
        return Mlp.input(inputs).dense(classes, Activation.IDENTITY).build();
    }

    /** Starts a multi-layer perceptron over {@code inputs} features. */
    public static Mlp.Builder mlp(int inputs) {
        return Mlp.input(inputs);
    }
}
