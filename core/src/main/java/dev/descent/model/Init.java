package dev.descent.model;

import dev.descent.backend.Activation;
import java.util.SplittableRandom;

/**
 * Seeded weight initialisation schemes for dense layers (see {@link Dense#parameters}). Biases start
 * at zero, except with {@link #PYTORCH}.
 */
public enum Init {
    /** He (Kaiming) uniform for ReLU-family layers, Xavier (Glorot) uniform for the others. */
    AUTO,
    /** Xavier/Glorot uniform: U(±√(6/(in+out))), suited to tanh, sigmoid and identity layers. */
    XAVIER,
    /** He/Kaiming uniform: U(±√(6/in)), suited to ReLU layers. */
    HE,
    /** PyTorch's nn.Linear default: U(±1/√in) for weights and biases. */
    PYTORCH;

    /** The scheme AUTO stands for before a layer with activation f; the others stand for themselves. */
    Init resolve(Activation f) {
        if (this != AUTO) return this;
        var k = f.kind();
        return k == Activation.Kind.RELU || k == Activation.Kind.LEAKY_RELU ? HE : XAVIER;
    }

    /** The bound of this (resolved) scheme's uniform distribution for a layer inputs→outputs. */
    double limit(int inputs, int outputs) {
        return switch (this) {
            case XAVIER -> Math.sqrt(6.0 / (inputs + outputs));
            case HE -> Math.sqrt(6.0 / inputs);
            default -> 1.0 / Math.sqrt(inputs);
        };
    }

    /** Overwrites {@code p[off, off+n)} with U(±limit) drawn from rnd. */
    static void uniform(float[] p, int off, int n, double limit, SplittableRandom rnd) {
        for (int i = off; i < off + n; i++) p[i] = (float) ((rnd.nextDouble() * 2 - 1) * limit);
    }
}
