package dev.descent.examples;

import dev.descent.backend.Backend;
import dev.descent.data.Batches;
import dev.descent.data.Labels;
import dev.descent.data.Sizes;
import dev.descent.data.Split;
import dev.descent.dsl.Fit;
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
 * Example 7: every built-in learning-rate schedule, drawn over one run's steps in four families, and
 * the same small training run (logistic regression on the breast-cancer data, or your data) under
 * each of them: loss per epoch and final loss.
 */
@Command(
        name = "schedules",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        description = {
            "Every built-in learning-rate schedule over one run, and its effect on that run: minibatch SGD on a"
                    + " linear classifier (logistic regression on the embedded breast-cancer data by default).",
            "Writes schedules.png (the lr curves, four families), loss.png (training loss per epoch),"
                    + " final-loss.png (bar chart) and CSV."
        })
public final class SchedulesExample implements Callable<Integer> {

    @Mixin
    // small batches and a large rate: the gradient noise is what the schedules have to tame
    CommonOptions common = CommonOptions.defaults(20, 4, 1.0);

    @Mixin
    DataOption data = new DataOption();

    @Option(names = "--momentum", paramLabel = "M", description = "SGD momentum.")
    double momentum = 0;

    Result result;

    /** A schedule with its family (the sub-chart it is drawn in). */
    public record Named(String family, String name, Schedule multiplier) {}

    /** One schedule's run: lr per step, training loss per epoch (index 0: before training), test accuracy. */
    public record Run(Named schedule, double[] lr, double[] trainLoss, double testAccuracy) {
        public double finalLoss() {
            return trainLoss[trainLoss.length - 1];
        }
    }

    public record Result(List<Run> runs, long steps, int epochs, String data) {}

    static final String[] FAMILIES = {
        "Step and exponential decays", "Inverse-time decays", "Decays to 0 at the end of the run", "Cycles and constant"
    };

    /** Every built-in schedule, parameterised for a run of {@code t} steps. */
    static List<Named> all(long t) {
        long q = Math.max(1, t / 4), w = Math.max(1, t / 10);
        List<Named> s = new ArrayList<>();
        s.add(new Named(FAMILIES[0], "step(T/4, 0.5)", Schedules.step(q, 0.5)));
        s.add(new Named(FAMILIES[0], "multistep(T/2, 3T/4; 0.1)", Schedules.multistep(new long[] {2 * q, 3 * q}, 0.1)));
        s.add(new Named(FAMILIES[0], "exponential(0.01^(1/T))", Schedules.exponential(Math.pow(0.01, 1.0 / t))));
        s.add(new Named(FAMILIES[0], "expDecay(3/T)", Schedules.expDecay(3.0 / t)));
        s.add(new Named(FAMILIES[1], "inverse(10/T)", Schedules.inverse(10.0 / t)));
        s.add(new Named(FAMILIES[1], "polynomialInverse(10/T, 0.5)", Schedules.polynomialInverse(10.0 / t, 0.5)));
        s.add(new Named(FAMILIES[1], "inverseSqrt()", Schedules.inverseSqrt()));
        s.add(new Named(FAMILIES[2], "linear(1, 0, T)", Schedules.linear(1, 0, t)));
        s.add(new Named(FAMILIES[2], "polynomialToZero(T, 2)", Schedules.polynomialToZero(t, 2)));
        s.add(new Named(FAMILIES[2], "cosine(T)", Schedules.cosine(t)));
        s.add(new Named(
                FAMILIES[2], "warmup(T/10) then cosine", Schedules.warmup(w).then(Schedules.cosine(t - w))));
        s.add(new Named(FAMILIES[3], "constant(1)", Schedules.constant(1)));
        // periods T/7, 2T/7, 4T/7 rounded up, so the run ends at the bottom of the third cycle, not after a restart
        s.add(new Named(
                FAMILIES[3],
                "cosineWarmRestarts(T/7, 2)",
                Schedules.cosineWarmRestarts(Math.max(1, (t + 6) / 7), 2, 0)));
        s.add(new Named(FAMILIES[3], "oneCycle(T)", Schedules.oneCycle(t)));
        s.add(new Named(FAMILIES[3], "cyclic(0.1, 1, T/8)", Schedules.cyclic(0.1, 1, Math.max(1, t / 8))));
        return s;
    }

    public static Result compute(
            Backend backend,
            Split split,
            String dataName,
            int epochs,
            int batchSize,
            double lr,
            double momentum,
            long seed) {
        LinearClassifier c = LinearClassifier.of(split);
        long t = c.steps(batchSize, epochs);
        List<Run> runs = new ArrayList<>();
        for (Named n : all(t)) {
            Schedule absolute = n.multiplier().scale(lr);
            double[] rates = new double[(int) t];
            for (int k = 0; k < t; k++) rates[k] = absolute.at(k);
            double[] loss = new double[epochs + 1];
            loss[0] = c.loss(backend, c.model.initialParameters(seed), c.train);
            Fit fit = c.fit(backend.name(), Optimizers.sgd(lr).momentum(momentum), absolute, batchSize, epochs, seed);
            for (int e = 1; e <= epochs; e++)
                loss[e] = fit.history().epochs().get(e - 1).valLoss();
            runs.add(new Run(n, rates, loss, fit.accuracy(c.test)));
        }
        return new Result(runs, t, epochs, dataName);
    }

