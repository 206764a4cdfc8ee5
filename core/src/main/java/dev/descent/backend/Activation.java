package dev.descent.backend;

/**
 * An element-wise activation function. {@link Kind#LEAKY_RELU} uses {@link #slope()} for negative
 * inputs; the other kinds ignore it.
 */
public record Activation(Kind kind, float slope) implements java.io.Serializable {

    /** The activation functions a dense layer can apply. */
    public enum Kind {
        IDENTITY,
        RELU,
        LEAKY_RELU,
        TANH,
        SIGMOID,
        /** Exact GELU, {@code x·Φ(x)} (PyTorch's {@code nn.GELU()}). */
        GELU,
        /** GELU's tanh approximation (PyTorch's {@code nn.GELU(approximate="tanh")}). */
        GELU_TANH
    }

    public static final Activation IDENTITY = new Activation(Kind.IDENTITY, 0f);
    public static final Activation RELU = new Activation(Kind.RELU, 0f);
    /** LeakyReLU with PyTorch's default negative slope, 0.01. */
    public static final Activation LEAKY_RELU = new Activation(Kind.LEAKY_RELU, 0.01f);

    public static final Activation TANH = new Activation(Kind.TANH, 0f);
    public static final Activation SIGMOID = new Activation(Kind.SIGMOID, 0f);
    public static final Activation GELU = new Activation(Kind.GELU, 0f);
    public static final Activation GELU_TANH = new Activation(Kind.GELU_TANH, 0f);

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
            case "gelu" -> GELU;
            case "gelutanh" -> GELU_TANH;
            default ->
                throw new IllegalArgumentException("unknown activation '" + name
                        + "' (expected identity, relu, leaky_relu, tanh, sigmoid, gelu or gelu_tanh)");
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
            case GELU -> {
                for (int i = 0; i < n; i++) out[outOff + i] = gelu(z[zOff + i]);
            }
            case GELU_TANH -> {
                for (int i = 0; i < n; i++) out[outOff + i] = geluTanh(z[zOff + i]);
            }
        }
    }

    private static final double SQRT_HALF = Math.sqrt(0.5);
    private static final double INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
    private static final double TANH_K = Math.sqrt(2 / Math.PI);
    private static final double TANH_C = 0.044715;

    /** Exact GELU {@code x·Φ(x) = x/2·(1 + erf(x/√2))}. */
    static float gelu(float x) {
        return (float) (0.5 * x * (1 + erf(x * SQRT_HALF)));
    }

    /** GELU's derivative {@code Φ(x) + x·φ(x)}. */
    static float geluDerivative(float x) {
        return (float) (0.5 * (1 + erf(x * SQRT_HALF)) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x));
    }

    /** {@code x/2·(1 + tanh(√(2/π)·(x + 0.044715x³)))}. */
    static float geluTanh(float x) {
        return (float) (0.5 * x * (1 + Math.tanh(TANH_K * (x + TANH_C * x * x * x))));
    }

    /** The derivative of {@link #geluTanh}. */
    static float geluTanhDerivative(float x) {
        double t = Math.tanh(TANH_K * (x + TANH_C * x * x * x));
        return (float) (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * TANH_K * (1 + 3 * TANH_C * x * x));
    }

    /**
     * The error function, from erfc's Chebyshev fit (Numerical Recipes, {@code erfcc}): fractional
     * error of erfc below 1.2e-7 everywhere, far below float's resolution of GELU.
     */
    static double erf(double x) {
        double z = Math.abs(x);
        double t = 1 / (1 + 0.5 * z);
        double r = t
                * Math.exp(
                        -z * z
                                - 1.26551223
                                + t
                                        * (1.00002368
                                                + t
                                                        * (0.37409196
                                                                + t
                                                                        * (0.09678418
                                                                                + t
                                                                                        * (-0.18628806
                                                                                                + t
                                                                                                        * (0.27886807
                                                                                                                + t
                                                                                                                        * (-1.13520398
                                                                                                                                + t
                                                                                                                                        * (1.48851587
                                                                                                                                                + t
                                                                                                                                                        * (-0.82215223
                                                                                                                                                                + t
                                                                                                                                                                        * 0.17087277)))))))));
        return x >= 0 ? 1 - r : r - 1;
    }

    @Override
    public String toString() {
        return kind == Kind.LEAKY_RELU
                ? "leaky_relu(" + slope + ")"
                : kind.name().toLowerCase(java.util.Locale.ROOT);
    }
}
