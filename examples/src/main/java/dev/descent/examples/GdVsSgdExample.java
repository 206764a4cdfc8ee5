package dev.descent.examples;

import dev.descent.backend.Backends;
import dev.descent.data.Dataset;
import dev.descent.data.Labels;
import dev.descent.data.Split;
import dev.descent.dsl.Descent;
import dev.descent.dsl.Fit;
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
 * Example 5: full-batch gradient descent against minibatch SGD on logistic regression (the embedded
 * breast-cancer data, standardised), for the same number of epochs: SGD takes rows/B steps per
 * epoch where GD takes one, so it gets to a given loss in fewer epochs and in less time.
 */
@Command(
        name = "gd-vs-sgd",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        description = {
            "Full-batch gradient descent (B = all training rows, --gd-lr) against minibatch SGD (--batch-size,"
                    + " --lr) on logistic regression (embedded breast-cancer data, standardised), for the same"
                    + " number of epochs (passes over the data): the full training loss after every epoch,"
                    + " against epochs and against training seconds.",
            "Writes loss.png and loss.csv."
        })
public final class GdVsSgdExample implements Callable<Integer> {

    @Mixin
    CommonOptions common = CommonOptions.defaults(30, 16, 0.1);

    @Mixin
    DataOption data = new DataOption();

    @Option(names = "--gd-lr", paramLabel = "LR", description = "Learning rate of full-batch gradient descent.")
    double gdLr = 1.0;

    /** Timed runs of each kind; the plotted and printed seconds are their median. */
    static final int REPEATS = 5;

    Result result;

    /**
     * One run.
     *
     * @param loss full training loss after each epoch, [0] before training
     * @param seconds training seconds at the end of each epoch, [0] = 0 (evaluation time taken out)
     */
    public record Run(String name, int batchSize, double lr, int stepsPerEpoch, double[] loss, double[] seconds) {
        public double last() {
            return loss[loss.length - 1];
        }

        /** The first epoch whose loss is at or below target, or -1. */
        public int epochReaching(double target) {
            for (int e = 0; e < loss.length; e++) if (loss[e] <= target) return e;
            return -1;
        }
    }

    /**
     * @param target the loss both runs reach: the larger of the two final losses
     */
    public record Result(
            Run gd,
            Run sgd,
            double target,
            int rows,
            int epochs,
            double testAccuracyGd,
            double testAccuracySgd,
            String model,
            String data) {}

    public static Result compute(
            String backend,
            Split split,
            String dataName,
            int epochs,
            int batchSize,
            double lr,
            double gdLr,
            long seed) {
        LinearClassifier c = LinearClassifier.of(split);
        double initial = c.loss(Backends.byName(backend), c.model.initialParameters(seed), c.train);
        // warm-up (each run once, unmeasured), so that neither clock pays for JIT compilation
        fit(c, backend, c.train.rows(), gdLr, epochs, seed);
        fit(c, backend, batchSize, lr, epochs, seed);
        // the runs are deterministic; their clocks are not: each is timed REPEATS times, alternately,
        // and every epoch's time is the median (milliseconds on small data, easily disturbed)
        Fit gdFit = null, sgdFit = null;
        List<double[]> gdTimes = new ArrayList<>(), sgdTimes = new ArrayList<>();
        for (int r = 0; r < REPEATS; r++) {
            gdFit = fit(c, backend, c.train.rows(), gdLr, epochs, seed);
            sgdFit = fit(c, backend, batchSize, lr, epochs, seed);
            gdTimes.add(RunCurves.epochTrainingSeconds(gdFit.history()));
            sgdTimes.add(RunCurves.epochTrainingSeconds(sgdFit.history()));
        }
        Run gd = run("full-batch GD", gdFit, median(gdTimes), c.train.rows(), c.train.rows(), gdLr, initial);
        Run sgd = run("minibatch SGD", sgdFit, median(sgdTimes), c.train.rows(), batchSize, lr, initial);
        return new Result(
                gd,
                sgd,
                Math.max(gd.last(), sgd.last()),
                c.train.rows(),
                epochs,
                gdFit.accuracy(c.test),
                sgdFit.accuracy(c.test),
                c.train.classes() == 2 ? "logistic regression" : "softmax regression",
                dataName);
    }

    /** Trains with the DSL; the training set is also the validation set, so every epoch ends with the full loss. */
    private static Fit fit(LinearClassifier c, String backend, int batch, double lr, int epochs, long seed) {
        Dataset train = c.train;
        return Descent.train(c.model)
                .loss(c.loss)
                .optimizer(Optimizers.sgd(lr))
                .batchSize(batch)
                .epochs(epochs)
                .seed(seed)
                .backend(backend)
                .progressBar(false)
                .fit(train, train);
    }

    /** Element-wise median. */
    static double[] median(List<double[]> runs) {
        double[] out = new double[runs.get(0).length];
        for (int i = 0; i < out.length; i++) {
            double[] v = new double[runs.size()];
            for (int r = 0; r < v.length; r++) v[r] = runs.get(r)[i];
            java.util.Arrays.sort(v);
            out[i] = v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        }
        return out;
    }

    private static Run run(String name, Fit fit, double[] t, int rows, int batch, double lr, double initial) {
        List<History.Epoch> epochs = fit.history().epochs();
        double[] loss = new double[epochs.size() + 1], seconds = new double[epochs.size() + 1];
        loss[0] = initial;
        for (int e = 0; e < epochs.size(); e++) {
            loss[e + 1] = epochs.get(e).valLoss();
            seconds[e + 1] = t[e];
        }
        return new Run(name, batch, lr, (rows + batch - 1) / batch, loss, seconds);
    }

