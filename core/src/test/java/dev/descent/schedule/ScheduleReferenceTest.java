package dev.descent.schedule;

import static dev.descent.schedule.ReferenceFiles.close;
import static dev.descent.schedule.ReferenceFiles.doubles;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.Map;
import java.util.function.LongToDoubleFunction;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every case of {@code shared/reference/schedules.json} (PyTorch 1.13, float64), built generically
 * from its kind and params through {@link Schedules#fromSpec} / {@link ReduceOnPlateau#fromSpec}.
 */
class ScheduleReferenceTest {

    /** Schedules are double math: only rounding differences from PyTorch's order of operations (~1e-16). */
    private static final double REL = 1e-12;

    private static final Map<String, Object> FILE = ReferenceFiles.read("schedules.json");

    @SuppressWarnings("unchecked")
    static Stream<Arguments> cases() {
        List<Map<String, Object>> cases = (List<Map<String, Object>>) FILE.get("cases");
        assertTrue(cases.size() >= 18, "expected the full reference file, got " + cases.size() + " cases");
        return cases.stream().map(c -> Arguments.of(c.get("kind") + " " + c.get("params"), c));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    @SuppressWarnings("unchecked")
    void matchesPyTorch(String name, Map<String, Object> c) {
        String kind = (String) c.get("kind");
        Map<String, Object> params = (Map<String, Object>) c.get("params");
        double baseLr = ((Number) c.get("base_lr")).doubleValue();
        double[] expected = doubles(c.get("lr_at_step"));

        if (kind.equals("reduce_on_plateau")) {
            var plateau = ReduceOnPlateau.fromSpec(params, Schedules.fromSpec("constant", Map.of(), baseLr));
            // the metrics are shared by the file; a case may carry its own
            double[] metrics = doubles(c.getOrDefault("plateau_metrics", FILE.get("plateau_metrics")));
            double[] actual = new double[expected.length];
            for (int k = 0; k < expected.length; k++) {
                actual[k] = plateau.at(k);
                plateau.report(metrics[k]);
            }
            assertSeries("lr", expected, k -> actual[(int) k]);
            return;
        }
        Schedule s = Schedules.fromSpec(kind, params, baseLr);
        assertSeries("lr", expected, s::at);
        if (c.containsKey("momentum_at_step"))
            assertSeries(
                    "momentum", doubles(c.get("momentum_at_step")), assertInstanceOf(OneCycle.class, s)::momentumAt);
    }

    private static void assertSeries(String what, double[] expected, LongToDoubleFunction actual) {
        for (int k = 0; k < expected.length; k++) {
            double a = actual.applyAsDouble(k);
            if (!close(a, expected[k], REL))
                fail(what + " at step " + k + ": expected " + expected[k] + ", got " + a + " (relative error "
                        + Math.abs(a - expected[k]) / Math.abs(expected[k]) + ")");
        }
    }
}
