package dev.descent.loss;

import java.util.Arrays;

/**
 * PyTorch's BCEWithLogitsLoss on logits x and targets y in [0, 1], in the stable form: {@code
 * l = pos_weight[c]·y·softplus(-x) + (1-y)·softplus(x)} = {@code -(pos_weight·y·log σ(x) +
 * (1-y)·log(1-σ(x)))}; accuracy: logit > 0 against target > 0.5.
 *
 * @param posWeight one weight per column for the positive term (null: all 1)
 */
public record BceWithLogits(Reduction reduction, double[] posWeight) implements ElementwiseLoss {

    public BceWithLogits {
        Weights.reduction(reduction);
        posWeight = Weights.checked("pos_weight", posWeight);
    }

    @Override
    public BceWithLogits reduction(Reduction r) {
        return new BceWithLogits(r, posWeight);
    }

    /** This loss with {@code pos_weight} (one per output column, each finite and {@code >= 0}). */
    public BceWithLogits posWeight(double... perColumn) {
        return new BceWithLogits(reduction, perColumn);
    }

    @Override
    public double[] posWeight() {
        return posWeight == null ? null : posWeight.clone();
    }

    @Override
    public Accuracy accuracy() {
        return Accuracy.POSITIVE_LOGIT;
    }

    @Override
    public void checkColumns(int cols) {
        Weights.checkColumns(this, "pos_weight", posWeight, cols);
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
        return ElementwiseLoss.super.valueAndGradient(
                pred, predOff, target, targetOff, sampleWeights, weightOff, rows, cols, grad, gradOff, gradScale);
    }

    @Override
    public double term(double x, double y, int col) {
        double softplus = Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))); // -log(1-σ(x))
        double pw = posWeight == null ? 1 : posWeight[col];
        return pw * y * (softplus - x) + (1 - y) * softplus;
    }

    @Override
    public double derivative(double x, double y, int col) {
        double s = sigmoid(x);
        double pw = posWeight == null ? 1 : posWeight[col];
        return pw * y * (s - 1) + (1 - y) * s;
    }

    static double sigmoid(double x) {
        return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BceWithLogits b && b.reduction == reduction && Arrays.equals(b.posWeight, posWeight);
    }

    @Override
    public int hashCode() {
        return 31 * reduction.hashCode() + Arrays.hashCode(posWeight);
    }

    @Override
    public String toString() {
        return "binary_cross_entropy_with_logits"
                + (posWeight == null ? "" : "(pos_weight=" + Arrays.toString(posWeight) + ")")
                + Weights.suffix(reduction);
    }
}
