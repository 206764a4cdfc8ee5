package dev.descent.examples;

import dev.descent.backend.Activation;
import dev.descent.data.Dataset;
import dev.descent.data.Labels;
import dev.descent.data.Split;
import dev.descent.dsl.Descent;
import dev.descent.dsl.Fit;
import dev.descent.loss.Loss;
import dev.descent.model.Models;
import dev.descent.model.Sequential;
import dev.descent.optim.Optimizers;
import dev.descent.train.BatchScaling;
import dev.descent.train.Evaluation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.XYChart;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Example 4: the same number of epochs with batch sizes 1, 16, 64 and 256 on MNIST-10k. Small
 * batches take many cheap, noisy steps per epoch and get further per epoch; large batches take few
 * steps and finish an epoch sooner. Trained with the DSL ({@code Descent.train(...)}).
 */
@Command(
        name = "batch-size",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        description = {
            "Trains the same model for the same number of epochs with each batch size (softmax regression on"
                    + " the embedded MNIST-10k by default, --hidden N for a 784-N-10 MLP) and compares loss per"
                    + " epoch, loss per second of training and the final accuracy.",
            "Learning rate: --lr is the rate of the smallest batch size; the others get --scaling linear (lr × B"
                    + " / B_min, the linear scaling rule, capped at --max-lr), sqrt or fixed.",
            "Writes loss.png (training loss against epochs and against seconds), accuracy.png, curves.csv and"
                    + " final.csv."
        })
public final class BatchSizeExample implements Callable<Integer> {

    @Mixin
    CommonOptions common = CommonOptions.defaults(5, null, 0.005);

    @Mixin
    DataOption data = new DataOption();

    @Option(
            names = "--batch-sizes",
            paramLabel = "B",
            split = ",",
            description = "Batch sizes to compare (comma-separated).")
    int[] batchSizes = {1, 16, 64, 256};

    @Option(names = "--limit", paramLabel = "N", description = "Use only the first N training rows (0: all).")
    int limit = 0;

    @Option(names = "--hidden", paramLabel = "N", description = "Hidden ReLU units (0: softmax regression).")
    int hidden = 0;

    @Option(names = "--scaling", paramLabel = "RULE", description = "linear, sqrt or fixed.")
    String scaling = "linear";

    @Option(names = "--max-lr", paramLabel = "LR", description = "Cap of the scaled learning rate.")
    double maxLr = 0.5;

    Result result;

    private static final org.knowm.xchart.style.markers.Marker[] MARKERS = {
        new org.knowm.xchart.style.markers.Circle(),
        new org.knowm.xchart.style.markers.Cross(),
        new org.knowm.xchart.style.markers.Diamond(),
        new org.knowm.xchart.style.markers.TriangleUp(),
        new org.knowm.xchart.style.markers.Square()
    };

    /**
     * One batch size's run.
     *
     * @param curve minibatch loss averaged over quarter epochs, against samples and training seconds
     * @param secondsPerEpoch training seconds of the whole run / epochs
     */
    public record Run(
            int batchSize,
            double lr,
            int stepsPerEpoch,
            double secondsPerEpoch,
            RunCurves.Windowed curve,
            double trainLoss,
            double testLoss,
            double testAccuracy) {}

    public record Result(List<Run> runs, int rows, int epochs, String model, String data) {
        Run run(int batchSize) {
            return runs.stream()
                    .filter(r -> r.batchSize() == batchSize)
                    .findFirst()
                    .orElseThrow();
        }
    }

    /** The learning rate of batch size {@code b}, from {@code lr} at the smallest batch size {@code b0}. */
    static double lrFor(String scaling, double lr, int b0, int b, double maxLr) {
        switch (scaling.toLowerCase(Locale.ROOT)) {
            case "fixed":
                return lr;
            case "linear":
                return Math.min(maxLr, BatchScaling.linear(lr, b0, b));
            case "sqrt":
                return Math.min(maxLr, BatchScaling.sqrt(lr, b0, b));
            default:
                throw new IllegalArgumentException("--scaling must be linear, sqrt or fixed, got '" + scaling + "'");
        }
    }

