package dev.descent.loss;

/**
 * PyTorch's KLDivLoss: input x = log q (log-probabilities), target p: {@code p·(log p - x)} per
 * element (0 where p = 0), or with {@code logTarget} the target is log p: {@code e^t·(t - x)}.
 * {@link Reduction#BATCHMEAN} (the default, the mathematical KL divergence per row) divides the sum
 * by the number of rows; {@link Reduction#MEAN} divides by rows·cols as PyTorch's plain 'mean'.
 *
 * @param logTarget whether targets are log-probabilities
 */
public record KlDivergence(Reduction reduction, boolean logTarget) implements ElementwiseLoss {

    public KlDivergence {
        Weights.reduction(reduction);
    }

    @Override
    public KlDivergence reduction(Reduction r) {
        return new KlDivergence(r, logTarget);
    }

    /** This loss with targets given as log-probabilities ({@code log_target=True}) or not. */
    public KlDivergence logTarget(boolean logProbabilityTargets) {
        return new KlDivergence(reduction, logProbabilityTargets);
    }

    @Override
    public double term(double x, double t, int col) {
        if (logTarget) return Math.exp(t) * (t - x);
        return t == 0 ? 0 : t * (Math.log(t) - x);
    }

    @Override
    public double derivative(double x, double t, int col) {
        return logTarget ? -Math.exp(t) : -t;
    }

    @Override
    public String toString() {
        return "kl_div" + (logTarget ? "(log_target)" : "") + Weights.suffix(reduction);
    }
}
