package dev.descent.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.backend.ScalarBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An optimizer case is never half-checked: what the runner cannot build or compare fails it as "unsupported". */
class UnsupportedOptimizerCaseTest {

    /** One ASGD step from p0 = (1, -2) on f = ½·p² (a = 1, b = 0): g = p, p1 = p·(1 - λη) - η·p, ax1 = p1. */
    private static String asgdCase(String optimizer, String hyper, String extra) {
        return "{\"optimizer\": \"" + optimizer + "\", \"hyper\": {" + hyper + "}, \"a\": [1, 1], \"b\": [0, 0],"
                + " \"p0\": [1, -2], \"params_after_each_step\": [[0.89999, -1.79998]]" + extra + "}";
    }

    private static CaseResult run(Path dir, String json) throws IOException {
        Path f = dir.resolve("case.json");
        Files.writeString(f, "{\"cases\": [" + json + "]}");
        List<CaseResult> results = new ReferenceRunner(new ScalarBackend()).runFile(f);
        assertEquals(1, results.size());
        return results.get(0);
    }

    @Test
    void aKnownCasePassesAndItsAverageIsChecked(@TempDir Path dir) throws IOException {
        String hyper = "\"lr\": 0.1, \"lambd\": 0.0001, \"t0\": 5";
        CaseResult ok =
                run(dir, asgdCase("ASGD", hyper, ", \"averaged_params_after_each_step\": [[0.89999, -1.79998]]"));
        assertTrue(ok.passed(), ok.line());
        CaseResult badAverage =
                run(dir, asgdCase("ASGD", hyper, ", \"averaged_params_after_each_step\": [[0.5, -1.79998]]"));
        assertFalse(badAverage.passed(), badAverage.line());
        assertEquals("", badAverage.detail(), "a wrong average is a number mismatch, not an error");
    }

    @Test
    void whatCannotBeBuiltOrComparedIsUnsupported(@TempDir Path dir) throws IOException {
        String hyper = "\"lr\": 0.1, \"lambd\": 0.0001, \"t0\": 5";
        for (String json : List.of(
                asgdCase("Shampoo", hyper, ""),
                asgdCase("ASGD", hyper + ", \"foreach\": true", ""),
                asgdCase("ASGD", hyper, ", \"ema_after_each_step\": [[1, 2]]"),
                asgdCase("SGD", "\"lr\": 0.1", ", \"averaged_params_after_each_step\": [[0.9, -1.8]]"))) {
            CaseResult r = run(dir, json);
            assertFalse(r.passed(), r.line());
            assertTrue(r.detail().startsWith("unsupported"), r.line());
        }
    }
}
