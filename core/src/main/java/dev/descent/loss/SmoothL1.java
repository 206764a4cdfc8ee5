package dev.descent.loss;

/**
 * PyTorch's SmoothL1Loss: {@code 0.5·d²/β} where {@code |d| < β}, {@code |d| - 0.5·β} elsewhere
 * (d = p - t); β = 0 is the L1 loss. Equals {@link Huber} with δ = β divided by β.
 *
 * @param beta the threshold, {@code >= 0}
 */
public record SmoothL1(Reduction reduction, double beta) implements ElementwiseLoss {

    public SmoothL1 {
        Weights.reduction(reduction);
        if (!(beta >= 0) || Double.isInfinite(beta))
            throw new IllegalArgumentException("smooth_l1 beta must be finite and >= 0, got " + beta);
    }

    @Override
    public SmoothL1 reduction(Reduction r) {
        return new SmoothL1(r, beta);
    }

    @Override
    public double term(double p, double t, int col) {
        double d = p - t, a = Math.abs(d);
        return a < beta ? 0.5 * d * d / beta : a - 0.5 * beta;
    }

    @Override
    public double derivative(double p, double t, int col) {
        double d = p - t;
        return Math.abs(d) < beta ? d / beta : Math.signum(d);
    }

    @Override
    public String toString() {
        return "smooth_l1(beta=" + beta + ")" + Weights.suffix(reduction);
    }
}
