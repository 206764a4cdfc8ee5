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
 * layers.json, whose convolution, pooling, flatten and tiny-CNN cases are not implemented yet (so
 * the file is not among {@link Shared#IMPLEMENTED_REFERENCE_FILES}): the implemented layers' cases
 * (gelu, leaky_relu, layer_norm: output, grad_input and grad_params; batch_norm1d also
 * running_after and output_eval_mode_after) pass on both CPU backends, and every other case is
 * reported unsupported, with the reason.
 */
class LayersReferenceTest {

    static final Set<String> IMPLEMENTED = Set.of("gelu", "leaky_relu", "layer_norm", "batch_norm1d");

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
        assertEquals(7, implemented.size(), "2 gelu, 2 leaky_relu, 1 layer_norm and 2 batch_norm1d cases");
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
