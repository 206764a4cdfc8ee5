package dev.descent.loss;

import java.util.Arrays;

/**
 * PyTorch's NLLLoss on log-probabilities x (e.g. log-softmax outputs) with one class index per
 * row: {@code lᵢ = -w[yᵢ]·x[i, yᵢ]}; {@link Reduction#MEAN} divides {@code Σᵢ lᵢ} by {@code Σᵢ
 * w[yᵢ]} (N without class weights). Per-sample weights sᵢ multiply lᵢ and w[yᵢ] in both sums.
 *
 * @param classWeights one weight per class, each finite and >= 0, or null
 */
public record Nll(Reduction reduction, double[] classWeights) implements Loss {

    public Nll {
        Weights.reduction(reduction);
        classWeights = Weights.checked("class_weights", classWeights);
    }

    @Override
    public Nll reduction(Reduction r) {
        return new Nll(r, classWeights);
    }

    /** This loss with one weight per class (each finite and >= 0). */
    public Nll classWeights(double... perClass) {
        return new Nll(reduction, perClass);
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
        double norm =
                Weights.classNorm(reduction, target, targetOff, sampleWeights, weightOff, classWeights, rows, cols);
        double total = 0;
        for (int r = 0; r < rows; r++) {
            int cls = (int) target[targetOff + r];
            double sw = (sampleWeights == null ? 1 : sampleWeights[weightOff + r])
                    * (classWeights == null ? 1 : classWeights[cls]);
            total -= sw * pred[predOff + r * cols + cls];
            if (grad != null) {
                int go = gradOff + r * cols;
                for (int j = 0; j < cols; j++) grad[go + j] = 0f;
                grad[go + cls] = (float) (-sw * norm * gradScale);
            }
        }
        return total * norm;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Nll n && n.reduction == reduction && Arrays.equals(n.classWeights, classWeights);
    }

    @Override
    public int hashCode() {
        return 31 * reduction.hashCode() + Arrays.hashCode(classWeights);
    }

    @Override
    public String toString() {
        return "nll" + (classWeights == null ? "" : "(class_weights=" + Arrays.toString(classWeights) + ")")
                + Weights.suffix(reduction);
    }
}
