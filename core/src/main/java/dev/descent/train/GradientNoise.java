package dev.descent.train;

import dev.descent.backend.Backend;
import dev.descent.data.Dataset;
import dev.descent.loss.Loss;
import dev.descent.model.Sequential;
import java.util.SplittableRandom;

/**
 * Measures the noise of the minibatch gradient at a fixed parameter point, as a function of the
 * batch size B.
 *
 * <p>With a mean-reduced loss the full-batch gradient is {@code g = (1/N)·Σᵢ gᵢ}, the mean of the
 * per-example gradients. A minibatch of B rows drawn <em>uniformly with replacement</em> has the
 * gradient {@code g_B = (1/B)·Σ_{b} g_{i_b}}, an average of B independent draws of {@code gᵢ}, so
 * exactly (in expectation, for any data):
 *
 * <pre>
 *   E[g_B] = g,      E‖g_B − g‖² = σ² / B,      σ² = (1/N)·Σᵢ ‖gᵢ − g‖²
 * </pre>
 *
 * where σ² is the trace of the per-example gradient covariance. ({@code Batches} shuffles without
 * replacement by default; then the variance is smaller by the factor {@code (N−B)/(N−1)}, which
 * matters only when B is a sizable fraction of N.)
 *
 * <p>{@link #measure} computes g and σ² exactly from every example's gradient, then for each B
 * draws {@code draws} minibatches with a seeded generator, computes each one's gradient by a real
 * forward and backward pass over the batch (the same code path as training), and averages {@code
 * ‖g_B − g‖²}. The measured {@code variance[k]} should match {@code σ²/B[k]} within sampling error
 * (relative standard error about {@code √(2/draws)} for roughly Gaussian noise). The ratio {@code
 * σ²/‖g‖²} is the "simple gradient noise scale" of McCandlish et al. (2018): batches much smaller
 * than it are noise-dominated.
 *
 * <p>Works on any backend through {@link Sequential#forward} and {@link Sequential#backward}; the parameters are
 * read only.
 */
public final class GradientNoise {

    private GradientNoise() {}

    /**
     * What {@link #measure} found.
     *
     * @param batchSizes the batch sizes B, as given
     * @param variance measured mean of {@code ‖g_B − g‖²} over the draws, per batch size
     * @param sigma2 σ², the per-example gradient variance (trace of its covariance), computed exactly
     * @param fullGradientNorm2 {@code ‖g‖²}, the squared norm of the full-batch gradient
     * @param draws minibatches drawn per batch size
     */
    public record Result(int[] batchSizes, double[] variance, double sigma2, double fullGradientNorm2, int draws) {

        /** σ²/B, what the variance should be for batch size B. */
        public double predictedVariance(int batchSize) {
            return sigma2 / batchSize;
        }

        /** σ/√B, the predicted standard deviation (root mean square deviation) for batch size B. */
        public double predictedStd(int batchSize) {
            return Math.sqrt(predictedVariance(batchSize));
        }

        /** The measured standard deviation (√variance) for the k-th batch size. */
        public double measuredStd(int k) {
            return Math.sqrt(variance[k]);
        }

        /** σ²/‖g‖², the simple gradient noise scale: the batch size at which noise and signal are equal. */
        public double noiseScale() {
            return sigma2 / fullGradientNorm2;
        }
    }

    /**
     * Measures the minibatch gradient noise of {@code model} with {@code loss} (mean reduction) at
     * {@code params} on {@code data}.
     *
     * @param batchSizes batch sizes to measure, each ≥ 1 (may exceed the row count: rows repeat)
     * @param draws minibatches per batch size, ≥ 2
     * @param seed seeds the row draws; same seed, same result
     * @throws IllegalArgumentException for a sum-reduced loss, a parameter buffer of the wrong
     *     length, a batch size below 1 or fewer than 2 draws
     */
    public static Result measure(
            Backend backend,
            Sequential model,
            Loss loss,
            float[] params,
            Dataset data,
            int[] batchSizes,
            int draws,
            long seed) {
        if (loss.reduction() == Loss.Reduction.SUM)
            throw new IllegalArgumentException("gradient noise needs a mean-reduced loss, got " + loss);
        if (params.length != model.parameterCount())
            throw new IllegalArgumentException("model " + model + " has " + model.parameterCount()
                    + " parameters, got a buffer of " + params.length);
        if (draws < 2) throw new IllegalArgumentException("draws must be >= 2, got " + draws);
        for (int b : batchSizes) if (b < 1) throw new IllegalArgumentException("batch sizes must be >= 1, got " + b);
        if (data.features() != model.inputs())
            throw new IllegalArgumentException("model " + model + " takes " + model.inputs() + " inputs, data " + data
                    + " has " + data.features());

        int n = data.rows();
        Gradients grad = new Gradients(backend, model, loss, params);

        // the full-batch gradient g, and σ² = mean over examples of ‖gᵢ − g‖²
        double[] full = toDouble(grad.of(data.x(), data.y(), n));
        double fullNorm2 = 0;
        for (double v : full) fullNorm2 += v * v;
        double sigma2 = 0;
        float[] xi = new float[data.features()], yi = new float[data.targetWidth()];
        for (int i = 0; i < n; i++) {
            System.arraycopy(data.x(), i * xi.length, xi, 0, xi.length);
            System.arraycopy(data.y(), i * yi.length, yi, 0, yi.length);
            sigma2 += squaredDistance(grad.of(xi, yi, 1), full);
        }
        sigma2 /= n;

        // minibatches drawn with replacement, each through a real batch forward/backward
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] variance = new double[batchSizes.length];
        for (int k = 0; k < batchSizes.length; k++) {
            int b = batchSizes[k];
            float[] xb = new float[b * data.features()], yb = new float[b * data.targetWidth()];
            double sum = 0;
            for (int d = 0; d < draws; d++) {
                for (int r = 0; r < b; r++) {
                    int i = rnd.nextInt(n);
                    System.arraycopy(data.x(), i * xi.length, xb, r * xi.length, xi.length);
                    System.arraycopy(data.y(), i * yi.length, yb, r * yi.length, yi.length);
                }
                sum += squaredDistance(grad.of(xb, yb, b), full);
            }
            variance[k] = sum / draws;
        }
        return new Result(batchSizes.clone(), variance, sigma2, fullNorm2, draws);
    }

    /** Gradient of the mean loss of a batch at fixed parameters; reuses its buffers. */
    private static final class Gradients {
        final Backend backend;
        final Sequential model;
        final Loss loss;
        final float[] params;
        final float[] g;
        Sequential.Workspace ws;
        float[] dOut = new float[0];

        Gradients(Backend backend, Sequential model, Loss loss, float[] params) {
            this.backend = backend;
            this.model = model;
            this.loss = loss;
            this.params = params;
            this.g = new float[params.length];
            this.ws = model.workspace(1);
        }

        /** The gradient for {@code x[rows×inputs]}, {@code y}: valid until the next call. */
        float[] of(float[] x, float[] y, int rows) {
            int outs = model.outputs();
            if (dOut.length < rows * outs) dOut = new float[rows * outs];
            float[] out = model.forward(backend, params, x, rows, ws);
            loss.valueAndGradient(out, 0, y, 0, rows, outs, dOut, 0, 1f);
            model.backward(backend, params, x, rows, ws, dOut, g, false);
            return g;
        }
    }

    private static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }

    private static double squaredDistance(float[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < b.length; i++) {
            double d = a[i] - b[i];
            s += d * d;
        }
        return s;
    }
}
