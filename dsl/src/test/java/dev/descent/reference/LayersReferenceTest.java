package dev.descent.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.Shared;
import dev.descent.backend.Backends;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * layers.json: every case passes on both CPU backends (gelu, leaky_relu, layer_norm, conv2d,
 * max_pool2d, avg_pool2d, flatten: output, grad_input and grad_params; batch_norm1d also
 * running_after and output_eval_mode_after; tiny_cnn: conv_out, logits, loss, every parameter
 * gradient and grad_input). The file is among {@link Shared#IMPLEMENTED_REFERENCE_FILES}: the gpu
 * backend passes it too ({@code GpuCommandsTest}).
 */
class LayersReferenceTest {

    static final Set<String> IMPLEMENTED = Set.of(
            "gelu",
            "leaky_relu",
            "layer_norm",
            "batch_norm1d",
            "conv2d",
            "max_pool2d",
            "avg_pool2d",
            "flatten",
            "tiny_cnn");

    @ParameterizedTest
    @ValueSource(strings = {"scalar", "simd"})
    void implementedLayerCasesPassAndTheOthersAreUnsupported(String backendName) {
        var backend = Backends.byName(backendName);
        List<CaseResult> results =
                new ReferenceRunner(backend).runFile(Shared.reference().resolve("layers.json"));
        ReferenceRunner.report(results, backend, System.out);
        List<CaseResult> implemented = results.stream()
                .filter(r -> IMPLEMENTED.contains(r.kind().split(" ")[1]))
                .toList();
        assertEquals(19, results.size(), "every case of layers.json");
        assertEquals(
                19,
                implemented.size(),
                "2 gelu, 2 leaky_relu, 1 layer_norm, 2 batch_norm1d, 8 conv2d, 1 max_pool2d, 1 avg_pool2d,"
                        + " 1 flatten and 1 tiny_cnn case");
        String failures = implemented.stream()
                .filter(r -> !r.passed())
                .map(CaseResult::line)
                .collect(Collectors.joining("\n"));
        assertEquals("", failures, "failed layer cases on " + backendName);
        for (CaseResult r : results)
            if (!implemented.contains(r))
                assertTrue(
                        !r.passed()
                                && r.detail().startsWith("unsupported: layer '")
                                && r.detail().contains("not implemented yet"),
                        r.line());
    }
}
