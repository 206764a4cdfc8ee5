package dev.descent.examples;

import dev.descent.backend.Activation;
import dev.descent.checkpoint.Checkpoint;
import dev.descent.checkpoint.CheckpointConflictException;
import dev.descent.data.Dataset;
import dev.descent.data.Split;
import dev.descent.dsl.Descent;
import dev.descent.dsl.Fit;
import dev.descent.dsl.TrainingSpec;
import dev.descent.loss.Loss;
import dev.descent.model.Models;
import dev.descent.model.Sequential;
import dev.descent.optim.Optimizers;
import dev.descent.schedule.Schedules;
import dev.descent.train.History;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.Styler;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The flagship: an MLP 784-128-10 (ReLU) trained on MNIST-10k with SGD + momentum and a warmup +
 * cosine schedule, written with the DSL. Validates on the test split after every epoch, checkpoints
 * into {@code <out>/checkpoint} and can continue from a checkpoint ({@code --resume}).
 */
@Command(
        name = "mnist",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        description = {
            "Trains an MLP 784-128-10 (ReLU) on the embedded MNIST-10k digits (8,000 train / 2,000 test) with"
                    + " SGD + momentum, batches of 64 and a warmup + cosine learning-rate schedule (warmup over the"
                    + " first tenth of the steps), validating on the test split after every epoch.",
            "Writes training.png (loss and validation accuracy per epoch), lr.png (learning rate per step),"
                    + " misclassified.png (test digits the model gets wrong), epochs.csv, steps.csv and a checkpoint"
                    + " (checkpoint/model.safetensors + state.json, after every epoch).",
            "--resume DIR continues a run from its checkpoint (DIR: the checkpoint folder or the --out folder"
                    + " holding it) up to --epochs in all; with the same --epochs as the first run it finishes an"
                    + " interrupted run exactly; with more, the schedule is sized for the new total.",
            "A run never replaces another run's checkpoint in --out unless --overwrite is given, and refuses an"
                    + " --out that another run is writing (lock file --out/.checkpoint.lock)."
        })
public final class MnistExample extends DigitsCommand {

    @Mixin
    CommonOptions common = CommonOptions.defaults(10, 64, 0.1);

    @Mixin
    DataOption data = new DataOption();

    @Option(names = "--nesterov", description = "Nesterov momentum.")
    boolean nesterov;

    @Option(names = "--hidden", paramLabel = "H", description = "Width of the hidden ReLU layer.")
    int hidden = 128;

    @Option(
            names = "--resume",
            paramLabel = "DIR",
            description =
                    "Continue the run saved in DIR (a checkpoint folder, or an --out folder holding checkpoint/).")
    Path resume;

    @Option(
            names = "--overwrite",
            description = "Let this run replace the checkpoint of another run found in --out (atomically, after"
                    + " its first epoch: the old one stays until then) and the plots and CSVs there. Never"
                    + " replaces a folder that is not a checkpoint or a symbolic link.")
    boolean overwrite;

    private Path from;
    private int done;

    /**
     * What a run gives.
     *
     * @param fit the DSL's result (history, timings, trained parameters)
     * @param train the training rows used
     * @param test the test rows used
     * @param testAccuracy fraction of test rows classified right at the end
     * @param testLoss mean test loss at the end
     * @param misclassified test row indices classified wrong, in order
     * @param predictions the predicted class of every test row
     * @param warmupSteps steps of linear warmup
     * @param totalSteps optimizer steps over all epochs
     * @param checkpoint the checkpoint folder written
     */
    public record Result(
            Fit fit,
            Dataset train,
            Dataset test,
            double testAccuracy,
            double testLoss,
            int[] misclassified,
            int[] predictions,
            long warmupSteps,
            long totalSteps,
            Path checkpoint) {}

    /**
     * Trains (or, with {@code resumeFrom}, continues from that checkpoint folder) and evaluates; writes
     * the checkpoint into {@code checkpoints} after every epoch, nothing else.
     */
    public static Result compute(
            Split split,
            int hidden,
            double lr,
            double momentum,
            boolean nesterov,
            int batchSize,
            int epochs,
            long seed,
            String backend,
            boolean progress,
            Path checkpoints,
            boolean overwrite,
            Path resumeFrom) {
        return compute(
                Models.mlp(784).dense(hidden, Activation.RELU).dense(10).build(),
                "mnist trains a 784-" + hidden + "-10 MLP: the data must have 784 features (28×28 pixels) and 2 to"
                        + " 10 classes",
                split,
                lr,
                momentum,
                nesterov,
                batchSize,
                epochs,
                seed,
                backend,
                progress,
                checkpoints,
                overwrite,
                resumeFrom);
    }

