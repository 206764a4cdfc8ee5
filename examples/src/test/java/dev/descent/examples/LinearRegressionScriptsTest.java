package dev.descent.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.dsl.Fit;
import org.junit.jupiter.api.Test;

/** The Java-builder and Kotlin-DSL versions of PyTorch's first example train to identical parameters. */
class LinearRegressionScriptsTest {

    @Test
    void javaAndKotlinScriptsGiveIdenticalParameters() {
        var data = LinearRegressionExample.synthetic(1000, 0.1, 42);
        for (String backend : new String[] {"scalar", "simd"}) {
            var s = new LinearRegressionExample.Settings(20, 32, 0.01, 0.9, 42, backend);
            Fit java = LinearRegressionExample.javaScript(data, s);
            Fit kotlin = LinearRegressionScript.kotlinScript(data, s);
            assertEquals(java.spec(), kotlin.spec(), "equal specs");
            assertArrayEquals(java.parameters(), kotlin.parameters(), backend + ": bit-identical parameters");
            assertEquals(20, kotlin.history().epochs().size());
            double mse = kotlin.history().lastEpoch().valLoss();
            assertEquals(0.01, mse, 0.002, backend + ": training MSE at the noise floor σ² = 0.01");
            assertTrue(java.parameters().length == 8);
        }
    }
}
