package dev.descent.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrajectoriesExampleTest {

    @TempDir
    Path dir;

    @Test
    void polynomialDecayEndsNearerThanConstantAndExponentialFreezesEarly() throws IOException {
        TrajectoriesExample t =
                Outputs.run(new TrajectoriesExample(), "--out", dir.toString(), "--runs", "60", "--backend", "scalar");
        var runs = t.result.runs();
        assertEquals(3, runs.size());
        double constant = runs.get(0).finalMeanDistance();
        double exponential = runs.get(1).finalMeanDistance();
        double polynomial = runs.get(2).finalMeanDistance();
        // from (-5,-2), distance 5.39: everyone gets much closer
        for (var r : runs) assertTrue(r.finalMeanDistance() < 1, r.schedule() + " " + r.finalMeanDistance());
        // a slowly decaying rate quiets the noise: nearer than the constant rate's noise floor
        assertTrue(polynomial < 0.8 * constant, "polynomial " + polynomial + " vs constant " + constant);
        // e^(-0.1t) sums to ~1.05: x1 shrinks at most by prod(1 - 0.2·e^(-0.1t)) ≈ 0.12, so it stalls near 0.6
        double stall = 5;
        for (int k = 0; k < 50; k++) stall *= 1 - 0.2 * Math.exp(-0.1 * k);
        assertEquals(stall, exponential, 0.15, "exponential decay freezes where its summed rate runs out");
        assertTrue(exponential > constant, "exponential " + exponential + " vs constant " + constant);

        Outputs.png(dir.resolve("contour.png"), 900, 600);
        Outputs.png(dir.resolve("distance.png"), 900, 600);
        Outputs.csv(dir.resolve("trajectories.csv"), "schedule,step,lr,x1,x2", 3 * 51);
        Outputs.csv(dir.resolve("distance.csv"), "schedule,step,mean_distance", 3 * 51);
    }

    @Test
    void withoutNoiseAConstantRateConvergesGeometrically() {
        var r = TrajectoriesExample.compute(new dev.descent.backend.ScalarBackend(), 100, 0.1, 0, 1, 1);
        // x2 contracts by 1 - 0.4, x1 by 1 - 0.2 per step: after 100 steps 5·0.8^100 ≈ 1e-9
        assertTrue(r.runs().get(0).finalMeanDistance() < 1e-6);
    }
}
