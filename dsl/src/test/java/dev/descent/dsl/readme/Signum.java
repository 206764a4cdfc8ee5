package dev.descent.dsl.readme;

// README:begin my-optimizer
import dev.descent.backend.Backend;
import dev.descent.optim.Optimizer;
import dev.descent.optim.OptimizerState;

/**
 * Signum (Bernstein et al. 2018, "signSGD: Compressed Optimisation for Non-Convex Problems"):
 * m ← βm + (1-β)g, then p ← p - lr·sign(m). Written once with the backend's element-wise
 * operations, so it runs as it is on the scalar, SIMD and gpu backends, allocation-free.
 */
public record Signum(double lr, double beta) implements Optimizer {

    public Signum {
        Optimizer.checkLr(lr); // errors name the field and the value
        Optimizer.checkRange("beta", beta, 0, 1, false);
    }

    /** Typed state: the momentum (checkpointed as "momentum_buffer") and a scratch array. */
    record State(float[] momentum, float[] direction) {}

    @Override
    public OptimizerState newState(int size) {
        var s = new State(new float[size], new float[size]);
        return OptimizerState.typed(size, s).withBuffer("momentum_buffer", s.momentum());
    }

    @Override
    public void step(Backend b, float[] params, float[] grads, OptimizerState state, double lr) {
        State s = state.view(State.class);
        state.advance();
        int n = state.size();
        b.axpby(s.momentum(), (float) beta, s.momentum(), (float) (1 - beta), grads, 0, n); // m = βm + (1-β)g
        b.map(Backend.Unary.SIGN, s.direction(), 1, s.momentum(), 0, 0, n); // d = sign(m)
        b.axpby(params, 1, params, (float) -lr, s.direction(), 0, n); // p = p - lr·d
    }

    @Override
    public Signum withLr(double lr) {
        return new Signum(lr, beta);
    }
}
// README:end
