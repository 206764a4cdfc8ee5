package dev.descent.objective;

import java.util.Random;
import java.util.function.BiConsumer;
import java.util.function.ToDoubleFunction;

/** Analytic objectives for experiments and optimizer tests, and the Gaussian-noise wrapper. */
public final class Objectives {
    private Objectives() {}

    /** {@code f(x1, x2) = x1² + 2·x2²}, minimum 0 at the origin. */
    public static Objective bowl() {
        return diagonalQuadratic(new double[] {2, 4}, new double[] {0, 0});
    }

    /**
     * {@code f(p) = ½·Σ aᵢ·pᵢ² + Σ bᵢ·pᵢ} (the reference trajectories' objective); minimum at {@code
     * -b/a} when every {@code a > 0}.
     */
    public static Objective diagonalQuadratic(double[] a, double[] b) {
        if (a.length != b.length || a.length == 0)
            throw new IllegalArgumentException(
                    "a and b must have the same non-zero length, got " + a.length + " and " + b.length);
        double[] ac = a.clone();
        double[] bc = b.clone();
        return of(
                a.length,
                x -> {
                    double s = 0;
                    for (int i = 0; i < ac.length; i++) s += 0.5 * ac[i] * x[i] * x[i] + bc[i] * x[i];
                    return s;
                },
                (x, g) -> {
                    for (int i = 0; i < ac.length; i++) g[i] = (float) (ac[i] * x[i] + bc[i]);
                },
                minimumOf(ac, bc));
    }

    private static float[] minimumOf(double[] a, double[] b) {
        float[] m = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            if (!(a[i] > 0)) return null;
            m[i] = (float) (-b[i] / a[i]);
        }
        return m;
    }

    /** Rosenbrock's banana {@code (a - x)² + b·(y - x²)²} with a = 1, b = 100; minimum at (1, 1). */
    public static Objective rosenbrock() {
        return of(
                2,
                x -> {
                    double u = 1 - x[0], v = x[1] - (double) x[0] * x[0];
                    return u * u + 100 * v * v;
                },
                (x, g) -> {
                    double v = x[1] - (double) x[0] * x[0];
                    g[0] = (float) (-2 * (1 - x[0]) - 400 * x[0] * v);
                    g[1] = (float) (200 * v);
                },
                new float[] {1, 1});
    }

    /**
     * A tilted 1-D double well {@code f(x) = (x² - 1)² - tilt·x}: a local minimum near -1 and the
     * global one near +1 (for 0 &lt; tilt &lt; ~0.7).
     */
    public static Objective doubleWell(double tilt) {
        double xmin = newtonMinimum(tilt, 1.0);
        return of(
                1,
                x -> {
                    double u = (double) x[0] * x[0] - 1;
                    return u * u - tilt * x[0];
                },
                (x, g) -> g[0] = (float) (4.0 * x[0] * ((double) x[0] * x[0] - 1) - tilt),
                new float[] {(float) xmin});
    }

    /** The tilted double well with tilt 0.3. */
    public static Objective doubleWell() {
        return doubleWell(0.3);
    }

    private static double newtonMinimum(double tilt, double x) {
        for (int i = 0; i < 50; i++) x -= (4 * x * (x * x - 1) - tilt) / (12 * x * x - 4);
        return x;
    }

    /** A user objective from its value and gradient functions. */
    public static Objective of(
            int dimension, ToDoubleFunction<float[]> value, BiConsumer<float[], float[]> gradient, float[] minimum) {
        if (dimension <= 0) throw new IllegalArgumentException("objective dimension must be > 0, got " + dimension);
        return new Objective() {
            @Override
            public int dimension() {
                return dimension;
            }

            @Override
            public double value(float[] x) {
                return value.applyAsDouble(x);
            }

            @Override
            public void gradient(float[] x, float[] g) {
                gradient.accept(x, g);
            }

            @Override
            public float[] minimum() {
                return minimum == null ? null : minimum.clone();
            }
        };
    }

    /** A user objective with no known minimum. */
    public static Objective of(int dimension, ToDoubleFunction<float[]> value, BiConsumer<float[], float[]> gradient) {
        return of(dimension, value, gradient, null);
    }

    /**
     * The objective with independent Gaussian noise of standard deviation sigma added to every
     * gradient component, drawn from a generator seeded with seed (so runs repeat exactly).
     */
    public static Objective withNoise(Objective f, double sigma, long seed) {
        if (!(sigma >= 0) || Double.isInfinite(sigma))
            throw new IllegalArgumentException("noise sigma must be finite and >= 0, got " + sigma);
        Random rnd = new Random(seed);
        return new Objective() {
            @Override
            public int dimension() {
                return f.dimension();
            }

            @Override
            public double value(float[] x) {
                return f.value(x);
            }

            @Override
            public void gradient(float[] x, float[] g) {
                f.gradient(x, g);
                for (int i = 0; i < f.dimension(); i++) g[i] += (float) (sigma * rnd.nextGaussian());
            }

            @Override
            public float[] minimum() {
                return f.minimum();
            }
        };
    }
}
