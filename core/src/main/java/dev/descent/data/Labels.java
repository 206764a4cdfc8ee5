package dev.descent.data;

/**
 * How a text loader reads the label of each row: as a class index (classification) or as one real
 * target (regression). Immutable.
 */
public final class Labels {

    /** Class labels must stay below 2²⁴ so that a float holds them exactly. */
    static final int MAX_CLASSES = 1 << 24;

    private static final int REGRESSION = -1, INFER = 0;

    /** {@link #REGRESSION}, {@link #INFER} or the given number of classes. */
    private final int classes;

    private Labels(int classes) {
        this.classes = classes;
    }

    /**
     * Integer class labels {@code >= 0} (integral decimals such as {@code 1.0} are accepted); the
     * number of classes is the largest label + 1.
     */
    public static Labels classification() {
        return new Labels(INFER);
    }

    /** Integer class labels in {@code [0, classes)}; {@code classes} in [1, 2²⁴]. */
    public static Labels classification(int classes) {
        if (classes <= 0 || classes > MAX_CLASSES)
            throw new IllegalArgumentException("classes must be in [1, " + MAX_CLASSES + "], got " + classes);
        return new Labels(classes);
    }

    /** One real-valued target per row. */
    public static Labels regression() {
        return new Labels(REGRESSION);
    }

    public boolean isClassification() {
        return classes != REGRESSION;
    }

    /** Parses one label; {@code where} names its place for the message, e.g. "in column 31 (label)". */
    float parse(LineReader in, String token, String where) {
        if (!isClassification()) return in.number(token, "a real target " + where);
        int limit = classes == INFER ? MAX_CLASSES : classes;
        String expected = "a class label " + where + " (an integer in [0, " + limit + "))";
        float v = in.number(token, expected);
        if (v != Math.rint(v) || v < 0 || v >= limit)
            throw in.error(expected, DataFormatException.quote(token.strip()));
        return v + 0f; // -0 becomes 0
    }

    /** The data set of parsed features and labels; reads both arrays and keeps them. */
    Dataset dataset(String name, float[] x, int features, float[] y) {
        if (!isClassification()) return new Dataset(name, x, y, y.length, features, 1, 0);
        int count = classes;
        if (count == INFER) for (float v : y) count = Math.max(count, (int) v + 1);
        return new Dataset(name, x, y, y.length, features, 1, count);
    }

    /** The number of classes of labels whose largest is {@code maxLabel} (a classification's). */
    int classesOf(int maxLabel) {
        return classes == INFER ? maxLabel + 1 : classes;
    }

    /** The sparse data set of parsed features and labels; reads all arrays and keeps them. */
    SparseDataset sparseDataset(String name, long[] rowStart, int[] columns, float[] values, int features, float[] y) {
        int count = 0;
        if (isClassification()) {
            count = classes;
            if (count == INFER) for (float v : y) count = Math.max(count, (int) v + 1);
        }
        return new SparseDataset(name, rowStart, columns, values, y, features, 1, count);
    }

    @Override
    public String toString() {
        return classes == REGRESSION
                ? "regression"
                : classes == INFER ? "classification" : "classification(" + classes + ")";
    }
}