    @Override
    public Integer call() {
        if (!(gdLr > 0) || Double.isInfinite(gdLr))
            throw new IllegalArgumentException("--gd-lr must be a finite number > 0, got " + gdLr);
        Split split = data.load(() -> Split.benchmark(EmbeddedData.breastCancer()), Labels.classification());
        String name = data.describe("breast cancer");
        result = compute(
                common.backend().name(), // resolved once (auto logs its choice once)
                split,
                name,
                common.epochs(),
                common.batchSize(),
                common.lr(),
                gdLr,
                common.seed());
        Path dir = common.out("gd-vs-sgd");
        int w = 800, h = 560;
        Run[] runs = {result.gd(), result.sgd()};

        XYChart perEpoch = Plots.logY(Plots.xy(
                "Training loss per epoch (" + result.model() + ", " + result.rows() + " rows)",
                "epochs",
                "full training loss (log scale)",
                w,
                h));
        XYChart perSecond = Plots.logY(Plots.xy(
                "Training loss per second of training",
                "training seconds (median of " + REPEATS + " timed runs)",
                "full training loss (log scale)",
                w,
                h));
        for (int k = 0; k < runs.length; k++) {
            Run r = runs[k];
            String label = String.format(
                    Locale.ROOT, "%s: B = %d, lr %s", r.name(), r.batchSize(), BatchSizeExample.fmt(r.lr()));
            Plots.path(perEpoch, label, Plots.steps(r.loss().length), r.loss(), Plots.COLORS[k]);
            Plots.path(perSecond, label, r.seconds(), r.loss(), Plots.COLORS[k]);
        }
        double tMax =
                Math.max(result.gd().seconds()[result.epochs()], result.sgd().seconds()[result.epochs()]);
        for (XYChart c : List.of(perEpoch, perSecond))
            Plots.dashed(
                    c,
                    String.format(Locale.ROOT, "target loss %.4f (the larger final loss)", result.target()),
                    new double[] {0, c == perEpoch ? result.epochs() : tMax},
                    new double[] {result.target(), result.target()},
                    Plots.COLORS[8]);
        perSecond.getStyler().setXAxisDecimalPattern("0.000");
        Plots.xMax(perEpoch, result.epochs());
        Plots.saveGrid(List.of(perEpoch, perSecond), 1, 2, dir.resolve("loss.png"));

        try (CsvOut csv =
                CsvOut.create(dir.resolve("loss.csv"), "run", "batch_size", "lr", "epoch", "seconds", "train_loss")) {
            for (Run r : runs)
                for (int e = 0; e < r.loss().length; e++)
                    csv.row(r.name(), r.batchSize(), r.lr(), e, r.seconds()[e], r.loss()[e]);
        }

        System.out.printf(
                "gd-vs-sgd: %s, %s (standardised), %d training rows, same budget: %d epochs each%n",
                name, result.model(), result.rows(), result.epochs());
        System.out.printf(
                "  %-14s %5s %6s %11s %11s %11s %12s %12s%n",
                "run", "B", "lr", "steps/epoch", "final loss", "test acc", "epochs to", "seconds to");
        System.out.printf(
                "  %-14s %5s %6s %11s %11s %11s %12s %12s%n",
                "",
                "",
                "",
                "",
                "",
                "",
                String.format(Locale.ROOT, "%.4f", result.target()),
                String.format(Locale.ROOT, "%.4f", result.target()));
        double[] acc = {result.testAccuracyGd(), result.testAccuracySgd()};
        for (int k = 0; k < runs.length; k++) {
            Run r = runs[k];
            int e = r.epochReaching(result.target());
            System.out.printf(
                    Locale.ROOT,
                    "  %-14s %5d %6s %11d %11.4f %11.4f %12d %12.4f%n",
                    r.name(),
                    r.batchSize(),
                    BatchSizeExample.fmt(r.lr()),
                    r.stepsPerEpoch(),
                    r.last(),
                    acc[k],
                    e,
                    r.seconds()[e]);
        }
        Run gd = result.gd(), sgd = result.sgd();
        int eg = gd.epochReaching(result.target()), es = sgd.epochReaching(result.target());
        double ratio = gd.seconds()[eg] / sgd.seconds()[es];
        System.out.printf(
                Locale.ROOT,
                "  SGD reaches loss %.4f after %d epochs (%.4f s), GD after %d (%.4f s): %.1f× fewer epochs, %s%n",
                result.target(),
                es,
                sgd.seconds()[es],
                eg,
                gd.seconds()[eg],
                (double) eg / Math.max(1, es),
                ratio >= 1
                        ? String.format(Locale.ROOT, "%.1f× less time", ratio)
                        : String.format(
                                Locale.ROOT,
                                "but %.1f× more time: here one full-batch step costs about as much as %.0f minibatch"
                                        + " steps, not %d (per-step overhead dominates on so few rows)",
                                1 / ratio,
                                (gd.seconds()[result.epochs()] / result.epochs())
                                        / (sgd.seconds()[result.epochs()] / result.epochs() / sgd.stepsPerEpoch()),
                                sgd.stepsPerEpoch()));
        System.out.println(
                "  (seconds: training only, median of " + REPEATS + " timed runs each, after a warm-up run)");
        System.out.println("  wrote " + dir.resolve("loss.png") + ", loss.csv");
        return 0;
    }
}