    /**
     * Trains {@code model} (784 inputs, 10 outputs) on 28×28 digits with SGD + momentum and a warmup +
     * cosine schedule (or, with {@code resumeFrom}, continues from that checkpoint folder) and evaluates;
     * writes the checkpoint into {@code checkpoints} after every epoch, nothing else. {@code requirement}
     * starts the message that refuses data of another shape.
     */
    static Result compute(
            Sequential model,
            String requirement,
            Split split,
            double lr,
            double momentum,
            boolean nesterov,
            int batchSize,
            int epochs,
            long seed,
            String backend,
            boolean progress,
            Path checkpoints,
            boolean overwrite,
            Path resumeFrom) {
        Dataset train = split.train(), test = split.test();
        if (train.features() != 784 || train.classes() < 2 || train.classes() > 10)
            throw new IllegalArgumentException(requirement + ", got " + train.features() + " features and "
                    + train.classes() + " classes in " + train.name());
        // README:begin mnist
        long stepsPerEpoch = (train.rows() + batchSize - 1) / batchSize; // 125: 8,000 rows in batches of 64
        long total = epochs * stepsPerEpoch, warmup = Math.max(1, total / 10);

        TrainingSpec spec = Descent.train(model) // mnist: Models.mlp(784).dense(hidden, Activation.RELU).dense(10)
                .loss(Loss.softmaxCrossEntropy())
                .optimizer(Optimizers.sgd(lr).momentum(momentum).nesterov(nesterov)) // 0.1, 0.9, false
                .schedule(Schedules.warmup(warmup).then(Schedules.cosine(total - warmup))) // × lr
                .batchSize(batchSize) // 64
                .epochs(epochs) // 10
                .seed(seed) // 42
                .backend(backend) // --backend: "simd", "gpu", "auto", ...
                .checkpoints(checkpoints, 1) // after every epoch: model.safetensors + state.json
                .overwriteCheckpoint(overwrite) // --overwrite: may replace another run's checkpoint
                .progressBar(progress) // drawn only on a terminal
                .build();

        Fit fit = resumeFrom == null
                ? spec.fit(train, test) // validates on the test split after every epoch
                : spec.resume(resumeFrom, train, test); // continues the run saved in resumeFrom
        // README:end
        return result(fit, train, test, warmup, total, checkpoints);
    }

    /** The result of a trained {@code fit}: test accuracy and loss, predictions, misclassified rows. */
    static Result result(Fit fit, Dataset train, Dataset test, long warmup, long total, Path checkpoints) {
        float[] out = fit.predict(test.x(), test.rows());
        int[] predictions = new int[test.rows()];
        List<Integer> wrong = new ArrayList<>();
        for (int r = 0; r < test.rows(); r++) {
            int best = 0;
            for (int j = 1; j < 10; j++) if (out[r * 10 + j] > out[r * 10 + best]) best = j;
            predictions[r] = best;
            if (best != test.label(r)) wrong.add(r);
        }
        var eval = fit.evaluate(test);
        return new Result(
                fit,
                train,
                test,
                eval.accuracy(),
                eval.loss(),
                wrong.stream().mapToInt(Integer::intValue).toArray(),
                predictions,
                warmup,
                total,
                checkpoints);
    }

    @Override
    String command() {
        return "mnist";
    }

    @Override
    CommonOptions common() {
        return common;
    }

    @Override
    DataOption data() {
        return data;
    }

    @Override
    void validate() {
        if (hidden < 1) throw new IllegalArgumentException("--hidden must be >= 1, got " + hidden);
    }

    @Override
    boolean lockErrorIsUsage() {
        return true;
    }

