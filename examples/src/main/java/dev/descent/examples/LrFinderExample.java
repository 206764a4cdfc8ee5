package dev.descent.examples;

import dev.descent.backend.Activation;
import dev.descent.backend.Backend;
import dev.descent.data.Dataset;
import dev.descent.data.Labels;
import dev.descent.data.Split;
import dev.descent.loss.Loss;
import dev.descent.model.Models;
import dev.descent.model.Sequential;
import dev.descent.optim.Optimizers;
import dev.descent.train.LrFinder;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The learning-rate range test ({@link LrFinder}) on the flagship's model: the MLP 784-128-10 (ReLU)
 * on MNIST-10k with SGD + momentum 0.9, one step per batch while the rate grows exponentially.
 */
@Command(
        name = "lr-finder",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        description = {
            "The learning-rate range test (Smith 2017, fastai's lr_find) for the mnist example's model: an MLP"
                    + " 784-128-10 (ReLU) on the embedded MNIST-10k with SGD + momentum, one optimizer step per"
                    + " batch of --batch-size while the learning rate grows exponentially from --min-lr to"
                    + " --max-lr; stops when the smoothed loss exceeds 4× its minimum. Suggests the rate where"
                    + " the smoothed loss falls fastest.",
            "Writes lr-finder.png (loss against learning rate, log scale, suggestion marked) and lr-finder.csv."
        })
public final class LrFinderExample implements Callable<Integer> {

    @Mixin
    CommonOptions common = CommonOptions.defaults(null, 64, null);

    @Mixin
    DataOption data = new DataOption();

    @Option(names = "--min-lr", paramLabel = "LR", description = "First learning rate of the sweep.")
    double minLr = 1e-5;

    @Option(names = "--max-lr", paramLabel = "LR", description = "Last learning rate of the sweep.")
    double maxLr = 10;

    @Option(names = "--steps", paramLabel = "N", description = "Learning rates tried (one batch each).")
    int steps = 200;

    @Option(
            names = "--smoothing",
            paramLabel = "BETA",
            description = "β of the exponential moving average of the loss (bias-corrected); closer to 1: smoother,"
                    + " but lagging more steps behind.")
    double smoothing = 0.9;

    @Option(names = "--momentum", paramLabel = "M", description = "SGD momentum.")
    double momentum = 0.9;

    @Option(names = "--hidden", paramLabel = "H", description = "Width of the hidden ReLU layer.")
    int hidden = 128;

    Result result;

    /** The sweep, with the model it ran on and the data's name. */
    public record Result(LrFinder finder, LrFinder.Curve curve, Sequential model, String data, int trainRows) {}

    public static Result compute(
            Backend backend,
            Dataset train,
            String dataName,
            int hidden,
            double momentum,
            double minLr,
            double maxLr,
            int steps,
            double smoothing,
            int batchSize,
            long seed) {
        Sequential model = Models.mlp(train.features())
                .dense(hidden, Activation.RELU)
                .dense(Math.max(2, train.classes()))
                .build();
        LrFinder finder =
                new LrFinder(minLr, maxLr, steps, smoothing, LrFinder.defaults().divergeFactor());
        LrFinder.Curve curve = finder.run(
                backend,
                model,
                Loss.softmaxCrossEntropy(),
                Optimizers.sgd(minLr).momentum(momentum), // the finder sets every step's rate
                train,
                batchSize,
                seed,
                model.initialParameters(seed));
        return new Result(finder, curve, model, dataName, train.rows());
    }

