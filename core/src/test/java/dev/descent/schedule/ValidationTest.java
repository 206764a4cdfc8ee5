package dev.descent.schedule;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Impossible parameters throw {@link IllegalArgumentException} naming the parameter and the value. */
class ValidationTest {

    private static Arguments bad(String field, String value, Executable e) {
        return Arguments.of(field, value, e);
    }

    static Stream<Arguments> impossible() {
        return Stream.of(
                bad("value", "-0.1", () -> Schedules.constant(-0.1)),
                bad("value", "NaN", () -> Schedules.constant(Double.NaN)),
                bad("stepSize", "0", () -> Schedules.step(0, 0.5)),
                bad("gamma", "0.0", () -> Schedules.step(10, 0)),
                bad("gamma", "-0.5", () -> Schedules.multistep(new long[] {3}, -0.5)),
                bad("milestone", "-3", () -> Schedules.multistep(new long[] {5, -3}, 0.1)),
                bad("gamma", "0.0", () -> Schedules.exponential(0)),
                bad("beta", "-1.0", () -> Schedules.inverse(-1)),
                bad("alpha", "-0.5", () -> Schedules.polynomialInverse(0.1, -0.5)),
                bad("k", "Infinity", () -> Schedules.expDecay(Double.POSITIVE_INFINITY)),
                bad("totalSteps", "0", () -> Schedules.polynomialToZero(0, 1)),
                bad("power", "0.0", () -> Schedules.polynomialToZero(10, 0)),
                bad("totalSteps", "-5", () -> Schedules.linear(0.1, 1, -5)),
                bad("startFactor", "-0.1", () -> Schedules.linear(-0.1, 1, 5)),
                bad("totalSteps", "0", () -> Schedules.warmup(0)),
                bad("totalSteps", "0", () -> Schedules.cosine(0)),
                bad("minFactor", "1.5", () -> Schedules.cosine(10, 1.5)),
                bad("firstPeriod", "0", () -> Schedules.cosineWarmRestarts(0, 1, 0)),
                bad("periodMult", "0", () -> Schedules.cosineWarmRestarts(10, 0, 0)),
                bad("minFactor", "-0.1", () -> Schedules.cosineWarmRestarts(10, 1, -0.1)),
                bad("low (0.2) must not be greater than high", "0.1", () -> Schedules.cyclic(0.2, 0.1, 5)),
                bad("stepSizeUp", "0", () -> Schedules.cyclic(0.1, 1, 0)),
                bad("stepSizeDown", "0", () -> Schedules.cyclic(0.1, 1, 5, 0, CyclicMode.TRIANGULAR, 1)),
                bad("gamma", "0.0", () -> Schedules.cyclic(0.1, 1, 5, 5, CyclicMode.EXP_RANGE, 0)),
                bad("mode", "null", () -> Schedules.cyclic(0.1, 1, 5, 5, null, 1)),
                bad("totalSteps", "0", () -> Schedules.oneCycle(0)),
                bad("pctStart", "0.0", () -> Schedules.oneCycle(100).withPctStart(0)),
                bad("pctStart", "1.0", () -> Schedules.oneCycle(100).withPctStart(1)),
                bad("pctStart", "0.6", () -> Schedules.oneCycle(100)
                        .withPctStart(0.6)
                        .withThreePhase(true)),
                bad("divFactor", "0.5", () -> Schedules.oneCycle(100).withDivFactors(0.5, 10)),
                bad("finalDivFactor", "0.0", () -> Schedules.oneCycle(100).withDivFactors(25, 0)),
                bad("baseMomentum (0.95) must not be greater than maxMomentum", "0.85", () -> Schedules.oneCycle(100)
                        .withMomentum(0.95, 0.85)),
                bad("maxMomentum", "1.0", () -> Schedules.oneCycle(100).withMomentum(0.85, 1)),
                bad("scale factor", "-1.0", () -> Schedules.cosine(10).scale(-1)),
                bad("scale factor", "-1.0", () -> Schedules.oneCycle(10).scale(-1)),
                bad("clamp min (0.5) must not be greater than clamp max", "0.1", () -> Schedules.cosine(10)
                        .clamp(0.5, 0.1)),
                bad("clamp min", "-0.1", () -> Schedules.cosine(10).clamp(-0.1, 1)),
                bad("stepsPerEpoch", "0", () -> Schedules.cosine(10).perEpoch(0)),
                bad(
                        "join boundaries",
                        "[5, 5]",
                        () -> Schedules.join(
                                new long[] {5, 5},
                                Schedules.constant(1),
                                Schedules.constant(1),
                                Schedules.constant(1))),
                bad(
                        "one boundary fewer",
                        "1 boundaries for 3",
                        () -> Schedules.join(
                                new long[] {5}, Schedules.constant(1), Schedules.constant(1), Schedules.constant(1))),
                bad("schedule 1", "null", () -> Schedules.join(new long[] {5}, Schedules.constant(1), null)),
                bad("step", "-1", () -> Schedules.inverseSqrt().at(-1)),
                bad("factor", "1.0", () -> ReduceOnPlateau.Config.DEFAULTS.withFactor(1)),
                bad("patience", "-1", () -> ReduceOnPlateau.Config.DEFAULTS.withPatience(-1)),
                bad(
                        "threshold",
                        "-1.0E-4",
                        () -> ReduceOnPlateau.Config.DEFAULTS.withThreshold(-1e-4, ReduceOnPlateau.ThresholdMode.ABS)),
                bad("cooldown", "-2", () -> ReduceOnPlateau.Config.DEFAULTS.withCooldown(-2)),
                bad("minLr", "-1.0", () -> ReduceOnPlateau.Config.DEFAULTS.withMinLr(-1)),
                bad("eps", "NaN", () -> ReduceOnPlateau.Config.DEFAULTS.withEps(Double.NaN)),
                bad("factor", "1.5", () -> new ReduceOnPlateau.State(1.5, 0, 0, 0)),
                // specs name the kind and PyTorch's parameter
                bad("schedule 'cosine': missing parameter total_steps", "", () -> spec("cosine", Map.of())),
                bad(
                        "schedule 'step': step_size must be an integer",
                        "2.5",
                        () -> spec("step", Map.of("step_size", 2.5))),
                bad(
                        "schedule 'exponential': gamma must be a number",
                        "\"fast\"",
                        () -> spec("exponential", Map.of("gamma", "fast"))),
                bad(
                        "schedule 'cosine': min_lr (0.5) must not be greater than base lr",
                        "0.1",
                        () -> spec("cosine", Map.of("total_steps", 10, "min_lr", 0.5))),
                bad(
                        "schedule 'cyclic': mode must be one of [triangular, triangular2, exp_range]",
                        "\"sawtooth\"",
                        () -> spec("cyclic", Map.of("base_lr", 0.01, "max_lr", 0.1, "mode", "sawtooth"))),
                bad(
                        "schedule 'multistep': milestones[1] must be an integer",
                        "x",
                        () -> spec("multistep", Map.of("milestones", List.of(3, "x")))),
                bad(
                        "schedule 'one_cycle': pctStart",
                        "1.5",
                        () -> spec("one_cycle", Map.of("max_lr", 1, "total_steps", 10, "pct_start", 1.5))),
                bad("schedule 'wobbly': unknown kind", "cosine_warm_restarts", () -> spec("wobbly", Map.of())),
                bad(
                        "schedule 'reduce_on_plateau'",
                        "ReduceOnPlateau.fromSpec",
                        () -> spec("reduce_on_plateau", Map.of())),
                bad("schedule 'constant': base lr", "-0.1", () -> Schedules.fromSpec("constant", Map.of(), -0.1)),
                bad(
                        "reduce_on_plateau: factor",
                        "2.0",
                        () -> ReduceOnPlateau.fromSpec(Map.of("factor", 2.0), Schedules.constant(1))),
                bad(
                        "reduce_on_plateau: threshold_mode must be one of [rel, abs]",
                        "\"relative\"",
                        () -> ReduceOnPlateau.fromSpec(Map.of("threshold_mode", "relative"), Schedules.constant(1))));
    }

    private static Schedule spec(String kind, Map<String, Object> params) {
        return Schedules.fromSpec(kind, params, 0.1);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("impossible")
    void namesTheParameterAndTheValue(String field, String value, Executable e) {
        var thrown = assertThrows(IllegalArgumentException.class, e);
        String m = thrown.getMessage();
        assertTrue(m.contains(field) && m.contains(value), "message should name " + field + " and " + value + ": " + m);
    }
}
