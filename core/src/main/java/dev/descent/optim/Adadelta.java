package dev.descent.optim;

import dev.descent.backend.Backend;

/**
 * Adadelta ({@code torch.optim.Adadelta}, Zeiler 2012, "ADADELTA: An Adaptive Learning Rate
 * Method"):
 *
 * <pre>
 * g ← ±g + λ·p;  v ← ρv + (1-ρ)g²;  Δ = √(u + ε)/√(v + ε) · g;  u ← ρu + (1-ρ)Δ²;  p ← p - lr·Δ
 * </pre>
 *
 * Runs on the generic path. Defaults as PyTorch: lr 1, rho 0.9, eps 1e-6, weight decay 0.
 * Checkpointed state: {@code square_avg}, {@code acc_delta}.
 */
public record Adadelta(double lr, double rho, double eps, double weightDecay, boolean isMaximize) implements Optimizer {

    /** PyTorch's defaults. */
    public static final Adadelta DEFAULTS = new Adadelta(1.0, 0.9, 1e-6, 0, false);

    public Adadelta {
        Optimizer.checkLr(lr);
        Optimizer.checkRange("rho", rho, 0, 1, true);
        Optimizer.checkRange("eps", eps, 0, Double.MAX_VALUE, true);
        Optimizer.checkRange("weight_decay", weightDecay, 0, Double.MAX_VALUE, true);
    }

    public static Adadelta lr(double lr) {
        return DEFAULTS.withLr(lr);
    }

    public Adadelta rho(double rho) {
        return new Adadelta(lr, rho, eps, weightDecay, isMaximize);
    }

    public Adadelta eps(double eps) {
        return new Adadelta(lr, rho, eps, weightDecay, isMaximize);
    }

    public Adadelta weightDecay(double weightDecay) {
        return new Adadelta(lr, rho, eps, weightDecay, isMaximize);
    }

    public Adadelta maximize() {
        return new Adadelta(lr, rho, eps, weightDecay, true);
    }

    @Override
    public Adadelta withLr(double lr) {
        return new Adadelta(lr, rho, eps, weightDecay, isMaximize);
    }

    /** The running means of g² and Δ², and three scratch arrays. */
    record State(float[] squareAvg, float[] accDelta, float[] grad, float[] delta, float[] std) {}

    @Override
    public OptimizerState newState(int size) {
        var s = new State(new float[size], new float[size], new float[size], new float[size], new float[size]);
        return OptimizerState.typed(size, s)
                .withBuffer("square_avg", s.squareAvg)
                .withBuffer("acc_delta", s.accDelta);
    }

    @Override
    public void step(Backend b, float[] params, float[] grads, OptimizerState state, double lr) {
        Optimizer.checkLr(lr);
        State s = state.view(State.class);
        state.advance();
        int n = state.size();
        float r = (float) rho, e = (float) eps;
        float[] g = Optimizer.effectiveGradient(b, grads, params, s.grad, n, isMaximize, weightDecay);
        b.addcmul(s.squareAvg, r, s.squareAvg, 1 - r, g, g, 0, n);
        b.map(Backend.Unary.SQRT, s.std, 1, s.squareAvg, e, 0, n);
        b.map(Backend.Unary.SQRT, s.delta, 1, s.accDelta, e, 0, n);
        b.addcdiv(s.delta, 0, s.delta, 1, s.delta, s.std, 0, 0, n);
        b.addcmul(s.delta, 0, s.delta, 1, s.delta, g, 0, n);
        b.addcmul(s.accDelta, r, s.accDelta, 1 - r, s.delta, s.delta, 0, n);
        b.axpby(params, 1, params, (float) -lr, s.delta, 0, n);
    }

    /** Coordinate-wise (see {@link Optimizer#coordinatewiseDecay}), with its weight decay. */
    @Override
    public java.util.OptionalDouble coordinatewiseDecay() {
        return java.util.OptionalDouble.of(weightDecay);
    }

    /** {@link Optimizers#fromSpec} for Adadelta (listed in {@code META-INF/services/dev.descent.optim.OptimizerSpec}). */
    public static final class Spec implements OptimizerSpec {
        @Override
        public java.util.List<String> names() {
            return java.util.List.of("Adadelta");
        }

        @Override
        public Adadelta fromSpec(String name, Hyper h) {
            h.allow("lr", "rho", "eps", "weight_decay", "maximize");
            var d = DEFAULTS;
            return new Adadelta(
                    h.number("lr", d.lr()),
                    h.number("rho", d.rho()),
                    h.number("eps", d.eps()),
                    h.number("weight_decay", d.weightDecay()),
                    h.flag("maximize"));
        }
    }
}
