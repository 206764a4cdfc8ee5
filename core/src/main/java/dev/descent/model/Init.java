package dev.descent.model;

import dev.descent.backend.Activation;
import java.util.SplittableRandom;

/** Seeded weight initialisation schemes for dense layers. Biases start at zero. */
public enum Init {
    /** He (Kaiming) uniform for ReLU-family layers, Xavier (Glorot) uniform for the others. */
    AUTO,
    /** Xavier/Glorot uniform: U(±√(6/(in+out))), suited to tanh, sigmoid and identity layers. */
    XAVIER,
    /** He/Kaiming uniform: U(±√(6/in)), suited to ReLU layers. */
    HE,
    /** PyTorch's nn.Linear default: U(±1/√in) for weights and biases. */
    PYTORCH;

    /** Overwrites the layer's weights and bias in {@code params} with values drawn from rnd. */
    void fill(Dense layer, float[] params, SplittableRandom rnd) {
        Init scheme = this;
        if (scheme == AUTO) {
            var k = layer.activation().kind();
            scheme = k == Activation.Kind.RELU || k == Activation.Kind.LEAKY_RELU ? HE : XAVIER;
        }
        double limit =
                switch (scheme) {
                    case XAVIER -> Math.sqrt(6.0 / (layer.inputs() + layer.outputs()));
                    case HE -> Math.sqrt(6.0 / layer.inputs());
                    default -> 1.0 / Math.sqrt(layer.inputs());
                };
        for (int i = layer.weightOffset(); i < layer.biasOffset(); i++)
            params[i] = (float) ((rnd.nextDouble() * 2 - 1) * limit);
        for (int i = layer.biasOffset(); i < layer.end(); i++)
            params[i] = scheme == PYTORCH ? (float) ((rnd.nextDouble() * 2 - 1) * limit) : 0f;
    }
}