    static Sequential model(int features, int classes, int hidden) {
        if (hidden < 0) throw new IllegalArgumentException("--hidden must be >= 0, got " + hidden);
        return hidden == 0
                ? Models.softmaxRegression(features, classes)
                : Models.mlp(features)
                        .dense(hidden, Activation.RELU)
                        .dense(classes)
                        .build();
    }

    public static Result compute(
            String backend,
            Split split,
            String dataName,
            int[] sizes,
            int limit,
            int hidden,
            int epochs,
            double lr,
            String scaling,
            double maxLr,
            long seed) {
        if (sizes.length == 0) throw new IllegalArgumentException("--batch-sizes is empty");
        for (int b : sizes) if (b < 1) throw new IllegalArgumentException("--batch-sizes must be >= 1, got " + b);
        if (limit < 0) throw new IllegalArgumentException("--limit must be >= 0, got " + limit);
        Dataset train = split.train(), test = split.test();
        if (train.classes() < 2)
            throw new IllegalArgumentException("this example needs class labels (at least 2 classes), got " + train);
        if (limit > 0 && limit < train.rows()) {
            int[] first = new int[limit];
            for (int i = 0; i < limit; i++) first[i] = i;
            train = train.select(first, train.name() + "[:" + limit + "]");
        }
        Sequential model = model(train.features(), train.classes(), hidden);
        int b0 = Arrays.stream(sizes).min().getAsInt();
        // JIT warm-up, so that the first batch size's clock does not pay for compilation
        Dataset warm = train.select(
                java.util.stream.IntStream.range(0, Math.min(train.rows(), 2000))
                        .toArray(),
                "warm-up");
        for (int b : sizes) fit(model, backend, b, lrFor(scaling, lr, b0, b, maxLr), 1, seed, warm);

        List<Run> runs = new ArrayList<>();
        for (int b : sizes) {
            double rate = lrFor(scaling, lr, b0, b, maxLr);
            Fit fit = fit(model, backend, b, rate, epochs, seed, train);
            var curve = RunCurves.windowed(fit.history(), train.rows(), b, Math.max(1, train.rows() / 4));
            Evaluation tr = fit.evaluate(train), te = fit.evaluate(test);
            runs.add(new Run(
                    b,
                    rate,
                    (train.rows() + b - 1) / b,
                    curve.seconds()[curve.size() - 1] / epochs,
                    curve,
                    tr.loss(),
                    te.loss(),
                    te.accuracy()));
        }
        String name =
                hidden == 0 ? "softmax regression" : "MLP " + train.features() + "-" + hidden + "-" + train.classes();
        return new Result(runs, train.rows(), epochs, name, dataName);
    }

    private static Fit fit(
            Sequential model, String backend, int batch, double lr, int epochs, long seed, Dataset train) {
        return Descent.train(model)
                .loss(Loss.softmaxCrossEntropy())
                .optimizer(Optimizers.sgd(lr))
                .batchSize(batch)
                .epochs(epochs)
                .seed(seed)
                .backend(backend)
                .progressBar(false)
                .fit(train);
    }

