package dev.descent.loss;

/**
 * A loss with one term per element of {@code rows×cols} real targets: implement the term and its
 * derivative, and this interface does the reductions, the per-sample weights and the gradient
 * scaling. {@link Reduction#MEAN} divides by {@code cols·Σᵢ sᵢ} ({@code rows·cols} without sample
 * weights), {@link Reduction#BATCHMEAN} by {@code Σᵢ sᵢ} (rows), {@link Reduction#SUM} by 1.
 */
public interface ElementwiseLoss extends Loss {

    /** The loss of prediction p against target t in column {@code col}. */
    double term(double p, double t, int col);

    /** {@code d term / d p} at (p, t) in column {@code col}. */
    double derivative(double p, double t, int col);

    @Override
    default double valueAndGradient(
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
    default double valueAndGradient(
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
        double rowWeights = Weights.sum(sampleWeights, weightOff, rows);
        double norm = Weights.norm(reduction(), rowWeights * cols, rowWeights);
        double total = 0;
        for (int r = 0; r < rows; r++) {
            double s = sampleWeights == null ? 1 : sampleWeights[weightOff + r];
            double g = s * norm * gradScale;
            int o = r * cols;
            for (int c = 0; c < cols; c++) {
                double p = pred[predOff + o + c], t = target[targetOff + o + c];
                total += s * term(p, t, c);
                if (grad != null) grad[gradOff + o + c] = (float) (derivative(p, t, c) * g);
            }
        }
        return total * norm;
    }
}
