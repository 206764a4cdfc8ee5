package dev.descent.train;

import dev.descent.backend.Backend;
import java.util.Locale;
import java.util.Map;

/**
 * Gradient clipping over the flat gradient buffer, as an immutable configuration: {@link #byNorm}
 * (PyTorch's {@code clip_grad_norm_} over all parameters at once), {@link #byValue} ({@code
 * clip_grad_value_}) or {@link #NONE}. {@link #apply} does the work on a {@link Backend} and
 * returns the gradient's norm before clipping, which the trainer can log and check.
 *
 * <p><b>Non-finite gradients</b> (a NaN or an infinity anywhere, so a non-finite norm) are left
 * exactly as they are and the non-finite norm is returned, so that the trainer's divergence guard
 * can stop with a clear error. PyTorch 1.13 would instead scale them by NaN or clamp infinities to
 * the limit, hiding the divergence.
 */
public sealed interface Clipping extends java.io.Serializable { // shipped to workers by the spark module

    /** No clipping: {@link #apply} only measures the L2 norm. */
    Clipping NONE = new ByNorm(Double.POSITIVE_INFINITY, NormType.L2);

    /** Clip by global L2 norm. */
    static Clipping byNorm(double maxNorm) {
        return byNorm(maxNorm, NormType.L2);
    }

    /** Clip by global norm: scale all of g by {@code maxNorm/(norm + 1e-6)} when that is below 1. */
    static Clipping byNorm(double maxNorm, NormType normType) {
        return new ByNorm(maxNorm, normType);
    }

    /** Clamp every element of g into {@code [-limit, limit]}. */
    static Clipping byValue(double limit) {
        return new ByValue(limit);
    }

    /**
     * Clips {@code g[0..n)} in place.
     *
     * @param b the backend that does the reductions and the scaling
     * @param g the gradients; read, and overwritten when clipped
     * @return the norm of {@code g[0..n)} before clipping: in the configured norm type for {@link
     *     ByNorm} (L2 for {@link #NONE}), the L∞ norm {@code max|g|} for {@link ByValue}
     * @throws IllegalArgumentException if {@code n} is negative or larger than {@code g.length}
     */
    double apply(Backend b, float[] g, int n);

    /**
     * The clipping a spec describes, in the format of {@code shared/reference/clipping.json}:
     * {@code kind} "norm" (with {@code max_norm} and {@code norm_type} 1, 2 or "inf", default 2),
     * "value" (with {@code clip_value}) or "none". Other keys are ignored.
     *
     * @throws IllegalArgumentException naming a missing or impossible field and its value
     */
    static Clipping fromSpec(Map<String, ?> spec) {
        Object kind = spec.get("kind");
        if ("none".equals(kind)) return NONE;
        if ("norm".equals(kind)) return byNorm(number(spec, "max_norm"), NormType.of(spec.get("norm_type")));
        if ("value".equals(kind)) return byValue(number(spec, "clip_value"));
        throw new IllegalArgumentException("clipping kind must be \"norm\", \"value\" or \"none\", got " + kind);
    }

    /** The norm of the whole gradient, each computed by one backend reduction. */
    enum NormType {
        /** Σ|g|. */
        L1,
        /** sqrt(Σg²). */
        L2,
        /** max|g|. */
        INF;

        /** The norm of {@code g[0..n)}; non-finite if any element is. */
        public double of(Backend b, float[] g, int n) {
            return switch (this) {
                case L1 -> b.sumAbs(g, 0, n);
                case L2 -> Math.sqrt(b.sumSquares(g, 0, n));
                case INF -> b.maxAbs(g, 0, n);
            };
        }

        /** PyTorch's {@code norm_type}: 1, 2 or infinity, as a number or as "inf"; null means 2. */
        public static NormType of(Object normType) {
            if (normType == null) return L2;
            if (normType instanceof Number x) {
                double p = x.doubleValue();
                if (p == 1) return L1;
                if (p == 2) return L2;
                if (p == Double.POSITIVE_INFINITY) return INF;
            }
            if (normType instanceof String s && s.toLowerCase(Locale.ROOT).matches("inf|infinity")) return INF;
            throw new IllegalArgumentException("norm_type must be 1, 2 or \"inf\", got " + normType);
        }
    }

    /**
     * Clip by global norm (PyTorch's {@code clip_grad_norm_}): when {@code coef = maxNorm/(norm +
     * 1e-6)} is below 1, every element is multiplied by it. {@code maxNorm} may be infinite (measure
     * only).
     */
    record ByNorm(double maxNorm, NormType normType) implements Clipping {

        /** Added to the norm before dividing, as in PyTorch. */
        public static final double EPS = 1e-6;

        /** @throws IllegalArgumentException if maxNorm is not {@code > 0} or normType is null */
        public ByNorm {
            if (!(maxNorm > 0)) throw new IllegalArgumentException("maxNorm must be > 0, got " + maxNorm);
            if (normType == null) throw new IllegalArgumentException("normType must not be null");
        }

        @Override
        public double apply(Backend b, float[] g, int n) {
            checkLength(g, n);
            double norm = normType.of(b, g, n);
            if (!Double.isFinite(norm)) return norm;
            double coef = maxNorm / (norm + EPS);
            if (coef < 1) b.scale(g, 0, n, (float) coef);
            return norm;
        }
    }

    /** Clip by value (PyTorch's {@code clip_grad_value_}): clamp every element into ±limit. */
    record ByValue(double limit) implements Clipping {

        /** @throws IllegalArgumentException if limit is not {@code > 0} */
        public ByValue {
            if (!(limit > 0)) throw new IllegalArgumentException("clip value must be > 0, got " + limit);
        }

        @Override
        public double apply(Backend b, float[] g, int n) {
            checkLength(g, n);
            double max = b.maxAbs(g, 0, n);
            if (Double.isFinite(max) && max > limit) b.clampAbs(g, 0, n, (float) limit);
            return max;
        }
    }

    private static void checkLength(float[] g, int n) {
        if (n < 0 || n > g.length)
            throw new IllegalArgumentException("n must be in [0, " + g.length + "] (the gradient length), got " + n);
    }

    private static double number(Map<String, ?> spec, String key) {
        Object v = spec.get(key);
        if (v instanceof Number x) return x.doubleValue();
        throw new IllegalArgumentException("clipping " + key + " must be a number, got " + v);
    }
}
