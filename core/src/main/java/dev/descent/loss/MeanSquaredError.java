package dev.descent.loss;

/** Mean squared error {@code (p-t)²} (PyTorch MSELoss); see {@link Loss#mse()}. */
public record MeanSquaredError(Reduction reduction) implements ElementwiseLoss {

    public MeanSquaredError {
        Weights.reduction(reduction);
    }

    @Override
    public MeanSquaredError reduction(Reduction r) {
        return new MeanSquaredError(r);
    }

    @Override
    public double term(double p, double t, int col) {
        double d = p - t;
        return d * d;
    }

    @Override
    public double derivative(double p, double t, int col) {
        return 2 * (p - t);
    }

    @Override
    public String toString() {
        return "mse" + Weights.suffix(reduction);
    }
}
