package dev.descent.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Loads comma-separated files: a header row of column names, then one row per example, every field
 * a decimal number. One column holds the label (by default the last); all others are features.
 * Fields are not quoted; blanks around a field and blank lines are ignored.
 *
 * <pre>
 * Dataset cancer = Csv.load(Path.of("breast_cancer.csv"));                      // last column, classes
 * Dataset houses = Csv.load(Path.of("houses.csv"), "price", Labels.regression()); // by name
 * </pre>
 *
 * <p>Every method throws {@link DataFormatException} for an empty file, an unknown label column, a row
 *     whose field count differs from the header's, a field that is not a finite decimal number, or
 *     a label that does not fit the {@link Labels}; the message names file, line and column
 */
public final class Csv {

    private static final int LAST = -1;

    private Csv() {}

    /** The last column holds integer class labels; the number of classes is the largest + 1. */
    public static Dataset load(Path file) {
        return load(file, Labels.classification());
    }

    /** The last column holds the labels. */
    public static Dataset load(Path file, Labels labels) {
        return read(file, null, LAST, labels);
    }

    /** The column with this header name holds the labels (the name must occur once). */
    public static Dataset load(Path file, String labelColumn, Labels labels) {
        return read(file, labelColumn, LAST, labels);
    }

    /** The column with this 0-based index holds the labels. */
    public static Dataset load(Path file, int labelColumn, Labels labels) {
        if (labelColumn < 0) throw new IllegalArgumentException("label column must be >= 0, got " + labelColumn);
        return read(file, null, labelColumn, labels);
    }

    private static Dataset read(Path file, String labelName, int labelIndex, Labels labels) {
        try (LineReader in = LineReader.open(file)) {
            String headerLine = in.next();
            if (headerLine == null) throw in.error("a header row", "an empty file");
            String[] header = fields(headerLine);
            int columns = header.length;
            if (columns < 2) throw in.error("a header of at least 2 columns (features and a label)", "1 column");
            int label = labelName != null ? find(in, header, labelName) : labelIndex == LAST ? columns - 1 : labelIndex;
            if (label >= columns)
                throw in.error("a label column index below " + columns + ", the header's column count", "" + label);

            String[] what = new String[columns]; // for messages, built once
            for (int c = 0; c < columns; c++)
                what[c] = (c == label ? "" : "a number ") + "in column " + (c + 1) + " (" + header[c] + ")";
            List<float[]> rows = new ArrayList<>(); // features, then the label
            long rowBytes = 24 + 4L * columns; // a float[columns] and its reference in the list
            for (String line; (line = in.next()) != null; ) {
                if ((rows.size() & 1023) == 0) // checked every 1,024 rows: a row is small
                in.checkHeld(
                            (rows.size() + 1024L) * rowBytes,
                            (rows.size() + 1024L) * (columns - 1),
                            String.format(Locale.ROOT, "%,d rows × %d features", rows.size() + 1024L, columns - 1));
                String[] f = fields(line);
                if (f.length != columns) throw in.error(columns + " fields as in the header", f.length + " fields");
                float[] row = new float[columns];
                for (int c = 0, j = 0; c < columns; c++)
                    if (c == label) row[columns - 1] = labels.parse(in, f[c], what[c]);
                    else row[j++] = in.number(f[c], what[c]);
                rows.add(row);
            }
            if (rows.isEmpty()) throw in.error("a data row after the header", "the end of the file");

            int features = columns - 1;
            in.checkHeld(
                    rows.size() * rowBytes,
                    (long) rows.size() * features,
                    String.format(Locale.ROOT, "%,d rows × %d features", rows.size(), features));
            float[] x = new float[rows.size() * features];
            float[] y = new float[rows.size()];
            for (int r = 0; r < y.length; r++) {
                System.arraycopy(rows.get(r), 0, x, r * features, features);
                y[r] = rows.get(r)[features];
            }
            return labels.dataset(LineReader.nameOf(file), x, features, y);
        }
    }

    private static String[] fields(String line) {
        String[] f = line.split(",", -1);
        for (int i = 0; i < f.length; i++) f[i] = f[i].strip();
        return f;
    }

    private static int find(LineReader in, String[] header, String name) {
        int found = -1;
        for (int c = 0; c < header.length; c++) {
            if (!header[c].equals(name)) continue;
            if (found >= 0)
                throw in.error(
                        "one label column named " + DataFormatException.quote(name),
                        "columns " + (found + 1) + " and " + (c + 1));
            found = c;
        }
        if (found < 0)
            throw in.error(
                    "a label column named " + DataFormatException.quote(name),
                    "only " + DataFormatException.quote(String.join(",", header)));
        return found;
    }
}
