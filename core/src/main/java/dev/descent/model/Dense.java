package dev.descent.model;

import dev.descent.backend.Activation;

/**
 * A fully connected layer {@code y = f(x·Wᵀ + b)} inside a model's flat parameter buffer: the weight
 * W ({@code outputs×inputs}, PyTorch's out-by-in layout, row-major) starts at {@link #weightOffset()}
 * and the bias ({@code outputs}) follows it at {@link #biasOffset()}.
 */
public record Dense(int inputs, int outputs, Activation activation, int weightOffset) {

    public Dense {
        if (inputs <= 0) throw new IllegalArgumentException("dense layer inputs must be > 0, got " + inputs);
        if (outputs <= 0) throw new IllegalArgumentException("dense layer width must be > 0, got " + outputs);
        if (activation == null) throw new IllegalArgumentException("dense layer activation must not be null");
    }

    public int weightCount() {
        return inputs * outputs;
    }

    public int biasOffset() {
        return weightOffset + weightCount();
    }

    /** Weights plus biases. */
    public int parameterCount() {
        return weightCount() + outputs;
    }

    /** First index after this layer's parameters. */
    public int end() {
        return biasOffset() + outputs;
    }
}
