package dev.descent.examples;

import dev.descent.backend.Backend;
import dev.descent.backend.Backends;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The options every example shares, as a picocli mixin: {@code --backend}, {@code --epochs},
 * {@code --batch-size}, {@code --lr}, {@code --seed} and {@code --out}. An example creates its
 * instance with its own defaults ({@code @Mixin CommonOptions common = CommonOptions.defaults(...)});
 * picocli shows those in {@code --help} and leaves out the options an example does not use
 * (default null), which are then accepted and ignored.
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
        return o;
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
