package dev.descent.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.example.layers.Swish;
import dev.descent.backend.Activation;
import dev.descent.backend.Backend;
import dev.descent.backend.ScalarBackend;
import dev.descent.backend.SimdBackend;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The Layer seam: a Sequential's names, shapes and errors, and every CPU layer's gradient check. */
class LayerTest {

    static final List<Activation> ACTIVATIONS = List.of(
            Activation.IDENTITY,
            Activation.RELU,
            Activation.leakyRelu(0.2f),
            Activation.TANH,
            Activation.SIGMOID,
            Activation.GELU,
            Activation.GELU_TANH);

    static Stream<Arguments> layers() {
        Stream<Layer> all = Stream.concat(
                ACTIVATIONS.stream().flatMap(f -> Stream.of(new Dense(6, 4, f, 0), new ActivationLayer(f))),
                Stream.of(new Swish(6), new LayerNorm(6), new LayerNorm(6, 1e-3), new Dropout(0.3)));
        List<Layer> list = all.toList();
        return Stream.of(new ScalarBackend(), new SimdBackend())
                .flatMap(b -> list.stream().map(l -> Arguments.of(b, l)));
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("layers")
    void gradientCheck(Backend b, Layer layer) {
        var report = GradientCheck.of(layer, 6).run(b).assertPassed();
        assertTrue(report.checked() > 20, report.toString());
    }

    @Test
    void gradientCheckCatchesAWrongBackward() {
        Layer broken = new Layer() {
            @Override
            public String kind() {
                return "broken";
            }

            @Override
            public int[] outputShape(int[] inputShape) {
                return inputShape.clone();
            }

            @Override
            public void forward(LayerContext c, float[] x, float[] y) {
                for (int i = 0; i < c.rows() * c.inputWidth(); i++) y[i] = x[i] * x[i];
            }

            @Override
            public void backward(LayerContext c, float[] x, float[] y, float[] dy, float[] dx) {
                for (int i = 0; i < c.rows() * c.inputWidth(); i++) dx[i] = dy[i] * x[i]; // 2x forgotten
            }
        };
        var report = GradientCheck.of(broken, 3).run(new ScalarBackend());
        assertTrue(!report.passed(), report.toString());
        assertTrue(report.toString().contains("FAILED") && report.toString().contains("input["), report.toString());
        assertThrows(AssertionError.class, report::assertPassed);
    }

    @Test
    void parametersAreNamedLikePyTorchStateDict() {
        Sequential m = Models.sequential(5)
                .dense(6)
                .activation(Activation.TANH)
                .add(new Swish(6))
                .dense(3)
                .build();
        var names = m.parameters().stream().map(Sequential.Slot::name).toList();
        assertEquals(
                List.of("layers.0.weight", "layers.0.bias", "layers.2.beta", "layers.3.weight", "layers.3.bias"),
                names);
        assertArrayEquals(new int[] {6, 5}, m.parameters().get(0).shape());
        assertEquals(6 * 5 + 6 + 6 + 3 * 6 + 3, m.parameterCount());
        assertEquals(m.parameterCount(), m.parameters().get(4).end());
        assertEquals(
                "Sequential(5 -> 6 identity -> tanh -> Swish[features=6] -> 3 identity, 63 parameters)", m.toString());
    }

    @Test
    void layersThatDoNotChainFailAtBuildNamingTheLayerAndShapes() {
        var b = Models.sequential(5).dense(6);
        var e = assertThrows(IllegalArgumentException.class, () -> b.add(new Swish(4)));
        assertEquals("layer layers.1 (swish) cannot take input shape [6]: swish takes [4], got [6]", e.getMessage());
        var d = assertThrows(IllegalArgumentException.class, () -> b.add(new Dense(7, 3, Activation.RELU, 0)));
        assertEquals(
                "layer layers.1 (dense) cannot take input shape [6]: a dense layer 7→3 takes input shape [7], got [6]",
                d.getMessage());
    }

    /** A dense layer followed by an activation layer computes what the fused dense layer computes, bit for bit. */
    @ParameterizedTest
    @MethodSource("backends")
    void separateActivationLayersEqualTheFusedDenseLayer(Backend b) {
        for (Activation f : ACTIVATIONS) {
            Sequential fused = Models.mlp(5).dense(7, f).dense(3).build();
            Sequential split =
                    Models.sequential(5).dense(7).activation(f).dense(3).build();
            float[] params = fused.initialParameters(3);
            assertArrayEquals(
                    params, split.initialParameters(3), f + ": AUTO picks the scheme of the activation layer");
            SplittableRandom rnd = new SplittableRandom(4);
            int rows = 9;
            float[] x = new float[rows * 5], dOut = new float[rows * 3];
            for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
            for (int i = 0; i < dOut.length; i++) dOut[i] = (float) rnd.nextGaussian();
            var wf = fused.workspace(rows);
            var ws = split.workspace(rows);
            assertArrayEquals(
                    fused.forward(b, params, x, rows, wf), split.forward(b, params, x, rows, ws), f.toString());
            float[] gf = new float[params.length], gs = new float[params.length];
            fused.backward(b, params, x, rows, wf, dOut, gf, false);
            split.backward(b, params, x, rows, ws, dOut, gs, false);
            assertArrayEquals(gf, gs, f.toString());
        }
    }

    @Test
    void layerNormStartsAsTheIdentityAffineAndNamesItsParameters() {
        Sequential m = Models.sequential(4).add(new LayerNorm(4)).build();
        assertEquals(
                List.of("layers.0.weight", "layers.0.bias"),
                m.parameters().stream().map(Sequential.Slot::name).toList());
        assertArrayEquals(new float[] {1, 1, 1, 1, 0, 0, 0, 0}, m.initialParameters(9));
        var e = assertThrows(
                IllegalArgumentException.class, () -> Models.sequential(5).add(new LayerNorm(4)));
        assertEquals(
                "layer layers.0 (layer_norm) cannot take input shape [5]: layer norm over 4 features takes input shape"
                        + " [4], got [5]",
                e.getMessage());
    }

    @Test
    void geluMatchesKnownValues() {
        float[] z = {-3f, -1f, 0f, 0.5f, 2f}, exact = new float[5], tanh = new float[5];
        Activation.GELU.apply(z, 0, exact, 0, 5);
        Activation.GELU_TANH.apply(z, 0, tanh, 0, 5);
        // x·Φ(x) and PyTorch's tanh approximation, to float precision
        float[] wantExact = {-0.0040496941f, -0.15865525f, 0f, 0.34573123f, 1.9544997f};
        float[] wantTanh = {-0.0036373921f, -0.15880801f, 0f, 0.34571401f, 1.9545977f};
        for (int i = 0; i < 5; i++) {
            assertEquals(wantExact[i], exact[i], 2e-7 * Math.max(1, Math.abs(wantExact[i])), "gelu(" + z[i] + ")");
            assertEquals(wantTanh[i], tanh[i], 2e-7 * Math.max(1, Math.abs(wantTanh[i])), "gelu_tanh(" + z[i] + ")");
        }
    }

    static Stream<Backend> backends() {
        return Stream.of(new ScalarBackend(), new SimdBackend());
    }
}
