package dev.descent.optim;

import dev.descent.backend.Backend;

/**
 * Stochastic gradient descent with PyTorch's exact update rule ({@code torch.optim.SGD}): optional
 * momentum with dampening, Nesterov momentum, L2 weight decay added to the gradient, and maximize.
 * Build with {@code Sgd.lr(0.1).momentum(0.9).nesterov()}.
 */
public record Sgd(
        double lr, double momentum, double dampening, boolean isNesterov, double weightDecay, boolean isMaximize)
        implements Optimizer {

    public Sgd {
        Optimizer.checkLr(lr);
        checkMomentum(momentum, dampening, isNesterov);
        Optimizer.checkRange("weight_decay", weightDecay, 0, Double.MAX_VALUE, true);
    }

    private static void checkMomentum(double momentum, double dampening, boolean isNesterov) {
        Optimizer.checkRange("momentum", momentum, 0, Double.MAX_VALUE, true);
        Optimizer.checkRange("dampening", dampening, 0, 1, true);
        if (isNesterov && (momentum <= 0 || dampening != 0))
            throw new IllegalArgumentException(
                    "nesterov momentum requires momentum > 0 and dampening = 0, got momentum " + momentum
                            + ", dampening " + dampening);
    }

    /** Plain SGD at the given learning rate. */
    public static Sgd lr(double lr) {
        return new Sgd(lr, 0, 0, false, 0, false);
    }

    public Sgd momentum(double momentum) {
        return new Sgd(lr, momentum, dampening, isNesterov, weightDecay, isMaximize);
    }

    public Sgd dampening(double dampening) {
        return new Sgd(lr, momentum, dampening, isNesterov, weightDecay, isMaximize);
    }

    /** Nesterov momentum (needs momentum > 0 and no dampening). */
    public Sgd nesterov() {
        return nesterov(true);
    }

    public Sgd nesterov(boolean on) {
        return new Sgd(lr, momentum, dampening, on, weightDecay, isMaximize);
    }

    public Sgd weightDecay(double weightDecay) {
        return new Sgd(lr, momentum, dampening, isNesterov, weightDecay, isMaximize);
    }

    /** Ascend instead of descend. */
    public Sgd maximize() {
        return maximize(true);
    }

    public Sgd maximize(boolean on) {
        return new Sgd(lr, momentum, dampening, isNesterov, weightDecay, on);
    }

    @Override
    public Sgd withMomentum(double momentum) {
        return momentum(momentum);
    }

    @Override
    public Sgd withLr(double lr) {
        return new Sgd(lr, momentum, dampening, isNesterov, weightDecay, isMaximize);
    }

    /** The momentum buffer (null without momentum). */
    public record State(float[] momentumBuffer) {}

    @Override
    public OptimizerState newState(int size) {
        var s = new State(momentum > 0 ? new float[size] : null);
        var state = OptimizerState.typed(size, s);
        return s.momentumBuffer == null ? state : state.withBuffer("momentum_buffer", s.momentumBuffer);
    }

    @Override
    public void step(Backend backend, float[] params, float[] grads, OptimizerState state, double lr) {
        step(backend, params, grads, state, lr, momentum);
    }

    @Override
    public void step(Backend backend, float[] params, float[] grads, OptimizerState state, double lr, double momentum) {
        checkMomentum(momentum, dampening, isNesterov);
        float rate = Optimizer.checkLr(lr);
        boolean first = state.step() == 0;
        state.advance();
        backend.sgdUpdate(this, state.view(State.class), params, grads, state.size(), rate, (float) momentum, first);
    }

    /** Coordinate-wise (see {@link Optimizer#coordinatewiseDecay}), with its weight decay. */
    @Override
    public java.util.OptionalDouble coordinatewiseDecay() {
        return java.util.OptionalDouble.of(weightDecay);
    }

    /** {@link Optimizers#fromSpec} for SGD (listed in {@code META-INF/services/dev.descent.optim.OptimizerSpec}). */
    public static final class Spec implements OptimizerSpec {
        @Override
        public java.util.List<String> names() {
            return java.util.List.of("SGD");
        }

        @Override
        public Sgd fromSpec(String name, Hyper h) {
            h.allow("lr", "momentum", "dampening", "nesterov", "weight_decay", "maximize");
            return new Sgd(
                    h.number("lr", Double.NaN),
                    h.number("momentum", 0),
                    h.number("dampening", 0),
                    h.flag("nesterov"),
                    h.number("weight_decay", 0),
                    h.flag("maximize"));
        }
    }
}