    @Override
    Result train(Split split, Path dir, Path checkpoint) {
        from = resume == null ? null : checkpointIn(resume);
        done = from == null ? 0 : epochsDone(from);
        if (from != null && done >= common.epochs())
            throw new IllegalArgumentException("--resume " + resume + ": the checkpoint has " + done
                    + " epochs done already; --epochs counts all epochs, so pass --epochs " + (done + 1)
                    + " or more to train on");
        try {
            return compute(
                    split,
                    hidden,
                    common.lr(),
                    momentum,
                    nesterov,
                    common.batchSize(),
                    common.epochs(),
                    common.seed(),
                    common.backendName(),
                    progress,
                    checkpoint,
                    overwrite,
                    from);
        } catch (UncheckedIOException e) {
            if (!(e.getCause() instanceof CheckpointConflictException c)) throw e;
            throw new IllegalArgumentException(
                    "--out " + dir + ": " + checkpoint + " holds the checkpoint of another run (" + c.run() + ")"
                            + (c.existing().equals(checkpoint)
                                    ? ""
                                    : ", left as " + c.existing() + " by an interrupted write")
                            + ". To continue that run pass --resume " + dir + " (with its settings); to keep it, write"
                            + " to another --out; to replace it with this run, pass --overwrite",
                    e);
        }
    }

    @Override
    String describeModel(Fit fit) {
        return String.format(
                Locale.ROOT,
                "MLP 784-%d-10 (ReLU), %,d parameters",
                hidden,
                fit.model().parameterCount());
    }

    @Override
    String momentumNote() {
        return nesterov ? " (Nesterov)" : "";
    }

    @Override
    String runNote() {
        return from == null ? "" : ", resumed from " + from + " after epoch " + done;
    }

    @Override
    boolean reportsStop() {
        return true;
    }

