package dev.descent.model;

import dev.descent.backend.Activation;
import dev.descent.data.Sizes;
import java.util.Locale;

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
        if (weightOffset < 0) throw new IllegalArgumentException("weightOffset must be >= 0, got " + weightOffset);
        long end = weightOffset + (long) inputs * outputs + outputs; // exact: each term below 2⁶²
        if (!Sizes.fitsArray(end))
            throw new IllegalArgumentException(String.format(
                    Locale.ROOT,
                    "a dense layer %d→%d has %,d parameters (%,d×%,d weights + %,d biases); with the %,d before it"
                            + " the model would have %,d, more than one float array holds (%,d)",
                    inputs,
                    outputs,
                    end - weightOffset,
                    outputs,
                    inputs,
                    outputs,
                    weightOffset,
                    end,
                    Sizes.MAX_ARRAY));
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
