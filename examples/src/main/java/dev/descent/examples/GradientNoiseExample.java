package dev.descent.examples;

import dev.descent.backend.Backend;
import dev.descent.data.Labels;
import dev.descent.data.Split;
import dev.descent.optim.Optimizers;
import dev.descent.schedule.Schedules;
import dev.descent.train.GradientNoise;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.knowm.xchart.XYChart;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Example 3: the standard deviation of the minibatch gradient against the batch size B, measured on
 * real data ({@link GradientNoise}), at two parameter points — the initial parameters and after a
 * few epochs of SGD — against the prediction σ/√B.
 */
@Command(
        name = "gradient-noise",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        description = {
            "Measures how noisy the minibatch gradient is as a function of the batch size B: for each B,"
                    + " --draws minibatches drawn with replacement, the root-mean-square deviation of their"
                    + " gradient from the full-batch gradient, against the prediction σ/√B (σ² = variance of the"
                    + " per-example gradients).",
            "Linear classifier (logistic regression on the embedded breast-cancer data by default), at its"
                    + " initial parameters and after --epochs of SGD (--batch-size, --lr).",
            "Writes noise.png (log-log) and noise.csv."
        })
public final class GradientNoiseExample implements Callable<Integer> {

    @Mixin
    CommonOptions common = CommonOptions.defaults(5, 16, 0.5);

    @Mixin
    DataOption data = new DataOption();

    @Option(
            names = "--batch-sizes",
            paramLabel = "B",
            split = ",",
            description = "Batch sizes to measure (comma-separated).")
    int[] batchSizes = {1, 2, 4, 8, 16, 32, 64, 128, 256};

    @Option(names = "--draws", paramLabel = "N", description = "Minibatches drawn per batch size.")
    int draws = 2000;

    Result result;

    /** The measurement at one parameter point. */
    public record Point(String name, GradientNoise.Result noise) {}

    public record Result(List<Point> points, String data) {}

    public static Result compute(
            Backend backend,
            Split split,
            String dataName,
            int[] sizes,
            int draws,
            int epochs,
            int batchSize,
            double lr,
            long seed) {
        LinearClassifier c = LinearClassifier.of(split);
        float[] initial = c.model.initialParameters(seed);
        float[] trained = c.fit(backend.name(), Optimizers.sgd(lr), Schedules.constant(lr), batchSize, epochs, seed)
                .parameters();
        List<Point> points = new ArrayList<>();
        points.add(new Point(
                "initial", GradientNoise.measure(backend, c.model, c.loss, initial, c.train, sizes, draws, seed)));
        points.add(new Point(
                "after " + epochs + " epochs",
                GradientNoise.measure(backend, c.model, c.loss, trained, c.train, sizes, draws, seed + 1)));
        return new Result(points, dataName);
    }

    @Override
    public Integer call() {
        if (draws < 2) throw new IllegalArgumentException("--draws must be >= 2, got " + draws);
        Split split = data.load(() -> Split.benchmark(EmbeddedData.breastCancer()), Labels.classification());
        String name = data.describe("breast cancer");
        result = compute(
                common.backend(),
                split,
                name,
                batchSizes,
                draws,
                common.epochs(),
                common.batchSize(),
                common.lr(),
                common.seed());
        Path dir = common.out("gradient-noise");

        XYChart chart = Plots.logX(Plots.logY(Plots.xy(
                "Minibatch gradient noise on " + name + ": measured vs σ/√B",
                "batch size B (log scale)",
                "RMS ‖g_B − g‖ (log scale)",
                1100,
                640)));
        double[] b = new double[batchSizes.length];
        for (int k = 0; k < b.length; k++) b[k] = batchSizes[k];
        int c = 0;
        for (Point p : result.points()) {
            GradientNoise.Result r = p.noise();
            double[] measured = new double[b.length], predicted = new double[b.length];
            for (int k = 0; k < b.length; k++) {
                measured[k] = r.measuredStd(k);
                predicted[k] = r.predictedStd(batchSizes[k]);
            }
            Plots.dashed(
                    chart,
                    String.format("σ/√B, %s (σ = %.3g)", p.name(), Math.sqrt(r.sigma2())),
                    b,
                    predicted,
                    Plots.COLORS[c]);
            Plots.points(chart, "measured, " + p.name(), b, measured).setMarkerColor(Plots.COLORS[c]);
            double g = Math.sqrt(r.fullGradientNorm2());
            Plots.line(
                            chart,
                            String.format("‖g‖ = %.3g, %s", g, p.name()),
                            new double[] {b[0], b[b.length - 1]},
                            new double[] {g, g},
                            Plots.COLORS[c])
                    .setLineStyle(new java.awt.BasicStroke(1f));
            c++;
        }
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideE);
        Plots.save(chart, dir.resolve("noise.png"));

        try (CsvOut csv = CsvOut.create(
                dir.resolve("noise.csv"),
                "point",
                "batch_size",
                "measured_variance",
                "predicted_variance",
                "measured_std",
                "predicted_std",
                "sigma2",
                "full_gradient_norm2")) {
            for (Point p : result.points()) {
                GradientNoise.Result r = p.noise();
                for (int k = 0; k < batchSizes.length; k++)
                    csv.row(
                            p.name(),
                            batchSizes[k],
                            r.variance()[k],
                            r.predictedVariance(batchSizes[k]),
                            r.measuredStd(k),
                            r.predictedStd(batchSizes[k]),
                            r.sigma2(),
                            r.fullGradientNorm2());
            }
        }

        System.out.printf("gradient-noise: %s, %d minibatches per batch size, drawn with replacement%n", name, draws);
        for (Point p : result.points()) {
            GradientNoise.Result r = p.noise();
            double worst = 0;
            for (int k = 0; k < batchSizes.length; k++)
                worst = Math.max(worst, Math.abs(r.measuredStd(k) / r.predictedStd(batchSizes[k]) - 1));
            System.out.printf(
                    "  %-16s σ² %.4g  ‖g‖² %.4g  noise scale σ²/‖g‖² %.1f  measured/predicted std within %.1f%%%n",
                    p.name(), r.sigma2(), r.fullGradientNorm2(), r.noiseScale(), 100 * worst);
        }
        System.out.println("  wrote " + dir.resolve("noise.png") + ", noise.csv");
        return 0;
    }
}