    /** Epochs already done in the checkpoint folder {@code dir}. */
    static int epochsDone(Path dir) {
        try {
            return (int) Checkpoint.read(dir).stateLong("epochs_done");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot resume from " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * A checkpoint folder, or a folder holding {@code checkpoint/}, including a checkpoint that a crash
     * left as {@code checkpoint.old-*} ({@link Checkpoint#locate}).
     */
    static Path checkpointIn(Path dir) {
        try {
            return Checkpoint.locate(dir)
                    .orElseThrow(
                            () -> new IllegalArgumentException("--resume " + dir + ": no checkpoint there (looked for "
                                    + dir.resolve(Checkpoint.STATE_FILE) + " and "
                                    + dir.resolve(Checkpoint.DEFAULT_NAME).resolve(Checkpoint.STATE_FILE) + ")"));
        } catch (IOException e) {
            throw new UncheckedIOException("--resume " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The first n rows (all if fewer). */
    static Dataset first(Dataset d, int n) {
        if (n >= d.rows()) return d;
        int[] rows = new int[n];
        for (int i = 0; i < n; i++) rows[i] = i;
        return d.select(rows, d.name() + "[:" + n + "]");
    }

    /** Loss per epoch (training: per step, faint, and the epoch mean; validation) and validation accuracy. */
    static List<XYChart> charts(History h, String name) {
        List<History.Epoch> epochs = h.epochs();
        int n = epochs.size();
        double[] x = new double[n], train = new double[n], val = new double[n], acc = new double[n];
        for (int i = 0; i < n; i++) {
            History.Epoch e = epochs.get(i);
            x[i] = e.epoch();
            train[i] = e.loss();
            val[i] = e.valLoss();
            acc[i] = 100 * e.valAccuracy();
        }
        int w = 760, ht = 520;
        XYChart loss = Plots.logY(Plots.xy("Loss on " + name, "epoch", "cross-entropy loss (log scale)", w, ht));
        List<History.Step> steps = h.steps();
        if (!steps.isEmpty()) {
            double[] sx = new double[steps.size()], sy = new double[steps.size()];
            int stepsPerEpoch = (int) Math.max(1, epochs.get(0).steps());
            for (int i = 0; i < sx.length; i++) {
                History.Step s = steps.get(i);
                // at the middle of its slice of the epoch; also keeps XChart from putting a tick at every 0.4 epoch
                sx[i] = (s.step() + 0.5) / stepsPerEpoch;
                sy[i] = s.loss();
            }
            Plots.line(loss, "training, per batch", sx, sy, new Color(190, 205, 225))
                    .setLineStyle(new BasicStroke(1f));
        }
        Plots.path(loss, "training (epoch mean)", x, train, Plots.COLORS[0]);
        Plots.path(loss, "validation (test split)", x, val, Plots.COLORS[1]);
        Plots.xMax(loss, n);
        loss.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);

        XYChart accuracy =
                Plots.xy("Validation accuracy after each epoch", "epoch", "accuracy on the test split (%)", w, ht);
        Plots.path(accuracy, "validation accuracy", x, acc, Plots.COLORS[2]);
        double lo = Math.floor(Math.min(90, min(acc)) / 5) * 5;
        accuracy.getStyler().setYAxisMin(lo).setYAxisMax(100.0);
        accuracy.getStyler().setYAxisDecimalPattern("0.#");
        accuracy.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        Plots.xMax(accuracy, n);
        return List.of(loss, accuracy);
    }

    /** The learning rate of every step, with the end of the warmup marked. */
    static XYChart lrChart(History h, long warmup) {
        List<History.Step> steps = h.steps();
        double[] x = new double[steps.size()], y = new double[steps.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = steps.get(i).step();
            y[i] = steps.get(i).lr();
        }
        XYChart c =
                Plots.xy("Learning rate per step: linear warmup, then cosine decay", "optimizer step", "learning rate");
        Plots.line(c, "learning rate", x, y, Plots.COLORS[0]);
        double top = max(y);
        Plots.dashed(
                c,
                "end of warmup (step " + warmup + ")",
                new double[] {warmup, warmup},
                new double[] {0, top * 1.1},
                Plots.GUIDE);
        c.getStyler().setYAxisMin(0.0).setYAxisMax(top * 1.15).setYAxisDecimalPattern("0.0##");
        c.getStyler().setXAxisMin(0.0).setXAxisMax((double) Math.max(1, x.length));
        return c;
    }

    /** A grid of misclassified test digits, each labelled "true → predicted". */
    static Path saveMisclassified(Result r, int max, Path file) {
        int[] wrong = r.misclassified();
        int n = Math.min(max, wrong.length), cols = 12, rows = Math.max(1, (n + cols - 1) / cols);
        int scale = 3, cell = 28 * scale, label = 22, pad = 10, title = 44;
        int w = pad + cols * (cell + pad), ht = title + rows * (cell + label + pad) + pad;
        BufferedImage img = new BufferedImage(w, ht, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, w, ht);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
            String head = n == 0
                    ? "No misclassified test digits"
                    : String.format(
                            Locale.ROOT,
                            "Misclassified test digits: %s of %d (label → prediction)",
                            n < wrong.length ? "first " + n : "all " + n,
                            wrong.length);
            g.drawString(head, pad, 28);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 15));
            FontMetrics fm = g.getFontMetrics();
            Dataset test = r.test();
            float[] x = test.x();
            int side = (int) Math.round(Math.sqrt(test.features()));
            boolean square = side * side == test.features();
            for (int k = 0; k < n; k++) {
                int row = wrong[k],
                        gx = pad + (k % cols) * (cell + pad),
                        gy = title + (k / cols) * (cell + label + pad);
                if (square) {
                    int s = cell / side;
                    for (int i = 0; i < side; i++)
                        for (int j = 0; j < side; j++) {
                            float v = Math.max(0, Math.min(1, x[row * test.features() + i * side + j]));
                            int c = 255 - Math.round(255 * v); // dark ink on white
                            g.setColor(new Color(c, c, c));
                            g.fillRect(gx + j * s, gy + i * s, s, s);
                        }
                }
                g.setColor(new Color(200, 200, 200));
                g.drawRect(gx, gy, cell - 1, cell - 1);
                String text = test.label(row) + " → " + r.predictions()[row];
                g.setColor(new Color(213, 94, 0));
                g.drawString(text, gx + (cell - fm.stringWidth(text)) / 2, gy + cell + label - 5);
            }
        } finally {
            g.dispose();
        }
        return Plots.save(img, file);
    }

    private static double min(double[] v) {
        double m = Double.POSITIVE_INFINITY;
        for (double d : v) if (!Double.isNaN(d)) m = Math.min(m, d);
        return m;
    }

    private static double max(double[] v) {
        double m = 0;
        for (double d : v) if (!Double.isNaN(d)) m = Math.max(m, d);
        return m;
    }
}
