package dev.descent.examples;

import dev.descent.checkpoint.Checkpoint;
import dev.descent.checkpoint.CheckpointException;
import dev.descent.checkpoint.OutputLock;
import dev.descent.data.Batches;
import dev.descent.data.Labels;
import dev.descent.data.Split;
import dev.descent.dsl.Fit;
import dev.descent.train.History;
import dev.descent.train.TrainingResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Option;

/**
 * What {@code mnist} and {@code cnn} share: the options, loading (and {@code --limit}ing) MNIST-10k,
 * holding {@code --out} while training with {@link MnistExample#compute(dev.descent.model.Sequential,
 * String, Split, double, double, boolean, int, int, long, String, boolean, Path, boolean, Path)}, and
 * the plots, CSVs and report. A subclass supplies its model, its defaults and what differs in the
 * report.
 */
abstract class DigitsCommand implements Callable<Integer> {

    @Option(names = "--momentum", paramLabel = "M", description = "SGD momentum.")
    double momentum = 0.9;

    @Option(
            names = "--limit",
            paramLabel = "N",
            description = "Train on the first N training rows and validate on the first N/4 test rows (quick runs).")
    Integer limit;

    @Option(
            names = "--progress",
            negatable = true,
            description = "Draw a progress bar (only where a terminal is attached).")
    boolean progress = true;

    MnistExample.Result result;

    /** The command's name: the default {@code --out} folder and the report's first word. */
    abstract String command();

    abstract CommonOptions common();

    abstract DataOption data();

    /** Checks the command's own options (before the shared ones). */
    void validate() {}

    /**
     * Whether a checkpoint error on locking {@code --out} is a usage error ({@code --out} named) rather
     * than an I/O error.
     */
    boolean lockErrorIsUsage() {
        return false;
    }

    /** Trains on the split, writing the checkpoint into {@code checkpoint}; also sets up any report notes. */
    abstract MnistExample.Result train(Split split, Path dir, Path checkpoint);

    /** The model in the report's first line. */
    abstract String describeModel(Fit fit);

    /** Said after the momentum in the report (e.g. " (Nesterov)"). */
    String momentumNote() {
        return "";
    }

    /** Said at the end of the optimizer line of the report (e.g. where the run resumed). */
    String runNote() {
        return "";
    }

    /** Whether the report says why training stopped when it stopped early. */
    boolean reportsStop() {
        return false;
    }

    @Override
    public Integer call() {
        validate();
        if (!(momentum >= 0 && momentum < 1))
            throw new IllegalArgumentException("--momentum must be in [0, 1), got " + momentum);
        if (limit != null && limit < 4) throw new IllegalArgumentException("--limit must be >= 4, got " + limit);
        Split split = data().load(EmbeddedData::mnist10k, Labels.classification());
        if (limit != null)
            split = new Split(
                    MnistExample.first(split.train(), limit), MnistExample.first(split.test(), Math.max(1, limit / 4)));
        // the warmup + cosine schedule needs 2 steps; 1 step is e.g. --epochs 1 --batch-size 8000
        CommonOptions common = common();
        common.steps(
                new Batches(split.train(), common.batchSize(), 0).batchesPerEpoch(),
                split.train().rows(),
                2,
                Long.MAX_VALUE,
                "the warmup + cosine schedule");
        String name = data().describe("MNIST-10k");
        Path dir = common.out(command());
        Path checkpoint = dir.resolve(Checkpoint.DEFAULT_NAME);
        // the whole command holds --out: training, checkpoints, plots and CSVs (the trainer re-enters it)
        try (OutputLock lock = OutputLock.acquire(checkpoint)) {
            return run(split, name, dir, checkpoint);
        } catch (CheckpointException e) {
            if (lockErrorIsUsage()) throw new IllegalArgumentException("--out " + dir + ": " + e.getMessage(), e);
            throw new UncheckedIOException("cannot lock " + dir + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock " + dir + ": " + e.getMessage(), e);
        }
    }

    private int run(Split split, String name, Path dir, Path checkpoint) {
        result = train(split, dir, checkpoint);
        Fit fit = result.fit();
        History h = fit.history();

        Plots.saveGrid(MnistExample.charts(h, name), 1, 2, dir.resolve("training.png"));
        Plots.save(MnistExample.lrChart(h, result.warmupSteps()), dir.resolve("lr.png"));
        MnistExample.saveMisclassified(result, 48, dir.resolve("misclassified.png"));
        h.writeEpochsCsv(dir.resolve("epochs.csv"));
        h.writeStepsCsv(dir.resolve("steps.csv"));

        History.Epoch last = h.lastEpoch();
        CommonOptions common = common();
        System.out.printf(
                Locale.ROOT,
                "%s: %s, %d train / %d test rows, %s%n",
                command(),
                name,
                result.train().rows(),
                result.test().rows(),
                describeModel(fit));
        System.out.printf(
                Locale.ROOT,
                "  backend: %s (%s)%n",
                fit.backend().name(),
                fit.backend().device());
        System.out.printf(
                Locale.ROOT,
                "  SGD lr %s, momentum %s%s, batch %d, warmup %d + cosine %d steps%s%n",
                common.lr(),
                momentum,
                momentumNote(),
                common.batchSize(),
                result.warmupSteps(),
                result.totalSteps() - result.warmupSteps(),
                runNote());
        System.out.println("  epoch  train loss  val loss  val acc      lr   seconds");
        for (History.Epoch e : h.epochs())
            System.out.printf(
                    Locale.ROOT,
                    "  %5d  %10.4f  %8.4f  %7.4f  %6.4f  %8.2f%n",
                    e.epoch(),
                    e.loss(),
                    e.valLoss(),
                    e.valAccuracy(),
                    e.lr(),
                    e.seconds());
        System.out.printf(
                Locale.ROOT,
                "  %d epoch%s%s, final train loss %.4f, test accuracy %.4f (%d of %d wrong)%n",
                last.epoch(),
                last.epoch() == 1 ? "" : "s",
                !reportsStop() || fit.stopReason() == TrainingResult.StopReason.COMPLETED
                        ? ""
                        : " (" + fit.stopDetail() + ")",
                last.loss(),
                result.testAccuracy(),
                result.misclassified().length,
                result.test().rows());
        System.out.printf(
                Locale.ROOT,
                "  %.2f s training (%.2f s wall clock for this run), %,.0f samples/s%n",
                fit.seconds(),
                fit.wallSeconds(),
                fit.samplesPerSecond());
        System.out.println("  wrote " + dir.resolve("training.png") + ", lr.png, misclassified.png, epochs.csv,"
                + " steps.csv, checkpoint/ (" + Checkpoint.MODEL_FILE + " + " + Checkpoint.STATE_FILE + ")");
        return 0;
    }
}
