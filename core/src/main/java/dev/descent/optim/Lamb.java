package dev.descent.optim;

import dev.descent.backend.Backend;

/**
 * LAMB, layer-wise adaptive moments (You et al. 2019, "Large Batch Optimization for Deep Learning:
 * Training BERT in 76 minutes", Algorithm 2, with bias correction; not in PyTorch 1.13): Adam's
 * direction plus decoupled weight decay, scaled per parameter tensor l by a trust ratio,
 *
 * <pre>
 * m ← β₁m + (1-β₁)g;  v ← β₂v + (1-β₂)g²;  r = (m/(1-β₁ᵗ)) / (√(v/(1-β₂ᵗ)) + ε) + λ·p
 * p_l ← p_l - lr·‖p_l‖/‖r_l‖·r_l
 * </pre>
 *
 * The ratio is 1 where ‖p_l‖ or ‖r_l‖ is 0 (φ the identity, as Optax's {@code
 * scale_by_trust_ratio}). The tensors are the state's {@link OptimizerState#tensorBounds() tensor
 * bounds}: a training session sets them to its model's weight and bias tensors; a state used on
 * its own treats the whole buffer as one tensor. Runs on the generic path. Defaults (Optax's
 * {@code lamb}): lr 1e-3, betas (0.9, 0.999), eps 1e-6, weight decay 0. Checkpointed state: {@code
 * exp_avg}, {@code exp_avg_sq}.
 */
public record Lamb(double lr, double beta1, double beta2, double eps, double weightDecay) implements Optimizer {

    /** The defaults. */
    public static final Lamb DEFAULTS = new Lamb(1e-3, 0.9, 0.999, 1e-6, 0);

    public Lamb {
        Optimizer.checkLr(lr);
        Optimizer.checkBetas(beta1, beta2);
        Optimizer.checkRange("eps", eps, 0, Double.MAX_VALUE, true);
        Optimizer.checkRange("weight_decay", weightDecay, 0, Double.MAX_VALUE, true);
    }

    public static Lamb lr(double lr) {
        return DEFAULTS.withLr(lr);
    }

    public Lamb betas(double beta1, double beta2) {
        return new Lamb(lr, beta1, beta2, eps, weightDecay);
    }

    public Lamb eps(double eps) {
        return new Lamb(lr, beta1, beta2, eps, weightDecay);
    }

    public Lamb weightDecay(double weightDecay) {
        return new Lamb(lr, beta1, beta2, eps, weightDecay);
    }

    @Override
    public Lamb withLr(double lr) {
        return new Lamb(lr, beta1, beta2, eps, weightDecay);
    }

    @Override
    public Lamb withMomentum(double beta1) {
        return betas(beta1, beta2);
    }

    /** The moments and the scratch array for the update direction r. */
    record State(float[] expAvg, float[] expAvgSq, float[] update) {}

    @Override
    public OptimizerState newState(int size) {
        var s = new State(new float[size], new float[size], new float[size]);
        return OptimizerState.typed(size, s).withBuffer("exp_avg", s.expAvg).withBuffer("exp_avg_sq", s.expAvgSq);
    }

    @Override
    public void step(Backend b, float[] params, float[] grads, OptimizerState state, double lr) {
        step(b, params, grads, state, lr, beta1);
    }

    @Override
    public void step(Backend b, float[] params, float[] grads, OptimizerState state, double lr, double beta1) {
        Optimizer.checkRange("beta1", beta1, 0, 1, false);
        Optimizer.checkLr(lr);
        State s = state.view(State.class);
        long t = state.advance();
        int n = state.size();
        Optimizer.updateMoments(b, grads, s.expAvg, s.expAvgSq, beta1, beta2, n);
        float bc1 = (float) (1 / (1 - Math.pow(beta1, t))), bc2 = (float) (1 / (1 - Math.pow(beta2, t)));
        // r = m̂/(√v̂ + ε) + λp, built in the scratch array (√v̂ first, then overwritten in place)
        b.map(Backend.Unary.SQRT, s.update, bc2, s.expAvgSq, 0, 0, n);
        b.addcdiv(s.update, 0, s.update, bc1, s.expAvg, s.update, (float) eps, 0, n);
        if (weightDecay != 0) b.axpby(s.update, 1, s.update, (float) weightDecay, params, 0, n);
        int[] bounds = state.tensorBounds();
        for (int l = 0; l + 1 < bounds.length; l++) {
            int off = bounds[l], len = bounds[l + 1] - off;
            double w = Math.sqrt(b.sumSquares(params, off, len));
            double r = Math.sqrt(b.sumSquares(s.update, off, len));
            double ratio = w > 0 && r > 0 ? w / r : 1;
            b.axpby(params, 1, params, (float) (-lr * ratio), s.update, off, len);
        }
    }

    /** {@link Optimizers#fromSpec} for LAMB (listed in {@code META-INF/services/dev.descent.optim.OptimizerSpec}). */
    public static final class Spec implements OptimizerSpec {
        @Override
        public java.util.List<String> names() {
            return java.util.List.of("LAMB");
        }

        @Override
        public Lamb fromSpec(String name, Hyper h) {
            h.allow("lr", "betas", "eps", "weight_decay");
            var d = DEFAULTS;
            double[] betas = h.pair("betas", d.beta1(), d.beta2());
            return new Lamb(
                    h.number("lr", d.lr()),
                    betas[0],
                    betas[1],
                    h.number("eps", d.eps()),
                    h.number("weight_decay", d.weightDecay()));
        }
    }
}
