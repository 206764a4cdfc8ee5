package dev.descent.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.Shared;
import dev.descent.backend.Backends;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every shipped reference case passes on both CPU backends. */
class ReferenceConformanceTest {

    @ParameterizedTest
    @ValueSource(strings = {"scalar", "simd"})
    void everyReferenceCasePasses(String backendName) {
        var backend = Backends.byName(backendName);
        List<CaseResult> results = new ReferenceRunner(backend).runDirectory(Shared.reference());
        String failures =
                results.stream().filter(r -> !r.passed()).map(CaseResult::line).collect(Collectors.joining("\n"));
        ReferenceRunner.report(results, backend, System.out);
        assertTrue(results.size() >= 51, "expected every shipped case, got " + results.size());
        assertEquals("", failures, "failed cases on " + backendName);
    }
}
