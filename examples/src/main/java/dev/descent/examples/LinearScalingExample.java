package dev.descent.examples;

import dev.descent.data.Dataset;
import dev.descent.data.Labels;
import dev.descent.data.Split;
import dev.descent.dsl.Descent;
import dev.descent.dsl.Fit;
import dev.descent.loss.Loss;
import dev.descent.model.Sequential;
import dev.descent.optim.Optimizers;
import dev.descent.train.BatchScaling;
import dev.descent.train.History;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import org.knowm.xchart.XYChart;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Example 6: the linear scaling rule. Doubling the batch size halves the number of steps per epoch;
 * doubling the learning rate with it ({@link BatchScaling#linear}) keeps the distance moved per
 * sample, so (2B, 2η) tracks (B, η) against samples seen, while (2B, η) lags behind.
 */
@Command(
        name = "linear-scaling",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        description = {
            "Three runs of plain SGD over the same samples: (B, lr), (2B, 2·lr) by the linear scaling rule, and"
                    + " (2B, lr); softmax regression on the embedded MNIST-10k (--limit training rows).",
            "Writes loss.png (training loss against samples seen) and loss.csv."
        })
public final class LinearScalingExample implements Callable<Integer> {

    @Mixin
    CommonOptions common = CommonOptions.defaults(2, 8, 0.01);

    @Mixin
    DataOption data = new DataOption();

    @Option(names = "--limit", paramLabel = "N", description = "Use only the first N training rows (0: all).")
    int limit = 4000;

    @Option(names = "--factor", paramLabel = "K", description = "Batch-size multiplier (2: B and 2B).")
    int factor = 2;

    Result result;

    /**
     * One run.
     *
     * @param curve minibatch loss averaged over windows of rows/8 samples
     * @param loss full training loss after each epoch, [0] before training
     */
    public record Run(String name, int batchSize, double lr, RunCurves.Windowed curve, double[] loss) {
        public double last() {
            return loss[loss.length - 1];
        }
    }

    public record Result(Run base, Run scaled, Run unscaled, int rows, int epochs, String data) {
        List<Run> runs() {
            return List.of(base, scaled, unscaled);
        }
    }

    public static Result compute(
            String backend,
            Split split,
            String dataName,
            int limit,
            int factor,
            int epochs,
            int batch,
            double lr,
            long seed) {
        if (factor < 2) throw new IllegalArgumentException("--factor must be >= 2, got " + factor);
        if (limit < 0) throw new IllegalArgumentException("--limit must be >= 0, got " + limit);
        Dataset train = split.train();
        if (train.classes() < 2)
            throw new IllegalArgumentException("this example needs class labels (at least 2 classes), got " + train);
        if (limit > 0 && limit < train.rows())
            train = train.select(IntStream.range(0, limit).toArray(), train.name() + "[:" + limit + "]");
        Sequential model = BatchSizeExample.model(train.features(), train.classes(), 0);
        int big = batch * factor;
        double scaledLr = BatchScaling.linear(lr, batch, big);
        double initial = RunCurves.loss(
                dev.descent.backend.Backends.byName(backend),
                model,
                Loss.softmaxCrossEntropy(),
                model.initialParameters(seed),
                train);
        List<Run> runs = new ArrayList<>();
        int[] sizes = {batch, big, big};
        double[] rates = {lr, scaledLr, lr};
        for (int k = 0; k < 3; k++) {
            Fit fit = Descent.train(model)
                    .loss(Loss.softmaxCrossEntropy())
                    .optimizer(Optimizers.sgd(rates[k]))
                    .batchSize(sizes[k])
                    .epochs(epochs)
                    .seed(seed)
                    .backend(backend)
                    .progressBar(false)
                    .fit(train, train); // validation = training set: the full training loss after every epoch
            List<History.Epoch> ep = fit.history().epochs();
            double[] loss = new double[ep.size() + 1];
            loss[0] = initial;
            for (int e = 0; e < ep.size(); e++) loss[e + 1] = ep.get(e).valLoss();
            String name = String.format(
                    Locale.ROOT,
                    "%s B = %d, lr %s",
                    k == 0 ? "(B, lr)" : k == 1 ? "(" + factor + "B, " + factor + "·lr)" : "(" + factor + "B, lr)",
                    sizes[k],
                    BatchSizeExample.fmt(rates[k]));
            runs.add(new Run(
                    name,
                    sizes[k],
                    rates[k],
                    RunCurves.windowed(fit.history(), train.rows(), sizes[k], Math.max(1, train.rows() / 8)),
                    loss));
        }
        return new Result(runs.get(0), runs.get(1), runs.get(2), train.rows(), epochs, dataName);
    }

    @Override
    public Integer call() {
        Split split = data.load(EmbeddedData::mnist10k, Labels.classification());
        String name = data.describe("MNIST-10k");
        result = compute(
                common.backend().name(), // resolved once (auto logs its choice once)
                split,
                name,
                limit,
                factor,
                common.epochs(),
                common.batchSize(),
                common.lr(),
                common.seed());
        Path dir = common.out("linear-scaling");

        XYChart chart = Plots.logY(Plots.xy(
                "Linear scaling rule: softmax regression, " + result.rows() + " rows of " + name,
                "samples seen",
                "loss (log scale); lines: minibatch loss, mean over ⅛ epoch",
                1000,
                620));
        int k = 0;
        for (Run r : result.runs()) {
            Plots.line(chart, r.name(), r.curve().samples(), r.curve().loss(), Plots.COLORS[k]);
            double[] x = new double[result.epochs() + 1], y = new double[result.epochs() + 1];
            for (int e = 0; e <= result.epochs(); e++) {
                x[e] = (double) e * result.rows();
                y[e] = r.loss()[e];
            }
            String label = k == 0 ? "◆ full training loss after each epoch" : "full training loss, " + r.name();
            var full = Plots.points(chart, label, x, y);
            full.setMarker(org.knowm.xchart.style.markers.SeriesMarkers.DIAMOND);
            full.setMarkerColor(Plots.COLORS[k]);
            full.setShowInLegend(k == 0);
            k++;
        }
        chart.getStyler().setMarkerSize(12);
        Plots.xMax(chart, (double) result.epochs() * result.rows());
        Plots.save(chart, dir.resolve("loss.png"));

        try (CsvOut csv =
                CsvOut.create(dir.resolve("loss.csv"), "run", "batch_size", "lr", "samples", "kind", "loss")) {
            for (Run r : result.runs()) {
                for (int i = 0; i < r.curve().size(); i++)
                    csv.row(
                            r.name(),
                            r.batchSize(),
                            r.lr(),
                            (long) r.curve().samples()[i],
                            "minibatch_window",
                            r.curve().loss()[i]);
                for (int e = 0; e <= result.epochs(); e++)
                    csv.row(r.name(), r.batchSize(), r.lr(), (long) e * result.rows(), "full_train", r.loss()[e]);
            }
        }

        System.out.printf(
                "linear-scaling: %s, softmax regression, %d training rows, %d epochs (%d samples) per run, plain SGD%n",
                name, result.rows(), result.epochs(), (long) result.epochs() * result.rows());
        System.out.printf("  %-32s %14s%n", "run", "full train loss");
        for (Run r : result.runs()) System.out.printf(Locale.ROOT, "  %-32s %14.4f%n", r.name(), r.last());
        double base = result.base().last();
        System.out.printf(
                Locale.ROOT,
                "  after the same samples: (%dB, %d·lr) is %+.1f %% from (B, lr); (%dB, lr) is %+.1f %%%n",
                factor,
                factor,
                100 * (result.scaled().last() / base - 1),
                factor,
                100 * (result.unscaled().last() / base - 1));
        System.out.println("  wrote " + dir.resolve("loss.png") + ", loss.csv");
        return 0;
    }
}
