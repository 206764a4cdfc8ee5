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
import org.knowm.xchart.XYChart;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Example 1: SGD with a noisy gradient on {@code f(x1, x2) = x1² + 2·x2²} from (−5, −2), learning
 * rate 0.1 times a constant, an exponential ({@code e^(−0.1t)}) and a polynomial ({@code
 * (1 + 0.1t)^(−1/2)}) schedule. A constant rate keeps bouncing around the minimum at a distance set
 * by the noise; the polynomial decay quiets the noise and gets closer; the exponential decay is too
 * fast: the sum of its rates is finite, so it freezes before it arrives.
 */
@Command(
        name = "trajectories",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        description = {
            "SGD with Gaussian gradient noise on f(x1,x2) = x1² + 2·x2² from (-5,-2) with a constant, an"
                    + " exponential e^(-0.1t) and a polynomial (1+0.1t)^(-1/2) learning-rate schedule.",
            "Writes contour.png (the three paths over the level sets), distance.png (mean distance to the"
                    + " minimum per step over --runs noise seeds, log scale) and the numbers as CSV.",
            "--epochs is the number of optimizer steps."
        })
public final class TrajectoriesExample implements Callable<Integer> {

    @Mixin
    CommonOptions common = CommonOptions.defaults(50, null, 0.1);

    @Option(names = "--noise", paramLabel = "SIGMA", description = "Standard deviation of the gradient noise.")
    double noise = 1.0;

    @Option(names = "--runs", paramLabel = "N", description = "Noise seeds averaged in distance.png and the summary.")
    int runs = 200;

    /** The numbers of the last run (for tests). */
    Result result;

    /** One schedule's outcome. */
    public record Run(String schedule, double[] lr, double[] x1, double[] x2, double[] meanDistance) {
        /** Mean distance to the minimum after the last step. */
        public double finalMeanDistance() {
            return meanDistance[meanDistance.length - 1];
        }
    }

    public record Result(List<Run> runs, int steps, double noise, int seeds) {}

    /** The three schedules of the experiment, as multipliers of the base rate. */
    static List<Object[]> schedules() {
        return List.of(
                new Object[] {"constant", Schedules.constant(1)},
                new Object[] {"exponential e^(-0.1t)", Schedules.exponential(Math.exp(-0.1))},
                new Object[] {"polynomial (1+0.1t)^(-1/2)", Schedules.polynomialInverse(0.1, 0.5)});
    }

    /**
     * Runs every schedule for {@code steps} steps from (−5, −2) with {@code seeds} noise seeds
     * (seed, seed+1, ...; every schedule sees the same noise). The path kept is the first seed's.
     */
    public static Result compute(Backend backend, int steps, double lr, double noise, int seeds, long seed) {
        if (seeds < 1) throw new IllegalArgumentException("--runs must be >= 1, got " + seeds);
        if (!(noise >= 0)) throw new IllegalArgumentException("--noise must be >= 0, got " + noise);
        Optimizer sgd = Optimizers.sgd(lr);
        List<Run> out = new ArrayList<>();
        for (Object[] named : schedules()) {
            Schedule schedule = (Schedule) named[1];
            double[] rates = new double[steps + 1];
            for (int t = 0; t <= steps; t++) rates[t] = lr * schedule.at(t);
            double[] x1 = new double[steps + 1], x2 = new double[steps + 1], mean = new double[steps + 1];
            for (int r = 0; r < seeds; r++) {
                Objective f = Objectives.withNoise(Objectives.bowl(), noise, seed + r);
                float[] x = {-5f, -2f}, g = new float[2];
                OptimizerState state = sgd.newState(2);
                for (int t = 0; t <= steps; t++) {
                    if (r == 0) {
                        x1[t] = x[0];
                        x2[t] = x[1];
                    }
                    mean[t] += Math.hypot(x[0], x[1]) / seeds;
                    if (t == steps) break;
                    f.gradient(x, g);
                    sgd.step(backend, x, g, state, rates[t]);
                }
            }
            out.add(new Run((String) named[0], rates, x1, x2, mean));
        }
        return new Result(out, steps, noise, seeds);
    }

    @Override
    public Integer call() {
        result = compute(common.backend(), common.epochs(), common.lr(), noise, runs, common.seed());
        Path dir = common.out("trajectories");

        XYChart contour = Plots.xy(
                "SGD on f = x1² + 2·x2² with gradient noise σ = " + noise + ", lr " + common.lr() + "·schedule",
                "x1",
                "x2");
        contour.getStyler().setXAxisMin(-6.0).setXAxisMax(3.0).setYAxisMin(-3.0).setYAxisMax(3.0);
        Objective bowl = Objectives.bowl();
        Plots.contours(
                contour,
                (u, v) -> bowl.value(new float[] {(float) u, (float) v}),
                -7, // a little beyond the axes, which clip the lines
                4,
                -4,
                4,
                new double[] {0.25, 1, 4, 9, 16, 25, 36},
                220);
        int k = 0;
        for (Run r : result.runs()) Plots.path(contour, r.schedule(), r.x1(), r.x2(), Plots.COLORS[k++]);
        Plots.points(contour, "minimum", new double[] {0}, new double[] {0}).setMarkerColor(java.awt.Color.BLACK);
        contour.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
        Plots.save(contour, dir.resolve("contour.png"));

        XYChart dist = Plots.logY(Plots.xy(
                "Mean distance to the minimum over " + runs + " noise seeds", "step", "mean ‖x − x*‖ (log scale)"));
        k = 0;
        for (Run r : result.runs())
            Plots.line(dist, r.schedule(), Plots.steps(result.steps() + 1), r.meanDistance(), Plots.COLORS[k++]);
        Plots.save(dist, dir.resolve("distance.png"));

        try (CsvOut csv = CsvOut.create(dir.resolve("trajectories.csv"), "schedule", "step", "lr", "x1", "x2");
                CsvOut mean = CsvOut.create(dir.resolve("distance.csv"), "schedule", "step", "mean_distance")) {
            for (Run r : result.runs())
                for (int t = 0; t <= result.steps(); t++) {
                    csv.row(r.schedule(), t, r.lr()[t], r.x1()[t], r.x2()[t]);
                    mean.row(r.schedule(), t, r.meanDistance()[t]);
                }
        }

        System.out.printf(
                "trajectories: %d steps, lr %s, noise σ %s, mean over %d seeds%n",
                result.steps(), common.lr(), noise, runs);
        for (Run r : result.runs())
            System.out.printf(
                    "  %-28s final lr %.4f  final mean distance %.4f%n",
                    r.schedule(), r.lr()[result.steps() - 1], r.finalMeanDistance());
        System.out.println("  wrote " + dir.resolve("contour.png") + ", distance.png, trajectories.csv, distance.csv");
        return 0;
    }
}
