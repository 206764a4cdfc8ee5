package dev.descent.optim;

import dev.descent.backend.Backend;

/**
 * An update rule: immutable configuration here, mutable {@link OptimizerState} separately. The
 * learning rate of each step is passed in (from a schedule), so the configured {@link #lr()} is only
 * the default base rate.
 *
 * <p>A rule is one file: a record of hyper-parameters (checked in its constructor, with messages
 * naming the field and the value, and PyTorch's defaults in a {@code DEFAULTS} constant), a typed
 * state built in {@link #newState} ({@link OptimizerState#typed} over a record of arrays, with the
 * checkpointed ones named as in PyTorch), and a {@link #step} written with the backend's
 * element-wise operations ({@link Backend#axpby}, {@link Backend#addcmul}, {@link Backend#addcdiv},
 * {@link Backend#map}, {@link Backend#maximum}), which every CPU backend runs allocation-free. SGD,
 * Adam/AdamW, RMSprop and Adagrad call fused backend kernels instead (one pass over memory).
 *
 * <p>A rule is {@link java.io.Serializable} so that data-parallel training (the spark module's local
 * SGD) can ship it to the workers: the built-ins are records of numbers; a user-written rule should
 * be too.
 */
public interface Optimizer extends java.io.Serializable {

    /** The base learning rate. */
    double lr();

    /** A fresh state for {@code size} parameters. */
    OptimizerState newState(int size);

    /**
     * One update of {@code params[0..state.size())} from {@code grads} (read only) at learning rate
     * {@code lr}. Overwrites params and the state's buffers; advances the state's step.
     *
     * @throws IllegalArgumentException if lr is negative or not finite
     */
    void step(Backend backend, float[] params, float[] grads, OptimizerState state, double lr);

    /**
     * One update as {@link #step(Backend, float[], float[], OptimizerState, double)}, with this
     * step's momentum (SGD, RMSprop) or β₁ (Adam) in place of the configured one: one-cycle's
     * momentum cycling. The same as {@code withMomentum(momentum).step(...)}; the built-in
     * optimizers override it to skip that copy, so a cycled step allocates nothing.
     *
     * @throws IllegalArgumentException if this optimizer has no momentum, or momentum is out of range
     */
    default void step(
            Backend backend, float[] params, float[] grads, OptimizerState state, double lr, double momentum) {
        withMomentum(momentum).step(backend, params, grads, state, lr);
    }

    /** A copy of this optimizer with another base learning rate. */
    Optimizer withLr(double lr);

    /**
     * A copy with another momentum (SGD, RMSprop) or β₁ (Adam), for momentum cycling (one-cycle).
     *
     * @throws IllegalArgumentException if this optimizer has no momentum
     */
    default Optimizer withMomentum(double momentum) {
        throw new IllegalArgumentException(
                this + " has no momentum or beta1 to cycle"
                        + " (one-cycle and cyclic schedules cycle it by default, as PyTorch;"
                        + " turn that off with oneCycle(...).withoutMomentumCycling() or cyclic(...).withoutMomentumCycling())");
    }

    /**
     * A copy with another weight decay (every built-in rule has one); parameter groups use it.
     *
     * @throws IllegalArgumentException if this optimizer has no weight decay
     */
    default Optimizer weightDecay(double weightDecay) {
        throw new IllegalArgumentException(this + " has no weight decay to set");
    }

    /**
     * This optimizer split into parameter groups: each group's parameters get the group's settings,
     * the rest this optimizer's ({@code sgd(0.1).weightDecay(1e-4).groups(ParamGroup.of("biases",
     * names("*.bias")).weightDecay(0), ParamGroup.of("stem", layers(0, 1)).frozen())}).
     *
     * @throws IllegalArgumentException naming the group, for a setting this rule does not have
     */
    default ParamGroups groups(ParamGroup... groups) {
        return new ParamGroups(this, java.util.List.of(groups));
    }

    /**
     * The weight decay λ of a rule that updates each coordinate from that coordinate's gradient,
     * value and state and the step count alone, so that it may step any subset of coordinates (what
     * the lazy sparse update, {@code SparseUpdate.LAZY}, needs); empty, the default, for any other
     * rule (trust ratios over tensors, running products of the step, parameter groups).
     */
    default java.util.OptionalDouble coordinatewiseDecay() {
        return java.util.OptionalDouble.empty();
    }

    /**
     * This optimizer for a model whose parameter tensors are {@code names[i] = [bounds[i],
     * bounds[i+1])} of the flat buffer: itself, or {@link ParamGroups}' selectors resolved to ranges.
     * A training session calls it once, when it opens.
     */
    default Optimizer forTensors(java.util.List<String> names, int[] bounds) {
        return this;
    }

    /**
     * The gradient a rule works with: {@code sign·g + weightDecay·p} (sign -1 when maximizing),
     * written to {@code scratch} over {@code [0, n)}; {@code g} itself when there is nothing to add
     * (no copy). For rules on the generic path; reads g and p.
     */
    static float[] effectiveGradient(
            Backend backend, float[] g, float[] p, float[] scratch, int n, boolean maximize, double weightDecay) {
        if (!maximize && weightDecay == 0) return g;
        backend.axpby(scratch, maximize ? -1f : 1f, g, (float) weightDecay, p, 0, n);
        return scratch;
    }

    /**
     * Adam's moment updates over {@code [0, n)}: {@code m ← β₁m + (1-β₁)g}, {@code v ← β₂v +
     * (1-β₂)g²}. For rules on the generic path; reads g, overwrites m and v.
     */
    static void updateMoments(Backend backend, float[] g, float[] m, float[] v, double beta1, double beta2, int n) {
        backend.axpby(m, (float) beta1, m, (float) (1 - beta1), g, 0, n);
        backend.addcmul(v, (float) beta2, v, (float) (1 - beta2), g, g, 0, n);
    }

    /** Checks a pair of Adam-style betas, each in [0, 1), naming the field. */
    static void checkBetas(double beta1, double beta2) {
        checkRange("beta1", beta1, 0, 1, false);
        checkRange("beta2", beta2, 0, 1, false);
    }

    /** Checks a learning rate; returns it as a float. */
    static float checkLr(double lr) {
        if (!(lr >= 0) || Double.isInfinite(lr))
            throw new IllegalArgumentException("learning rate must be finite and >= 0, got " + lr);
        return (float) lr;
    }

    /** Checks that {@code value} lies in {@code [lo, hi)} (or {@code [lo, hi]} when closed). */
    static double checkRange(String field, double value, double lo, double hi, boolean closed) {
        boolean ok = value >= lo && (closed ? value <= hi : value < hi);
        if (!ok)
            throw new IllegalArgumentException(
                    field + " must be in [" + lo + ", " + hi + (closed ? "]" : ")") + ", got " + value);
        return value;
    }
}
