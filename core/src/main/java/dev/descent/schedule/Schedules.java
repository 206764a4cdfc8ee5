package dev.descent.schedule;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The schedule factories, in one place. Every shape is a multiplier of the base learning rate
 * (see the package documentation): {@code warmup(500).then(cosine(20_000))} rises from 0 to 1 and
 * decays back; {@code .scale(0.1)} makes it a learning rate for base lr 0.1. {@code constant(0.1)}
 * is the learning rate 0.1 itself.
 *
 * <p>Parameters are checked here: an impossible one throws {@link IllegalArgumentException} naming
 * it and its value. The formulas are PyTorch's ({@code torch.optim.lr_scheduler}), so PyTorch's
 * numbers are the test oracle.
 */
public final class Schedules {

    private Schedules() {}

    /** Always {@code value}: a fixed learning rate, or a fixed multiplier. */
    public static Schedule constant(double value) {
        return new Curves.Constant(value);
    }

    /** {@code gamma^floor(t/stepSize)}: times gamma every {@code stepSize} steps (StepLR). */
    public static Schedule step(long stepSize, double gamma) {
        return new Curves.StepDecay(stepSize, gamma);
    }

    /** Times gamma at each milestone step (MultiStepLR); the milestones need not be sorted. */
    public static Schedule multistep(long[] milestones, double gamma) {
        return new Curves.MultiStep(milestones, gamma);
    }

    /** {@code gamma^t} (ExponentialLR). */
    public static Schedule exponential(double gamma) {
        return new Curves.Exponential(gamma);
    }

    /** {@code 1/(1 + beta·t)}. */
    public static Schedule inverse(double beta) {
        return new Curves.Inverse(beta);
    }

    /** {@code (1 + beta·t)^-alpha}. */
    public static Schedule polynomialInverse(double beta, double alpha) {
        return new Curves.PolynomialInverse(beta, alpha);
    }

    /** {@code 1/sqrt(t + 1)}. */
    public static Schedule inverseSqrt() {
        return new Curves.InverseSqrt();
    }

    /** {@code e^(-k·t)}. */
    public static Schedule expDecay(double k) {
        return new Curves.ExpDecay(k);
    }

    /** {@code (1 - min(t,T)/T)^power} (PolynomialLR): 0 from step T on. Length T. */
    public static Schedule polynomialToZero(long totalSteps, double power) {
        return new Curves.PolynomialToZero(totalSteps, power);
    }

    /**
     * A line from {@code startFactor} (step 0) to {@code endFactor} (step {@code totalSteps}), held
     * after (LinearLR). Length {@code totalSteps}.
     */
    public static Schedule linear(double startFactor, double endFactor, long totalSteps) {
        return new Curves.Linear(startFactor, endFactor, totalSteps);
    }

    /** Linear warmup from 0 to 1 over {@code steps} steps (so step 0 has lr 0, as in Optax), held after. */
    public static Schedule warmup(long steps) {
        return warmup(steps, 0);
    }

    /** Linear warmup from {@code startFactor} to 1 over {@code steps} steps, held after. */
    public static Schedule warmup(long steps, double startFactor) {
        return linear(startFactor, 1, steps);
    }

    /** {@link #cosine(long, double)} down to 0. */
    public static Schedule cosine(long totalSteps) {
        return cosine(totalSteps, 0);
    }

    /**
     * Half a cosine from 1 down to {@code minFactor} at step {@code totalSteps}
     * (CosineAnnealingLR). Length {@code totalSteps}. As in PyTorch, the curve does not stop there:
     * it rises again (period {@code 2·totalSteps}). Inside {@code then} chains that never shows; to
     * hold the minimum at the end of a run write {@code cosine(T, m).then(constant(m))}.
     *
     * @param minFactor the floor as a fraction of the base lr, in [0, 1] (PyTorch's {@code
     *     eta_min / base_lr})
     */
    public static Schedule cosine(long totalSteps, double minFactor) {
        return new Curves.Cosine(totalSteps, minFactor);
    }

    /**
     * SGDR (CosineAnnealingWarmRestarts): a cosine from 1 to {@code minFactor} over {@code
     * firstPeriod} steps, then restarts at 1, each period {@code periodMult} times longer.
     */
    public static Schedule cosineWarmRestarts(long firstPeriod, long periodMult, double minFactor) {
        return new Curves.CosineWarmRestarts(firstPeriod, periodMult, minFactor);
    }

