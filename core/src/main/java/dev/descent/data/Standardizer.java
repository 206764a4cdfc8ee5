package dev.descent.data;

/**
 * Per-feature standardisation {@code (x − mean) / scale}, as scikit-learn's StandardScaler: fitted
 * on training rows only, with the population standard deviation (ddof = 0) as scale, and scale 1
 * for a constant column. Computed in double, stored as double. Immutable.
 *
 * <pre>
 * Standardizer s = Standardizer.fit(split.train());
 * Dataset train = s.apply(split.train()), test = s.apply(split.test());
 * </pre>
 */
public final class Standardizer {

    private final double[] mean;
    private final double[] scale;

    private Standardizer(double[] mean, double[] scale) {
        this.mean = mean;
        this.scale = scale;
    }

    /** Fits mean and scale of every feature column of {@code train} (reads its features). */
    public static Standardizer fit(Dataset train) {
        int n = train.rows(), f = train.features();
        float[] x = train.x();
        double[] mean = new double[f], scale = new double[f];
        for (int c = 0; c < f; c++) {
            float first = x[c];
            boolean constant = true;
            double sum = 0;
            for (int r = 0; r < n; r++) {
                float v = x[r * f + c];
                sum += v;
                constant &= v == first;
            }
            if (constant) {
                mean[c] = first; // exact, so the column becomes exactly 0
                scale[c] = 1;
                continue;
            }
            mean[c] = sum / n;
            double squares = 0;
            for (int r = 0; r < n; r++) {
                double d = x[r * f + c] - mean[c];
                squares += d * d;
            }
            scale[c] = Math.sqrt(squares / n);
        }
        return new Standardizer(mean, scale);
    }

    /** A data set with the same targets and standardised features (reads {@code data}, a new copy). */
    public Dataset apply(Dataset data) {
        int f = mean.length;
        if (data.features() != f)
            throw new IllegalArgumentException(
                    data + " has " + data.features() + " features, but this standardizer was fitted on " + f);
        float[] x = data.x(), out = new float[x.length];
        for (int i = 0; i < x.length; i += f)
            for (int c = 0; c < f; c++) out[i + c] = (float) ((x[i + c] - mean[c]) / scale[c]);
        return data.withFeatures(out, data.name());
    }

    /** The number of features this standardizer was fitted on. */
    public int features() {
        return mean.length;
    }

    /** The mean of each feature column (a copy). */
    public double[] mean() {
        return mean.clone();
    }

    /** The scale (population standard deviation, or 1 for a constant column) of each feature (a copy). */
    public double[] scale() {
        return scale.clone();
    }
}
