package dev.descent.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LinearScalingExampleTest {

    @TempDir
    Path dir;

    @Test
    void doublingBatchAndRateTracksTheBaseRunDoublingOnlyTheBatchLags() throws IOException {
        LinearScalingExample l = Outputs.run(
                new LinearScalingExample(), "--out", dir.toString(), "--limit", "2000", "--backend", "simd");
        var r = l.result;
        assertEquals(8, r.base().batchSize());
        assertEquals(16, r.scaled().batchSize());
        assertEquals(16, r.unscaled().batchSize());
        assertEquals(0.02, r.scaled().lr(), 1e-12);
        assertEquals(0.01, r.unscaled().lr(), 1e-12);
        double base = r.base().last(),
                scaled = r.scaled().last(),
                unscaled = r.unscaled().last();
        // after the same samples (2 epochs of 2000 rows)
        assertEquals(1, scaled / base, 0.03, "(2B, 2lr) " + scaled + " vs (B, lr) " + base);
        assertTrue(unscaled > 1.15 * base, "(2B, lr) " + unscaled + " vs (B, lr) " + base);
        for (int e = 1; e <= r.epochs(); e++)
            assertTrue(r.unscaled().loss()[e] > r.scaled().loss()[e], "epoch " + e);
        Outputs.png(dir.resolve("loss.png"), 1000, 620);
        Outputs.csv(dir.resolve("loss.csv"), "run,batch_size,lr,samples,kind,loss", 3 * (16 + 3));
    }
}