    /**
     * The 1cycle policy with PyTorch's defaults (peak 1 = the base lr, pctStart 0.3, cosine, divFactor
     * 25, finalDivFactor 10⁴, momentum cycled 0.95 → 0.85 → 0.95); adjust with {@code
     * OneCycle.with...}. Length {@code totalSteps}.
     */
    public static OneCycle oneCycle(long totalSteps) {
        return OneCycle.defaults(totalSteps);
    }

    /** {@link #cyclic(double, double, long, long, CyclicMode, double) cyclic} triangular, rising and falling over {@code stepSizeUp}. */
    public static Cyclic cyclic(double low, double high, long stepSizeUp) {
        return cyclic(low, high, stepSizeUp, stepSizeUp, CyclicMode.TRIANGULAR, 1);
    }

    /**
     * CyclicLR: between {@code low} and {@code high} (multipliers of the base lr), rising over
     * {@code stepSizeUp} steps and falling over {@code stepSizeDown}; {@code mode} shapes the
     * amplitude ({@code gamma} is used by {@link CyclicMode#EXP_RANGE} only). Cycles the momentum
     * 0.9 → 0.8 → 0.9 as PyTorch does by default; see {@link Cyclic#withoutMomentumCycling()}.
     */
    public static Cyclic cyclic(
            double low, double high, long stepSizeUp, long stepSizeDown, CyclicMode mode, double gamma) {
        return new Cyclic(
                low, high, stepSizeUp, stepSizeDown, mode, gamma, true, Cyclic.BASE_MOMENTUM, Cyclic.MAX_MOMENTUM);
    }

    /**
     * {@code schedules[0]} until step {@code boundaries[0]}, then {@code schedules[i]} from {@code
     * boundaries[i-1]} with its step counter restarted at 0 (Optax's {@code join_schedules}).
     *
     * @throws IllegalArgumentException unless there is one boundary fewer than schedules and the
     *     boundaries are positive and strictly increasing
     */
    public static Schedule join(long[] boundaries, Schedule... schedules) {
        Check.notNull("schedules", schedules);
        return new Composition.Joined(boundaries, Arrays.asList(schedules));
    }

    /**
     * SWALR (stochastic weight averaging's schedule): from 1 to {@code swaFactor} (swa_lr / base lr)
     * over {@code annealSteps} steps along {@code anneal}, then held; its step 0 is already one step
     * into the anneal, as PyTorch's. Start it after the constant phase with {@link #join}: {@code
     * join(new long[] {swaStart}, constant(1), swalr(0.5, 10, Anneal.COS))}.
     */
    public static Schedule swalr(double swaFactor, long annealSteps, Anneal anneal) {
        return new Curves.Swalr(swaFactor, annealSteps, anneal);
    }

    // ---- specs -----------------------------------------------------------------------------

    /** The kinds {@link #fromSpec} knows. */
    public static final List<String> KINDS = List.of(
            "constant",
            "step",
            "multistep",
            "exponential",
            "inverse",
            "polynomial_inverse",
            "inverse_sqrt",
            "exp_decay",
            "polynomial_to_zero",
            "cosine",
            "cosine_warm_restarts",
            "linear",
            "warmup_then_cosine",
            "one_cycle",
            "cyclic",
            "swalr");

    /**
     * The learning-rate schedule a spec describes, in the format of {@code
     * shared/reference/schedules.json}: PyTorch's parameter names, learning rates in absolute terms,
     * missing optional parameters at PyTorch's defaults, unknown keys ignored. Values are plain
     * {@link Number}, {@link String}, {@link Boolean} and {@link List}, as a JSON reader gives them.
     *
     * <p>The result is absolute (already scaled by {@code baseLr}). {@code one_cycle} and {@code
     * cyclic} ignore {@code baseLr}, as PyTorch's schedulers do: their own {@code max_lr} / {@code
     * base_lr} set the scale; {@code one_cycle} returns a {@link OneCycle}. {@code
     * reduce_on_plateau} is not a schedule: use {@link ReduceOnPlateau#fromSpec}.
     *
     * @throws IllegalArgumentException for an unknown kind or a missing or impossible parameter; the
     *     message names the kind, the parameter and the value
     */
    public static Schedule fromSpec(String kind, Map<String, ?> params, double baseLr) {
        return Spec.reading("schedule '" + kind + "'", () -> {
            Check.nonNegative("base lr", baseLr);
            Spec p = new Spec(params);
            if (kind == null) throw new IllegalArgumentException("missing kind");
            switch (kind) {
                case "one_cycle":
                    return oneCycleFromSpec(p);
                case "cyclic":
                    return cyclicFromSpec(p);
                case "reduce_on_plateau":
                    throw new IllegalArgumentException(
                            "a metric-driven controller, not a schedule: use ReduceOnPlateau.fromSpec");
                default:
                    return shapeFromSpec(kind, p, baseLr).scale(baseLr);
            }
        });
    }

