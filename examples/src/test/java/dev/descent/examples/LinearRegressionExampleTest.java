package dev.descent.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LinearRegressionExampleTest {

    @TempDir
    Path dir;

    @Test
    void recoversAAndB() throws IOException {
        LinearRegressionExample l =
                Outputs.run(new LinearRegressionExample(), "--out", dir.toString(), "--epochs", "10");
        var r = l.result;
        assertTrue(r.maxError() < 0.03, "largest parameter error " + r.maxError());
        assertEquals(0.01, r.loss()[10], 0.002, "training MSE reaches the noise floor σ² = 0.01");
        assertTrue(r.loss()[0] > 1, "initial loss " + r.loss()[0]);
        Outputs.png(dir.resolve("loss.png"), 900, 600);
        Outputs.png(dir.resolve("parameters.png"), 900, 600);
        Outputs.csv(dir.resolve("history.csv"), "epoch,loss,A00,A01,A02,A10,A11,A12,b0,b1", 11);
    }

    @Test
    void noiselessDataIsFitExactlyAndSameSeedRepeats() {
        var a = LinearRegressionExample.compute("scalar", 500, 0, 30, 32, 0.01, 0.9, 3);
        var b = LinearRegressionExample.compute("scalar", 500, 0, 30, 32, 0.01, 0.9, 3);
        assertTrue(a.maxError() < 1e-3, "error " + a.maxError());
        assertEquals(a.loss()[30], b.loss()[30]);
    }
}
