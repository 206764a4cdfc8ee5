package dev.descent.loss;

import java.util.Arrays;

/**
 * PyTorch's CrossEntropyLoss on logits with one class index per row, with label smoothing ε and
 * class weights w (null: all 1). With {@code pᵢ = softmax(zᵢ)} over C classes, row i's term is
 * {@code lᵢ = (1-ε)·w[yᵢ]·(-log pᵢ[yᵢ]) + (ε/C)·Σ_c w[c]·(-log pᵢ[c])}; {@link Reduction#SUM} is
 * {@code Σᵢ lᵢ} and {@link Reduction#MEAN} {@code Σᵢ lᵢ / Σᵢ w[yᵢ]} (N without weights), as PyTorch
 * divides, for the smoothing term too. Per-sample weights sᵢ multiply lᵢ and w[yᵢ] in both sums.
 *
 * @param labelSmoothing ε in [0, 1)
 * @param classWeights one weight per class, each finite and >= 0, or null
 */
public record SoftmaxCrossEntropy(Reduction reduction, double labelSmoothing, double[] classWeights) implements Loss {

    public SoftmaxCrossEntropy {
        Weights.reduction(reduction);
        if (!(labelSmoothing >= 0 && labelSmoothing < 1))
            throw new IllegalArgumentException("label_smoothing must be in [0, 1), got " + labelSmoothing);
        classWeights = Weights.checked("class_weights", classWeights);
    }

    @Override
    public SoftmaxCrossEntropy reduction(Reduction r) {
        return new SoftmaxCrossEntropy(r, labelSmoothing, classWeights);
    }

    /** This loss with label smoothing ε in [0, 1). */
    public SoftmaxCrossEntropy labelSmoothing(double epsilon) {
        return new SoftmaxCrossEntropy(reduction, epsilon, classWeights);
    }

    /** This loss with one weight per class (each finite and >= 0). */
    public SoftmaxCrossEntropy classWeights(double... perClass) {
        return new SoftmaxCrossEntropy(reduction, labelSmoothing, perClass);
    }

    @Override
    public double[] classWeights() {
        return classWeights == null ? null : classWeights.clone();
    }

    @Override
    public boolean classIndexTargets() {
        return true;
    }

    @Override
    public Accuracy accuracy() {
        return Accuracy.ARGMAX;
    }

    @Override
    public void checkColumns(int cols) {
        Weights.checkColumns(this, "class_weights", classWeights, cols);
    }

    @Override
    public double valueAndGradient(
            float[] pred,
            int predOff,
            float[] target,
            int targetOff,
            int rows,
            int cols,
            float[] grad,
            int gradOff,
            float gradScale) {
        return valueAndGradient(pred, predOff, target, targetOff, null, 0, rows, cols, grad, gradOff, gradScale);
    }

    @Override
    public double valueAndGradient(
            float[] pred,
            int predOff,
            float[] target,
            int targetOff,
            float[] sampleWeights,
            int weightOff,
            int rows,
            int cols,
            float[] grad,
            int gradOff,
            float gradScale) {
        checkColumns(cols);
        double[] w = classWeights;
        double eps = labelSmoothing, smooth = eps / cols, wSum = cols;
        if (w != null) {
            wSum = 0;
            for (double v : w) wSum += v;
        }
        double norm = Weights.classNorm(reduction, target, targetOff, sampleWeights, weightOff, w, rows, cols);
        double total = 0;
        boolean plain = eps == 0 && w == null;
        double[] e = exps(cols);
        for (int r = 0; r < rows; r++) {
            int o = predOff + r * cols, cls = (int) target[targetOff + r];
            double s = sampleWeights == null ? 1 : sampleWeights[weightOff + r];
            double wy = w == null ? 1 : w[cls];
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < cols; j++) max = Math.max(max, pred[o + j]);
            // e[j] = exp(x_j - max), the difference exact in double; the gradient's softmax reuses it
            double expSum = 0;
            for (int j = 0; j < cols; j++) expSum += e[j] = Math.exp((double) pred[o + j] - max);
            double logSum = Math.log(expSum) + max;
            double row = (1 - eps) * wy * (logSum - pred[o + cls]);
            if (eps != 0) {
                double smoothed = 0;
                for (int j = 0; j < cols; j++) smoothed += (w == null ? 1 : w[j]) * (logSum - pred[o + j]);
                row += smooth * smoothed;
            }
            total += s * row;
            if (grad != null) {
                int go = gradOff + r * cols;
                double g = s * norm * gradScale;
                if (plain) { // the general d below is exactly p - [j = cls] then: its other factors are 1, its term +0
                    for (int j = 0; j < cols; j++) {
                        double p = e[j] / expSum;
                        grad[go + j] = (float) ((j == cls ? p - 1 : p) * g);
                    }
                    continue;
                }
                for (int j = 0; j < cols; j++) {
                    double p = e[j] / expSum;
                    double d = (1 - eps) * wy * (j == cls ? p - 1 : p) + smooth * (wSum * p - (w == null ? 1 : w[j]));
                    grad[go + j] = (float) (d * g);
                }
            }
        }
        return total * norm;
    }

    /** Per-thread room for one row's exponentials, grown on demand (a loss may be shared by threads). */
    private static final ThreadLocal<double[]> EXPS = ThreadLocal.withInitial(() -> new double[16]);

    private static double[] exps(int cols) {
        double[] e = EXPS.get();
        if (e.length < cols) EXPS.set(e = new double[Math.max(cols, 2 * e.length)]);
        return e;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SoftmaxCrossEntropy c
                && c.reduction == reduction
                && Double.compare(c.labelSmoothing, labelSmoothing) == 0
                && Arrays.equals(c.classWeights, classWeights);
    }

    @Override
    public int hashCode() {
        return (31 * reduction.hashCode() + Double.hashCode(labelSmoothing)) * 31 + Arrays.hashCode(classWeights);
    }

    @Override
    public String toString() {
        String options = (labelSmoothing == 0 ? "" : "label_smoothing=" + labelSmoothing)
                + (classWeights == null
                        ? ""
                        : (labelSmoothing == 0 ? "" : ", ") + "class_weights=" + Arrays.toString(classWeights));
        return "softmax_cross_entropy" + (options.isEmpty() ? "" : "(" + options + ")") + Weights.suffix(reduction);
    }
}
