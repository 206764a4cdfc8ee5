package dev.descent.train;

import static dev.descent.schedule.ReferenceFiles.close;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.descent.backend.Backend;
import dev.descent.backend.ScalarBackend;
import dev.descent.backend.SimdBackend;
import dev.descent.schedule.ReferenceFiles;
import dev.descent.train.Clipping.NormType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link Clipping} against {@code shared/reference/clipping.json} on every CPU backend, plus edge cases. */
class ClippingTest {

    /** float32 arithmetic against PyTorch's float64. */
    private static final double REL = 1e-5;

    static List<Backend> backends() {
        return List.of(new ScalarBackend(), new SimdBackend());
    }

    static Stream<Arguments> referenceCases() {
        List<Map<String, Object>> cases = ReferenceFiles.cases("clipping.json");
        assertTrue(cases.size() >= 6, "expected the full reference file, got " + cases.size() + " cases");
        List<Arguments> out = new ArrayList<>();
        for (Backend b : backends())
            for (int i = 0; i < cases.size(); i++) {
                Map<String, Object> c = cases.get(i);
                out.add(Arguments.of(
                        b.name() + " #" + i + " " + c.get("kind") + " "
                                + c.getOrDefault("norm_type", c.get("clip_value")),
                        b,
                        c));
            }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("referenceCases")
    void matchesPyTorch(String name, Backend b, Map<String, Object> c) {
        float[] g = flatten(c.get("grads"));
        float[] expected = flatten(c.get("clipped"));
        double norm = Clipping.fromSpec(c).apply(b, g, g.length);

        if (c.containsKey("total_norm")) {
            double want = ((Number) c.get("total_norm")).doubleValue();
            assertTrue(close(norm, want, REL), "total norm: expected " + want + ", got " + norm);
        }
        for (int i = 0; i < g.length; i++)
            if (!close(g[i], expected[i], REL)) fail("element " + i + ": expected " + expected[i] + ", got " + g[i]);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void clipsOnlyTheFirstNElements(Backend b) {
        float[] g = {3, 4, 100, -100};
        assertEquals(5, Clipping.byNorm(1).apply(b, g, 2), 1e-6);
        assertEquals(0.6f, g[0], 1e-6);
        assertEquals(0.8f, g[1], 1e-6);
        assertEquals(100f, g[2]);
        assertEquals(-100f, g[3]);
        assertEquals(4, Clipping.byValue(1).apply(b, g = new float[] {3, -4, 100}, 2));
        assertArrayEquals(new float[] {1, -1, 100}, g);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void belowTheLimitNothingChanges(Backend b) {
        float[] g = {0.3f, -0.4f, 0.1f};
        float[] copy = g.clone();
        assertEquals(0.8, Clipping.byNorm(0.81, NormType.L1).apply(b, g, 3), 1e-6);
        assertEquals(0.4, Clipping.byValue(0.5).apply(b, g, 3), 1e-6);
        assertEquals(Math.sqrt(0.26), Clipping.NONE.apply(b, g, 3), 1e-6);
        assertArrayEquals(copy, g);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void clippedNormIsTheLimit(Backend b) {
        Random r = new Random(7);
        for (NormType type : NormType.values())
            for (int n : new int[] {1, 3, 15, 16, 17, 63, 1025}) {
                float[] g = new float[n];
                for (int i = 0; i < n; i++) g[i] = (float) (r.nextGaussian() * 10);
                double before = Clipping.byNorm(0.5, type).apply(b, g, n);
                double after = type.of(b, g, n);
                assertTrue(before > 0.5, "random gradients should need clipping");
                assertEquals(0.5, after, 0.5 * 1e-5, type + " n=" + n);
            }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void nonFiniteGradientsAreLeftAloneAndReported(Backend b) {
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            for (Clipping c : List.of(
                    Clipping.byNorm(1),
                    Clipping.byNorm(1, NormType.L1),
                    Clipping.byNorm(1, NormType.INF),
                    Clipping.byValue(1),
                    Clipping.NONE)) {
                float[] g = {5, bad, -7};
                float[] copy = g.clone();
                double norm = c.apply(b, g, 3);
                assertTrue(!Double.isFinite(norm), c + " with " + bad + " returned " + norm);
                assertArrayEquals(copy, g, c + " with " + bad + " changed the gradients");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void emptyGradient(Backend b) {
        assertEquals(0, Clipping.byNorm(1).apply(b, new float[0], 0));
        assertEquals(0, Clipping.byValue(1).apply(b, new float[3], 0));
    }

    @Test
    void impossibleParametersNameTheField() {
        assertMessage("maxNorm", "0.0", () -> Clipping.byNorm(0));
        assertMessage("maxNorm", "NaN", () -> Clipping.byNorm(Double.NaN, NormType.L2));
        assertMessage("normType", "null", () -> Clipping.byNorm(1, null));
        assertMessage("clip value", "-1.0", () -> Clipping.byValue(-1));
        assertMessage("norm_type", "3", () -> Clipping.fromSpec(Map.of("kind", "norm", "max_norm", 1, "norm_type", 3)));
        assertMessage("max_norm", "null", () -> Clipping.fromSpec(Map.of("kind", "norm")));
        assertMessage("kind", "clip", () -> Clipping.fromSpec(Map.of("kind", "clip")));
        assertMessage(
                "n must be in [0, 2]", "3", () -> Clipping.byValue(1).apply(new ScalarBackend(), new float[2], 3));
    }

    @Test
    void specs() {
        assertEquals(Clipping.NONE, Clipping.fromSpec(Map.of("kind", "none")));
        assertEquals(Clipping.byNorm(2), Clipping.fromSpec(Map.of("kind", "norm", "max_norm", 2)));
        assertEquals(
                Clipping.byNorm(2, NormType.INF),
                Clipping.fromSpec(Map.of("kind", "norm", "max_norm", 2.0, "norm_type", Double.POSITIVE_INFINITY)));
        assertEquals(
                Clipping.byNorm(2, NormType.L1),
                Clipping.fromSpec(Map.of("kind", "norm", "max_norm", 2, "norm_type", 1)));
        assertEquals(Clipping.byValue(0.5), Clipping.fromSpec(Map.of("kind", "value", "clip_value", 0.5)));
    }

    private static void assertMessage(String field, String value, Runnable r) {
        var e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(field) && e.getMessage().contains(value), e.getMessage());
    }

    /** The case's tensors (nested lists of numbers) concatenated into one flat float32 buffer. */
    private static float[] flatten(Object tensors) {
        List<Double> values = new ArrayList<>();
        collect(tensors, values);
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) out[i] = values.get(i).floatValue();
        return out;
    }

    private static void collect(Object o, List<Double> out) {
        if (o instanceof List<?> list) list.forEach(x -> collect(x, out));
        else out.add(((Number) o).doubleValue());
    }
}
