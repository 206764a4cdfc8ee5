package dev.descent.optim;

import dev.descent.backend.Backend;

/**
 * RMSprop ({@code torch.optim.RMSprop}) with optional momentum, centering, weight decay and
 * maximize. Defaults as PyTorch: alpha 0.99, eps 1e-8.
 */
public record RmsProp(
        double lr,
        double alpha,
        double eps,
        double weightDecay,
        double momentum,
        boolean isCentered,
        boolean isMaximize)
        implements Optimizer {

    public RmsProp {
        Optimizer.checkLr(lr);
        Optimizer.checkRange("alpha", alpha, 0, 1, true);
        Optimizer.checkRange("eps", eps, 0, Double.MAX_VALUE, true);
        Optimizer.checkRange("weight_decay", weightDecay, 0, Double.MAX_VALUE, true);
        Optimizer.checkRange("momentum", momentum, 0, Double.MAX_VALUE, true);
    }

    public static RmsProp lr(double lr) {
        return new RmsProp(lr, 0.99, 1e-8, 0, 0, false, false);
    }

    public RmsProp alpha(double alpha) {
        return new RmsProp(lr, alpha, eps, weightDecay, momentum, isCentered, isMaximize);
    }

    public RmsProp eps(double eps) {
        return new RmsProp(lr, alpha, eps, weightDecay, momentum, isCentered, isMaximize);
    }

    public RmsProp weightDecay(double weightDecay) {
        return new RmsProp(lr, alpha, eps, weightDecay, momentum, isCentered, isMaximize);
    }

    public RmsProp momentum(double momentum) {
        return new RmsProp(lr, alpha, eps, weightDecay, momentum, isCentered, isMaximize);
    }

    public RmsProp centered() {
        return new RmsProp(lr, alpha, eps, weightDecay, momentum, true, isMaximize);
    }

    public RmsProp maximize() {
        return new RmsProp(lr, alpha, eps, weightDecay, momentum, isCentered, true);
    }

    @Override
    public RmsProp withMomentum(double momentum) {
        return momentum(momentum);
    }

    @Override
    public RmsProp withLr(double lr) {
        return new RmsProp(lr, alpha, eps, weightDecay, momentum, isCentered, isMaximize);
    }

    /** The running mean of squares, the momentum buffer (null without momentum), the running mean (null unless centered). */
    public record State(float[] squareAvg, float[] momentumBuffer, float[] gradAvg) {}

    @Override
    public OptimizerState newState(int size) {
        var s = new State(new float[size], momentum > 0 ? new float[size] : null, isCentered ? new float[size] : null);
        var state = OptimizerState.typed(size, s).withBuffer("square_avg", s.squareAvg);
        if (s.momentumBuffer != null) state.withBuffer("momentum_buffer", s.momentumBuffer);
        if (s.gradAvg != null) state.withBuffer("grad_avg", s.gradAvg);
        return state;
    }

    @Override
    public void step(Backend backend, float[] params, float[] grads, OptimizerState state, double lr) {
        step(backend, params, grads, state, lr, momentum);
    }

    @Override
    public void step(Backend backend, float[] params, float[] grads, OptimizerState state, double lr, double momentum) {
        Optimizer.checkRange("momentum", momentum, 0, Double.MAX_VALUE, true);
        float rate = Optimizer.checkLr(lr);
        State s = state.view(State.class);
        state.advance();
        backend.rmspropUpdate(this, s, params, grads, state.size(), rate, (float) momentum);
    }

    /** Coordinate-wise (see {@link Optimizer#coordinatewiseDecay}), with its weight decay. */
    @Override
    public java.util.OptionalDouble coordinatewiseDecay() {
        return java.util.OptionalDouble.of(weightDecay);
    }

    /** {@link Optimizers#fromSpec} for RMSprop (listed in {@code META-INF/services/dev.descent.optim.OptimizerSpec}). */
    public static final class Spec implements OptimizerSpec {
        @Override
        public java.util.List<String> names() {
            return java.util.List.of("RMSprop");
        }

        @Override
        public RmsProp fromSpec(String name, Hyper h) {
            h.allow("lr", "alpha", "eps", "weight_decay", "momentum", "centered", "maximize");
            return new RmsProp(
                    h.number("lr", 1e-2),
                    h.number("alpha", 0.99),
                    h.number("eps", 1e-8),
                    h.number("weight_decay", 0),
                    h.number("momentum", 0),
                    h.flag("centered"),
                    h.flag("maximize"));
        }
    }
}