    @Override
    public Integer call() {
        Split split = data.load(() -> Split.benchmark(EmbeddedData.breastCancer()), Labels.classification());
        String name = data.describe("breast cancer");
        common.steps( // one learning rate per step of each of the 15 schedules is kept and drawn
                new Batches(split.train(), common.batchSize(), 0).batchesPerEpoch(),
                split.train().rows(),
                2,
                Math.min(Sizes.MAX_ARRAY, Sizes.heapLimit() / (8L * 2 * all(2).size())),
                "drawing every schedule over the run");
        result = compute(
                common.backend(),
                split,
                name,
                common.epochs(),
                common.batchSize(),
                common.lr(),
                momentum,
                common.seed());
        Path dir = common.out("schedules");
        int w = 700, h = 470;

        List<XYChart> curves = new ArrayList<>(), losses = new ArrayList<>();
        for (String family : FAMILIES) {
            XYChart lr = Plots.xy(family, "step (T = " + result.steps() + ")", "learning rate", w, h);
            XYChart loss = Plots.logY(Plots.xy(family, "epoch", "training loss (log scale)", w, h));
            int k = 0;
            for (Run r : result.runs()) {
                if (!r.schedule().family().equals(family)) continue;
                Plots.line(lr, r.schedule().name(), Plots.steps(r.lr().length), r.lr(), Plots.COLORS[k]);
                Plots.line(
                        loss, r.schedule().name(), Plots.steps(r.trainLoss().length), r.trainLoss(), Plots.COLORS[k]);
                k++;
            }
            lr.getStyler().setYAxisMin(0.0).setYAxisMax(common.lr() * 1.25);
            Plots.xMax(lr, result.steps());
            Plots.xMax(loss, result.epochs());
            curves.add(lr);
            losses.add(loss);
        }
        Plots.saveGrid(curves, 2, 2, dir.resolve("schedules.png"));
        Plots.saveGrid(losses, 2, 2, dir.resolve("loss.png"));

        CategoryChart bars = Plots.bars(
                "Final training loss after " + result.epochs() + " epochs (" + name + ", base lr " + common.lr() + ")",
                "schedule",
                "training loss",
                1000,
                760);
        List<String> names = new ArrayList<>();
        for (Run r : result.runs()) names.add(r.schedule().name());
        for (String family : FAMILIES) { // one series per family, overlapped: coloured by family
            List<Double> values = new ArrayList<>();
            for (Run r : result.runs()) values.add(r.schedule().family().equals(family) ? r.finalLoss() : 0.0);
            bars.addSeries(family, names, values);
        }
        bars.getStyler().setOverlapped(true);
        bars.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideS);
        bars.getStyler().setLegendLayout(org.knowm.xchart.style.Styler.LegendLayout.Horizontal);
        bars.getStyler().setXAxisMaxLabelCount(names.size());
        bars.getStyler().setXAxisLabelRotation(90);
        bars.getStyler().setLabelsVisible(false);
        bars.getStyler().setYAxisDecimalPattern("0.000");
        Plots.save(bars, dir.resolve("final-loss.png"));

        try (CsvOut lrCsv = CsvOut.create(dir.resolve("schedules.csv"), "schedule", "step", "lr");
                CsvOut lossCsv = CsvOut.create(dir.resolve("loss.csv"), "schedule", "epoch", "train_loss");
                CsvOut fin = CsvOut.create(
                        dir.resolve("final.csv"), "schedule", "family", "final_train_loss", "test_accuracy")) {
            for (Run r : result.runs()) {
                for (int k = 0; k < r.lr().length; k++) lrCsv.row(r.schedule().name(), k, r.lr()[k]);
                for (int e = 0; e < r.trainLoss().length; e++)
                    lossCsv.row(r.schedule().name(), e, r.trainLoss()[e]);
                fin.row(r.schedule().name(), r.schedule().family(), r.finalLoss(), r.testAccuracy());
            }
        }

        System.out.printf(
                "schedules: %s, %d epochs × batch %d = %d steps, SGD base lr %s%s%n",
                name,
                result.epochs(),
                common.batchSize(),
                result.steps(),
                common.lr(),
                momentum > 0 ? " momentum " + momentum : "");
        System.out.printf("  %-30s %14s %14s%n", "schedule", "final loss", "test accuracy");
        for (Run r : result.runs())
            System.out.printf("  %-30s %14.5f %14.4f%n", r.schedule().name(), r.finalLoss(), r.testAccuracy());
        System.out.println("  wrote " + dir.resolve("schedules.png") + ", loss.png, final-loss.png, schedules.csv,"
                + " loss.csv, final.csv");
        return 0;
    }
}