    /** The kinds whose values multiply the base lr. */
    private static Schedule shapeFromSpec(String kind, Spec p, double baseLr) {
        return switch (kind) {
            case "constant" -> constant(1);
            case "step" -> step(p.integer("step_size"), p.number("gamma", 0.1));
            case "multistep" -> multistep(p.integers("milestones"), p.number("gamma", 0.1));
            case "exponential" -> exponential(p.number("gamma"));
            case "inverse" -> inverse(p.number("beta"));
            case "polynomial_inverse" -> polynomialInverse(p.number("beta"), p.number("alpha"));
            case "inverse_sqrt" -> inverseSqrt();
            case "exp_decay" -> expDecay(p.number("k"));
            case "polynomial_to_zero" -> polynomialToZero(p.integer("total_steps", 5), p.number("power", 1));
            case "cosine" -> cosine(p.integer("total_steps"), minFactor(p, baseLr));
            case "cosine_warm_restarts" ->
                cosineWarmRestarts(p.integer("first_period"), p.integer("period_mult", 1), minFactor(p, baseLr));
            case "linear" ->
                linear(p.number("start_factor", 1.0 / 3), p.number("end_factor", 1), p.integer("total_steps", 5));
            case "warmup_then_cosine" ->
                warmup(p.integer("warmup_steps"), p.number("warmup_start_factor", 0))
                        .then(cosine(p.integer("cosine_total_steps"), minFactor(p, baseLr)));
            case "swalr" -> {
                long constant = p.integer("constant_steps", 0);
                Schedule swa = swalr(
                        Check.nonNegative("swa_lr", p.number("swa_lr")) / Check.positive("base lr", baseLr),
                        p.integer("anneal_epochs", 10),
                        p.choice("anneal_strategy", Anneal.class, Anneal.COS));
                yield constant == 0 ? swa : join(new long[] {constant}, constant(1), swa);
            }
            default -> throw new IllegalArgumentException("unknown kind (expected one of " + KINDS + ")");
        };
    }

    /** PyTorch's absolute {@code min_lr} as a fraction of the base lr. */
    private static double minFactor(Spec p, double baseLr) {
        double minLr = Check.nonNegative("min_lr", p.number("min_lr", 0));
        Check.ordered("min_lr", minLr, "base lr", baseLr);
        return baseLr == 0 ? 0 : minLr / baseLr;
    }

    /** CyclicLR's own base_lr and max_lr are absolute: multipliers of 1. */
    private static Schedule cyclicFromSpec(Spec p) {
        long up = p.integer("step_size_up", 2000);
        Cyclic c = cyclic(
                p.number("base_lr"),
                p.number("max_lr"),
                up,
                p.integer("step_size_down", up),
                p.choice("mode", CyclicMode.class, CyclicMode.TRIANGULAR),
                p.number("gamma", 1));
        return p.flag("cycle_momentum", true)
                ? c.withMomentum(
                        p.number("base_momentum", Cyclic.BASE_MOMENTUM), p.number("max_momentum", Cyclic.MAX_MOMENTUM))
                : c.withoutMomentumCycling();
    }

    private static OneCycle oneCycleFromSpec(Spec p) {
        OneCycle c = oneCycle(p.integer("total_steps"))
                .withPctStart(p.number("pct_start", 0.3))
                .withAnneal(p.choice("anneal", Anneal.class, Anneal.COS))
                .withDivFactors(p.number("div_factor", 25), p.number("final_div_factor", 1e4))
                .withThreePhase(p.flag("three_phase", false));
        c = p.flag("cycle_momentum", true)
                ? c.withMomentum(p.number("base_momentum", 0.85), p.number("max_momentum", 0.95))
                : c.withoutMomentumCycling();
        return c.scale(p.number("max_lr"));
    }
}
