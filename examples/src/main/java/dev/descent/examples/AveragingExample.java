package dev.descent.examples;

import dev.descent.data.Dataset;
import dev.descent.data.Labels;
import dev.descent.data.Split;
import dev.descent.dsl.Descent;
import dev.descent.dsl.Fit;
import dev.descent.loss.Loss;
import dev.descent.model.Models;
import dev.descent.optim.Averaging;
import dev.descent.optim.Optimizers;
import dev.descent.train.History;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.knowm.xchart.XYChart;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Iterate averaging: plain SGD at a constant, large learning rate keeps bouncing around the optimum;
 * the average of the iterates (Polyak–Ruppert, the one the classic convergence theorem is about), an
 * exponential moving average and SWA (the plain mean from a start epoch, no SWALR: the rate stays
 * constant) smooth the noise out. Every variant is the same run (same seed ⇒ the same last
 * iterates); only what is evaluated differs.
 */
@Command(
        name = "averaging",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        description = {
            "Trains logistic (softmax) regression with plain SGD at a constant learning rate (standardised;"
                    + " breast-cancer data by default) and evaluates, after every epoch, the last iterate, Polyak averaging (the mean of"
                    + " all iterates), an EMA (--ema-decay) and SWA (the mean from epoch --swa-start on, constant"
                    + " rate: no SWALR).",
            "Writes loss.png, accuracy.png (training and test, per epoch) and curves.csv."
        })
public final class AveragingExample implements Callable<Integer> {

    @Mixin
    CommonOptions common = CommonOptions.defaults(30, 8, 0.5);

    @Mixin
    DataOption data = new DataOption();

    @Option(names = "--ema-decay", paramLabel = "D", description = "Decay of the EMA, in (0, 1).")
    double emaDecay = 0.99;

    @Option(names = "--swa-start", paramLabel = "EPOCH", description = "First epoch SWA averages (1-based).")
    int swaStart = 10;

    Result result;

    /** Per-epoch values of one variant (index 0: epoch 1). */
    public record Curve(String variant, double[] trainLoss, double[] trainAcc, double[] testLoss, double[] testAcc) {
        double finalTestLoss() {
            return testLoss[testLoss.length - 1];
        }

        double finalTestAcc() {
            return testAcc[testAcc.length - 1];
        }
    }

    public record Result(List<Curve> curves, int rows, int epochs, int stepsPerEpoch, String data) {
        Curve curve(String variant) {
            return curves.stream()
                    .filter(c -> c.variant().equals(variant))
                    .findFirst()
                    .orElseThrow();
        }
    }

    public static final List<String> VARIANTS = List.of("last", "polyak", "ema", "swa");

    public static Result compute(
            String backend,
            Split split,
            String dataName,
            int epochs,
            int batch,
            double lr,
            double emaDecay,
            int swaStart,
            long seed) {
        if (!(emaDecay > 0 && emaDecay < 1))
            throw new IllegalArgumentException("--ema-decay must be in (0, 1), got " + emaDecay);
        if (swaStart < 1 || swaStart > epochs)
            throw new IllegalArgumentException(
                    "--swa-start must be between 1 and --epochs (" + epochs + "), got " + swaStart);
        Dataset train = split.train(), test = split.test();
        if (train.classes() < 2)
            throw new IllegalArgumentException("this example needs class labels (at least 2 classes), got " + train);
        var standardizer = dev.descent.data.Standardizer.fit(train); // on the training rows only
        train = standardizer.apply(train);
        test = standardizer.apply(test);
        int stepsPerEpoch = (train.rows() + batch - 1) / batch;
        List<Curve> curves = new ArrayList<>();
        for (String v : VARIANTS) {
            Averaging avg =
                    switch (v) {
                        case "polyak" -> Averaging.polyak();
                        case "ema" -> Averaging.ema(emaDecay);
                        case "swa" -> Averaging.swa((long) (swaStart - 1) * stepsPerEpoch);
                        default -> null;
                    };
            // validation after each epoch uses the average when there is one: once against the test
            // set, once against the training set (same seed: the same iterates)
            List<History.Epoch> onTest = fit(backend, train, test, epochs, batch, lr, avg, seed);
            List<History.Epoch> onTrain = fit(backend, train, train, epochs, batch, lr, avg, seed);
            int n = onTest.size();
            double[] trl = new double[n], tra = new double[n], tel = new double[n], tea = new double[n];
            for (int i = 0; i < n; i++) {
                trl[i] = onTrain.get(i).valLoss();
                tra[i] = onTrain.get(i).valAccuracy();
                tel[i] = onTest.get(i).valLoss();
                tea[i] = onTest.get(i).valAccuracy();
            }
            curves.add(new Curve(v, trl, tra, tel, tea));
        }
        return new Result(curves, train.rows(), epochs, stepsPerEpoch, dataName);
    }

