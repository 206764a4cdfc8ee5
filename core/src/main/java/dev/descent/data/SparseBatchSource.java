package dev.descent.data;

/**
 * Epochs of sparse minibatches, as the trainer consumes them: from rows in memory ({@link
 * SparseBatches}) or streamed from files ({@link StreamBatches}). Each epoch's batches are a pure
 * function of (seed, epoch) and the data, so a run can restart at any epoch and get the same ones.
 */
public interface SparseBatchSource {

    /** Names the data in messages. */
    String name();

    /** Rows per epoch. */
    int rows();

    /** Rows of a full batch; the last one of an epoch may have fewer. */
    int batchSize();

    int batchesPerEpoch();

    /** Starts (or restarts) {@code epoch} (0-based) at its first batch. */
    void startEpoch(long epoch);

    /**
     * Overwrites {@code batch} with the epoch's next batch.
     *
     * @return false, leaving {@code batch} untouched, when the epoch has no batch left
     */
    boolean next(SparseBatch batch);

    /** A buffer that fits this source's batches. */
    SparseBatch newBatch();
}
