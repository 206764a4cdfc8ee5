package dev.descent.examples;

import dev.descent.backend.Backend;
import dev.descent.objective.Objective;
import dev.descent.objective.Objectives;
import dev.descent.optim.Optimizer;
import dev.descent.optim.OptimizerState;
import dev.descent.optim.Optimizers;
import dev.descent.schedule.Schedule;
import dev.descent.schedule.Schedules;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.XYChart;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Example 2: on the tilted double well {@code f(x) = (x² − 1)² − 0.3·x}, full-batch gradient descent
 * started in the left basin stays in its local minimum; SGD, whose gradient noise is modelled as
 * Gaussian, often hops the barrier to the global minimum on the right. A cosine decay of the rate
 * cools the noise at the end, so every run settles in one of the two minima. Over many seeds, the
 * fraction that end on the right is the escape rate.
 */
@Command(
        name = "local-minima",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        description = {
            "Gradient descent vs noisy SGD on the tilted double well f(x) = (x² - 1)² - 0.3x from x0 = -1.5"
                    + " (left, local minimum) with a cosine-decayed learning rate.",
            "GD stays in the local minimum; SGD's noise lets many runs escape to the global minimum on the"
                    + " right. Writes function.png (f with the GD path and one SGD run), paths.png (x per step),"
                    + " final-positions.png (histogram over --runs seeds) and CSV.",
            "--epochs is the number of optimizer steps."
        })
public final class LocalMinimaExample implements Callable<Integer> {

    static final double TILT = 0.3, START = -1.5;

    @Mixin
    CommonOptions common = CommonOptions.defaults(1000, null, 0.05);

    @Option(names = "--noise", paramLabel = "SIGMA", description = "Standard deviation of SGD's gradient noise.")
    double noise = 4.0;

    @Option(names = "--runs", paramLabel = "N", description = "SGD runs (noise seeds) for the escape fraction.")
    int runs = 200;

    Result result;

    /**
     * @param gd the GD path, x per step
     * @param sgd the first few SGD paths
     * @param finals every SGD run's final x
     * @param barrier the top of the barrier between the basins (a run ends right of it: escaped)
     */
    public record Result(
            double[] gd,
            List<double[]> sgd,
            double[] finals,
            double escapeFraction,
            double localMin,
            double globalMin,
            double barrier) {}

    /** The stationary points of f: local minimum (left), barrier top, global minimum (right). */
    static double[] stationaryPoints() {
        // f'(x) = 4x(x² - 1) - tilt: Newton from -1, 0 and 1
        double[] x = {-1, 0, 1};
        for (int k = 0; k < 3; k++)
            for (int i = 0; i < 60; i++) x[k] -= (4 * x[k] * (x[k] * x[k] - 1) - TILT) / (12 * x[k] * x[k] - 4);
        return x;
    }

    public static Result compute(Backend backend, int steps, double lr, double noise, int runs, long seed) {
        if (runs < 1) throw new IllegalArgumentException("--runs must be >= 1, got " + runs);
        if (!(noise >= 0)) throw new IllegalArgumentException("--noise must be >= 0, got " + noise);
        double[] sp = stationaryPoints();
        Schedule schedule = Schedules.cosine(steps);
        Optimizer sgd = Optimizers.sgd(lr);
        double[] gd = run(backend, sgd, schedule, Objectives.doubleWell(TILT), steps, lr);
        List<double[]> paths = new ArrayList<>();
        double[] finals = new double[runs];
        int escaped = 0;
        for (int r = 0; r < runs; r++) {
            Objective f = Objectives.withNoise(Objectives.doubleWell(TILT), noise, seed + r);
            double[] path = run(backend, sgd, schedule, f, steps, lr);
            if (r < 3) paths.add(path);
            finals[r] = path[steps];
            if (finals[r] > sp[1]) escaped++;
        }
        return new Result(gd, paths, finals, (double) escaped / runs, sp[0], sp[2], sp[1]);
    }

    private static double[] run(Backend backend, Optimizer opt, Schedule schedule, Objective f, int steps, double lr) {
        float[] x = {(float) START}, g = new float[1];
        OptimizerState state = opt.newState(1);
        double[] path = new double[steps + 1];
        for (int t = 0; t <= steps; t++) {
            path[t] = x[0];
            if (t == steps) break;
            f.gradient(x, g);
            opt.step(backend, x, g, state, lr * schedule.at(t));
        }
        return path;
    }

    static double f(double x) {
        double u = x * x - 1;
        return u * u - TILT * x;
    }

