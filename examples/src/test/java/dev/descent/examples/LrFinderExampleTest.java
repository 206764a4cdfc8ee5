package dev.descent.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LrFinderExampleTest {

    @TempDir
    Path dir;

    @Test
    void suggestsASaneRateAndDivergesBeforeTen() throws IOException {
        LrFinderExample f = Outputs.run(new LrFinderExample(), "--out", dir.toString(), "--backend", "simd");
        var c = f.result.curve();
        assertTrue(c.diverged(), "the sweep to lr 10 diverges");
        assertTrue(c.size() < 200, "stopped early: " + c.size() + " steps");
        double lastLr = c.lrs()[c.size() - 1];
        assertTrue(lastLr > 0.1 && lastLr < 10, "diverged at lr " + lastLr);
        assertTrue(c.suggestedLr() >= 1e-3 && c.suggestedLr() <= 1, "suggested lr " + c.suggestedLr());
        // the loss at the suggestion is well below the start, and the smoothed minimum lies past it
        int at = 0;
        while (c.lrs()[at] < c.suggestedLr()) at++;
        assertTrue(c.smoothed()[at] < c.smoothed()[0], "loss falls by the suggested rate");
        Outputs.png(dir.resolve("lr-finder.png"), 1000, 620);
        var lines = Outputs.csv(dir.resolve("lr-finder.csv"), "step,lr,loss,smoothed_loss", c.size());
        assertEquals(c.size() + 1, lines.size());
    }
}
