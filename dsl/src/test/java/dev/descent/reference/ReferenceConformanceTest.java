package dev.descent.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.descent.Shared;
import dev.descent.backend.Backends;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every case of the implemented reference files ({@link Shared#IMPLEMENTED_REFERENCE_FILES}) passes on both CPU backends. */
class ReferenceConformanceTest {

    @ParameterizedTest
    @ValueSource(strings = {"scalar", "simd"})
    void everyReferenceCasePasses(String backendName) {
        var backend = Backends.byName(backendName);
        var runner = new ReferenceRunner(backend);
        List<CaseResult> results = Shared.implementedReferenceFiles().stream()
                .flatMap(f -> runner.runFile(f).stream())
                .toList();
        String failures =
                results.stream().filter(r -> !r.passed()).map(CaseResult::line).collect(Collectors.joining("\n"));
        ReferenceRunner.report(results, backend, System.out);
        assertEquals(116, results.size(), "expected every shipped case, got " + results.size());
        assertEquals("", failures, "failed cases on " + backendName);
    }
}
