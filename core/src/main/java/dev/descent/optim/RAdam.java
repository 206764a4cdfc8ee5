package dev.descent.optim;

import dev.descent.backend.Backend;

/**
 * RAdam ({@code torch.optim.RAdam}, Liu et al. 2020, "On the Variance of the Adaptive Learning Rate
 * and Beyond"), as PyTorch 1.13 (and 2.x without decoupled weight decay): with {@code ρ∞ =
 * 2/(1-β₂) - 1} and {@code ρ_t = ρ∞ - 2t·β₂ᵗ/(1-β₂ᵗ)},
 *
 * <pre>
 * g ← g + λ·p;  m ← β₁m + (1-β₁)g;  v ← β₂v + (1-β₂)g²
 * ρ_t > 5:  p ← p - lr·r_t·√(1-β₂ᵗ)/(1-β₁ᵗ) · m/(√v + ε),  r_t = √((ρ_t-4)(ρ_t-2)ρ∞ / ((ρ∞-4)(ρ∞-2)ρ_t))
 * else:     p ← p - lr/(1-β₁ᵗ) · m
 * </pre>
 *
 * Runs on the generic path. Defaults as PyTorch: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight
 * decay 0. Checkpointed state: {@code exp_avg}, {@code exp_avg_sq}.
 */
public record RAdam(double lr, double beta1, double beta2, double eps, double weightDecay) implements Optimizer {

    /** PyTorch's defaults. */
    public static final RAdam DEFAULTS = new RAdam(1e-3, 0.9, 0.999, 1e-8, 0);

    public RAdam {
        Optimizer.checkLr(lr);
        Optimizer.checkBetas(beta1, beta2);
        Optimizer.checkRange("eps", eps, 0, Double.MAX_VALUE, true);
        Optimizer.checkRange("weight_decay", weightDecay, 0, Double.MAX_VALUE, true);
    }

    public static RAdam lr(double lr) {
        return DEFAULTS.withLr(lr);
    }

    public RAdam betas(double beta1, double beta2) {
        return new RAdam(lr, beta1, beta2, eps, weightDecay);
    }

    public RAdam eps(double eps) {
        return new RAdam(lr, beta1, beta2, eps, weightDecay);
    }

    public RAdam weightDecay(double weightDecay) {
        return new RAdam(lr, beta1, beta2, eps, weightDecay);
    }

    @Override
    public RAdam withLr(double lr) {
        return new RAdam(lr, beta1, beta2, eps, weightDecay);
    }

    /** The moments and two scratch arrays. */
    record State(float[] expAvg, float[] expAvgSq, float[] grad, float[] denom) {}

    @Override
    public OptimizerState newState(int size) {
        var s = new State(new float[size], new float[size], new float[size], new float[size]);
        return OptimizerState.typed(size, s).withBuffer("exp_avg", s.expAvg).withBuffer("exp_avg_sq", s.expAvgSq);
    }

    @Override
    public void step(Backend b, float[] params, float[] grads, OptimizerState state, double lr) {
        Optimizer.checkLr(lr);
        State s = state.view(State.class);
        long t = state.advance();
        int n = state.size();
        float[] g = Optimizer.effectiveGradient(b, grads, params, s.grad, n, false, weightDecay);
        Optimizer.updateMoments(b, g, s.expAvg, s.expAvgSq, beta1, beta2, n);
        double bc1 = 1 - Math.pow(beta1, t), bc2 = 1 - Math.pow(beta2, t);
        double rhoInf = 2 / (1 - beta2) - 1;
        double rhoT = rhoInf - 2 * t * Math.pow(beta2, t) / bc2;
        if (rhoT > 5) {
            double rect = Math.sqrt((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
            b.map(Backend.Unary.SQRT, s.denom, 1, s.expAvgSq, 0, 0, n);
            b.addcdiv(
                    params,
                    1,
                    params,
                    (float) (-lr * rect * Math.sqrt(bc2) / bc1),
                    s.expAvg,
                    s.denom,
                    (float) eps,
                    0,
                    n);
        } else {
            b.axpby(params, 1, params, (float) (-lr / bc1), s.expAvg, 0, n);
        }
    }

    /** Coordinate-wise (see {@link Optimizer#coordinatewiseDecay}), with its weight decay. */
    @Override
    public java.util.OptionalDouble coordinatewiseDecay() {
        return java.util.OptionalDouble.of(weightDecay);
    }

    /** {@link Optimizers#fromSpec} for RAdam (listed in {@code META-INF/services/dev.descent.optim.OptimizerSpec}). */
    public static final class Spec implements OptimizerSpec {
        @Override
        public java.util.List<String> names() {
            return java.util.List.of("RAdam");
        }

        @Override
        public RAdam fromSpec(String name, Hyper h) {
            h.allow("lr", "betas", "eps", "weight_decay");
            var d = DEFAULTS;
            double[] betas = h.pair("betas", d.beta1(), d.beta2());
            return new RAdam(
                    h.number("lr", d.lr()),
                    betas[0],
                    betas[1],
                    h.number("eps", d.eps()),
                    h.number("weight_decay", d.weightDecay()));
        }
    }
}
