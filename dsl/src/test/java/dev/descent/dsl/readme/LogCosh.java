package dev.descent.dsl.readme;

// README:begin my-loss
import dev.descent.loss.ElementwiseLoss;

/**
 * log-cosh regression loss {@code log(cosh(p - t))}: about {@code d²/2} for small errors, {@code
 * |d| - log 2} for large ones. One element-wise term and its derivative; {@link ElementwiseLoss}
 * does the mean/sum/batchmean reductions, per-sample weights and gradient scaling.
 */
public record LogCosh(Reduction reduction) implements ElementwiseLoss {

    public LogCosh() {
        this(Reduction.MEAN);
    }

    @Override
    public LogCosh reduction(Reduction r) {
        return new LogCosh(r);
    }

    @Override
    public double term(double p, double t, int col) {
        double a = Math.abs(p - t);
        return a + Math.log1p(Math.exp(-2 * a)) - Math.log(2); // log cosh, stable for large |d|
    }

    @Override
    public double derivative(double p, double t, int col) {
        return Math.tanh(p - t);
    }
}
// README:end
