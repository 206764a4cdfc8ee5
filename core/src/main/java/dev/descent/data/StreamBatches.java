package dev.descent.data;

import java.io.Closeable;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Minibatches streamed from a {@link SparseStream}, epoch by epoch; what it holds is bounded by the
 * shuffle buffer and one open file, not by the data.
 *
 * <p>Epoch e: the shards are read one after the other in a random order drawn from (seed, e) (with
 * {@code shuffle}; by name without), and rows go through a buffer of {@link
 * SparseStream#shuffleBuffer()} rows: the buffer is filled, then each row of a batch is a slot
 * drawn uniformly from the same (seed, e) random source, refilled with the next row read. So an
 * epoch's batches are a pure function of (seed, epoch) and the files: {@link #startEpoch} at any
 * epoch (a resumed run) gives the batches an uninterrupted run gets there, and {@link #seek}
 * continues in the middle of an epoch by replaying it. Every row is visited once per epoch.
 *
 * <p>Not thread-safe: one training loop owns one instance. Close it to close its open file.
 */
public final class StreamBatches implements SparseBatchSource, Closeable {

    private final SparseStream stream;
    private final SparseStream.Index index;
    private final int batchSize;
    private final long seed;
    private final boolean shuffle;
    private final int batchesPerEpoch;
    private final int[] shardOrder;
    /** The buffer's rows: 0-based columns, values, length and target of each slot; reused. */
    private final int[][] slotColumns;

    private final float[][] slotValues;
    private final int[] slotLength;
    private final float[] slotTarget;
    private final Libsvm.RowParser parser = new Libsvm.RowParser();
    private final int max;
    private SplittableRandom random;
    private LineReader in;
    private int nextShard;
    private long shardRows;
    private int filled;
    private long epoch;
    private int nextBatch;
    private long rowsRead;

    StreamBatches(
            SparseStream stream,
            SparseStream.Index index,
            int batchSize,
            long seed,
            boolean shuffle,
            boolean dropLast) {
        if (batchSize <= 0) throw new IllegalArgumentException("batch size must be > 0, got " + batchSize);
        this.stream = stream;
        this.index = index;
        int n = index.rows();
        this.batchSize = Math.min(batchSize, n);
        this.seed = seed;
        this.shuffle = shuffle;
        this.batchesPerEpoch = dropLast ? n / this.batchSize : (n + this.batchSize - 1) / this.batchSize;
        this.shardOrder = new int[index.shards().size()];
        int slots = shuffle ? Math.min(stream.shuffleBuffer(), n) : 1;
        this.slotColumns = new int[slots][];
        this.slotValues = new float[slots][];
        this.slotLength = new int[slots];
        this.slotTarget = new float[slots];
        this.max = index.features();
        // epoch 0 starts at the first next(): constructing opens no file
    }

    @Override
    public String name() {
        return stream.name();
    }

    @Override
    public int rows() {
        return index.rows();
    }

    @Override
    public int batchSize() {
        return batchSize;
    }

    @Override
    public int batchesPerEpoch() {
        return batchesPerEpoch;
    }

    /** The stream read. */
    public SparseStream stream() {
        return stream;
    }

    public long epoch() {
        return epoch;
    }

    /** Rows handed out in the current epoch so far. */
    public long rowsRead() {
        return rowsRead;
    }

    /** A buffer for the {@link #batchSize()} longest rows the stream can give. */
    @Override
    public SparseBatch newBatch() {
        long most = (long) index.longestRow() * batchSize;
        return new SparseBatch(batchSize, (int) Math.min(most, Sizes.MAX_ARRAY), index.features(), 1);
    }

    /**
     * Starts (or restarts) {@code epoch}: draws its shard order, opens the first shard and fills the
     * shuffle buffer.
     */
    @Override
    public void startEpoch(long epoch) {
        closeShard();
        random = Batches.random(seed, epoch);
        if (shuffle) Batches.shuffle(shardOrder, random);
        else for (int i = 0; i < shardOrder.length; i++) shardOrder[i] = i;
        this.epoch = epoch;
        this.nextBatch = 0;
        this.rowsRead = 0;
        this.nextShard = 0;
        this.filled = 0;
        while (filled < slotLength.length && read(filled)) filled++;
    }

    /**
     * Continues at batch {@code batch} of {@code epoch}, as if the batches before it had been taken:
     * replays the epoch's start (reads and discards them).
     */
    public void seek(long epoch, int batch) {
        if (batch < 0 || batch > batchesPerEpoch)
            throw new IllegalArgumentException("batch must be in [0, " + batchesPerEpoch + "], got " + batch);
        startEpoch(epoch);
        SparseBatch scratch = newBatch();
        for (int b = 0; b < batch; b++) next(scratch);
    }

    /** Where this reader is: {@code epoch} (0-based), {@code batch} (the next one) and {@code rows_read}. */
    public Map<String, Object> position() {
        return Map.of("epoch", epoch, "batch", nextBatch, "rows_read", rowsRead);
    }

    @Override
    public boolean next(SparseBatch batch) {
        if (batch.capacity() < batchSize || batch.features() != index.features() || batch.targetWidth() != 1)
            throw new IllegalArgumentException("a sparse batch for " + batchSize + " rows × " + index.features()
                    + " features × 1 target is needed, got " + batch.capacity() + " × " + batch.features() + " × "
                    + batch.targetWidth() + " (use newBatch())");
        if (random == null) startEpoch(0);
        if (nextBatch == batchesPerEpoch) return false;
        int rows = (int) Math.min(batchSize, index.rows() - (long) nextBatch * batchSize);
        batch.clear();
        for (int i = 0; i < rows; i++) {
            if (filled == 0)
                throw new IllegalArgumentException(stream.source() + ": fewer rows than its index counted ("
                        + index.rows() + "): a file changed while training");
            int j = filled == 1 ? 0 : random.nextInt(filled);
            batch.append(slotColumns[j], slotValues[j], slotLength[j], slotTarget[j]);
            if (!read(j)) { // the stream is drained: the last slot takes j's place
                filled--;
                swap(j, filled);
            }
        }
        rowsRead += rows;
        batch.epoch = epoch;
        batch.index = nextBatch++;
        return true;
    }

    private void swap(int a, int b) {
        int[] c = slotColumns[a];
        slotColumns[a] = slotColumns[b];
        slotColumns[b] = c;
        float[] v = slotValues[a];
        slotValues[a] = slotValues[b];
        slotValues[b] = v;
        int n = slotLength[a];
        slotLength[a] = slotLength[b];
        slotLength[b] = n;
        float t = slotTarget[a];
        slotTarget[a] = slotTarget[b];
        slotTarget[b] = t;
    }

    /** Reads the stream's next good row into {@code slot}; false at the end of the epoch's shards. */
    private boolean read(int slot) {
        while (true) {
            if (in == null) {
                if (nextShard == shardOrder.length) return false;
                SparseStream.Shard s = index.shards().get(shardOrder[nextShard++]);
                in = LineReader.openStreaming(s.file());
                shardRows = 0;
            }
            String line = SparseStream.readLine(in);
            if (line == null) {
                checkShardRows();
                closeShard();
                continue;
            }
            try {
                parser.parse(in, line, stream.labels(), max, "");
            } catch (DataFormatException e) {
                if (stream.onBadLine() == SparseStream.OnBadLine.SKIP) continue; // counted by the index
                throw e;
            }
            shardRows++;
            int n = parser.n;
            if (slotColumns[slot] == null || slotColumns[slot].length < n) {
                slotColumns[slot] = new int[Math.max(n, 16)];
                slotValues[slot] = new float[Math.max(n, 16)];
            }
            int[] cols = slotColumns[slot];
            for (int k = 0; k < n; k++) cols[k] = parser.index[k] - 1;
            System.arraycopy(parser.value, 0, slotValues[slot], 0, n);
            slotLength[slot] = n;
            slotTarget[slot] = parser.label;
            return true;
        }
    }

    private void checkShardRows() {
        SparseStream.Shard s = index.shards().get(shardOrder[nextShard - 1]);
        if (shardRows != s.rows())
            throw in.error(
                    "the " + s.rows() + " rows its index counted", shardRows + ": the file changed while training");
    }

    private void closeShard() {
        if (in != null) {
            LineReader r = in;
            in = null;
            r.close();
        }
    }

    @Override
    public void close() {
        closeShard();
    }
}
