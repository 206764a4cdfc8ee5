package dev.descent.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.backend.ScalarBackend;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalMinimaExampleTest {

    @TempDir
    Path dir;

    @Test
    void gdStaysLeftAndNoisySgdOftenEscapes() throws IOException {
        LocalMinimaExample m =
                Outputs.run(new LocalMinimaExample(), "--out", dir.toString(), "--runs", "80", "--backend", "scalar");
        var r = m.result;
        assertEquals(-0.96, r.localMin(), 0.01);
        assertEquals(1.04, r.globalMin(), 0.01);
        assertEquals(r.localMin(), r.gd()[r.gd().length - 1], 1e-4, "GD ends in the local minimum");
        assertTrue(r.escapeFraction() > 0.5, "escape fraction " + r.escapeFraction());
        // every run settles in one of the two minima (the decayed rate cools the noise)
        for (double x : r.finals())
            assertTrue(Math.abs(x - r.localMin()) < 0.2 || Math.abs(x - r.globalMin()) < 0.2, "final x " + x);

        Outputs.png(dir.resolve("function.png"), 900, 600);
        Outputs.png(dir.resolve("paths.png"), 900, 600);
        Outputs.png(dir.resolve("final-positions.png"), 900, 600);
        Outputs.csv(dir.resolve("paths.csv"), "step,gd,sgd_seed0,sgd_seed1,sgd_seed2", 1001);
        Outputs.csv(dir.resolve("final-positions.csv"), "seed,final_x,escaped", 80);
    }

    @Test
    void withoutNoiseNothingEscapes() {
        var r = LocalMinimaExample.compute(new ScalarBackend(), 500, 0.05, 0, 10, 1);
        assertEquals(0, r.escapeFraction());
        for (double x : r.finals()) assertEquals(r.localMin(), x, 1e-3);
    }

    @Test
    void moreNoiseEscapesMoreOften() {
        double weak = LocalMinimaExample.compute(new ScalarBackend(), 1000, 0.05, 2, 100, 7)
                .escapeFraction();
        double strong = LocalMinimaExample.compute(new ScalarBackend(), 1000, 0.05, 4, 100, 7)
                .escapeFraction();
        assertTrue(weak < 0.2 && strong > 0.5, "σ=2: " + weak + ", σ=4: " + strong);
    }
}
