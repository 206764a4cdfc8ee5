package dev.descent.model;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A parameter tensor a {@link Layer} declares: its name within the layer ("weight", "bias"; the
 * model prefixes the layer's name, as PyTorch's {@code state_dict} does: {@code layers.0.weight}),
 * its shape (row-major; a dense weight is {@code [out, in]}; {@code []} is a scalar) and how it
 * starts. A layer's {@linkplain Layer#buffers buffers} (running statistics) are declared the same way.
 */
public record Parameter(String name, int[] shape, Initializer init) {

    /** Fills a parameter's slice of the flat buffer when a model is initialised. */
    @FunctionalInterface
    public interface Initializer {
        /**
         * Overwrites {@code params[off, off+n)}. scheme is the model's {@link Init} choice, rnd the
         * model's seeded generator (shared by all parameters in buffer order: draw only what you use).
         */
        void fill(float[] params, int off, int n, Init scheme, SplittableRandom rnd);
    }

    /** Starts at zero. */
    public static final Initializer ZEROS = (p, off, n, scheme, rnd) -> Arrays.fill(p, off, off + n, 0f);

    /** Starts at one. */
    public static final Initializer ONES = (p, off, n, scheme, rnd) -> Arrays.fill(p, off, off + n, 1f);

    public Parameter {
        if (name == null || name.isEmpty() || name.contains("."))
            throw new IllegalArgumentException("a parameter name must be non-empty without '.', got '" + name + "'");
        if (shape == null) throw new IllegalArgumentException("parameter '" + name + "' needs a shape");
        for (int d : shape)
            if (d <= 0)
                throw new IllegalArgumentException(
                        "parameter '" + name + "' has shape " + Arrays.toString(shape) + ": dimensions must be > 0");
        if (init == null) throw new IllegalArgumentException("parameter '" + name + "' needs an initialiser");
        shape = shape.clone();
    }

    /** Number of elements (product of the shape). */
    public int size() {
        long n = 1;
        for (int d : shape) n *= d;
        if (n > Integer.MAX_VALUE)
            throw new IllegalArgumentException("parameter '" + name + "' of shape " + Arrays.toString(shape)
                    + " has more elements than an array holds");
        return (int) n;
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Parameter p && p.name.equals(name) && Arrays.equals(p.shape, shape) && p.init.equals(init);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape);
    }
}
