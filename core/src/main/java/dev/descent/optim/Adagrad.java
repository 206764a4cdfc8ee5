package dev.descent.optim;

import dev.descent.backend.Backend;

/**
 * Adagrad ({@code torch.optim.Adagrad}) with learning-rate decay, weight decay, an initial
 * accumulator value and maximize. Defaults as PyTorch: lr 1e-2, eps 1e-10, initial accumulator 0.
 */
public record Adagrad(
        double lr, double lrDecay, double weightDecay, double eps, boolean isMaximize, double initialAccumulatorValue)
        implements Optimizer {

    /** PyTorch's defaults. */
    public static final Adagrad DEFAULTS = new Adagrad(1e-2, 0, 0, 1e-10, false, 0);

    public Adagrad {
        Optimizer.checkLr(lr);
        Optimizer.checkRange("lr_decay", lrDecay, 0, Double.MAX_VALUE, true);
        Optimizer.checkRange("weight_decay", weightDecay, 0, Double.MAX_VALUE, true);
        Optimizer.checkRange("eps", eps, 0, Double.MAX_VALUE, true);
        Optimizer.checkRange("initial_accumulator_value", initialAccumulatorValue, 0, Double.MAX_VALUE, true);
    }

    /** Adagrad starting from an empty accumulator. */
    public Adagrad(double lr, double lrDecay, double weightDecay, double eps, boolean isMaximize) {
        this(lr, lrDecay, weightDecay, eps, isMaximize, 0);
    }

    public static Adagrad lr(double lr) {
        return DEFAULTS.withLr(lr);
    }

    /** The value every element of the running sum of squares starts from. */
    public Adagrad initialAccumulatorValue(double value) {
        return new Adagrad(lr, lrDecay, weightDecay, eps, isMaximize, value);
    }

    public Adagrad lrDecay(double lrDecay) {
        return new Adagrad(lr, lrDecay, weightDecay, eps, isMaximize, initialAccumulatorValue);
    }

    public Adagrad weightDecay(double weightDecay) {
        return new Adagrad(lr, lrDecay, weightDecay, eps, isMaximize, initialAccumulatorValue);
    }

    public Adagrad eps(double eps) {
        return new Adagrad(lr, lrDecay, weightDecay, eps, isMaximize, initialAccumulatorValue);
    }

    public Adagrad maximize() {
        return new Adagrad(lr, lrDecay, weightDecay, eps, true, initialAccumulatorValue);
    }

    @Override
    public Adagrad withLr(double lr) {
        return new Adagrad(lr, lrDecay, weightDecay, eps, isMaximize, initialAccumulatorValue);
    }

    /** The running sum of squares. */
    public record State(float[] sum) {}

    @Override
    public OptimizerState newState(int size) {
        var s = new State(new float[size]);
        java.util.Arrays.fill(s.sum, (float) initialAccumulatorValue);
        return OptimizerState.typed(size, s).withBuffer("sum", s.sum);
    }

    @Override
    public void step(Backend backend, float[] params, float[] grads, OptimizerState state, double lr) {
        float rate = Optimizer.checkLr(lr);
        State s = state.view(State.class);
        long t = state.advance();
        backend.adagradUpdate(this, s, params, grads, state.size(), rate, t);
    }

    /** The learning rate of step {@code step} (1-based) after lr decay: {@code lr / (1 + (step-1)·lrDecay)}. */
    public float decayedLr(float lr, long step) {
        return (float) (lr / (1 + (step - 1) * (double) (float) lrDecay));
    }

    /** Coordinate-wise (see {@link Optimizer#coordinatewiseDecay}), with its weight decay. */
    @Override
    public java.util.OptionalDouble coordinatewiseDecay() {
        return java.util.OptionalDouble.of(weightDecay);
    }

    /** {@link Optimizers#fromSpec} for Adagrad (listed in {@code META-INF/services/dev.descent.optim.OptimizerSpec}). */
    public static final class Spec implements OptimizerSpec {
        @Override
        public java.util.List<String> names() {
            return java.util.List.of("Adagrad");
        }

        @Override
        public Adagrad fromSpec(String name, Hyper h) {
            h.allow("lr", "lr_decay", "weight_decay", "eps", "maximize", "initial_accumulator_value");
            var d = DEFAULTS;
            return new Adagrad(
                    h.number("lr", d.lr()),
                    h.number("lr_decay", d.lrDecay()),
                    h.number("weight_decay", d.weightDecay()),
                    h.number("eps", d.eps()),
                    h.flag("maximize"),
                    h.number("initial_accumulator_value", d.initialAccumulatorValue()));
        }
    }
}
