package dev.descent.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Loads LIBSVM/SVMlight files: one row per line, {@code <label> <index>:<value> ...}, separated by
 * blanks, with 1-based feature indices strictly increasing within a line; features not listed are
 * 0. Blank lines are ignored. The rows are stored dense, so the matrix rows × features must fit in
 * one float array and in the heap; without a given feature count, an index above 2²⁰ is an error
 * (most likely a typo that would blow a small file up to gigabytes).
 *
 * <p>Every method throws {@link DataFormatException} for an empty file, a token that is not {@code
 *     index:value}, an index that is not above the previous one or above a given feature count, a
 *     value that is not a finite decimal number, a label that does not fit the {@link Labels}, or a
 *     matrix too large to hold dense; the message names file and line
 */
public final class Libsvm {

    /** Without a given feature count, a larger index is taken for a typo rather than densified. */
    static final int MAX_INFERRED_FEATURES = 1 << 20;

    private static final Pattern BLANKS = Pattern.compile("[ \t]+");

    private Libsvm() {}

    /** The number of features is the largest index in the file, at most 2²⁰. */
    public static Dataset load(Path file, Labels labels) {
        return read(file, labels, 0);
    }

    /** Exactly {@code features} features; an index above that is an error. */
    public static Dataset load(Path file, Labels labels, int features) {
        if (features <= 0) throw new IllegalArgumentException("features must be > 0, got " + features);
        return read(file, labels, features);
    }

    private static String shape(long rows, int features) {
        return String.format(Locale.ROOT, "%,d rows × %,d features", rows, features);
    }

    private record Row(float label, int[] index, float[] value) {}

    private static Dataset read(Path file, Labels labels, int givenFeatures) {
        try (LineReader in = LineReader.open(file)) {
            List<Row> rows = new ArrayList<>();
            int features = givenFeatures;
            long widestLine = 0;
            long held = 0; // bytes of the sparse rows read so far
            for (String line; (line = in.next()) != null; ) {
                String[] tokens = BLANKS.split(line.strip());
                int n = tokens.length - 1;
                float label = labels.parse(in, tokens[0], "at the start of the line");
                int[] index = new int[n];
                float[] value = new float[n];
                for (int k = 0; k < n; k++) {
                    String t = tokens[k + 1];
                    int colon = t.indexOf(':');
                    if (colon < 0) throw in.error("index:value", DataFormatException.quote(t));
                    index[k] = in.positiveInt(t.substring(0, colon), "a feature index");
                    int previous = k == 0 ? 0 : index[k - 1];
                    if (index[k] <= previous)
                        throw in.error("a feature index above " + previous + " (indices increase)", "" + index[k]);
                    int limit = givenFeatures > 0 ? givenFeatures : MAX_INFERRED_FEATURES;
                    if (index[k] > limit)
                        throw in.error(
                                "a feature index in [1, " + limit + "]"
                                        + (givenFeatures > 0 ? "" : " (give the feature count for more)"),
                                "" + index[k]);
                    value[k] = in.number(t.substring(colon + 1), "a number after " + index[k] + ":");
                }
                if (givenFeatures == 0 && n > 0 && index[n - 1] > features) {
                    features = index[n - 1];
                    widestLine = in.line();
                }
                rows.add(new Row(label, index, value));
                held += 80 + 8L * n; // the record, its two arrays and its reference in the list
                // densified at the end: rows × the widest index so far
                if ((rows.size() & 255) == 0 || n > 1024)
                    in.checkHeld(held, (long) rows.size() * features, shape(rows.size(), features));
            }
            if (rows.isEmpty()) throw in.error("a data row", "an empty file");
            if (features == 0) throw in.error("at least one index:value in the file", "only labels");
            long cells = (long) rows.size() * features;
            String why = Sizes.arrayProblem(cells);
            if (why == null) why = Sizes.heapProblem(held + Sizes.saturatedMultiply(cells, 4L * Sizes.DATA_COPIES));
            if (why != null)
                throw DataFormatException.atLine(
                        file,
                        givenFeatures > 0 ? in.line() : widestLine,
                        "a dense rows × features matrix that fits in this JVM (" + Sizes.DATA_COPIES
                                + " copies: loaded, split, standardised)",
                        shape(rows.size(), features) + ", which " + why);
            float[] x = new float[(int) cells];
            float[] y = new float[rows.size()];
            for (int r = 0; r < y.length; r++) {
                Row row = rows.get(r);
                y[r] = row.label;
                for (int k = 0; k < row.index.length; k++) x[r * features + row.index[k] - 1] = row.value[k];
            }
            return labels.dataset(LineReader.nameOf(file), x, features, y);
        }
    }
}
