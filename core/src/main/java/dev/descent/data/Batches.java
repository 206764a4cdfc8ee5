package dev.descent.data;

import dev.descent.backend.Backend;
import java.util.SplittableRandom;

/**
 * Minibatch iteration over a {@link Dataset}, epoch by epoch, without allocating per batch.
 *
 * <p>Each epoch visits the rows in an order that depends only on (seed, epoch) and the {@link
 * Sampling}, so training can resume at any epoch and reproduce the same batches. The order is cut
 * into batches of {@link #batchSize()} rows; the last one may be smaller unless {@code dropLast}.
 * Batch size = rows gives full-batch gradient descent, 1 gives pure SGD; a batch size above the
 * number of rows is clamped to it (one full batch per epoch).
 *
 * <pre>
 * Batches batches = new Batches(train, 64, seed);
 * Batch b = batches.newBatch();
 * for (long epoch = 0; epoch &lt; epochs; epoch++) {
 *     batches.startEpoch(epoch);
 *     while (batches.next(b, backend)) step(b.x(), b.y(), b.rows());
 * }
 * </pre>
 *
 * <p>Not thread-safe: one training loop owns one instance.
 */
public final class Batches {

    /** How an epoch's row order is drawn. */
    public enum Sampling {
        /** Rows in data set order, the same every epoch. */
        SEQUENTIAL,
        /** A random permutation per epoch: every row exactly once. */
        SHUFFLE,
        /** As many rows as the data set has, each drawn uniformly with replacement. */
        WITH_REPLACEMENT
    }

    private final Dataset data;
    private final int batchSize;
    private final long seed;
    private final Sampling sampling;
    private final int batchesPerEpoch;
    private final int[] order;
    private long epoch;
    private int nextBatch;

    /** Shuffles every epoch and keeps the last, smaller batch. */
    public Batches(Dataset data, int batchSize, long seed) {
        this(data, batchSize, seed, Sampling.SHUFFLE, false);
    }

    /**
     * @param batchSize rows per batch, {@code > 0}; clamped to {@code data.rows()}
     * @param dropLast skip an epoch's last batch when it is smaller than {@code batchSize}
     * @throws IllegalArgumentException if {@code batchSize <= 0} (the message names the value)
     */
    public Batches(Dataset data, int batchSize, long seed, Sampling sampling, boolean dropLast) {
        this(data, data.rows(), batchSize, seed, sampling, dropLast);
    }

    /**
     * The row orders and batch boundaries of a data set of {@code rows} rows that this process does
     * not hold (distributed training: each worker holds some rows and asks which positions of the
     * epoch's order they take). {@link #order}, {@link #batchSize} and {@link #batchesPerEpoch} equal
     * those of {@code new Batches(data, batchSize, seed, sampling, dropLast)} for any data set of that
     * many rows; {@link #next} and {@link #newBatch} throw.
     */
    public static Batches orderOnly(int rows, int batchSize, long seed, Sampling sampling, boolean dropLast) {
        if (rows <= 0) throw new IllegalArgumentException("rows must be > 0, got " + rows);
        return new Batches(null, rows, batchSize, seed, sampling, dropLast);
    }

    private Batches(Dataset data, int n, int batchSize, long seed, Sampling sampling, boolean dropLast) {
        if (batchSize <= 0) throw new IllegalArgumentException("batch size must be > 0, got " + batchSize);
        this.data = data;
        this.batchSize = Math.min(batchSize, n);
        this.seed = seed;
        this.sampling = sampling;
        this.batchesPerEpoch = dropLast ? n / this.batchSize : (n + this.batchSize - 1) / this.batchSize;
        this.order = new int[n];
        startEpoch(0);
    }

    /** Rows per full batch: the requested batch size, clamped to the number of rows. */
    public int batchSize() {
        return batchSize;
    }

    public int batchesPerEpoch() {
        return batchesPerEpoch;
    }

    /** The epoch that {@link #next} is in; a new instance is at the start of epoch 0. */
    public long epoch() {
        return epoch;
    }

    /** A buffer that fits this iteration's batches. */
    public Batch newBatch() {
        requireData();
        return new Batch(batchSize, data.features(), data.targetWidth(), data.sampleWeights() != null);
    }

