package dev.descent.train;

import dev.descent.checkpoint.AtomicFiles;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * What a training run recorded: one {@link Step} per optimizer step and one {@link Epoch} per epoch,
 * in order. Metrics that were not measured are NaN (e.g. validation metrics without a validation
 * set, accuracy for a regression). Times are wall-clock seconds since the run started, so loss can
 * be plotted against time.
 */
public final class History {

    /**
     * One optimizer step.
     *
     * @param step 0-based optimizer step (the schedule's step)
     * @param epoch 1-based epoch the step belongs to
     * @param loss the step's training loss (over all its micro-batches)
     * @param lr the learning rate the step used
     * @param gradNorm the gradient's norm before clipping (L2 unless clipping says otherwise)
     * @param seconds wall-clock time since training started, at the end of the step
     */
    public record Step(long step, int epoch, double loss, double lr, double gradNorm, double seconds) {}

    /**
     * One epoch.
     *
     * @param epoch 1-based
     * @param steps optimizer steps taken so far in the run
     * @param samples training rows seen so far
     * @param loss mean training loss of the epoch's steps, weighted by their rows
     * @param valLoss loss on the validation set after the epoch
     * @param valAccuracy fraction of validation rows classified correctly (classification losses)
     * @param valRmse root mean squared error on the validation set (regression losses)
     * @param lr the learning rate of the epoch's last step
     * @param seconds wall-clock time since training started, at the end of the epoch
     * @param metrics the configured metrics ({@link TrainingConfig#metrics()}) by name: {@code
     *     "f1_macro"} on the training set, {@code "val_f1_macro"} on the validation set, in the
     *     config's order; empty without metrics. Unmodifiable.
     */
    public record Epoch(
            int epoch,
            long steps,
            long samples,
            double loss,
            double valLoss,
            double valAccuracy,
            double valRmse,
            double lr,
            double seconds,
            Map<String, Double> metrics) {

        public Epoch {
            metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        }

        /** An epoch without metrics. */
        public Epoch(
                int epoch,
                long steps,
                long samples,
                double loss,
                double valLoss,
                double valAccuracy,
                double valRmse,
                double lr,
                double seconds) {
            this(epoch, steps, samples, loss, valLoss, valAccuracy, valRmse, lr, seconds, Map.of());
        }

        /**
         * A recorded quantity by its CSV name: {@code loss}, {@code val_loss}, {@code val_accuracy},
         * {@code val_rmse}, {@code lr}, {@code seconds}, or a metric's ({@code auc}, {@code
         * val_auc}). A metric named like a fixed column ({@code val_accuracy}) gives its own value.
         *
         * @throws IllegalArgumentException naming the unknown quantity and listing the known ones
         */
        public double get(String name) {
            Double m = metrics.get(name);
            if (m != null) return m;
            return switch (name) {
                case "loss" -> loss;
                case "val_loss" -> valLoss;
                case "val_accuracy" -> valAccuracy;
                case "val_rmse" -> valRmse;
                case "lr" -> lr;
                case "seconds" -> seconds;
                default ->
                    throw new IllegalArgumentException(
                            "epoch " + epoch + " recorded no '" + name + "'; known: " + names());
            };
        }

        /** The names {@link #get} knows, in CSV order. */
        public Set<String> names() {
            Set<String> n =
                    new LinkedHashSet<>(List.of("loss", "val_loss", "val_accuracy", "val_rmse", "lr", "seconds"));
            n.addAll(metrics.keySet());
            return n;
        }
    }

    /** The columns of the epoch CSV before the metrics' (a metric may not take one of these names). */
    static final List<String> FIXED =
            List.of("epoch", "steps", "samples", "loss", "val_loss", "val_accuracy", "val_rmse", "lr", "seconds");

    private final List<Step> steps = new ArrayList<>();
    private final List<Epoch> epochs = new ArrayList<>();

    public List<Step> steps() {
        return Collections.unmodifiableList(steps);
    }

    public List<Epoch> epochs() {
        return Collections.unmodifiableList(epochs);
    }

    /** The last epoch, or null before the first one ends. */
    public Epoch lastEpoch() {
        return epochs.isEmpty() ? null : epochs.get(epochs.size() - 1);
    }

    void add(Step s) {
        steps.add(s);
    }

    void add(Epoch e) {
        epochs.add(e);
    }

    /** Drops everything after epoch {@code epoch} (and its steps): used when resuming. */
    void truncateAfter(int epoch) {
        epochs.removeIf(e -> e.epoch() > epoch);
        steps.removeIf(s -> s.epoch() > epoch);
    }

    /**
     * Writes the epochs as CSV with a header row; overwrites {@code file}. The columns are {@link
     * #FIXED}, then every metric recorded (in order of first appearance): {@code accuracy, f1_macro,
     * val_f1_macro...}; a metric named like a fixed column ({@code val_accuracy}) fills that column.
     */
    public void writeEpochsCsv(Path file) {
        Set<String> extra = new LinkedHashSet<>();
        for (Epoch e : epochs) extra.addAll(e.metrics().keySet());
        extra.removeAll(FIXED);
        StringBuilder header = new StringBuilder(String.join(",", FIXED));
        for (String m : extra) header.append(',').append(m);
        write(file, header.toString(), epochs, e -> {
            StringBuilder line = new StringBuilder()
                    .append(e.epoch())
                    .append(',')
                    .append(e.steps())
                    .append(',')
                    .append(e.samples());
            for (String c : FIXED.subList(3, FIXED.size())) line.append(',').append(num(e.get(c)));
            for (String m : extra) line.append(',').append(num(e.metrics().getOrDefault(m, Double.NaN)));
            return line.toString();
        });
    }

    /** Writes the steps as CSV with a header row; overwrites {@code file}. */
    public void writeStepsCsv(Path file) {
        write(
                file,
                "step,epoch,loss,lr,grad_norm,seconds",
                steps,
                s -> s.step() + "," + s.epoch() + "," + num(s.loss()) + "," + num(s.lr()) + "," + num(s.gradNorm())
                        + "," + num(s.seconds()));
    }

    /**
     * Writes the CSV atomically ({@link AtomicFiles}): a failure, a full disk included, leaves no
     * truncated file and an earlier {@code file} as it was, and says {@code "no space left on device:
     * FILE"}.
     */
    static <T> void write(
            Path file, String header, List<T> rows, Function<T, String> line, UnaryOperator<WritableByteChannel> wrap) {
        StringBuilder sb = new StringBuilder(header).append('\n');
        for (T r : rows) sb.append(line.apply(r)).append('\n');
        AtomicFiles.writeBytes(file, sb.toString().getBytes(StandardCharsets.UTF_8), wrap);
    }

    private static <T> void write(Path file, String header, List<T> rows, Function<T, String> line) {
        write(file, header, rows, line, UnaryOperator.identity());
    }

    /** Empty for NaN, else the shortest exact decimal. */
    private static String num(double v) {
        if (Double.isNaN(v)) return "";
        return String.format(Locale.ROOT, "%s", v);
    }

    @Override
    public String toString() {
        return "History[" + steps.size() + " steps, " + epochs.size() + " epochs]";
    }
}
