package dev.descent.optim;

import dev.descent.backend.Backend;

/**
 * LARS, layer-wise adaptive rate scaling (You, Gitman and Ginsburg 2017, "Large Batch Training of
 * Convolutional Networks", Algorithm 1; not in PyTorch 1.13): for each parameter tensor l (a
 * layer's weight or bias) with its local learning rate
 *
 * <pre>
 * λ_l = η·‖w_l‖ / (‖∇_l‖ + β·‖w_l‖ + ε)          (η the trust coefficient, β the weight decay)
 * v_l ← m·v_l + lr·λ_l·(∇_l + β·w_l);   w_l ← w_l - v_l
 * </pre>
 *
 * λ_l is 1 where ‖w_l‖ or ‖∇_l‖ is 0 (a freshly zeroed bias), as Optax's {@code
 * scale_by_trust_ratio}; ε (default 0) only guards the division. The tensors are the state's {@link
 * OptimizerState#tensorBounds() tensor bounds}: a training session sets them to its model's weight
 * and bias tensors; a state used on its own treats the whole buffer as one tensor. Runs on the
 * generic path. Defaults (Optax's {@code lars}): momentum 0.9, trust coefficient 1e-3, weight decay
 * 0. Checkpointed state: {@code momentum_buffer}.
 */
public record Lars(double lr, double momentum, double weightDecay, double trustCoefficient, double eps)
        implements Optimizer {

    /** The defaults (lr has none in the paper: 0.1 here). */
    public static final Lars DEFAULTS = new Lars(0.1, 0.9, 0, 1e-3, 0);

    public Lars {
        Optimizer.checkLr(lr);
        Optimizer.checkRange("momentum", momentum, 0, Double.MAX_VALUE, true);
        Optimizer.checkRange("weight_decay", weightDecay, 0, Double.MAX_VALUE, true);
        Optimizer.checkRange("trust_coefficient", trustCoefficient, 0, Double.MAX_VALUE, false);
        if (trustCoefficient == 0)
            throw new IllegalArgumentException("trust_coefficient must be > 0, got " + trustCoefficient);
        Optimizer.checkRange("eps", eps, 0, Double.MAX_VALUE, true);
    }

    public static Lars lr(double lr) {
        return DEFAULTS.withLr(lr);
    }

    public Lars momentum(double momentum) {
        return new Lars(lr, momentum, weightDecay, trustCoefficient, eps);
    }

    public Lars weightDecay(double weightDecay) {
        return new Lars(lr, momentum, weightDecay, trustCoefficient, eps);
    }

    public Lars trustCoefficient(double trustCoefficient) {
        return new Lars(lr, momentum, weightDecay, trustCoefficient, eps);
    }

    public Lars eps(double eps) {
        return new Lars(lr, momentum, weightDecay, trustCoefficient, eps);
    }

    @Override
    public Lars withLr(double lr) {
        return new Lars(lr, momentum, weightDecay, trustCoefficient, eps);
    }

    @Override
    public Lars withMomentum(double momentum) {
        return momentum(momentum);
    }

    /** The momentum and the scratch array for the decayed gradient. */
    record State(float[] momentumBuffer, float[] grad) {}

    @Override
    public OptimizerState newState(int size) {
        var s = new State(new float[size], new float[size]);
        return OptimizerState.typed(size, s).withBuffer("momentum_buffer", s.momentumBuffer);
    }

    @Override
    public void step(Backend b, float[] params, float[] grads, OptimizerState state, double lr) {
        step(b, params, grads, state, lr, momentum);
    }

    @Override
    public void step(Backend b, float[] params, float[] grads, OptimizerState state, double lr, double momentum) {
        Optimizer.checkRange("momentum", momentum, 0, Double.MAX_VALUE, true);
        Optimizer.checkLr(lr);
        State s = state.view(State.class);
        state.advance();
        int[] bounds = state.tensorBounds();
        for (int l = 0; l + 1 < bounds.length; l++) {
            int off = bounds[l], n = bounds[l + 1] - off;
            double w = Math.sqrt(b.sumSquares(params, off, n));
            double g = Math.sqrt(b.sumSquares(grads, off, n));
            double local = w > 0 && g > 0 ? trustCoefficient * w / (g + weightDecay * w + eps) : 1;
            b.axpby(s.grad, 1, grads, (float) weightDecay, params, off, n);
            b.axpby(s.momentumBuffer, (float) momentum, s.momentumBuffer, (float) (lr * local), s.grad, off, n);
            b.axpby(params, 1, params, -1, s.momentumBuffer, off, n);
        }
    }

    /** {@link Optimizers#fromSpec} for LARS (listed in {@code META-INF/services/dev.descent.optim.OptimizerSpec}). */
    public static final class Spec implements OptimizerSpec {
        @Override
        public java.util.List<String> names() {
            return java.util.List.of("LARS");
        }

        @Override
        public Lars fromSpec(String name, Hyper h) {
            h.allow("lr", "momentum", "weight_decay", "trust_coefficient", "eps");
            var d = DEFAULTS;
            return new Lars(
                    h.number("lr", d.lr()),
                    h.number("momentum", d.momentum()),
                    h.number("weight_decay", d.weightDecay()),
                    h.number("trust_coefficient", d.trustCoefficient()),
                    h.number("eps", d.eps()));
        }
    }
}
