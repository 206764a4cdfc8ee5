package dev.descent.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GradientNoiseExampleTest {

    @TempDir
    Path dir;

    @Test
    void measuredNoiseFollowsOneOverSqrtB() throws IOException {
        GradientNoiseExample g = Outputs.run(
                new GradientNoiseExample(),
                "--out",
                dir.toString(),
                "--draws",
                "600",
                "--batch-sizes",
                "1,4,16,64",
                "--epochs",
                "2");
        var points = g.result.points();
        assertEquals(2, points.size());
        int[] sizes = {1, 4, 16, 64};
        for (var p : points) {
            var r = p.noise();
            for (int k = 0; k < sizes.length; k++) {
                double ratio = r.measuredStd(k) / r.predictedStd(sizes[k]);
                assertEquals(1, ratio, 0.2, p.name() + " B=" + sizes[k]);
            }
            // the fitted slope of log std against log B is -1/2
            double slope = Math.log(r.measuredStd(3) / r.measuredStd(0)) / Math.log(64);
            assertEquals(-0.5, slope, 0.08, p.name() + " slope");
        }
        // training shrinks the full gradient far more than the per-example spread: noise dominates later
        assertTrue(
                points.get(1).noise().noiseScale() > 10 * points.get(0).noise().noiseScale());
        Outputs.png(dir.resolve("noise.png"), 1100, 640);
        Outputs.csv(
                dir.resolve("noise.csv"),
                "point,batch_size,measured_variance,predicted_variance,measured_std,predicted_std,sigma2,"
                        + "full_gradient_norm2",
                8);
    }
}
