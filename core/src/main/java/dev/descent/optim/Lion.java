package dev.descent.optim;

import dev.descent.backend.Backend;

/**
 * Lion, "EvoLved Sign Momentum" (Chen et al. 2023, "Symbolic Discovery of Optimization
 * Algorithms", Algorithm 2; not in PyTorch 1.13): the update is the sign of an interpolation of the
 * momentum and the gradient, with decoupled weight decay λ,
 *
 * <pre>
 * c = β₁m + (1-β₁)g;  p ← p - lr·(sign(c) + λ·p);  m ← β₂m + (1-β₂)g
 * </pre>
 *
 * Every coordinate moves by ±lr, so Lion wants a learning rate 3–10× smaller than AdamW's and a
 * weight decay as much larger (the paper's advice). Runs on the generic path. Defaults as the
 * paper's: lr 1e-4, betas (0.9, 0.99), weight decay 0. Checkpointed state: {@code exp_avg} (the
 * name of the reference implementation's buffer).
 */
public record Lion(double lr, double beta1, double beta2, double weightDecay) implements Optimizer {

    /** The paper's defaults. */
    public static final Lion DEFAULTS = new Lion(1e-4, 0.9, 0.99, 0);

    public Lion {
        Optimizer.checkLr(lr);
        Optimizer.checkRange("beta1", beta1, 0, 1, true);
        Optimizer.checkRange("beta2", beta2, 0, 1, true);
        Optimizer.checkRange("weight_decay", weightDecay, 0, Double.MAX_VALUE, true);
    }

    public static Lion lr(double lr) {
        return DEFAULTS.withLr(lr);
    }

    public Lion betas(double beta1, double beta2) {
        return new Lion(lr, beta1, beta2, weightDecay);
    }

    public Lion weightDecay(double weightDecay) {
        return new Lion(lr, beta1, beta2, weightDecay);
    }

    @Override
    public Lion withLr(double lr) {
        return new Lion(lr, beta1, beta2, weightDecay);
    }

    /** The momentum and the scratch array for the signed interpolation. */
    record State(float[] expAvg, float[] update) {}

    @Override
    public OptimizerState newState(int size) {
        var s = new State(new float[size], new float[size]);
        return OptimizerState.typed(size, s).withBuffer("exp_avg", s.expAvg);
    }

    @Override
    public void step(Backend b, float[] params, float[] grads, OptimizerState state, double lr) {
        Optimizer.checkLr(lr);
        State s = state.view(State.class);
        state.advance();
        int n = state.size();
        b.axpby(s.update, (float) beta1, s.expAvg, (float) (1 - beta1), grads, 0, n);
        b.map(Backend.Unary.SIGN, s.update, 1, s.update, 0, 0, n);
        b.axpby(params, (float) (1 - lr * weightDecay), params, (float) -lr, s.update, 0, n);
        b.axpby(s.expAvg, (float) beta2, s.expAvg, (float) (1 - beta2), grads, 0, n);
    }

    /** Coordinate-wise (see {@link Optimizer#coordinatewiseDecay}), with its weight decay. */
    @Override
    public java.util.OptionalDouble coordinatewiseDecay() {
        return java.util.OptionalDouble.of(weightDecay);
    }

    /** {@link Optimizers#fromSpec} for Lion (listed in {@code META-INF/services/dev.descent.optim.OptimizerSpec}). */
    public static final class Spec implements OptimizerSpec {
        @Override
        public java.util.List<String> names() {
            return java.util.List.of("Lion");
        }

        @Override
        public Lion fromSpec(String name, Hyper h) {
            h.allow("lr", "betas", "weight_decay");
            var d = DEFAULTS;
            double[] betas = h.pair("betas", d.beta1(), d.beta2());
            return new Lion(h.number("lr", d.lr()), betas[0], betas[1], h.number("weight_decay", d.weightDecay()));
        }
    }
}
