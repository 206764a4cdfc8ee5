package dev.descent.loss;

/**
 * PyTorch's HuberLoss: {@code 0.5·d²} where {@code |d| <= δ}, {@code δ·(|d| - 0.5·δ)} elsewhere
 * (d = p - t).
 *
 * @param delta the threshold δ, {@code > 0}
 */
public record Huber(Reduction reduction, double delta) implements ElementwiseLoss {

    public Huber {
        Weights.reduction(reduction);
        if (!(delta > 0) || Double.isInfinite(delta))
            throw new IllegalArgumentException("huber delta must be finite and > 0, got " + delta);
    }

    @Override
    public Huber reduction(Reduction r) {
        return new Huber(r, delta);
    }

    @Override
    public double term(double p, double t, int col) {
        double d = p - t, a = Math.abs(d);
        return a <= delta ? 0.5 * d * d : delta * (a - 0.5 * delta);
    }

    @Override
    public double derivative(double p, double t, int col) {
        double d = p - t;
        return Math.abs(d) <= delta ? d : delta * Math.signum(d);
    }

    @Override
    public String toString() {
        return "huber(delta=" + delta + ")" + Weights.suffix(reduction);
    }
}
