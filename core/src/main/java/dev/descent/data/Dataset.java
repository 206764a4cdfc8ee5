package dev.descent.data;

/**
 * An in-memory data set: {@code rows×features} float features and {@code rows×targetWidth} float
 * targets, both row-major. For classification ({@link #classes()} &gt; 0) the target width is 1 and
 * each target is a class index in {@code [0, classes)} stored as a float (exact below 2²⁴).
 *
 * <p>Immutable by convention: the arrays are owned by the data set and never written after
 * construction.
 */
public final class Dataset {

    private final String name;
    private final float[] x;
    private final float[] y;
    private final int rows;
    private final int features;
    private final int targetWidth;
    private final int classes;
    /** One weight per row, or null (all 1). */
    private final float[] sampleWeights;

    /**
     * @param name where the data came from, used in error messages
     * @param classes number of classes, or 0 for real-valued targets
     * @throws IllegalArgumentException if the data set is empty, the arrays do not match the sizes,
     *     a value is NaN or infinite, or a class index is out of range (the message names the row)
     */
    public Dataset(String name, float[] x, float[] y, int rows, int features, int targetWidth, int classes) {
        this.name = name;
        if (rows <= 0) throw new IllegalArgumentException(name + ": empty data set (0 rows)");
        if (features <= 0) throw new IllegalArgumentException(name + ": no feature columns");
        if (targetWidth <= 0) throw new IllegalArgumentException(name + ": no target columns");
        if (classes < 0) throw new IllegalArgumentException(name + ": classes must be >= 0, got " + classes);
        if (classes > 0 && targetWidth != 1)
            throw new IllegalArgumentException(
                    name + ": a classification data set has one target column, got " + targetWidth);
        if (x.length != (long) rows * features)
            throw new IllegalArgumentException(
                    name + ": " + x.length + " feature values for " + rows + " rows × " + features + " features");
        if (y.length != (long) rows * targetWidth)
            throw new IllegalArgumentException(
                    name + ": " + y.length + " target values for " + rows + " rows × " + targetWidth + " targets");
        for (int i = 0; i < x.length; i++)
            if (!Float.isFinite(x[i]))
                throw new IllegalArgumentException(name + ": feature " + (i % features) + " of row " + (i / features)
                        + " is " + x[i] + " (NaN and infinity are not allowed)");
        for (int i = 0; i < y.length; i++) {
            float v = y[i];
            if (!Float.isFinite(v))
                throw new IllegalArgumentException(name + ": target of row " + (i / targetWidth) + " is " + v
                        + " (NaN and infinity are not allowed)");
            if (classes > 0 && (v != Math.rint(v) || v < 0 || v >= classes))
                throw new IllegalArgumentException(
                        name + ": label of row " + i + " is " + v + ", expected a class in [0, " + classes + ")");
        }
        this.x = x;
        this.y = y;
        this.rows = rows;
        this.features = features;
        this.targetWidth = targetWidth;
        this.classes = classes;
        this.sampleWeights = null;
    }

    /** {@code base} with {@code sampleWeights} (checked by the caller) and a new name. */
    private Dataset(Dataset base, float[] sampleWeights, String name) {
        this.name = name;
        this.x = base.x;
        this.y = base.y;
        this.rows = base.rows;
        this.features = base.features;
        this.targetWidth = base.targetWidth;
        this.classes = base.classes;
        this.sampleWeights = sampleWeights;
    }

    /**
     * This data set with one weight per row, which the losses apply as PyTorch-style weighted
     * reductions (see {@code Loss}: a weighted mean divides by the sum of the weights). The array
     * is owned by the data set from now on.
     *
     * @throws IllegalArgumentException if there is not one weight per row, or a weight is negative,
     *     NaN or infinite (the message names the row and the value)
     */
    public Dataset withSampleWeights(float[] weights) {
        if (weights == null) return new Dataset(this, null, name);
        if (weights.length != rows)
            throw new IllegalArgumentException(
                    name + ": " + weights.length + " sample weights for " + rows + " rows (one per row)");
        for (int r = 0; r < rows; r++)
            if (!(weights[r] >= 0) || Float.isInfinite(weights[r]))
                throw new IllegalArgumentException(
                        name + ": sample weight of row " + r + " is " + weights[r] + ", expected a finite value >= 0");
        return new Dataset(this, weights, name);
    }

    /** The per-row weights ({@link #withSampleWeights}), or null when every row weighs 1. Do not modify. */
    public float[] sampleWeights() {
        return sampleWeights;
    }

    /** A classification data set with integer labels in {@code [0, classes)}. */
    public static Dataset classification(String name, float[] x, int features, int[] labels, int classes) {
        float[] y = new float[labels.length];
        for (int i = 0; i < labels.length; i++) y[i] = labels[i];
        return new Dataset(name, x, y, labels.length, features, 1, classes);
    }

    /** A regression data set with {@code targetWidth} real targets per row. */
    public static Dataset regression(String name, float[] x, int features, float[] y, int targetWidth) {
        return new Dataset(name, x, y, y.length / Math.max(1, targetWidth), features, targetWidth, 0);
    }

    public String name() {
        return name;
    }

    /** The features, {@code rows×features} row-major. Do not modify. */
    public float[] x() {
        return x;
    }

    /** The targets, {@code rows×targetWidth} row-major (class indices for classification). Do not modify. */
    public float[] y() {
        return y;
    }

    public int rows() {
        return rows;
    }

    public int features() {
        return features;
    }

    public int targetWidth() {
        return targetWidth;
    }

    /** Number of classes, or 0 for regression. */
    public int classes() {
        return classes;
    }

    /** The class label of row i (classification only). */
    public int label(int row) {
        return (int) y[row];
    }

    /** A new data set holding the given rows, in that order. */
    public Dataset select(int[] rowIndices, String newName) {
        float[] nx = new float[rowIndices.length * features];
        float[] ny = new float[rowIndices.length * targetWidth];
        for (int i = 0; i < rowIndices.length; i++) {
            int r = rowIndices[i];
            System.arraycopy(x, r * features, nx, i * features, features);
            System.arraycopy(y, r * targetWidth, ny, i * targetWidth, targetWidth);
        }
        Dataset selected = new Dataset(newName, nx, ny, rowIndices.length, features, targetWidth, classes);
        if (sampleWeights == null) return selected;
        float[] nw = new float[rowIndices.length];
        for (int i = 0; i < rowIndices.length; i++) nw[i] = sampleWeights[rowIndices[i]];
        return new Dataset(selected, nw, newName);
    }

    /** A data set with the same targets and new features (e.g. standardised), of the same shape. */
    public Dataset withFeatures(float[] newX, String newName) {
        Dataset changed = new Dataset(newName, newX, y, rows, features, targetWidth, classes);
        return sampleWeights == null ? changed : new Dataset(changed, sampleWeights, newName);
    }

    @Override
    public String toString() {
        return name + " (" + rows + " rows × " + features + " features, "
                + (classes > 0 ? classes + " classes" : targetWidth + " targets") + ")";
    }
}