    @Override
    public Integer call() {
        Split split = data.load(EmbeddedData::mnist10k, Labels.classification());
        String name = data.describe("MNIST-10k");
        result = compute(
                common.backend().name(), // resolved once (auto logs its choice once)
                split,
                name,
                batchSizes,
                limit,
                hidden,
                common.epochs(),
                common.lr(),
                scaling,
                maxLr,
                common.seed());
        Path dir = common.out("batch-size");
        int w = 800, h = 560;

        // the loss every run reaches: the worst final quarter-epoch loss
        double target = 0;
        for (Run r : result.runs()) target = Math.max(target, r.curve().last());

        XYChart perEpoch = Plots.logY(Plots.xy(
                "Training loss per epoch (" + result.model() + ", " + result.rows() + " rows)",
                "epochs",
                "minibatch loss, mean over ¼ epoch (log)",
                w,
                h));
        XYChart perSecond = Plots.logX(Plots.logY(Plots.xy(
                "Training loss per second of training",
                "training seconds (log scale)",
                "minibatch loss, mean over ¼ epoch (log)",
                w,
                h)));
        int k = 0;
        for (Run r : result.runs()) {
            String label = String.format(Locale.ROOT, "B = %d, lr %s", r.batchSize(), fmt(r.lr()));
            double[] ep = new double[r.curve().size()];
            for (int i = 0; i < ep.length; i++) ep[i] = r.curve().samples()[i] / result.rows();
            // a marker shape per run: with the linear scaling rule the small batch sizes overlap per epoch
            var marker = MARKERS[k % MARKERS.length];
            Plots.path(perEpoch, label, ep, r.curve().loss(), Plots.COLORS[k]).setMarker(marker);
            Plots.path(perSecond, label, r.curve().seconds(), r.curve().loss(), Plots.COLORS[k])
                    .setMarker(marker);
            k++;
        }
        perEpoch.getStyler().setMarkerSize(9);
        perSecond.getStyler().setMarkerSize(9);
        Plots.xMax(perEpoch, result.epochs());
        Plots.saveGrid(List.of(perEpoch, perSecond), 1, 2, dir.resolve("loss.png"));

        CategoryChart acc = Plots.bars(
                "Test accuracy after " + result.epochs() + " epochs (" + result.model() + ")",
                "batch size",
                "test accuracy",
                700,
                500);
        List<String> names = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        for (Run r : result.runs()) {
            names.add("B = " + r.batchSize());
            values.add(r.testAccuracy());
        }
        acc.addSeries("test accuracy", names, values);
        acc.getStyler().setLegendVisible(false);
        acc.getStyler().setLabelsVisible(true);
        acc.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
        acc.getStyler().setYAxisDecimalPattern("0.000"); // also the bars' labels: differences are in the third digit
        acc.getStyler().setLabelsPosition(0.93);
        acc.getStyler().setLabelsFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.BOLD, 14));
        Plots.save(acc, dir.resolve("accuracy.png"));

        try (CsvOut curves = CsvOut.create(
                        dir.resolve("curves.csv"), "batch_size", "lr", "samples", "epochs", "seconds", "train_loss");
                CsvOut fin = CsvOut.create(
                        dir.resolve("final.csv"),
                        "batch_size",
                        "lr",
                        "steps_per_epoch",
                        "seconds_per_epoch",
                        "train_loss",
                        "test_loss",
                        "test_accuracy")) {
            for (Run r : result.runs()) {
                for (int i = 0; i < r.curve().size(); i++)
                    curves.row(
                            r.batchSize(),
                            r.lr(),
                            (long) r.curve().samples()[i],
                            r.curve().samples()[i] / result.rows(),
                            r.curve().seconds()[i],
                            r.curve().loss()[i]);
                fin.row(
                        r.batchSize(),
                        r.lr(),
                        r.stepsPerEpoch(),
                        r.secondsPerEpoch(),
                        r.trainLoss(),
                        r.testLoss(),
                        r.testAccuracy());
            }
        }

        System.out.printf(
                "batch-size: %s, %s, %d training rows, %d epochs each, plain SGD, lr %s at B = %d, %s%n",
                name,
                result.model(),
                result.rows(),
                result.epochs(),
                fmt(common.lr()),
                Arrays.stream(batchSizes).min().getAsInt(),
                scaling.equals("fixed") ? "the same for every B" : scaling + " scaling capped at " + fmt(maxLr));
        System.out.printf(
                "  %6s %8s %11s %9s %11s %10s %10s %14s%n",
                "B",
                "lr",
                "steps/epoch",
                "s/epoch",
                "train loss",
                "test loss",
                "test acc",
                "s to loss " + String.format(Locale.ROOT, "%.3f", target));
        for (Run r : result.runs()) {
            int i = r.curve().firstAtOrBelow(target);
            System.out.printf(
                    Locale.ROOT,
                    "  %6d %8s %11d %9.3f %11.4f %10.4f %10.4f %14.3f%n",
                    r.batchSize(),
                    fmt(r.lr()),
                    r.stepsPerEpoch(),
                    r.secondsPerEpoch(),
                    r.trainLoss(),
                    r.testLoss(),
                    r.testAccuracy(),
                    r.curve().seconds()[i]);
        }
        System.out.println("  (loss: full training set after the last epoch; seconds: training only, after a JIT"
                + " warm-up run)");
        System.out.println("  wrote " + dir.resolve("loss.png") + ", accuracy.png, curves.csv, final.csv");
        return 0;
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4g", v).replaceAll("\\.?0+$", "");
    }
}