    /** Starts (or restarts) {@code epoch}: overwrites the internal row order and rewinds to its first batch. */
    public void startEpoch(long epoch) {
        fillOrder(order, epoch);
        this.epoch = epoch;
        this.nextBatch = 0;
    }

    /**
     * Copies the epoch's next batch into {@code batch} on the calling thread: {@link #next(Batch,
     * Backend)} without a backend.
     */
    public boolean next(Batch batch) {
        return next(batch, null);
    }

    /**
     * Copies the epoch's next batch into {@code batch}: overwrites its first {@code rows} rows of
     * {@code x} and {@code y} (and of its sample weights, when the data set has them), its rows,
     * epoch and index. Allocates nothing. The features' rows are gathered by {@code
     * backend.gatherRows} when a backend is given (the SIMD backend splits them over its threads),
     * else on the calling thread; the batch is the same.
     *
     * @param backend the training's backend, or null
     * @return false, leaving {@code batch} untouched, when the epoch has no batch left
     * @throws IllegalArgumentException if {@code batch} is too small or has other widths
     */
    public boolean next(Batch batch, Backend backend) {
        requireData();
        int f = data.features(), t = data.targetWidth();
        if (batch.capacity() < batchSize || batch.features() != f || batch.targetWidth() != t)
            throw new IllegalArgumentException("a batch for " + batchSize + " rows × " + f + " features × " + t
                    + " targets is needed, got " + batch.capacity() + " × " + batch.features() + " × "
                    + batch.targetWidth() + " (use newBatch())");
        float[] w = data.sampleWeights(), bw = batch.sampleWeights();
        if (w != null && bw == null)
            throw new IllegalArgumentException("data set '" + data.name() + "' has sample weights but the batch has"
                    + " no weight buffer (use newBatch())");
        if (nextBatch == batchesPerEpoch) return false;
        int start = nextBatch * batchSize, rows = Math.min(batchSize, order.length - start);
        float[] x = data.x(), y = data.y(), bx = batch.x(), by = batch.y();
        if (backend != null) backend.gatherRows(x, f, order, start, rows, bx, 0);
        else for (int i = 0; i < rows; i++) System.arraycopy(x, order[start + i] * f, bx, i * f, f);
        for (int i = 0; i < rows; i++) {
            int r = order[start + i];
            if (t == 1) by[i] = y[r];
            else System.arraycopy(y, r * t, by, i * t, t);
            if (w != null) bw[i] = w[r];
        }
        batch.rows = rows;
        batch.epoch = epoch;
        batch.index = nextBatch++;
        return true;
    }

    private void requireData() {
        if (data == null)
            throw new IllegalStateException("these batches were made by orderOnly: they give row orders, not rows");
    }

    /** The row order of {@code epoch} (a new array; does not change the current epoch). */
    public int[] order(long epoch) {
        int[] out = new int[order.length];
        fillOrder(out, epoch);
        return out;
    }

    private void fillOrder(int[] out, long epoch) {
        fillOrder(out, sampling, seed, epoch);
    }

    /**
     * Overwrites {@code out} with the row order of {@code epoch} for {@code out.length} rows: the one
     * home of the (seed, epoch) → order rule, shared with {@link SparseBatches}.
     */
    static void fillOrder(int[] out, Sampling sampling, long seed, long epoch) {
        switch (sampling) {
            case SEQUENTIAL -> {
                for (int i = 0; i < out.length; i++) out[i] = i;
            }
            case SHUFFLE -> shuffle(out, random(seed, epoch));
            case WITH_REPLACEMENT -> {
                SplittableRandom random = random(seed, epoch);
                for (int i = 0; i < out.length; i++) out[i] = random.nextInt(out.length);
            }
        }
    }

    /** The random source of (seed, epoch): the one home of that rule, shared with {@link StreamBatches}. */
    static SplittableRandom random(long seed, long epoch) {
        return new SplittableRandom(mix(seed ^ mix(epoch + 0x9E3779B97F4A7C15L)));
    }

    /** Fills {@code out} with a uniformly random permutation of {@code 0..n-1} (Fisher–Yates). */
    static void shuffle(int[] out, SplittableRandom random) {
        for (int i = 0; i < out.length; i++) out[i] = i;
        for (int i = out.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1), swap = out[i];
            out[i] = out[j];
            out[j] = swap;
        }
    }

    /** Stafford's mix 13, the finaliser of SplitMix64. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
