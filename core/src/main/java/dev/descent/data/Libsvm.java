package dev.descent.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Loads LIBSVM/SVMlight files: one row per line, {@code <label> <index>:<value> ...}, separated by
 * blanks, with 1-based feature indices strictly increasing within a line; features not listed are
 * 0. Blank lines are ignored. {@link #loadSparse} and {@link #loadHashed} keep the rows sparse
 * ({@link SparseDataset}, no width cap); {@link #load} stores them dense, so the matrix rows × features must fit in
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

    /**
     * Keeps the rows sparse ({@link SparseDataset}): no cap on the width, indices up to 2³¹−1; the
     * number of features is the largest index in the file, or {@code features} when it is {@code > 0}
     * (then a larger index is an error).
     */
    public static SparseDataset loadSparse(Path file, Labels labels, int features) {
        if (features < 0)
            throw new IllegalArgumentException("features must be >= 0 (0: the largest index), got " + features);
        Parsed p = parse(file, labels, features, Integer.MAX_VALUE, false);
        long[] start = new long[p.rows.size() + 1];
        long nnz = 0;
        for (int r = 0; r < p.rows.size(); r++) start[r + 1] = nnz += p.rows.get(r).index.length;
        if (!Sizes.fitsArray(nnz))
            throw DataFormatException.atLine(
                    file,
                    p.lastLine,
                    "at most " + Sizes.MAX_ARRAY + " stored values",
                    String.format(Locale.ROOT, "%,d", nnz));
        int[] cols = new int[(int) nnz];
        float[] vals = new float[(int) nnz];
        float[] y = new float[p.rows.size()];
        int k = 0;
        for (int r = 0; r < y.length; r++) {
            Row row = p.rows.get(r);
            y[r] = row.label;
            for (int j = 0; j < row.index.length; j++) {
                cols[k] = row.index[j] - 1;
                vals[k++] = row.value[j];
            }
        }
        return labels.sparseDataset(LineReader.nameOf(file), start, cols, vals, p.features, y);
    }

    /**
     * Keeps the rows sparse and hashes every index (any in [1, 2³¹−1]) into {@code dimension} columns
     * with {@link dev.descent.text.MurmurHash3} (unsigned, seed 0, over the index's 4 little-endian
     * bytes); values that land in one column are added.
     */
    public static SparseDataset loadHashed(Path file, Labels labels, int dimension) {
        if (dimension <= 0) throw new IllegalArgumentException("dimension must be > 0, got " + dimension);
        Parsed p = parse(file, labels, 0, Integer.MAX_VALUE, false);
        long[] start = new long[p.rows.size() + 1];
        float[] y = new float[p.rows.size()];
        long total = 0;
        for (Row row : p.rows) total += row.index.length;
        int[] cols = new int[Math.toIntExact(total)];
        float[] vals = new float[cols.length];
        int k = 0;
        long[] keyed = new long[0];
        for (int r = 0; r < y.length; r++) {
            Row row = p.rows.get(r);
            y[r] = row.label;
            int n = row.index.length;
            if (keyed.length < n) keyed = new long[n];
            for (int j = 0; j < n; j++) {
                int h = (int)
                        (Integer.toUnsignedLong(dev.descent.text.MurmurHash3.hashInt(row.index[j], 0)) % dimension);
                keyed[j] = ((long) h << 32) | j; // sort by column, then by position in the line
            }
            java.util.Arrays.sort(keyed, 0, n);
            for (int j = 0; j < n; j++) {
                int col = (int) (keyed[j] >>> 32);
                float v = row.value[(int) keyed[j]];
                if (k > start[r] && cols[k - 1] == col) vals[k - 1] += v;
                else {
                    cols[k] = col;
                    vals[k++] = v;
                }
            }
            start[r + 1] = k;
        }
        return labels.sparseDataset(
                LineReader.nameOf(file),
                start,
                java.util.Arrays.copyOf(cols, k),
                java.util.Arrays.copyOf(vals, k),
                dimension,
                y);
    }

    /**
     * The one home of parsing a LIBSVM line: label, 1-based indices and values into reusable buffers
     * (they grow, never shrink), checked as the class Javadoc says; an index above {@code max} is an
     * error ({@code hint} is added to its message). Not thread-safe.
     */
    static final class RowParser {
        float label;
        /** Entries of the last line parsed: {@code index[0..n)}, {@code value[0..n)}. */
        int n;

        int[] index = new int[16];
        float[] value = new float[16];

        /** Parses {@code line} (read by {@code in}, which names file and line in errors). */
        void parse(LineReader in, String line, Labels labels, int max, String hint) {
            String s = line.strip();
            int len = s.length(), at = 0, count = 0;
            n = 0;
            while (at < len) {
                int end = at;
                while (end < len && s.charAt(end) != ' ' && s.charAt(end) != '\t') end++;
                if (count++ == 0) label = labels.parse(in, s.substring(at, end), "at the start of the line");
                else {
                    int colon = s.indexOf(':', at);
                    if (colon < 0 || colon >= end)
                        throw in.error("index:value", DataFormatException.quote(s.substring(at, end)));
                    int i = parseIndex(s, at, colon); // no substring unless it is malformed
                    if (i < 0) i = in.positiveInt(s.substring(at, colon), "a feature index"); // throws
                    int previous = n == 0 ? 0 : index[n - 1];
                    if (i <= previous)
                        throw in.error("a feature index above " + previous + " (indices increase)", "" + i);
                    if (i > max) throw in.error("a feature index in [1, " + max + "]" + hint, "" + i);
                    if (n == index.length) {
                        index = java.util.Arrays.copyOf(index, 2 * n);
                        value = java.util.Arrays.copyOf(value, 2 * n);
                    }
                    index[n] = i;
                    value[n++] = in.number(s.substring(colon + 1, end), "a number after " + i + ":");
                }
                at = end;
                while (at < len && (s.charAt(at) == ' ' || s.charAt(at) == '\t')) at++;
            }
        }
    }

    /**
     * The integer in {@code s[from, to)} as {@link LineReader#positiveInt} reads it (1 to 10 plain
     * digits, in [1, 2³¹−1]), or -1 when that would refuse it.
     */
    private static int parseIndex(String s, int from, int to) {
        if (to == from || to - from > 10) return -1;
        long v = 0;
        for (int k = from; k < to; k++) {
            char c = s.charAt(k);
            if (c < '0' || c > '9') return -1;
            v = v * 10 + (c - '0');
        }
        return v < 1 || v > Integer.MAX_VALUE ? -1 : (int) v;
    }

    private record Row(float label, int[] index, float[] value) {}

    /** The rows of a file, its width (the given one, or the largest index) and where the widest index was. */
    private record Parsed(List<Row> rows, int features, long widestLine, long lastLine) {}

    /**
     * The one home of LIBSVM parsing: every row's label, indices and values, checked as the class
     * Javadoc says; an index above {@code givenFeatures} (if {@code > 0}) or else above {@code limit}
     * is an error. With {@code dense}, checks while reading that rows × width floats still fit.
     */
    private static Parsed parse(Path file, Labels labels, int givenFeatures, int limit, boolean dense) {
        try (LineReader in = LineReader.open(file)) {
            List<Row> rows = new ArrayList<>();
            int features = givenFeatures;
            long widestLine = 0;
            long held = 0; // bytes of the sparse rows read so far
            int max = givenFeatures > 0 ? givenFeatures : limit;
            RowParser parser = new RowParser();
            String hint = givenFeatures > 0 || !dense ? "" : " (give the feature count for more)";
            for (String line; (line = in.next()) != null; ) {
                parser.parse(in, line, labels, max, hint);
                int n = parser.n;
                float label = parser.label;
                int[] index = java.util.Arrays.copyOf(parser.index, n);
                float[] value = java.util.Arrays.copyOf(parser.value, n);
                if (givenFeatures == 0 && n > 0 && index[n - 1] > features) {
                    features = index[n - 1];
                    widestLine = in.line();
                }
                rows.add(new Row(label, index, value));
                held += 80 + 8L * n; // the record, its two arrays and its reference in the list
                // densified at the end: rows × the widest index so far
                if ((rows.size() & 255) == 0 || n > 1024)
                    in.checkHeld(held, dense ? (long) rows.size() * features : 0, shape(rows.size(), features));
            }
            if (rows.isEmpty()) throw in.error("a data row", "an empty file");
            if (features == 0) throw in.error("at least one index:value in the file", "only labels");
            return new Parsed(rows, features, widestLine, in.line());
        }
    }

    private static Dataset read(Path file, Labels labels, int givenFeatures) {
        Parsed p = parse(file, labels, givenFeatures, MAX_INFERRED_FEATURES, true);
        List<Row> rows = p.rows;
        int features = p.features;
        long held = 0;
        for (Row r : rows) held += 80 + 8L * r.index.length;
        long cells = (long) rows.size() * features;
        String why = Sizes.arrayProblem(cells);
        if (why == null) why = Sizes.heapProblem(held + Sizes.saturatedMultiply(cells, 4L * Sizes.DATA_COPIES));
        if (why != null)
            throw DataFormatException.atLine(
                    file,
                    givenFeatures > 0 ? p.lastLine : p.widestLine,
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
