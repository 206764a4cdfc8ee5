package dev.descent.data;

/**
 * An in-memory data set whose features are sparse: CSR over all rows (row pointers, column indices,
 * values), with {@code rows×targetWidth} float targets as in {@link Dataset}. Column indices are
 * 0-based ints in {@code [0, features)}, strictly increasing within a row, so a data set may be as
 * wide as {@code 2³¹−1} features; only the non-zeros are held.
 *
 * <p>Immutable by convention: the arrays are owned by the data set and never written after
 * construction. Minibatches come from {@link SparseBatches}, in the same row order {@link Batches}
 * gives a dense data set of as many rows for the same seed.
 */
public final class SparseDataset {

    private final String name;
    private final long[] rowStart;
    private final int[] columns;
    private final float[] values;
    private final float[] y;
    private final int rows;
    private final int features;
    private final int targetWidth;
    private final int classes;

    /**
     * @param rowStart {@code rows + 1} offsets into columns/values: row r holds entries {@code
     *     [rowStart[r], rowStart[r+1])}
     * @param classes number of classes, or 0 for real-valued targets
     * @throws IllegalArgumentException if the data set is empty, the arrays do not match, a row's
     *     columns are not increasing within {@code [0, features)}, a value is not finite, or a class
     *     index is out of range (the message names the data set and the row)
     */
    public SparseDataset(
            String name,
            long[] rowStart,
            int[] columns,
            float[] values,
            float[] y,
            int features,
            int targetWidth,
            int classes) {
        this.name = name;
        int rows = rowStart.length - 1;
        if (rows <= 0) throw new IllegalArgumentException(name + ": empty data set (0 rows)");
        if (features <= 0) throw new IllegalArgumentException(name + ": features must be > 0, got " + features);
        if (targetWidth <= 0) throw new IllegalArgumentException(name + ": no target columns");
        if (classes < 0) throw new IllegalArgumentException(name + ": classes must be >= 0, got " + classes);
        if (classes > 0 && targetWidth != 1)
            throw new IllegalArgumentException(
                    name + ": a classification data set has one target column, got " + targetWidth);
        if (columns.length != values.length)
            throw new IllegalArgumentException(
                    name + ": " + columns.length + " column indices but " + values.length + " values");
        if (rowStart[0] != 0 || rowStart[rows] != columns.length)
            throw new IllegalArgumentException(name + ": row pointers must run from 0 to " + columns.length + ", got "
                    + rowStart[0] + " to " + rowStart[rows]);
        if (y.length != (long) rows * targetWidth)
            throw new IllegalArgumentException(
                    name + ": " + y.length + " target values for " + rows + " rows × " + targetWidth + " targets");
        for (int r = 0; r < rows; r++) {
            long from = rowStart[r], to = rowStart[r + 1];
            if (to < from) throw new IllegalArgumentException(name + ": row pointers decrease at row " + r);
            int previous = -1;
            for (long k = from; k < to; k++) {
                int c = columns[(int) k];
                if (c <= previous || c >= features)
                    throw new IllegalArgumentException(name + ": row " + r + " has column " + c + " after " + previous
                            + " (columns increase within a row, in [0, " + features + "))");
                if (!Float.isFinite(values[(int) k]))
                    throw new IllegalArgumentException(name + ": feature " + c + " of row " + r + " is "
                            + values[(int) k] + " (NaN and infinity are not allowed)");
                previous = c;
            }
        }
        for (int i = 0; i < y.length; i++) {
            float v = y[i];
            if (!Float.isFinite(v))
                throw new IllegalArgumentException(name + ": target of row " + (i / targetWidth) + " is " + v
                        + " (NaN and infinity are not allowed)");
            if (classes > 0 && (v != Math.rint(v) || v < 0 || v >= classes))
                throw new IllegalArgumentException(
                        name + ": label of row " + i + " is " + v + ", expected a class in [0, " + classes + ")");
        }
        this.rowStart = rowStart;
        this.columns = columns;
        this.values = values;
        this.y = y;
        this.rows = rows;
        this.features = features;
        this.targetWidth = targetWidth;
        this.classes = classes;
    }

