package dev.descent.optim;

import dev.descent.backend.Backend;

/**
 * Adagrad ({@code torch.optim.Adagrad}) with learning-rate decay, weight decay and maximize.
 * Defaults as PyTorch: eps 1e-10, initial accumulator 0.
 */
public record Adagrad(double lr, double lrDecay, double weightDecay, double eps, boolean isMaximize)
        implements Optimizer {

    public Adagrad {
        Optimizer.checkLr(lr);
        Optimizer.checkRange("lr_decay", lrDecay, 0, Double.MAX_VALUE, true);
        Optimizer.checkRange("weight_decay", weightDecay, 0, Double.MAX_VALUE, true);
        Optimizer.checkRange("eps", eps, 0, Double.MAX_VALUE, true);
    }

    public static Adagrad lr(double lr) {
        return new Adagrad(lr, 0, 0, 1e-10, false);
    }

    public Adagrad lrDecay(double lrDecay) {
        return new Adagrad(lr, lrDecay, weightDecay, eps, isMaximize);
    }

    public Adagrad weightDecay(double weightDecay) {
        return new Adagrad(lr, lrDecay, weightDecay, eps, isMaximize);
    }

    public Adagrad eps(double eps) {
        return new Adagrad(lr, lrDecay, weightDecay, eps, isMaximize);
    }

    public Adagrad maximize() {
        return new Adagrad(lr, lrDecay, weightDecay, eps, true);
    }

    @Override
    public Adagrad withLr(double lr) {
        return new Adagrad(lr, lrDecay, weightDecay, eps, isMaximize);
    }

    @Override
    public OptimizerState newState(int size) {
        return new OptimizerState(size, "sum");
    }

    @Override
    public void step(Backend backend, float[] params, float[] grads, OptimizerState state, double lr) {
        float rate = Optimizer.checkLr(lr);
        long t = state.advance();
        backend.adagradUpdate(
                params,
                grads,
                state.buffer("sum"),
                state.size(),
                rate,
                (float) lrDecay,
                (float) weightDecay,
                (float) eps,
                isMaximize,
                t);
    }
}
