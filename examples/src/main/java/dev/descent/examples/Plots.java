package dev.descent.examples;

import dev.descent.checkpoint.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleBinaryOperator;
import java.util.function.UnaryOperator;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The examples' charts: a thin layer over XChart (headless PNG) so every figure has the same look —
 * white background, light grid, readable fonts, legend inside the plot, colour-blind-safe colours
 * (Okabe–Ito) — and is saved the same way.
 */
public final class Plots {

    /** Default figure size in pixels. */
    public static final int WIDTH = 900, HEIGHT = 600;

    /** Okabe–Ito colours (safe for colour-blind readers), then a few extra. */
    public static final Color[] COLORS = {
        new Color(0, 114, 178), // blue
        new Color(213, 94, 0), // vermillion
        new Color(0, 158, 115), // bluish green
        new Color(204, 121, 167), // reddish purple
        new Color(230, 159, 0), // orange
        new Color(86, 180, 233), // sky blue
        new Color(0, 0, 0), // black
        new Color(240, 228, 66), // yellow
        new Color(120, 120, 120), // grey
        new Color(140, 86, 75), // brown
    };

    /** Colour of guides (level sets, reference lines). */
    public static final Color GUIDE = new Color(175, 175, 175);

    private Plots() {}

    /** An XY chart of the default size. */
    public static XYChart xy(String title, String xTitle, String yTitle) {
        return xy(title, xTitle, yTitle, WIDTH, HEIGHT);
    }

    /** An XY chart with the common style. */
    public static XYChart xy(String title, String xTitle, String yTitle, int width, int height) {
        XYChart c = new XYChartBuilder()
                .width(width)
                .height(height)
                .title(title)
                .xAxisTitle(xTitle)
                .yAxisTitle(yTitle)
                .build();
        style(c.getStyler(), width);
        c.getStyler().setMarkerSize(6);
        c.getStyler().setXAxisTickMarkSpacingHint(width >= 800 ? 90 : 80); // fewer, unclipped x labels
        return c;
    }

    /** A bar chart of the default size. */
    public static CategoryChart bars(String title, String xTitle, String yTitle) {
        return bars(title, xTitle, yTitle, WIDTH, HEIGHT);
    }

    /** A bar chart with the common style; values are printed above the bars. */
    public static CategoryChart bars(String title, String xTitle, String yTitle, int width, int height) {
        CategoryChart c = new CategoryChartBuilder()
                .width(width)
                .height(height)
                .title(title)
                .xAxisTitle(xTitle)
                .yAxisTitle(yTitle)
                .build();
        style(c.getStyler(), width);
        c.getStyler().setPlotGridVerticalLinesVisible(false);
        c.getStyler().setAvailableSpaceFill(0.7);
        return c;
    }