    /** The sparse form of a dense data set: its non-zero features only (for tests and comparisons). */
    public static SparseDataset of(Dataset dense) {
        int n = dense.rows(), f = dense.features();
        float[] x = dense.x();
        long nnz = 0;
        for (float v : x) if (v != 0) nnz++;
        long[] start = new long[n + 1];
        int[] cols = new int[Math.toIntExact(nnz)];
        float[] vals = new float[cols.length];
        int k = 0;
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < f; c++) {
                float v = x[r * f + c];
                if (v == 0) continue;
                cols[k] = c;
                vals[k++] = v;
            }
            start[r + 1] = k;
        }
        return new SparseDataset(dense.name(), start, cols, vals, dense.y(), f, dense.targetWidth(), dense.classes());
    }

    /** The dense form, {@code rows×features} (only for data sets small enough to hold dense). */
    public Dataset densify() {
        String why = Sizes.arrayProblem((long) rows * features);
        if (why != null)
            throw new IllegalArgumentException(
                    name + ": cannot densify " + rows + " rows × " + features + " features: " + why);
        float[] x = new float[rows * features];
        for (int r = 0; r < rows; r++)
            for (long k = rowStart[r]; k < rowStart[r + 1]; k++) x[r * features + columns[(int) k]] = values[(int) k];
        return new Dataset(name, x, y, rows, features, targetWidth, classes);
    }

    /** A new data set holding the given rows, in that order. */
    public SparseDataset select(int[] rowIndices, String newName) {
        long nnz = 0;
        for (int r : rowIndices) nnz += rowStart[r + 1] - rowStart[r];
        long[] start = new long[rowIndices.length + 1];
        int[] cols = new int[Math.toIntExact(nnz)];
        float[] vals = new float[cols.length];
        float[] ny = new float[rowIndices.length * targetWidth];
        int k = 0;
        for (int i = 0; i < rowIndices.length; i++) {
            int r = rowIndices[i], from = (int) rowStart[r], n = (int) (rowStart[r + 1] - from);
            System.arraycopy(columns, from, cols, k, n);
            System.arraycopy(values, from, vals, k, n);
            System.arraycopy(y, r * targetWidth, ny, i * targetWidth, targetWidth);
            k += n;
            start[i + 1] = k;
        }
        return new SparseDataset(newName, start, cols, vals, ny, features, targetWidth, classes);
    }

    public String name() {
        return name;
    }

    public int rows() {
        return rows;
    }

    /** The width: every column index is below it. */
    public int features() {
        return features;
    }

    public int targetWidth() {
        return targetWidth;
    }

    /** Number of classes, or 0 for regression. */
    public int classes() {
        return classes;
    }

    /** Where row r's entries start in {@link #columns()} and {@link #values()}; {@code rowStart(rows)} is nnz. */
    public long rowStart(int r) {
        return rowStart[r];
    }

    /** Non-zeros of row r. */
    public int rowLength(int r) {
        return (int) (rowStart[r + 1] - rowStart[r]);
    }

    /** Stored entries over all rows. */
    public long nonZeros() {
        return rowStart[rows];
    }

    /** Column indices, row after row. Do not modify. */
    public int[] columns() {
        return columns;
    }

    /** Values, parallel to {@link #columns()}. Do not modify. */
    public float[] values() {
        return values;
    }

    /** The targets, {@code rows×targetWidth} row-major (class indices for classification). Do not modify. */
    public float[] y() {
        return y;
    }

    @Override
    public String toString() {
        return String.format(
                java.util.Locale.ROOT,
                "%s (%,d rows × %,d features, %,d non-zeros, %s)",
                name,
                rows,
                features,
                nonZeros(),
                classes > 0 ? classes + " classes" : targetWidth + " targets");
    }
}
