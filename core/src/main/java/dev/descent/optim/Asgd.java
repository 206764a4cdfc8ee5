package dev.descent.optim;

import dev.descent.backend.Backend;

/**
 * Averaged SGD ({@code torch.optim.ASGD}, Polyak and Juditsky 1992, "Acceleration of Stochastic
 * Approximation by Averaging"), as PyTorch 1.13: at step k (1-based), with {@code η_k =
 * lr/(1 + λ·lr·(k-1))^α} and {@code μ_k = 1/max(1, k-1-t₀)},
 *
 * <pre>
 * p ← p·(1 - λη_k) - η_k·(±g + wd·p);   ax ← p if μ_k = 1, else ax + μ_k·(p - ax)
 * </pre>
 *
 * so {@code ax} is p up to step t₀+2 and the running mean of the iterates from there on. The
 * average never feeds back into p: read it with {@link #averaged}. (PyTorch computes η_k at the
 * end of step k-1 with that step's lr; here it uses step k's lr, the same under a constant rate.)
 * Runs on the generic path. Defaults as PyTorch: lr 1e-2, lambd 1e-4, alpha 0.75, t0 1e6, weight
 * decay 0. Checkpointed state: {@code ax}.
 */
public record Asgd(double lr, double lambd, double alpha, double t0, double weightDecay, boolean isMaximize)
        implements Optimizer {

    /** PyTorch's defaults. */
    public static final Asgd DEFAULTS = new Asgd(1e-2, 1e-4, 0.75, 1e6, 0, false);

    public Asgd {
        Optimizer.checkLr(lr);
        Optimizer.checkRange("lambd", lambd, 0, Double.MAX_VALUE, true);
        Optimizer.checkRange("alpha", alpha, 0, Double.MAX_VALUE, true);
        Optimizer.checkRange("t0", t0, 0, Double.MAX_VALUE, true);
        Optimizer.checkRange("weight_decay", weightDecay, 0, Double.MAX_VALUE, true);
    }

    public static Asgd lr(double lr) {
        return DEFAULTS.withLr(lr);
    }

    public Asgd lambd(double lambd) {
        return new Asgd(lr, lambd, alpha, t0, weightDecay, isMaximize);
    }

    public Asgd alpha(double alpha) {
        return new Asgd(lr, lambd, alpha, t0, weightDecay, isMaximize);
    }

    public Asgd t0(double t0) {
        return new Asgd(lr, lambd, alpha, t0, weightDecay, isMaximize);
    }

    public Asgd weightDecay(double weightDecay) {
        return new Asgd(lr, lambd, alpha, t0, weightDecay, isMaximize);
    }

    public Asgd maximize() {
        return new Asgd(lr, lambd, alpha, t0, weightDecay, true);
    }

    @Override
    public Asgd withLr(double lr) {
        return new Asgd(lr, lambd, alpha, t0, weightDecay, isMaximize);
    }

    /** The averaged iterate. */
    record State(float[] ax) {}

    @Override
    public OptimizerState newState(int size) {
        var s = new State(new float[size]);
        return OptimizerState.typed(size, s).withBuffer("ax", s.ax);
    }

    /** The averaged iterate {@code ax} of a state this optimizer made (live: do not modify). */
    public float[] averaged(OptimizerState state) {
        return state.view(State.class).ax;
    }

    @Override
    public void step(Backend b, float[] params, float[] grads, OptimizerState state, double lr) {
        Optimizer.checkLr(lr);
        State s = state.view(State.class);
        long k = state.advance();
        int n = state.size();
        double eta = lr / Math.pow(1 + lambd * lr * (k - 1), alpha);
        double mu = 1 / Math.max(1, k - 1 - t0);
        b.axpby(
                params,
                (float) (1 - lambd * eta - eta * weightDecay),
                params,
                (float) (isMaximize ? eta : -eta),
                grads,
                0,
                n);
        if (mu == 1) b.axpby(s.ax, 0, s.ax, 1, params, 0, n);
        else b.axpby(s.ax, (float) (1 - mu), s.ax, (float) mu, params, 0, n);
    }

    /** {@link Optimizers#fromSpec} for ASGD (listed in {@code META-INF/services/dev.descent.optim.OptimizerSpec}). */
    public static final class Spec implements OptimizerSpec {
        @Override
        public java.util.List<String> names() {
            return java.util.List.of("ASGD");
        }

        @Override
        public Asgd fromSpec(String name, Hyper h) {
            h.allow("lr", "lambd", "alpha", "t0", "weight_decay", "maximize");
            var d = DEFAULTS;
            return new Asgd(
                    h.number("lr", d.lr()),
                    h.number("lambd", d.lambd()),
                    h.number("alpha", d.alpha()),
                    h.number("t0", d.t0()),
                    h.number("weight_decay", d.weightDecay()),
                    h.flag("maximize"));
        }
    }
}
