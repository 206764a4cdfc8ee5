package dev.descent.data;

import java.util.Arrays;

/**
 * Minibatch iteration over a {@link SparseDataset}, epoch by epoch, without allocating per batch:
 * the sparse twin of {@link Batches}, with the same row order for the same (seed, epoch, sampling)
 * and number of rows, so a sparse run visits exactly the batches a densified run does.
 *
 * <p>Not thread-safe: one training loop owns one instance.
 */
public final class SparseBatches implements SparseBatchSource {

    private final SparseDataset data;
    private final int batchSize;
    private final long seed;
    private final Batches.Sampling sampling;
    private final int batchesPerEpoch;
    private final int[] order;
    private long epoch;
    private int nextBatch;

    /** Shuffles every epoch and keeps the last, smaller batch. */
    public SparseBatches(SparseDataset data, int batchSize, long seed) {
        this(data, batchSize, seed, Batches.Sampling.SHUFFLE, false);
    }

    /** As {@link Batches#Batches(Dataset, int, long, Batches.Sampling, boolean)}. */
    public SparseBatches(SparseDataset data, int batchSize, long seed, Batches.Sampling sampling, boolean dropLast) {
        if (batchSize <= 0) throw new IllegalArgumentException("batch size must be > 0, got " + batchSize);
        int n = data.rows();
        this.data = data;
        this.batchSize = Math.min(batchSize, n);
        this.seed = seed;
        this.sampling = sampling;
        this.batchesPerEpoch = dropLast ? n / this.batchSize : (n + this.batchSize - 1) / this.batchSize;
        this.order = new int[n];
        startEpoch(0);
    }

    @Override
    public String name() {
        return data.name();
    }

    @Override
    public int rows() {
        return data.rows();
    }

    @Override
    public int batchSize() {
        return batchSize;
    }

    @Override
    public int batchesPerEpoch() {
        return batchesPerEpoch;
    }

    public long epoch() {
        return epoch;
    }

    /**
     * A buffer that fits every batch of this iteration without growing: room for the {@link
     * #batchSize()} longest rows of the data set (with replacement, the longest row that many times).
     */
    @Override
    public SparseBatch newBatch() {
        int n = data.rows();
        long most;
        if (sampling == Batches.Sampling.WITH_REPLACEMENT) {
            int longest = 0;
            for (int r = 0; r < n; r++) longest = Math.max(longest, data.rowLength(r));
            most = (long) longest * batchSize;
        } else {
            int[] lengths = new int[n];
            for (int r = 0; r < n; r++) lengths[r] = data.rowLength(r);
            Arrays.sort(lengths);
            most = 0;
            for (int i = 0; i < batchSize; i++) most += lengths[n - 1 - i];
        }
        return new SparseBatch(batchSize, (int) Math.min(most, Sizes.MAX_ARRAY), data.features(), data.targetWidth());
    }

    /** Starts (or restarts) {@code epoch}: overwrites the internal row order and rewinds to its first batch. */
    @Override
    public void startEpoch(long epoch) {
        Batches.fillOrder(order, sampling, seed, epoch);
        this.epoch = epoch;
        this.nextBatch = 0;
    }

    /**
     * Copies the epoch's next batch into {@code batch} (its row pointers, columns, values, targets,
     * rows, epoch and index). Allocates nothing unless the batch's non-zero buffers must grow.
     *
     * @return false, leaving {@code batch} untouched, when the epoch has no batch left
     * @throws IllegalArgumentException if {@code batch} is too small or has other widths
     */
    @Override
    public boolean next(SparseBatch batch) {
        if (batch.capacity() < batchSize
                || batch.features() != data.features()
                || batch.targetWidth() != data.targetWidth())
            throw new IllegalArgumentException("a sparse batch for " + batchSize + " rows × " + data.features()
                    + " features × " + data.targetWidth() + " targets is needed, got " + batch.capacity() + " × "
                    + batch.features() + " × " + batch.targetWidth() + " (use newBatch())");
        if (nextBatch == batchesPerEpoch) return false;
        int start = nextBatch * batchSize, rows = Math.min(batchSize, order.length - start);
        batch.fill(data, order, start, rows);
        batch.epoch = epoch;
        batch.index = nextBatch++;
        return true;
    }
}
