package dev.descent.loss;

import java.util.Arrays;
import java.util.regex.Pattern;

/** Checks and sums of loss weights (class weights, pos_weight, per-sample weights). */
final class Weights {

    /** "name(option=number)", as {@link Loss#named} reads it. */
    static final Pattern NAME_WITH_OPTION = Pattern.compile("(\\w+)\\s*\\(\\s*(\\w+)\\s*=\\s*([0-9.eE+-]+)\\s*\\)");

    private Weights() {}

    /**
     * A copy of {@code w}, checked: every value finite and {@code >= 0}.
     *
     * @throws IllegalArgumentException naming {@code field}, the index and the value
     */
    static double[] checked(String field, double[] w) {
        if (w == null) return null;
        if (w.length == 0) throw new IllegalArgumentException(field + " must not be empty");
        for (int i = 0; i < w.length; i++)
            if (!(w[i] >= 0) || Double.isInfinite(w[i]))
                throw new IllegalArgumentException(field + "[" + i + "] must be finite and >= 0, got " + w[i] + " (in "
                        + Arrays.toString(w) + ")");
        return w.clone();
    }

    /** Fails unless {@code w} is null or has one value per column; allocates nothing when it passes. */
    static void checkColumns(Loss loss, String field, double[] w, int cols) {
        if (w != null && w.length != cols)
            throw new IllegalArgumentException(loss + ": " + field + " has " + w.length + " values but the predictions"
                    + " have " + cols + " columns (one per " + (field.equals("pos_weight") ? "column" : "class") + ")");
    }

    /** {@code Σ w[off ..+rows)}, or rows when w is null. */
    static double sum(float[] w, int off, int rows) {
        if (w == null) return rows;
        double s = 0;
        for (int r = 0; r < rows; r++) s += w[off + r];
        return s;
    }

    /** The factor a reduction multiplies the weighted sum by: 1/meanDivisor, 1 or 1/batchDivisor. */
    static double norm(Loss.Reduction reduction, double meanDivisor, double batchDivisor) {
        return switch (reduction) {
            case MEAN -> 1.0 / meanDivisor;
            case SUM -> 1.0;
            case BATCHMEAN -> 1.0 / batchDivisor;
        };
    }

    /** The class index in {@code target[i]}, checked against {@code [0, cols)}. */
    static int classIndex(float t, int row, int cols) {
        int cls = (int) t;
        if (cls != t || cls < 0 || cls >= cols)
            throw new IllegalArgumentException("class index " + t + " in row " + row + " is outside [0, " + cols + ")");
        return cls;
    }

    /**
     * The reduction factor of a class-index loss (cross-entropy, NLL): PyTorch's weighted mean
     * divides by {@code Σᵢ sᵢ·w[yᵢ]} (sample weights s, class weights w; 1 where null), batchmean by
     * {@code Σᵢ sᵢ}. Reads the rows' class indices, checking each against {@code [0, cols)}.
     */
    static double classNorm(
            Loss.Reduction reduction,
            float[] target,
            int targetOff,
            float[] sampleWeights,
            int weightOff,
            double[] classWeights,
            int rows,
            int cols) {
        double targetWeights = 0;
        for (int r = 0; r < rows; r++) {
            int cls = classIndex(target[targetOff + r], r, cols);
            targetWeights += (sampleWeights == null ? 1 : sampleWeights[weightOff + r])
                    * (classWeights == null ? 1 : classWeights[cls]);
        }
        return norm(reduction, targetWeights, sum(sampleWeights, weightOff, rows));
    }

    /** r, checked not null. */
    static Loss.Reduction reduction(Loss.Reduction r) {
        if (r == null) throw new IllegalArgumentException("loss reduction must not be null");
        return r;
    }

    /** ", sum" / ", batchmean" after a loss's name, nothing for mean. */
    static String suffix(Loss.Reduction r) {
        return r == Loss.Reduction.MEAN ? "" : ", " + r.name().toLowerCase(java.util.Locale.ROOT);
    }

    static boolean equal(double[] a, double[] b) {
        return Arrays.equals(a, b);
    }
}
