package dev.descent.data;

import java.io.Closeable;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;

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
 * <p>A reader thread parses the epoch's shards ahead of the training loop, into a few chunks of
 * parsed rows, so reading overlaps training; it reads the shards strictly in order, so the rows and
 * the batches do not depend on timing or on the number of cores. A bad line or a truncated file
 * stops it, and the training loop rethrows that after the rows before it.
 *
 * <p>Not thread-safe: one training loop owns one instance. Close it to stop its reader thread and
 * close its open file.
 */
public final class StreamBatches implements SparseBatchSource, Closeable {

    /** Chunks in flight between the reader thread and the training loop, and rows per chunk. */
    private static final int CHUNKS = 4, CHUNK_ROWS = 512;

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
    private final int max;
    /** Parsed-row chunks: handed from the reader thread in {@link #full}, back to it in {@link #free}. */
    private final Chunk[] chunks = new Chunk[CHUNKS];

    private final ArrayBlockingQueue<Chunk> full = new ArrayBlockingQueue<>(CHUNKS),
            free = new ArrayBlockingQueue<>(CHUNKS);
    private Chunk current;
    private Thread reader;
    private SplittableRandom random;
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
        for (int i = 0; i < CHUNKS; i++) chunks[i] = new Chunk();
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
        stopReader();
        random = Batches.random(seed, epoch);
        if (shuffle) Batches.shuffle(shardOrder, random);
        else for (int i = 0; i < shardOrder.length; i++) shardOrder[i] = i;
        this.epoch = epoch;
        this.nextBatch = 0;
        this.rowsRead = 0;
        this.filled = 0;
        int[] order = shardOrder.clone();
        reader = new Thread(() -> readShards(order), "descent-stream-reader");
        reader.setDaemon(true);
        reader.start();
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

    /**
     * Copies the stream's next row into {@code slot}; false at the end of the epoch's shards. Rethrows
     * what stopped the reader thread (a bad line, a truncated gzip file) after the rows before it.
     */
    private boolean read(int slot) {
        while (true) {
            if (current == null) current = take(full);
            Chunk c = current;
            if (c.next < c.rows) {
                int from = c.rowStart[c.next], n = c.rowStart[c.next + 1] - from;
                if (slotColumns[slot] == null || slotColumns[slot].length < n) {
                    slotColumns[slot] = new int[Math.max(n, 16)];
                    slotValues[slot] = new float[Math.max(n, 16)];
                }
                System.arraycopy(c.columns, from, slotColumns[slot], 0, n);
                System.arraycopy(c.values, from, slotValues[slot], 0, n);
                slotLength[slot] = n;
                slotTarget[slot] = c.targets[c.next++];
                return true;
            }
            if (c.failure instanceof RuntimeException e) throw e;
            if (c.failure instanceof Error e) throw e;
            if (c.end) return false; // stays current: the epoch is over
            current = null;
            c.clear();
            free.add(c);
        }
    }

    private static Chunk take(ArrayBlockingQueue<Chunk> queue) {
        try {
            return queue.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the stream's rows", e);
        }
    }

    /**
     * The reader thread's work for one epoch: parses the shards in {@code order} into chunks, one
     * after the other, so an epoch's rows are the same sequence whatever the timing. Ends with a
     * chunk marked {@code end}, or one carrying the failure; returns quietly when interrupted.
     */
    private void readShards(int[] order) {
        Libsvm.RowParser parser = new Libsvm.RowParser();
        Chunk c = null;
        LineReader in = null;
        try {
            c = free.take();
            for (int shard : order) {
                SparseStream.Shard s = index.shards().get(shard);
                in = LineReader.openStreaming(s.file());
                long rows = 0;
                for (String line; (line = SparseStream.readLine(in)) != null; ) {
                    if (Thread.interrupted()) return;
                    try {
                        parser.parse(in, line, stream.labels(), max, "");
                    } catch (DataFormatException e) {
                        if (stream.onBadLine() == SparseStream.OnBadLine.SKIP) continue; // counted by the index
                        throw e;
                    }
                    rows++;
                    c.add(parser);
                    if (c.rows == CHUNK_ROWS) {
                        full.put(c);
                        c = free.take();
                    }
                }
                if (rows != s.rows())
                    throw in.error(
                            "the " + s.rows() + " rows its index counted", rows + ": the file changed while training");
                LineReader done = in;
                in = null;
                done.close();
            }
            c.end = true;
            full.put(c);
        } catch (InterruptedException e) {
            // stopped by startEpoch or close
        } catch (RuntimeException | Error e) {
            if (c != null && !Thread.currentThread().isInterrupted()) {
                c.failure = e;
                full.offer(c); // room: at most CHUNKS chunks exist, and this one is not queued
            }
        } finally {
            if (in != null) in.close();
        }
    }

    /** Stops the reader thread (if any) and gives every chunk back to it, empty. */
    private void stopReader() {
        if (reader != null) {
            reader.interrupt();
            try {
                reader.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while stopping the stream's reader", e);
            }
            reader = null;
        }
        current = null;
        full.clear();
        free.clear();
        for (Chunk c : chunks) {
            c.clear();
            free.add(c);
        }
    }

    @Override
    public void close() {
        stopReader();
    }

    /** Parsed rows in CSR (0-based columns), filled by the reader thread and read by the training loop. */
    private static final class Chunk {
        final int[] rowStart = new int[CHUNK_ROWS + 1];
        final float[] targets = new float[CHUNK_ROWS];
        int[] columns = new int[CHUNK_ROWS * 16];
        float[] values = new float[CHUNK_ROWS * 16];
        int rows, next;
        boolean end;
        Throwable failure;

        /** Appends the row the parser holds; the buffers grow (doubling) only when a row does not fit. */
        void add(Libsvm.RowParser p) {
            int k = rowStart[rows], n = p.n;
            if (k + n > columns.length) {
                int size = Math.max(k + n, 2 * columns.length);
                columns = java.util.Arrays.copyOf(columns, size);
                values = java.util.Arrays.copyOf(values, size);
            }
            for (int j = 0; j < n; j++) columns[k + j] = p.index[j] - 1;
            System.arraycopy(p.value, 0, values, k, n);
            targets[rows] = p.label;
            rowStart[++rows] = k + n;
        }

        void clear() {
            rows = 0;
            next = 0;
            rowStart[0] = 0;
            end = false;
            failure = null;
        }
    }
}