    @Override
    public Integer call() {
        if (hidden < 1) throw new IllegalArgumentException("--hidden must be >= 1, got " + hidden);
        if (!(momentum >= 0 && momentum < 1))
            throw new IllegalArgumentException("--momentum must be in [0, 1), got " + momentum);
        Split split = data.load(EmbeddedData::mnist10k, Labels.classification());
        if (split.train().classes() < 2)
            throw new IllegalArgumentException("lr-finder needs class labels, got " + split.train());
        String name = data.describe("MNIST-10k");
        Backend backend = common.backend();
        try {
            result = compute(
                    backend,
                    split.train(),
                    name,
                    hidden,
                    momentum,
                    minLr,
                    maxLr,
                    steps,
                    smoothing,
                    common.batchSize(),
                    common.seed());
        } catch (IllegalArgumentException e) { // the finder's checks name "lr finder minLr" etc.
            throw new IllegalArgumentException(
                    e.getMessage()
                            .replace("lr finder minLr", "--min-lr")
                            .replace("lr finder maxLr", "--max-lr")
                            .replace("lr finder steps", "--steps")
                            .replace("lr finder smoothing", "--smoothing")
                            .replace("> minLr", "> --min-lr"),
                    e);
        }
        Path dir = common.out("lr-finder");
        LrFinder.Curve c = result.curve();

        Plots.save(chart(result, momentum, common.batchSize()), dir.resolve("lr-finder.png"));
        try (CsvOut csv = CsvOut.create(dir.resolve("lr-finder.csv"), "step", "lr", "loss", "smoothed_loss")) {
            for (int i = 0; i < c.size(); i++) csv.row(i, c.lrs()[i], c.losses()[i], c.smoothed()[i]);
        }

        int best = argMin(c.smoothed());
        System.out.printf(
                Locale.ROOT,
                "lr-finder: %s (%d training rows), MLP %s, SGD momentum %s, batch %d%n",
                name,
                result.trainRows(),
                widths(result.model()),
                momentum,
                common.batchSize());
        System.out.printf(Locale.ROOT, "  backend: %s (%s)%n", backend.name(), backend.device());
        System.out.printf(
                Locale.ROOT,
                "  swept lr %s .. %s in %d steps: %d taken, %s%n",
                fmt(minLr),
                fmt(maxLr),
                steps,
                c.size(),
                c.diverged()
                        ? "diverged at lr " + fmt(c.lrs()[c.size() - 1]) + " (smoothed loss > "
                                + java.math.BigDecimal.valueOf(result.finder().divergeFactor())
                                        .stripTrailingZeros()
                                        .toPlainString()
                                + "× its minimum)"
                        : "did not diverge (raise --max-lr to see where it does)");
        System.out.printf(
                Locale.ROOT,
                "  lowest smoothed loss %.4f at lr %s; suggested lr %s (steepest descent of the smoothed loss)%n",
                c.smoothed()[best],
                fmt(c.lrs()[best]),
                fmt(c.suggestedLr()));
        System.out.println("  wrote " + dir.resolve("lr-finder.png") + ", lr-finder.csv");
        return 0;
    }

    static XYChart chart(Result r, double momentum, int batchSize) {
        LrFinder.Curve c = r.curve();
        XYChart chart = Plots.logX(Plots.xy(
                String.format(
                        Locale.ROOT,
                        "LR range test: MLP %s on %s, SGD momentum %s, batch %d",
                        widths(r.model()),
                        r.data(),
                        momentum,
                        batchSize),
                "learning rate (log scale)",
                "training loss (cross-entropy)",
                1000,
                620));
        XYSeries raw = Plots.line(chart, "loss of each batch", c.lrs(), c.losses(), new Color(170, 195, 225));
        raw.setLineStyle(new BasicStroke(1f));
        Plots.line(chart, "smoothed (EMA, β = " + r.finder().smoothing() + ")", c.lrs(), c.smoothed(), Plots.COLORS[0]);
        // y range: from 0 to a little above the first losses, so the blow-up does not squash the curve
        double top = 0;
        for (int i = 0; i < Math.min(c.size(), 10); i++) top = Math.max(top, c.smoothed()[i]);
        for (double v : c.smoothed()) if (Double.isFinite(v)) top = Math.max(top, Math.min(v, 1.6 * c.smoothed()[0]));
        top *= 1.25;
        double s = c.suggestedLr();
        Plots.dashed(
                chart,
                "suggested lr " + fmt(s) + (c.diverged() ? "" : " (no divergence seen)"),
                new double[] {s, s},
                new double[] {0, top},
                Plots.COLORS[1]);
        AnnotationText label =
                new AnnotationText("suggested lr " + fmt(s), s * 4.5, 0.93 * top, false); // right of the line
        chart.addAnnotation(label);
        chart.getStyler().setAnnotationTextFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        chart.getStyler().setAnnotationTextFontColor(Plots.COLORS[1]);
        chart.getStyler().setYAxisMin(0.0).setYAxisMax(top).setYAxisDecimalPattern("0.0");
        chart.getStyler().setXAxisTickLabelsFormattingFunction(LrFinderExample::tick);
        chart.getStyler().setXAxisMin(r.finder().minLr()).setXAxisMax(r.finder().maxLr());
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        return chart;
    }

    private static String widths(Sequential m) {
        StringBuilder sb = new StringBuilder().append(m.inputs());
        for (var l : m.layers())
            if (l instanceof dev.descent.model.Dense d) sb.append('-').append(d.outputs());
        return sb.toString();
    }

    private static int argMin(double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] < v[best]) best = i;
        return best;
    }

    /** A decade on the log axis: 1e-5, 1e-4, 0.001 ... 10. */
    static String tick(double v) {
        long e = Math.round(Math.log10(v));
        if (Math.abs(Math.log10(v) - e) > 1e-6) return fmt(v);
        return e < -3 ? "1e" + e : e < 0 ? "0." + "0".repeat((int) -e - 1) + "1" : "1" + "0".repeat((int) e);
    }

    /** 3 significant digits, plain or scientific. */
    static String fmt(double v) {
        return v >= 1e-3 && v < 1e4 ? String.format(Locale.ROOT, "%.3g", v) : String.format(Locale.ROOT, "%.2e", v);
    }
}
