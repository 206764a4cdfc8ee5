package dev.descent.gpu;

import dev.descent.backend.Backend;
import dev.descent.optim.Optimizer;
import dev.descent.optim.OptimizerState;

/**
 * A user-written optimizer, the README's example: signSGD with momentum ("Signum", Bernstein et al.
 * 2018, "signSGD: Compressed Optimisation for Non-Convex Problems"), {@code m ← βm + (1-β)g}, {@code
 * p ← (1 - lr·λ)·p - lr·sign(m)}. One file, written with the backend's element-wise operations only:
 * it runs on scalar, simd and, with its state on the device, gpu.
 */
public record SignSgd(double lr, double beta, double weightDecay) implements Optimizer {

    public SignSgd {
        Optimizer.checkLr(lr);
        Optimizer.checkRange("beta", beta, 0, 1, false);
        Optimizer.checkRange("weight_decay", weightDecay, 0, Double.MAX_VALUE, true);
    }

    /** The momentum (checkpointed) and a scratch array for sign(m). */
    record State(float[] momentum, float[] sign) {}

    @Override
    public OptimizerState newState(int size) {
        var s = new State(new float[size], new float[size]);
        return OptimizerState.typed(size, s).withBuffer("momentum_buffer", s.momentum);
    }

    @Override
    public void step(Backend b, float[] params, float[] grads, OptimizerState state, double lr) {
        Optimizer.checkLr(lr);
        State s = state.view(State.class);
        int n = state.size();
        state.advance();
        b.axpby(s.momentum, (float) beta, s.momentum, (float) (1 - beta), grads, 0, n);
        b.map(Backend.Unary.SIGN, s.sign, 1, s.momentum, 0, 0, n);
        b.axpby(params, (float) (1 - lr * weightDecay), params, (float) -lr, s.sign, 0, n);
    }

    @Override
    public SignSgd withLr(double lr) {
        return new SignSgd(lr, beta, weightDecay);
    }

    @Override
    public SignSgd weightDecay(double weightDecay) {
        return new SignSgd(lr, beta, weightDecay);
    }
}
