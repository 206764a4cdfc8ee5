package dev.descent.backend;

/**
 * An element-wise activation function. {@link Kind#LEAKY_RELU} uses {@link #slope()} for negative
 * inputs; the other kinds ignore it.
 */
public record Activation(Kind kind, float slope) {

    /** The activation functions a dense layer can apply. */
    public enum Kind {
        IDENTITY,
        RELU,
        LEAKY_RELU,
        TANH,
        SIGMOID
    }

    public static final Activation IDENTITY = new Activation(Kind.IDENTITY, 0f);
    public static final Activation RELU = new Activation(Kind.RELU, 0f);
    /** LeakyReLU with PyTorch's default negative slope, 0.01. */
    public static final Activation LEAKY_RELU = new Activation(Kind.LEAKY_RELU, 0.01f);

    public static final Activation TANH = new Activation(Kind.TANH, 0f);
    public static final Activation SIGMOID = new Activation(Kind.SIGMOID, 0f);

    public Activation {
        if (kind == null) throw new IllegalArgumentException("activation kind must not be null");
        if (!Float.isFinite(slope)) throw new IllegalArgumentException("activation slope must be finite, got " + slope);
    }

    /** LeakyReLU with the given negative slope. */
    public static Activation leakyRelu(float slope) {
        return new Activation(Kind.LEAKY_RELU, slope);
    }

    /** The activation's name as used in reference files and on the command line ("relu", "tanh", ...). */
    public static Activation named(String name) {
        return switch (name.toLowerCase(java.util.Locale.ROOT).replace("_", "").replace("-", "")) {
            case "identity", "linear", "none" -> IDENTITY;
            case "relu" -> RELU;
            case "leakyrelu" -> LEAKY_RELU;
            case "tanh" -> TANH;
            case "sigmoid" -> SIGMOID;
            default ->
                throw new IllegalArgumentException(
                        "unknown activation '" + name + "' (expected identity, relu, leaky_relu, tanh or sigmoid)");
        };
    }

    /**
     * {@code out[i] = f(z[i])} for n elements, as {@link Backend#activate} defines it; out may be z
     * itself. Reads z; overwrites out.
     */
    public void apply(float[] z, int zOff, float[] out, int outOff, int n) {
        switch (kind) {
            case IDENTITY -> {
                if (z != out || zOff != outOff) System.arraycopy(z, zOff, out, outOff, n);
            }
            case RELU -> {
                for (int i = 0; i < n; i++) out[outOff + i] = Math.max(z[zOff + i], 0f);
            }
            case LEAKY_RELU -> {
                for (int i = 0; i < n; i++) {
                    float v = z[zOff + i];
                    out[outOff + i] = v > 0f ? v : slope * v;
                }
            }
            case TANH -> {
                for (int i = 0; i < n; i++) out[outOff + i] = (float) Math.tanh(z[zOff + i]);
            }
            case SIGMOID -> {
                for (int i = 0; i < n; i++) out[outOff + i] = ScalarBackend.sigmoid(z[zOff + i]);
            }
        }
    }

    @Override
    public String toString() {
        return kind == Kind.LEAKY_RELU
                ? "leaky_relu(" + slope + ")"
                : kind.name().toLowerCase(java.util.Locale.ROOT);
    }
}
