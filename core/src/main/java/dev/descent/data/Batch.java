package dev.descent.data;

/**
 * A reusable minibatch buffer that {@link Batches#next} fills: features {@code x} (capacity×features)
 * and targets {@code y} (capacity×targetWidth), row-major. Only the first {@link #rows()} rows are
 * current; the rest hold older values. Owned by the caller, mutated only by {@link Batches#next}.
 */
public final class Batch {

    private final float[] x;
    private final float[] y;
    private final float[] sampleWeights;
    private final int features;
    private final int targetWidth;
    int rows;
    long epoch;
    int index;

    /** An empty buffer for up to {@code capacity} rows, without sample weights. */
    public Batch(int capacity, int features, int targetWidth) {
        this(capacity, features, targetWidth, false);
    }

    /** An empty buffer for up to {@code capacity} rows, with a per-row weight buffer if {@code sampleWeights}. */
    public Batch(int capacity, int features, int targetWidth, boolean sampleWeights) {
        if (capacity <= 0 || features <= 0 || targetWidth <= 0)
            throw new IllegalArgumentException("capacity, features and targetWidth must be > 0, got " + capacity + ", "
                    + features + ", " + targetWidth);
        this.x = new float[Math.multiplyExact(capacity, features)];
        this.y = new float[Math.multiplyExact(capacity, targetWidth)];
        this.sampleWeights = sampleWeights ? new float[capacity] : null;
        this.features = features;
        this.targetWidth = targetWidth;
    }

    /** The features buffer; rows {@code [0, rows())} are this batch's. */
    public float[] x() {
        return x;
    }

    /** The targets buffer (class indices for classification); rows {@code [0, rows())} are this batch's. */
    public float[] y() {
        return y;
    }

    /** The per-row weights (rows {@code [0, rows())} are this batch's), or null when the data set has none. */
    public float[] sampleWeights() {
        return sampleWeights;
    }

    /** The number of rows in this batch (the last batch of an epoch may be smaller than the others). */
    public int rows() {
        return rows;
    }

    /** The largest number of rows the buffers hold. */
    public int capacity() {
        return y.length / targetWidth;
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
