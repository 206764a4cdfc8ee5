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

    /** A channel that accepts {@code limit} bytes, then fails as a full disk does. */
    static java.util.function.UnaryOperator<java.nio.channels.WritableByteChannel> fullAfter(long limit) {
        return ch -> new java.nio.channels.WritableByteChannel() {
            long written;

            @Override
            public int write(java.nio.ByteBuffer src) throws IOException {
                if (written >= limit) throw new IOException("No space left on device");
                int n = (int) Math.min(src.remaining(), limit - written);
                java.nio.ByteBuffer part = src.duplicate();
                part.limit(part.position() + n);
                int w = ch.write(part);
                src.position(src.position() + w);
                written += w;
                return w;
            }

            @Override
            public boolean isOpen() {
                return ch.isOpen();
            }

            @Override
            public void close() throws IOException {
                ch.close();
            }
        };
    }

    @Test
    void aFullDiskWhileWritingAPngOrACsvLeavesNoTruncatedFileAndSaysSo() throws IOException {
        var c = Plots.xy("t", "x", "y");
        Plots.line(c, "a", new double[] {0, 1}, new double[] {1, 2});
        Path png = Plots.save(c, dir.resolve("loss.png"));
        byte[] before = java.nio.file.Files.readAllBytes(png);
        var e = org.junit.jupiter.api.Assertions.assertThrows(
                java.io.UncheckedIOException.class,
                () -> Plots.writePng(
                        png,
                        out -> org.knowm.xchart.BitmapEncoder.saveBitmap(
                                c, out, org.knowm.xchart.BitmapEncoder.BitmapFormat.PNG),
                        fullAfter(1000)));
        assertEquals(
                "no space left on device: " + png + " (nothing written; any earlier file is unchanged)",
                e.getMessage());
        org.junit.jupiter.api.Assertions.assertArrayEquals(before, java.nio.file.Files.readAllBytes(png));

        Path csv = dir.resolve("loss.csv");
        try (CsvOut out = CsvOut.create(csv, "step", "loss")) {
            out.row(0, 0.5);
        }
        String kept = java.nio.file.Files.readString(csv);
        assertEquals("step,loss\n0,0.5\n", kept);
        e = org.junit.jupiter.api.Assertions.assertThrows(java.io.UncheckedIOException.class, () -> {
            try (CsvOut out = CsvOut.create(csv, fullAfter(12), "step", "loss")) {
                for (int i = 0; i < 100; i++) out.row(i, 1.0 / (i + 1));
            }
        });
        assertEquals(
                "no space left on device: " + csv + " (nothing written; any earlier file is unchanged)",
                e.getMessage());
        assertEquals(kept, java.nio.file.Files.readString(csv));
        try (var files = java.nio.file.Files.list(dir)) {
            assertEquals(
                    java.util.List.of("loss.csv", "loss.png"),
                    files.map(p -> p.getFileName().toString()).sorted().toList(),
                    "no temporary file left");
        }
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