    private static List<History.Epoch> fit(
            String backend,
            Dataset train,
            Dataset validation,
            int epochs,
            int batch,
            double lr,
            Averaging avg,
            long seed) {
        var b = Descent.train(Models.softmaxRegression(train.features(), train.classes()))
                .loss(Loss.softmaxCrossEntropy())
                .optimizer(Optimizers.sgd(lr))
                .batchSize(batch)
                .epochs(epochs)
                .seed(seed)
                .backend(backend)
                .progressBar(false);
        if (avg != null) b.averaging(avg);
        Fit fit = b.fit(train, validation);
        return fit.history().epochs();
    }

    @Override
    public Integer call() {
        Split split = data.load(() -> Split.benchmark(EmbeddedData.breastCancer()), Labels.classification());
        String name = data.describe("breast cancer");
        result = compute(
                common.backend().name(),
                split,
                name,
                common.epochs(),
                common.batchSize(),
                common.lr(),
                emaDecay,
                swaStart,
                common.seed());
        Path dir = common.out("averaging");
        int w = 800, h = 560;
        double[] ep = new double[result.epochs()];
        for (int i = 0; i < ep.length; i++) ep[i] = i + 1;
        String sub = " (SGD, constant lr " + BatchSizeExample.fmt(common.lr()) + ", B = " + common.batchSize() + ")";
        XYChart trL = Plots.logY(Plots.xy("Training loss" + sub, "epochs", "loss (log)", w, h));
        XYChart teL = Plots.logY(Plots.xy("Test loss" + sub, "epochs", "loss (log)", w, h));
        XYChart trA = Plots.xy("Training accuracy" + sub, "epochs", "accuracy", w, h);
        XYChart teA = Plots.xy("Test accuracy" + sub, "epochs", "accuracy", w, h);
        int k = 0;
        for (Curve c : result.curves()) {
            String label = label(c.variant());
            Plots.line(trL, label, ep, c.trainLoss(), Plots.COLORS[k]);
            Plots.line(teL, label, ep, c.testLoss(), Plots.COLORS[k]);
            Plots.line(trA, label, ep, c.trainAcc(), Plots.COLORS[k]);
            Plots.line(teA, label, ep, c.testAcc(), Plots.COLORS[k]);
            k++;
        }
        Plots.saveGrid(List.of(trL, teL), 1, 2, dir.resolve("loss.png"));
        Plots.saveGrid(List.of(trA, teA), 1, 2, dir.resolve("accuracy.png"));
        try (CsvOut csv = CsvOut.create(
                dir.resolve("curves.csv"),
                "variant",
                "epoch",
                "train_loss",
                "train_accuracy",
                "test_loss",
                "test_accuracy")) {
            for (Curve c : result.curves())
                for (int i = 0; i < c.testLoss().length; i++)
                    csv.row(c.variant(), i + 1, c.trainLoss()[i], c.trainAcc()[i], c.testLoss()[i], c.testAcc()[i]);
        }

        System.out.printf(
                "averaging: %s (standardised), softmax regression, %d training rows, %d epochs of %d steps, plain SGD, constant lr"
                        + " %s, B = %d; EMA decay %s, SWA from epoch %d (no SWALR)%n",
                name,
                result.rows(),
                result.epochs(),
                result.stepsPerEpoch(),
                BatchSizeExample.fmt(common.lr()),
                common.batchSize(),
                BatchSizeExample.fmt(emaDecay),
                swaStart);
        int last = result.epochs() - 1;
        List<Integer> shown = new ArrayList<>();
        for (int e = 0; e <= last; e += Math.max(1, result.epochs() / 5)) shown.add(e);
        if (shown.get(shown.size() - 1) != last) shown.add(last);
        System.out.print("  test loss  epoch:");
        for (int e : shown) System.out.printf(Locale.ROOT, " %8d", e + 1);
        System.out.println();
        for (Curve c : result.curves()) {
            System.out.printf(Locale.ROOT, "  %-17s", c.variant());
            for (int e : shown) System.out.printf(Locale.ROOT, " %8.4f", c.testLoss()[e]);
            System.out.println();
        }
        for (Curve c : result.curves())
            System.out.printf(
                    Locale.ROOT,
                    "  %-7s final: train loss %.4f, accuracy %.4f; test loss %.4f, accuracy %.4f%n",
                    c.variant(),
                    c.trainLoss()[last],
                    c.trainAcc()[last],
                    c.testLoss()[last],
                    c.testAcc()[last]);
        System.out.println("  wrote " + dir.resolve("loss.png") + ", accuracy.png, curves.csv");
        return 0;
    }

    static String label(String variant) {
        return switch (variant) {
            case "last" -> "last iterate";
            case "polyak" -> "Polyak (mean of all iterates)";
            case "ema" -> "EMA";
            case "swa" -> "SWA";
            default -> variant;
        };
    }
}
