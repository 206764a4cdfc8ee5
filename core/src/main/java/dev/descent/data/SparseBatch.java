package dev.descent.data;

/**
 * A reusable CSR minibatch buffer that {@link SparseBatches#next} fills: row pointers {@code
 * rowStart[0..rows]}, column indices and values {@code [0, rowStart[rows])}, and targets {@code
 * y[rows×targetWidth]}. The non-zero capacity is sized once for the largest batch a data set can
 * give ({@link SparseBatches#newBatch}); it grows (doubling) only when a batch from elsewhere needs
 * more, never per step in steady state. Owned by the caller, mutated only by its filler.
 */
public final class SparseBatch {

    private final int[] rowStart;
    private int[] columns;
    private float[] values;
    private final float[] y;
    private final int features;
    private final int targetWidth;
    int rows;
    long epoch;
    int index;

    /** An empty buffer for up to {@code capacity} rows and {@code nonZeros} stored entries. */
    public SparseBatch(int capacity, int nonZeros, int features, int targetWidth) {
        if (capacity <= 0 || nonZeros < 0 || features <= 0 || targetWidth <= 0)
            throw new IllegalArgumentException("capacity, features and targetWidth must be > 0 and nonZeros >= 0, got "
                    + capacity + ", " + features + ", " + targetWidth + ", " + nonZeros);
        this.rowStart = new int[capacity + 1];
        this.columns = new int[nonZeros];
        this.values = new float[nonZeros];
        this.y = new float[Math.multiplyExact(capacity, targetWidth)];
        this.features = features;
        this.targetWidth = targetWidth;
    }

    /**
     * Makes this batch hold rows {@code [from, from + n)} of {@code data} in order of {@code rows}
     * (row i of the batch is row {@code rows[from + i]} of the data set). Overwrites everything; grows
     * the non-zero buffers (doubling) only when the rows need more.
     */
    public void fill(SparseDataset data, int[] order, int from, int n) {
        int nnz = 0;
        for (int i = 0; i < n; i++) nnz += data.rowLength(order[from + i]);
        ensureNonZeros(nnz);
        int[] cols = data.columns();
        float[] vals = data.values(), dy = data.y();
        int t = targetWidth, k = 0;
        for (int i = 0; i < n; i++) {
            int r = order[from + i], start = (int) data.rowStart(r), len = data.rowLength(r);
            System.arraycopy(cols, start, columns, k, len);
            System.arraycopy(vals, start, values, k, len);
            k += len;
            rowStart[i + 1] = k;
            if (t == 1) y[i] = dy[r];
            else System.arraycopy(dy, r * t, y, i * t, t);
        }
        rows = n;
    }

    /** Empties this batch before {@link #append} (rows 0; epoch and index are the caller's). */
    void clear() {
        rows = 0;
        rowStart[0] = 0;
    }

    /**
     * Appends one row: {@code n} entries of {@code cols} (0-based, increasing) and {@code vals}, and
     * its target ({@code targetWidth() == 1}). Allocates only when the non-zero buffers must grow.
     */
    void append(int[] cols, float[] vals, int n, float target) {
        int k = rowStart[rows];
        if (k + n > columns.length) {
            int[] c = columns;
            float[] v = values;
            ensureNonZeros(k + n);
            System.arraycopy(c, 0, columns, 0, k);
            System.arraycopy(v, 0, values, 0, k);
        }
        System.arraycopy(cols, 0, columns, k, n);
        System.arraycopy(vals, 0, values, k, n);
        y[rows] = target;
        rowStart[++rows] = k + n;
    }

    /** Grows the column and value buffers (doubling) to hold at least {@code nnz} entries. */
    private void ensureNonZeros(int nnz) {
        if (nnz <= columns.length) return;
        int n = (int) Math.min(Sizes.MAX_ARRAY, Math.max(nnz, 2L * columns.length));
        columns = new int[n];
        values = new float[n];
    }

    /** Row pointers: row r's entries are {@code [rowStart()[r], rowStart()[r+1])}; {@code rowStart()[0]} is 0. */
    public int[] rowStart() {
        return rowStart;
    }

    /** Column indices in {@code [0, features())}, increasing within each row. */
    public int[] columns() {
        return columns;
    }

    /** Values, parallel to {@link #columns()}. */
    public float[] values() {
        return values;
    }

    /** The targets buffer; rows {@code [0, rows())} are this batch's. */
    public float[] y() {
        return y;
    }

    /** The number of rows in this batch. */
    public int rows() {
        return rows;
    }

    /** Stored entries of this batch's rows. */
    public int nonZeros() {
        return rowStart[rows];
    }

    /** The largest number of rows the buffers hold. */
    public int capacity() {
        return rowStart.length - 1;
    }

    /** The entries the column and value buffers hold before they grow. */
    public int nonZeroCapacity() {
        return columns.length;
    }

    public int features() {
        return features;
    }

    public int targetWidth() {
        return targetWidth;
    }

    /** The epoch this batch belongs to. */
    public long epoch() {
        return epoch;
    }

    /** The 0-based number of this batch within its epoch. */
    public int index() {
        return index;
    }
}
