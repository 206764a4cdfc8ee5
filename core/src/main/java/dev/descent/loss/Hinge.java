package dev.descent.loss;

/** Hinge {@code max(0, 1 - t·p)} with targets ±1; accuracy by sign. See {@link Loss#hinge()}. */
public record Hinge(Reduction reduction) implements ElementwiseLoss {

    public Hinge {
        Weights.reduction(reduction);
    }

    @Override
    public Hinge reduction(Reduction r) {
        return new Hinge(r);
    }

    @Override
    public Accuracy accuracy() {
        return Accuracy.SIGN;
    }

    @Override
    public double term(double p, double t, int col) {
        return Math.max(0, 1 - t * p);
    }

    @Override
    public double derivative(double p, double t, int col) {
        return 1 - t * p > 0 ? -t : 0;
    }

    @Override
    public String toString() {
        return "hinge" + Weights.suffix(reduction);
    }
}
