package dev.descent.optim;

import dev.descent.backend.Backend;

/**
 * Adam and AdamW ({@code torch.optim.Adam}/{@code AdamW}): with {@code decoupled} the weight decay
 * shrinks the parameters directly (AdamW), otherwise it is added to the gradient (Adam's L2).
 * Optional AMSGrad and maximize. Defaults as PyTorch: betas (0.9, 0.999), eps 1e-8; AdamW's weight
 * decay defaults to 0.01.
 */
public record Adam(
        double lr,
        double beta1,
        double beta2,
        double eps,
        double weightDecay,
        boolean decoupled,
        boolean isAmsgrad,
        boolean isMaximize)
        implements Optimizer {

    public Adam {
        Optimizer.checkLr(lr);
        Optimizer.checkRange("beta1", beta1, 0, 1, false);
        Optimizer.checkRange("beta2", beta2, 0, 1, false);
        Optimizer.checkRange("eps", eps, 0, Double.MAX_VALUE, true);
        Optimizer.checkRange("weight_decay", weightDecay, 0, Double.MAX_VALUE, true);
    }

    /** Adam with PyTorch's defaults. */
    public static Adam adam(double lr) {
        return new Adam(lr, 0.9, 0.999, 1e-8, 0, false, false, false);
    }

    /** AdamW with PyTorch's defaults (weight decay 0.01, decoupled). */
    public static Adam adamW(double lr) {
        return new Adam(lr, 0.9, 0.999, 1e-8, 0.01, true, false, false);
    }

    public Adam betas(double beta1, double beta2) {
        return new Adam(lr, beta1, beta2, eps, weightDecay, decoupled, isAmsgrad, isMaximize);
    }

    public Adam eps(double eps) {
        return new Adam(lr, beta1, beta2, eps, weightDecay, decoupled, isAmsgrad, isMaximize);
    }

    public Adam weightDecay(double weightDecay) {
        return new Adam(lr, beta1, beta2, eps, weightDecay, decoupled, isAmsgrad, isMaximize);
    }

    public Adam amsgrad() {
        return new Adam(lr, beta1, beta2, eps, weightDecay, decoupled, true, isMaximize);
    }

    public Adam maximize() {
        return new Adam(lr, beta1, beta2, eps, weightDecay, decoupled, isAmsgrad, true);
    }

    @Override
    public Adam withMomentum(double beta1) {
        return betas(beta1, beta2);
    }

    @Override
    public Adam withLr(double lr) {
        return new Adam(lr, beta1, beta2, eps, weightDecay, decoupled, isAmsgrad, isMaximize);
    }

    /** The moments and the AMSGrad maximum (null without amsgrad). */
    public record State(float[] expAvg, float[] expAvgSq, float[] maxExpAvgSq) {}

    @Override
    public OptimizerState newState(int size) {
        var s = new State(new float[size], new float[size], isAmsgrad ? new float[size] : null);
        var state =
                OptimizerState.typed(size, s).withBuffer("exp_avg", s.expAvg).withBuffer("exp_avg_sq", s.expAvgSq);
        return isAmsgrad ? state.withBuffer("max_exp_avg_sq", s.maxExpAvgSq) : state;
    }

    @Override
    public void step(Backend backend, float[] params, float[] grads, OptimizerState state, double lr) {
        step(backend, params, grads, state, lr, beta1);
    }

    /** A step with β₁ = {@code beta1} (one-cycle's momentum cycling). */
    @Override
    public void step(Backend backend, float[] params, float[] grads, OptimizerState state, double lr, double beta1) {
        Optimizer.checkRange("beta1", beta1, 0, 1, false);
        float rate = Optimizer.checkLr(lr);
        State s = state.view(State.class);
        long t = state.advance();
        backend.adamUpdate(this, s, params, grads, state.size(), rate, (float) beta1, t);
    }

    // ---- the scalars of a fused step, derived here once for every backend ------------------

    /** {@code lr / (1 - β₁ᵗ)}: the step size with the first moment's bias correction. */
    public static float stepSize(float lr, float beta1, long step) {
        return (float) (lr / (1 - Math.pow(beta1, step)));
    }

    /** {@code sqrt(1 - β₂ᵗ)}: the second moment's bias correction. */
    public float secondMomentCorrection(long step) {
        return (float) Math.sqrt(1 - Math.pow((float) beta2, step));
    }

    /** The factor the parameters shrink by before the step: {@code 1 - lr·weightDecay} for AdamW, 1 for Adam. */
    public float decoupledDecay(float lr) {
        return decoupled ? 1f - lr * (float) weightDecay : 1f;
    }

    /** The L2 coefficient added to the gradient: weightDecay for Adam, 0 for AdamW. */
    public float l2Coefficient() {
        return decoupled ? 0f : (float) weightDecay;
    }

    /** Coordinate-wise (see {@link Optimizer#coordinatewiseDecay}), with its weight decay. */
    @Override
    public java.util.OptionalDouble coordinatewiseDecay() {
        return java.util.OptionalDouble.of(weightDecay);
    }

    /** {@link Optimizers#fromSpec} for Adam, AdamW (listed in {@code META-INF/services/dev.descent.optim.OptimizerSpec}). */
    public static final class Spec implements OptimizerSpec {
        @Override
        public java.util.List<String> names() {
            return java.util.List.of("Adam", "AdamW");
        }

        @Override
        public Adam fromSpec(String name, Hyper h) {
            boolean w = name.equalsIgnoreCase("adamw");
            h.allow("lr", "betas", "eps", "weight_decay", "amsgrad", "maximize");
            double[] betas = h.pair("betas", 0.9, 0.999);
            return new Adam(
                    h.number("lr", 1e-3),
                    betas[0],
                    betas[1],
                    h.number("eps", 1e-8),
                    h.number("weight_decay", w ? 0.01 : 0),
                    w,
                    h.flag("amsgrad"),
                    h.flag("maximize"));
        }
    }
}
