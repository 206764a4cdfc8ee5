package dev.descent.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlotsTest {

    @TempDir
    Path dir;

    @Test
    void contoursLieOnTheirLevelAndCloseAroundTheMinimum() throws IOException {
        var c = Plots.xy("t", "x", "y");
        var series = Plots.contours(c, (x, y) -> x * x + 2 * y * y, -3, 3, -3, 3, new double[] {1, 4}, 120);
        assertEquals(2, series.size());
        double[] levels = {1, 4};
        for (int k = 0; k < 2; k++) {
            double[] x = series.get(k).getXData(), y = series.get(k).getYData();
            int points = 0;
            double minX = 0, maxX = 0;
            for (int i = 0; i < x.length; i++) {
                if (Double.isNaN(x[i])) continue;
                points++;
                assertEquals(levels[k], x[i] * x[i] + 2 * y[i] * y[i], 0.02 * levels[k]);
                minX = Math.min(minX, x[i]);
                maxX = Math.max(maxX, x[i]);
            }
            assertTrue(points > 100, "points on level " + levels[k]);
            assertEquals(-Math.sqrt(levels[k]), minX, 0.05);
            assertEquals(Math.sqrt(levels[k]), maxX, 0.05);
        }
        Outputs.png(Plots.save(c, dir.resolve("c.png")), 900, 600);
    }

    @Test
    void niceAxisEnds() {
        assertEquals(600, Plots.nice(580), 1e-9);
        assertEquals(1000, Plots.nice(1000), 1e-9);
        assertEquals(20, Plots.nice(20), 1e-9);
        assertEquals(0.25, Plots.nice(0.21), 1e-12);
        assertEquals(1.2, Plots.nice(1.01), 1e-12);
    }

    @Test
    void logAxisLabelsBetweenDecadesOnlyOverFewDecades() {
        var narrow = Plots.logY(Plots.xy("t", "x", "y"));
        Plots.line(narrow, "a", new double[] {0, 1}, new double[] {0.1, 5});
        Plots.tidyLogAxes(narrow);
        assertFalse(narrow.getStyler().isYAxisLogarithmicDecadeOnly());
        var wide = Plots.logY(Plots.xy("t", "x", "y"));
        Plots.line(wide, "a", new double[] {0, 1}, new double[] {1e-4, 5});
        Plots.tidyLogAxes(wide);
        assertTrue(wide.getStyler().isYAxisLogarithmicDecadeOnly());
    }
}
