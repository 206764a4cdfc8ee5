package dev.descent.loss;

/** Absolute error {@code |p-t|} (PyTorch L1Loss; derivative sign(p-t), 0 at p = t); see {@link Loss#l1()}. */
public record L1(Reduction reduction) implements ElementwiseLoss {

    public L1 {
        Weights.reduction(reduction);
    }

    @Override
    public L1 reduction(Reduction r) {
        return new L1(r);
    }

    @Override
    public double term(double p, double t, int col) {
        return Math.abs(p - t);
    }

    @Override
    public double derivative(double p, double t, int col) {
        return Math.signum(p - t);
    }

    @Override
    public String toString() {
        return "l1" + Weights.suffix(reduction);
    }
}
