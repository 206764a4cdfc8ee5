package dev.descent.examples;

import dev.descent.backend.Backend;
import dev.descent.backend.Backends;
import dev.descent.data.Sizes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The options every example shares, as a picocli mixin: {@code --backend}, {@code --epochs},
 * {@code --batch-size}, {@code --lr}, {@code --seed} and {@code --out}. An example creates its
 * instance with its own defaults ({@code @Mixin CommonOptions common = CommonOptions.defaults(...)});
 * picocli shows those in {@code --help}; an option the example does not use (default null) is
 * refused when given ({@link #rejectUnused}).
 */
public final class CommonOptions {

    @Option(
            names = "--backend",
            paramLabel = "NAME",
            description = "scalar, simd, gpu or auto (auto: a real GPU if there is one, else simd).")
    String backend = "auto";

    @Option(
            names = "--epochs",
            paramLabel = "N",
            description = "Passes over the data; for the examples on a formula (no data), optimizer steps.")
    Integer epochs;

    @Option(names = "--batch-size", paramLabel = "B", description = "Rows per minibatch.")
    Integer batchSize;

    @Option(names = "--lr", paramLabel = "LR", description = "Base learning rate.")
    Double lr;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of every random choice; same seed, same numbers.")
    long seed = 42;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            description = "Folder for the plots (PNG) and numbers (CSV); default out/<example>.")
    Path out;

    private Backend resolved;
    private boolean usesEpochs = true, usesBatchSize = true, usesLr = true;

    /** For picocli only; examples use {@link #defaults}. */
    public CommonOptions() {}

    /**
     * Options with an example's defaults; pass null for an option the example does not use.
     *
     * @param epochs passes over the data, or steps
     */
    public static CommonOptions defaults(Integer epochs, Integer batchSize, Double lr) {
        CommonOptions o = new CommonOptions();
        o.epochs = epochs;
        o.batchSize = batchSize;
        o.lr = lr;
        o.usesEpochs = epochs != null;
        o.usesBatchSize = batchSize != null;
        o.usesLr = lr != null;
        return o;
    }

    /**
     * Fails with a parameter error naming the option when the user gave {@code --epochs},
     * {@code --batch-size} or {@code --lr} to an example that does not use it (default null).
     */
    public void rejectUnused(CommandLine cmd) {
        if (epochs != null && !usesEpochs) unused(cmd, "--epochs");
        if (batchSize != null && !usesBatchSize) unused(cmd, "--batch-size");
        if (lr != null && !usesLr) unused(cmd, "--lr");
    }

    private static void unused(CommandLine cmd, String option) {
        throw new CommandLine.ParameterException(
                cmd, cmd.getCommandName() + " has no " + option + " option (see --help for what it takes)");
    }

    /** The backend named by {@code --backend} (created once). */
    public Backend backend() {
        if (resolved == null) resolved = Backends.byName(backend);
        return resolved;
    }

    public String backendName() {
        return backend;
    }

    /** {@code --epochs}, checked ≥ 1. */
    public int epochs() {
        return positive("--epochs", epochs);
    }

    /** {@code --batch-size}, checked ≥ 1. */
    public int batchSize() {
        return positive("--batch-size", batchSize);
    }

    /** {@code --lr}, checked finite and > 0. */
    public double lr() {
        if (lr == null) throw new IllegalStateException("this example has no --lr default");
        if (!(lr > 0) || Double.isInfinite(lr))
            throw new IllegalArgumentException("--lr must be a finite number > 0, got " + lr);
        return lr;
    }

    /**
     * The optimizer steps of a run, {@code --epochs} × {@code batchesPerEpoch}, checked against what
     * the example needs: at least {@code min} (e.g. a warmup + cosine schedule needs 2) and at most
     * {@code max} (e.g. one plotted value per step must fit in an array). The message names the
     * options to change.
     *
     * @param batchesPerEpoch batches of {@code --batch-size} in one pass over {@code rows} training rows
     * @param need what needs the steps, for the message ("the warmup + cosine schedule")
     */
    public long steps(long batchesPerEpoch, int rows, long min, long max, String need) {
        long steps = Sizes.saturatedMultiply(batchesPerEpoch, epochs());
        String given = String.format(
                Locale.ROOT,
                "--epochs %d with --batch-size %d on %,d training rows gives %,d optimizer step%s",
                epochs(),
                batchSize(),
                rows,
                steps,
                steps == 1 ? "" : "s");
        if (steps < min)
            throw new IllegalArgumentException(
                    given + "; " + need + " needs at least " + min + ": raise --epochs or lower --batch-size");
        if (steps > max)
            throw new IllegalArgumentException(String.format(
                    Locale.ROOT, "%s; %s allows at most %,d: lower --epochs or raise --batch-size", given, need, max));
        return steps;
    }

    public long seed() {
        return seed;
    }

    /** The output folder ({@code --out}, default {@code out/<example>}), created if missing. */
    public Path out(String example) {
        Path dir = out != null ? out : Path.of("out", example);
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create output folder " + dir + ": " + e.getMessage(), e);
        }
    }

    private static int positive(String name, Integer value) {
        if (value == null) throw new IllegalStateException("this example has no " + name + " default");
        if (value < 1) throw new IllegalArgumentException(name + " must be >= 1, got " + value);
        return value;
    }
}
