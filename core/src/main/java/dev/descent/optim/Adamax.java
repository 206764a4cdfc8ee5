package dev.descent.optim;

import dev.descent.backend.Backend;

/**
 * Adamax ({@code torch.optim.Adamax}, Kingma and Ba 2015, "Adam: A Method for Stochastic
 * Optimization", §7.1), Adam with the infinity norm:
 *
 * <pre>
 * g ← ±g + λ·p;  m ← β₁m + (1-β₁)g;  u ← max(β₂u, |g| + ε);  p ← p - lr/(1-β₁ᵗ) · m/u
 * </pre>
 *
 * Runs on the generic path. Defaults as PyTorch: lr 2e-3, betas (0.9, 0.999), eps 1e-8, weight
 * decay 0. Checkpointed state: {@code exp_avg}, {@code exp_inf}.
 */
public record Adamax(double lr, double beta1, double beta2, double eps, double weightDecay, boolean isMaximize)
        implements Optimizer {

    /** PyTorch's defaults. */
    public static final Adamax DEFAULTS = new Adamax(2e-3, 0.9, 0.999, 1e-8, 0, false);

    public Adamax {
        Optimizer.checkLr(lr);
        Optimizer.checkBetas(beta1, beta2);
        Optimizer.checkRange("eps", eps, 0, Double.MAX_VALUE, true);
        Optimizer.checkRange("weight_decay", weightDecay, 0, Double.MAX_VALUE, true);
    }

    public static Adamax lr(double lr) {
        return DEFAULTS.withLr(lr);
    }

    public Adamax betas(double beta1, double beta2) {
        return new Adamax(lr, beta1, beta2, eps, weightDecay, isMaximize);
    }

    public Adamax eps(double eps) {
        return new Adamax(lr, beta1, beta2, eps, weightDecay, isMaximize);
    }

    public Adamax weightDecay(double weightDecay) {
        return new Adamax(lr, beta1, beta2, eps, weightDecay, isMaximize);
    }

    public Adamax maximize() {
        return new Adamax(lr, beta1, beta2, eps, weightDecay, true);
    }

    @Override
    public Adamax withLr(double lr) {
        return new Adamax(lr, beta1, beta2, eps, weightDecay, isMaximize);
    }

    /** The first moment, the infinity norm, and two scratch arrays. */
    record State(float[] expAvg, float[] expInf, float[] grad, float[] abs) {}

    @Override
    public OptimizerState newState(int size) {
        var s = new State(new float[size], new float[size], new float[size], new float[size]);
        return OptimizerState.typed(size, s).withBuffer("exp_avg", s.expAvg).withBuffer("exp_inf", s.expInf);
    }

    @Override
    public void step(Backend b, float[] params, float[] grads, OptimizerState state, double lr) {
        Optimizer.checkLr(lr);
        State s = state.view(State.class);
        long t = state.advance();
        int n = state.size();
        float[] g = Optimizer.effectiveGradient(b, grads, params, s.grad, n, isMaximize, weightDecay);
        b.axpby(s.expAvg, (float) beta1, s.expAvg, (float) (1 - beta1), g, 0, n);
        b.map(Backend.Unary.ABS, s.abs, 1, g, 0, 0, n);
        b.maximum(s.expInf, (float) beta2, s.expInf, s.abs, (float) eps, 0, n);
        b.addcdiv(params, 1, params, (float) (-lr / (1 - Math.pow(beta1, t))), s.expAvg, s.expInf, 0, 0, n);
    }

    /** Coordinate-wise (see {@link Optimizer#coordinatewiseDecay}), with its weight decay. */
    @Override
    public java.util.OptionalDouble coordinatewiseDecay() {
        return java.util.OptionalDouble.of(weightDecay);
    }

    /** {@link Optimizers#fromSpec} for Adamax (listed in {@code META-INF/services/dev.descent.optim.OptimizerSpec}). */
    public static final class Spec implements OptimizerSpec {
        @Override
        public java.util.List<String> names() {
            return java.util.List.of("Adamax");
        }

        @Override
        public Adamax fromSpec(String name, Hyper h) {
            h.allow("lr", "betas", "eps", "weight_decay", "maximize");
            var d = DEFAULTS;
            double[] betas = h.pair("betas", d.beta1(), d.beta2());
            return new Adamax(
                    h.number("lr", d.lr()),
                    betas[0],
                    betas[1],
                    h.number("eps", d.eps()),
                    h.number("weight_decay", d.weightDecay()),
                    h.flag("maximize"));
        }
    }
}
