package dev.descent.optim;

import dev.descent.backend.Backend;

/**
 * NAdam ({@code torch.optim.NAdam}, Dozat 2016, "Incorporating Nesterov Momentum into Adam"), with
 * PyTorch ≥ 2.0's update: with {@code μ_t = β₁·(1 - ½·0.96^(t·ψ))} (ψ = momentum_decay) and {@code
 * Π_t = μ_1·…·μ_t},
 *
 * <pre>
 * g ← g + λ·p;  m ← β₁m + (1-β₁)g;  v ← β₂v + (1-β₂)g²;  d = √(v/(1-β₂ᵗ)) + ε
 * p ← p - lr·(1-μ_t)/(1-Π_t)·g/d - lr·μ_{t+1}/(1-Π_t·μ_{t+1})·m/d
 * </pre>
 *
 * Runs on the generic path (the backend's element-wise operations). Defaults as PyTorch: lr 2e-3,
 * betas (0.9, 0.999), eps 1e-8, weight decay 0, momentum decay 4e-3. Checkpointed state: {@code
 * exp_avg}, {@code exp_avg_sq}; Π_t is recomputed from the step count, so a resumed run needs no
 * more.
 */
public record NAdam(double lr, double beta1, double beta2, double eps, double weightDecay, double momentumDecay)
        implements Optimizer {

    /** PyTorch's defaults. */
    public static final NAdam DEFAULTS = new NAdam(2e-3, 0.9, 0.999, 1e-8, 0, 4e-3);

    public NAdam {
        Optimizer.checkLr(lr);
        Optimizer.checkBetas(beta1, beta2);
        Optimizer.checkRange("eps", eps, 0, Double.MAX_VALUE, true);
        Optimizer.checkRange("weight_decay", weightDecay, 0, Double.MAX_VALUE, true);
        Optimizer.checkRange("momentum_decay", momentumDecay, 0, Double.MAX_VALUE, true);
    }

    public static NAdam lr(double lr) {
        return DEFAULTS.withLr(lr);
    }

    public NAdam betas(double beta1, double beta2) {
        return new NAdam(lr, beta1, beta2, eps, weightDecay, momentumDecay);
    }

    public NAdam eps(double eps) {
        return new NAdam(lr, beta1, beta2, eps, weightDecay, momentumDecay);
    }

    public NAdam weightDecay(double weightDecay) {
        return new NAdam(lr, beta1, beta2, eps, weightDecay, momentumDecay);
    }

    public NAdam momentumDecay(double momentumDecay) {
        return new NAdam(lr, beta1, beta2, eps, weightDecay, momentumDecay);
    }

    @Override
    public NAdam withLr(double lr) {
        return new NAdam(lr, beta1, beta2, eps, weightDecay, momentumDecay);
    }

    /** The moments, two scratch arrays, and the cached product Π_t of the μ's (valid at {@code productStep}). */
    static final class State {
        final float[] expAvg, expAvgSq, grad, denom;
        double product = 1;
        long productStep;

        State(int n) {
            expAvg = new float[n];
            expAvgSq = new float[n];
            grad = new float[n];
            denom = new float[n];
        }
    }

    @Override
    public OptimizerState newState(int size) {
        State s = new State(size);
        return OptimizerState.typed(size, s).withBuffer("exp_avg", s.expAvg).withBuffer("exp_avg_sq", s.expAvgSq);
    }

    private double mu(long t) {
        return beta1 * (1 - 0.5 * Math.pow(0.96, t * momentumDecay));
    }

    @Override
    public void step(Backend b, float[] params, float[] grads, OptimizerState state, double lr) {
        Optimizer.checkLr(lr);
        State s = state.view(State.class);
        long t = state.advance();
        int n = state.size();
        if (s.productStep != t - 1) { // a restored or copied state: recompute Π_{t-1}
            s.product = 1;
            for (long i = 1; i < t; i++) s.product *= mu(i);
        }
        double muT = mu(t), muNext = mu(t + 1);
        s.product *= muT;
        s.productStep = t;
        float[] g = Optimizer.effectiveGradient(b, grads, params, s.grad, n, false, weightDecay);
        Optimizer.updateMoments(b, g, s.expAvg, s.expAvgSq, beta1, beta2, n);
        b.map(Backend.Unary.SQRT, s.denom, (float) (1 / (1 - Math.pow(beta2, t))), s.expAvgSq, 0, 0, n);
        b.addcdiv(params, 1, params, (float) (-lr * (1 - muT) / (1 - s.product)), g, s.denom, (float) eps, 0, n);
        b.addcdiv(
                params,
                1,
                params,
                (float) (-lr * muNext / (1 - s.product * muNext)),
                s.expAvg,
                s.denom,
                (float) eps,
                0,
                n);
    }

    /** {@link Optimizers#fromSpec} for NAdam (listed in {@code META-INF/services/dev.descent.optim.OptimizerSpec}). */
    public static final class Spec implements OptimizerSpec {
        @Override
        public java.util.List<String> names() {
            return java.util.List.of("NAdam");
        }

        @Override
        public NAdam fromSpec(String name, Hyper h) {
            h.allow("lr", "betas", "eps", "weight_decay", "momentum_decay");
            var d = DEFAULTS;
            double[] betas = h.pair("betas", d.beta1(), d.beta2());
            return new NAdam(
                    h.number("lr", d.lr()),
                    betas[0],
                    betas[1],
                    h.number("eps", d.eps()),
                    h.number("weight_decay", d.weightDecay()),
                    h.number("momentum_decay", d.momentumDecay()));
        }
    }
}