    private static void style(AxesChartStyler s, int width) {
        int base = width >= 800 ? 15 : 12;
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setPlotBorderColor(new Color(120, 120, 120));
        s.setPlotGridLinesColor(new Color(225, 225, 225));
        s.setPlotGridLinesStroke(new BasicStroke(1f));
        s.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, base + 3));
        s.setChartTitleBoxVisible(false);
        s.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, base));
        s.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, base - 2));
        s.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, base - 2));
        s.setLegendPosition(Styler.LegendPosition.InsideNE);
        s.setLegendBackgroundColor(new Color(255, 255, 255, 230));
        s.setLegendBorderColor(new Color(200, 200, 200));
        s.setSeriesColors(COLORS);
        s.setChartPadding(12);
        s.setAntiAlias(true);
        s.setTextAntiAlias(true);
    }

    /** Adds a line without markers. */
    public static XYSeries line(XYChart c, String name, double[] x, double[] y) {
        XYSeries s = c.addSeries(name, x, y);
        s.setMarker(SeriesMarkers.NONE);
        s.setLineStyle(new BasicStroke(2f)); // solid: XChart's default cycles through dotted styles
        return s;
    }

    /** Adds a line in the given colour. */
    public static XYSeries line(XYChart c, String name, double[] x, double[] y, Color color) {
        XYSeries s = line(c, name, x, y);
        s.setLineColor(color);
        return s;
    }

    /** Adds points (markers, no line). */
    public static XYSeries points(XYChart c, String name, double[] x, double[] y) {
        XYSeries s = c.addSeries(name, x, y);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        s.setMarker(SeriesMarkers.CIRCLE);
        return s;
    }

    /** Adds a line with markers at every point (a path). */
    public static XYSeries path(XYChart c, String name, double[] x, double[] y, Color color) {
        XYSeries s = c.addSeries(name, x, y);
        s.setMarker(SeriesMarkers.CIRCLE);
        s.setLineStyle(new BasicStroke(1.5f));
        s.setLineColor(color);
        s.setMarkerColor(color);
        return s;
    }

    /** Adds a thin grey guide (a level set, a reference line) that is not in the legend. */
    public static XYSeries guide(XYChart c, String name, double[] x, double[] y) {
        XYSeries s = line(c, name, x, y, GUIDE);
        s.setLineStyle(new BasicStroke(1f));
        s.setShowInLegend(false);
        return s;
    }

    /** Adds a dashed line (a prediction, a target value). */
    public static XYSeries dashed(XYChart c, String name, double[] x, double[] y, Color color) {
        XYSeries s = line(c, name, x, y, color);
        s.setLineStyle(
                new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {8f, 6f}, 0f));
        return s;
    }

    /**
     * Draws the level sets {@code f(x, y) = level} of a function over a rectangle as thin grey
     * lines (XChart has no contour plot): marching squares on a {@code grid × grid} lattice, each
     * level one series whose segments are separated by NaN (XChart breaks a line at NaN). The first
     * level's series carries a legend entry listing all levels. Returns the series, one per level.
     */
    public static List<XYSeries> contours(
            XYChart c,
            DoubleBinaryOperator f,
            double xMin,
            double xMax,
            double yMin,
            double yMax,
            double[] levels,
            int grid) {
        if (grid < 2) throw new IllegalArgumentException("contour grid must be >= 2, got " + grid);
        double[][] v = new double[grid + 1][grid + 1];
        double dx = (xMax - xMin) / grid, dy = (yMax - yMin) / grid;
        for (int i = 0; i <= grid; i++)
            for (int j = 0; j <= grid; j++) v[i][j] = f.applyAsDouble(xMin + i * dx, yMin + j * dy);
        List<XYSeries> out = new ArrayList<>();
        StringBuilder all = new StringBuilder();
        for (double level : levels) all.append(all.length() == 0 ? "" : ", ").append(trim(level));
        for (int k = 0; k < levels.length; k++) {
            double level = levels[k];
            List<Double> xs = new ArrayList<>(), ys = new ArrayList<>();
            double[] px = new double[4], py = new double[4];
            for (int i = 0; i < grid; i++)
                for (int j = 0; j < grid; j++) {
                    // corners counter-clockwise: (i,j) (i+1,j) (i+1,j+1) (i,j+1); edge e joins corner e and e+1
                    int[][] corner = {{i, j}, {i + 1, j}, {i + 1, j + 1}, {i, j + 1}};
                    int n = 0;
                    for (int e = 0; e < 4; e++) {
                        int[] a = corner[e], b = corner[(e + 1) % 4];
                        double va = v[a[0]][a[1]] - level, vb = v[b[0]][b[1]] - level;
                        if ((va < 0) == (vb < 0)) continue;
                        double t = va / (va - vb);
                        px[n] = xMin + (a[0] + t * (b[0] - a[0])) * dx;
                        py[n] = yMin + (a[1] + t * (b[1] - a[1])) * dy;
                        n++;
                    }
                    for (int s = 0; s + 1 < n; s += 2) { // 2 crossings: one segment; 4 (saddle): two
                        xs.add(px[s]);
                        ys.add(py[s]);
                        xs.add(px[s + 1]);
                        ys.add(py[s + 1]);
                        xs.add(Double.NaN);
                        ys.add(Double.NaN);
                    }
                }
            if (xs.isEmpty()) continue;
            double[] x = xs.stream().mapToDouble(Double::doubleValue).toArray();
            double[] y = ys.stream().mapToDouble(Double::doubleValue).toArray();
            XYSeries series = guide(c, out.isEmpty() ? "level sets f = " + all : "f = " + trim(level), x, y);
            if (out.isEmpty()) series.setShowInLegend(true);
            out.add(series);
        }
        return out;
    }

    private static String trim(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    /** Makes the y axis logarithmic (every y value must be > 0). */
    public static <C extends XYChart> C logY(C c) {
        c.getStyler().setYAxisLogarithmic(true);
        c.getStyler().setYAxisLogarithmicDecadeOnly(false); // labels between decades too
        return c;
    }

    /** Makes the x axis logarithmic (every x value must be > 0). */
    public static <C extends XYChart> C logX(C c) {
        c.getStyler().setXAxisLogarithmic(true);
        c.getStyler().setXAxisLogarithmicDecadeOnly(true); // intermediate labels collide on x
        return c;
    }

    /**
     * A logarithmic y axis gets labels between the decades (2, 3, ... 9) only when the data spans
     * less than about two decades; over more, those labels collide and only 10ᵏ are labelled.
     */
    static void tidyLogAxes(XYChart c) {
        if (!c.getStyler().isYAxisLogarithmic()) return;
        double lo = Double.POSITIVE_INFINITY, hi = 0;
        for (XYSeries s : c.getSeriesCollection())
            for (double v : s.getYData())
                if (v > 0 && Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
        if (hi > 0) c.getStyler().setYAxisLogarithmicDecadeOnly(Math.log10(hi / lo) > 2.2);
    }

    /**
     * Ends the x axis at a round number at or above {@code max} (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 × 10ᵏ) and starts it
     * at 0: XChart then picks round tick steps instead of odd ones like 19.
     */
    public static <C extends XYChart> C xMax(C c, double max) {
        c.getStyler().setXAxisMin(0.0).setXAxisMax(nice(max));
        return c;
    }

    /** The smallest of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10ᵏ that is ≥ v (v > 0). */
    static double nice(double v) {
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10}) if (m * p >= v - 1e-9 * p) return m * p;
        return 10 * p;
    }

    /** 0, 1, ..., n-1. */
    public static double[] steps(int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = i;
        return x;
    }

    /**
     * Saves a chart as PNG, atomically (see {@link #writePng}); returns the file.
     *
     * @throws UncheckedIOException {@code "no space left on device: FILE …"} or {@code "cannot write
     *     FILE: …"}; an earlier FILE is then unchanged
     */
    public static Path save(Chart<?, ?> chart, Path file) {
        if (chart instanceof XYChart xy) tidyLogAxes(xy);
        return writePng(file, out -> BitmapEncoder.saveBitmap(chart, out, BitmapFormat.PNG), UnaryOperator.identity());
    }

    /** Saves charts of equal size as one PNG, {@code rows × cols}, filled row by row, atomically. */
    public static Path saveGrid(List<? extends Chart<?, ?>> charts, int rows, int cols, Path file) {
        for (Chart<?, ?> c : charts) if (c instanceof XYChart xy) tidyLogAxes(xy);
        return writePng(
                file,
                out -> BitmapEncoder.saveBitmap(charts, rows, cols, out, BitmapFormat.PNG),
                UnaryOperator.identity());
    }

    /** Saves an image as PNG, atomically (see {@link #writePng}); returns the file. */
    public static Path save(BufferedImage image, Path file) {
        return writePng(file, out -> ImageIO.write(image, "png", out), UnaryOperator.identity());
    }

    /**
     * Every PNG the examples write goes through here: encoded into a temporary file beside {@code
     * file} and renamed over it ({@link AtomicFiles}), so a full disk or a crash never leaves a
     * truncated image. {@code wrap} is the failure-injection hook (identity in production).
     */
    static Path writePng(Path file, AtomicFiles.StreamBody encode, UnaryOperator<WritableByteChannel> wrap) {
        try {
            AtomicFiles.writeStream(file, encode, wrap);
            return file;
        } catch (IOException e) {
            throw AtomicFiles.failure(file, e);
        }
    }
}
