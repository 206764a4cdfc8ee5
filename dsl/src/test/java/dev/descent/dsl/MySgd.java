package dev.descent.dsl;

import dev.descent.backend.Backend;
import dev.descent.optim.Optimizer;
import dev.descent.optim.OptimizerState;

/**
 * A user's own optimizer, written from PyTorch's documentation of {@code torch.optim.SGD} in plain
 * loops, for the tests that show how to check one against PyTorch's recorded numbers.
 */
public record MySgd(
        double lr, double momentum, double dampening, boolean nesterov, double weightDecay, boolean maximize)
        implements Optimizer {

    public static MySgd plain(double lr) {
        return new MySgd(lr, 0, 0, false, 0, false);
    }

    @Override
    public OptimizerState newState(int size) {
        return new OptimizerState(size, "momentum_buffer");
    }

    @Override
    public void step(Backend backend, float[] params, float[] grads, OptimizerState state, double lr) {
        float[] buf = state.buffer("momentum_buffer");
        boolean first = state.step() == 0;
        for (int i = 0; i < state.size(); i++) {
            float d = maximize ? -grads[i] : grads[i];
            d += (float) weightDecay * params[i];
            if (momentum != 0) {
                buf[i] = first ? d : (float) momentum * buf[i] + (float) (1 - dampening) * d;
                d = nesterov ? d + (float) momentum * buf[i] : buf[i];
            }
            params[i] -= (float) lr * d;
        }
        state.advance();
    }

    @Override
    public Optimizer withLr(double lr) {
        return new MySgd(lr, momentum, dampening, nesterov, weightDecay, maximize);
    }
}
