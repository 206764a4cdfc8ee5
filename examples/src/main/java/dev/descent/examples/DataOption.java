package dev.descent.examples;

import dev.descent.data.Csv;
import dev.descent.data.Dataset;
import dev.descent.data.Idx;
import dev.descent.data.Labels;
import dev.descent.data.Libsvm;
import dev.descent.data.Split;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Supplier;
import picocli.CommandLine.Option;

/**
 * {@code --data PATH [--format csv|libsvm|idx] [--label-column C] [--labels PATH]}: your own data
 * instead of an example's embedded data set, as a picocli mixin.
 *
 * <ul>
 *   <li>CSV: header row, then numbers; the label is the last column or {@code --label-column}
 *       (a header name or a 0-based index).
 *   <li>LIBSVM: {@code label index:value ...}.
 *   <li>IDX: a folder in the MNIST layout (train/test images and labels), or an images file whose
 *       labels file is {@code --labels} or found beside it (images → labels, idx3 → idx1).
 * </ul>
 *
 * The format comes from the name ({@code .csv}, {@code .libsvm}/{@code .svm}, {@code .idx*}/{@code
 * -ubyte}, or a folder: IDX), a trailing {@code .gz} looked through (every loader reads gzip). A
 * single file is split into training and test rows by the benchmark rule: row i is a test row iff
 * {@code i % 5 == 4}.
 */
public final class DataOption {

    @Option(
            names = "--data",
            paramLabel = "PATH",
            description = "Your own data: a CSV, LIBSVM or IDX file (or an MNIST-layout folder); may be .gz."
                    + " Default: the example's embedded data set.")
    Path data;

    @Option(names = "--format", paramLabel = "FMT", description = "csv, libsvm or idx (default: from the file name).")
    String format;

    @Option(
            names = "--label-column",
            paramLabel = "C",
            description = "CSV: the label column, by header name or 0-based index (default: the last).")
    String labelColumn;

    @Option(
            names = "--labels",
            paramLabel = "PATH",
            description = "IDX: the labels file for the --data images file (default: found beside it).")
    Path labels;

    /** True if the user named data. */
    public boolean given() {
        return data != null;
    }

    /** A description for summaries: the path, or the embedded set's name. */
    public String describe(String embeddedName) {
        return data != null ? data.toString() : embeddedName + " (embedded)";
    }

    /**
     * The user's data split into training and test rows, or the embedded default. Labels: class
     * indices for {@code labels.isClassification()}, else real targets (CSV and LIBSVM; IDX labels
     * are always classes).
     */
    public Split load(Supplier<Split> embedded, Labels kind) {
        if (data == null) return embedded.get();
        String fmt = format != null ? format.toLowerCase(Locale.ROOT) : guessFormat(data);
        if (!fmt.equals("csv") && !fmt.equals("libsvm") && !fmt.equals("idx"))
            throw new IllegalArgumentException("--format must be csv, libsvm or idx, got '" + format + "'");
        if (labelColumn != null && !fmt.equals("csv"))
            throw new IllegalArgumentException("--label-column applies to CSV files only; " + data + " is read as "
                    + fmt.toUpperCase(Locale.ROOT) + (fmt.equals("libsvm") ? " (the label starts each line)" : ""));
        if (labels != null && !fmt.equals("idx"))
            throw new IllegalArgumentException("--labels applies to an IDX images file only; " + data + " is read as "
                    + fmt.toUpperCase(Locale.ROOT) + " (use --label-column for a CSV)");
        if (labels != null && Files.isDirectory(data))
            throw new IllegalArgumentException("--labels applies to an IDX images file only; " + data
                    + " is an MNIST-layout folder, whose labels files are found by name");
        switch (fmt) {
            case "idx":
                if (Files.isDirectory(data)) return Idx.mnist(data);
                return Split.benchmark(Idx.load(data, labels != null ? labels : labelsBeside(data)));
            case "csv":
                return Split.benchmark(loadCsv(kind));
            case "libsvm":
                return Split.benchmark(Libsvm.load(data, kind));
            default:
                throw new IllegalArgumentException("--format must be csv, libsvm or idx, got '" + format + "'");
        }
    }

    private Dataset loadCsv(Labels kind) {
        if (labelColumn == null) return Csv.load(data, kind);
        if (labelColumn.chars().allMatch(Character::isDigit) && !labelColumn.isEmpty())
            return Csv.load(data, Integer.parseInt(labelColumn), kind);
        return Csv.load(data, labelColumn, kind);
    }

    /** csv, libsvm or idx from the path's name; a folder is IDX (MNIST layout). */
    static String guessFormat(Path path) {
        if (Files.isDirectory(path)) return "idx";
        if (Files.exists(path) && !Files.isRegularFile(path))
            throw new IllegalArgumentException("cannot tell the format of " + path
                    + " from its name (a pipe or device): add --format csv|libsvm|idx");
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".gz")) name = name.substring(0, name.length() - 3);
        if (name.endsWith(".csv")) return "csv";
        if (name.endsWith(".libsvm") || name.endsWith(".svm") || name.endsWith(".svmlight")) return "libsvm";
        if (name.matches(".*\\.idx\\d?(-ubyte)?") || name.endsWith("-ubyte") || name.endsWith(".idx")) return "idx";
        throw new IllegalArgumentException("cannot tell the format of " + path
                + " from its name (.csv, .libsvm, .svm, .idx*, *-ubyte, optionally .gz): add --format csv|libsvm|idx");
    }

    /** The labels file beside an images file: "images" → "labels", "idx3" → "idx1". */
    static Path labelsBeside(Path images) {
        String name = images.getFileName().toString();
        String guess = name.replace("images", "labels").replace("idx3", "idx1");
        Path p = images.resolveSibling(guess);
        if (guess.equals(name) || !Files.exists(p))
            throw new IllegalArgumentException(
                    "no labels file found beside " + images + " (looked for " + p + "): add --labels PATH");
        return p;
    }
}