    @Override
    public Integer call() {
        int steps = common.epochs();
        result = compute(common.backend(), steps, common.lr(), noise, runs, common.seed());
        Path dir = common.out("local-minima");

        // f with the GD path and one SGD run (every 5th point, to keep the markers apart)
        XYChart fn = Plots.xy(
                "Double well f(x) = (x² − 1)² − 0.3·x: GD stays left, SGD (σ = " + noise + ") escapes", "x", "f(x)");
        int n = 241;
        double[] xs = new double[n], fs = new double[n];
        for (int i = 0; i < n; i++) {
            xs[i] = -1.8 + 3.6 * i / (n - 1);
            fs[i] = f(xs[i]);
        }
        Plots.line(fn, "f(x)", xs, fs, Plots.GUIDE.darker());
        Plots.path(fn, "GD path", result.gd(), apply(result.gd()), Plots.COLORS[0]);
        double[] one = every(result.sgd().get(0), 5);
        Plots.points(fn, "SGD iterates (seed " + common.seed() + ", every 5th step)", one, apply(one))
                .setMarkerColor(Plots.COLORS[1]);
        Plots.points(fn, "minima", new double[] {result.localMin(), result.globalMin()}, new double[] {
                    f(result.localMin()), f(result.globalMin())
                })
                .setMarkerColor(java.awt.Color.BLACK);
        fn.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideN);
        fn.getStyler().setYAxisMin(-0.5).setYAxisMax(2.5).setXAxisMin(-1.8).setXAxisMax(1.8);
        Plots.save(fn, dir.resolve("function.png"));

        XYChart paths = Plots.xy("Position per step (learning rate " + common.lr() + " × cosine decay)", "step", "x");
        double[] t = Plots.steps(steps + 1);
        Plots.dashed(paths, "local minimum", new double[] {0, steps}, twice(result.localMin()), Plots.COLORS[8]);
        Plots.dashed(paths, "global minimum", new double[] {0, steps}, twice(result.globalMin()), Plots.COLORS[6]);
        for (int i = 0; i < result.sgd().size(); i++)
            Plots.line(paths, "SGD seed " + (common.seed() + i), t, result.sgd().get(i), Plots.COLORS[i + 1])
                    .setLineStyle(new java.awt.BasicStroke(1f));
        Plots.line(paths, "GD", t, result.gd(), Plots.COLORS[0]).setLineStyle(new java.awt.BasicStroke(3f));
        paths.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideE);
        Plots.save(paths, dir.resolve("paths.png"));

        // histogram of the final positions
        int bins = 18;
        double lo = -1.8, hi = 1.8, w = (hi - lo) / bins;
        List<String> labels = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        for (int b = 0; b < bins; b++) {
            labels.add(String.format("%.1f", lo + (b + 0.5) * w));
            counts.add(0);
        }
        for (double x : result.finals()) {
            int b = (int) Math.floor((x - lo) / w);
            b = Math.max(0, Math.min(bins - 1, b));
            counts.set(b, counts.get(b) + 1);
        }
        CategoryChart hist = Plots.bars(
                String.format(
                        "Final x of %d SGD runs: %.1f%% escaped to the global minimum",
                        runs, 100 * result.escapeFraction()),
                "final x (bin centre)",
                "runs");
        // two overlapped series: the bins left of the barrier (stayed) and right of it (escaped)
        List<Integer> left = new ArrayList<>(), right = new ArrayList<>();
        for (int b = 0; b < bins; b++) {
            boolean isRight = lo + (b + 0.5) * w > result.barrier();
            left.add(isRight ? 0 : counts.get(b));
            right.add(isRight ? counts.get(b) : 0);
        }
        hist.addSeries("stayed in the local minimum", labels, left).setFillColor(Plots.COLORS[8]);
        hist.addSeries("escaped to the global minimum", labels, right).setFillColor(Plots.COLORS[2]);
        hist.getStyler().setOverlapped(true);
        hist.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNW);
        hist.getStyler().setXAxisMaxLabelCount(bins);
        Plots.save(hist, dir.resolve("final-positions.png"));

        try (CsvOut csv = CsvOut.create(dir.resolve("paths.csv"), "step", "gd", "sgd_seed0", "sgd_seed1", "sgd_seed2");
                CsvOut fin = CsvOut.create(dir.resolve("final-positions.csv"), "seed", "final_x", "escaped")) {
            for (int s = 0; s <= steps; s++) {
                Object[] row = new Object[2 + result.sgd().size()];
                row[0] = s;
                row[1] = result.gd()[s];
                for (int i = 0; i < result.sgd().size(); i++)
                    row[2 + i] = result.sgd().get(i)[s];
                csv.row(row);
            }
            for (int r = 0; r < runs; r++)
                fin.row(common.seed() + r, result.finals()[r], result.finals()[r] > result.barrier());
        }

        System.out.printf(
                "local-minima: f(x) = (x²-1)² - 0.3x, local minimum %.4f, barrier %.4f, global minimum %.4f%n",
                result.localMin(), result.barrier(), result.globalMin());
        System.out.printf("  GD (no noise), %d steps from %.1f: ends at x = %.4f%n", steps, START, result.gd()[steps]);
        System.out.printf(
                "  SGD (noise σ %s), %d runs: %.1f%% end in the global minimum%n",
                noise, runs, 100 * result.escapeFraction());
        System.out.println("  wrote " + dir.resolve("function.png") + ", paths.png, final-positions.png, paths.csv,"
                + " final-positions.csv");
        return 0;
    }

    private static double[] apply(double[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) y[i] = f(x[i]);
        return y;
    }

    private static double[] every(double[] x, int k) {
        double[] y = new double[(x.length + k - 1) / k];
        for (int i = 0; i < y.length; i++) y[i] = x[i * k];
        return y;
    }

    private static double[] twice(double v) {
        return new double[] {v, v};
    }
}
