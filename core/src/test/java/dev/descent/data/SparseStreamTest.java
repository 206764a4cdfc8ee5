package dev.descent.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Streamed LIBSVM rows: every row once per epoch in an order fixed by (seed, epoch), bounded
 * shuffling, the same rows as the in-memory loader, seeking into an epoch, and bad input (bad lines
 * failing or skipped and reported, truncated gzip, empty streams).
 */
class SparseStreamTest {

    @TempDir
    Path tmp;

    /**
     * Row r: label r % 2, features {@code (r % 7) + 1} and {@code 8 + r} with value r (so every row is
     * recognisable by its second value). Shards of {@code perShard} rows, the second one gzip.
     */
    static Path shards(Path dir, int rows, int perShard) throws IOException {
        Files.createDirectories(dir);
        for (int s = 0, r = 0; r < rows; s++) {
            StringBuilder b = new StringBuilder();
            for (int end = Math.min(rows, r + perShard); r < end; r++)
                b.append(r % 2)
                        .append(' ')
                        .append(r % 7 + 1)
                        .append(":0.5 ")
                        .append(8 + r)
                        .append(':')
                        .append(r)
                        .append('\n');
            byte[] bytes = b.toString().getBytes(StandardCharsets.UTF_8);
            if (s == 1) {
                try (OutputStream out =
                        new GZIPOutputStream(Files.newOutputStream(dir.resolve("part-" + s + ".svm.gz")))) {
                    out.write(bytes);
                }
            } else Files.write(dir.resolve("part-" + s + ".svm"), bytes);
        }
        Files.writeString(dir.resolve(".hidden"), "not data\n");
        return dir;
    }

    /** The row ids of an epoch's batches, in order. */
    static int[] epoch(StreamBatches batches, long epoch) {
        batches.startEpoch(epoch);
        SparseBatch b = batches.newBatch();
        List<Integer> ids = new ArrayList<>();
        while (batches.next(b))
            for (int i = 0; i < b.rows(); i++) {
                int last = b.rowStart()[i + 1] - 1;
                int id = (int) b.values()[last];
                assertEquals(8 + id - 1, b.columns()[last], "0-based column of row " + id);
                assertEquals(id % 2, b.y()[i]);
                ids.add(id);
            }
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    static int[] range(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = i;
        return a;
    }

    @Test
    void everyRowOncePerEpochInAnOrderFixedBySeedAndEpoch() throws IOException {
        SparseStream s = SparseStream.libsvm(shards(tmp.resolve("d"), 1000, 170), Labels.classification(), 0)
                .shuffleBuffer(64);
        assertEquals(1000, s.rows());
        assertEquals(6, s.shards().size());
        assertEquals(8 + 999, s.features());
        assertEquals(2, s.classes());
        assertEquals(2000, s.nonZeros());
        try (StreamBatches a = s.batches(32, 7, true, false);
                StreamBatches b = s.batches(32, 7, true, false);
                StreamBatches other = s.batches(32, 8, true, false)) {
            assertEquals(32, a.batchesPerEpoch()); // 31 full + 8 rows
            int[] e0 = epoch(a, 0), e1 = epoch(a, 1);
            assertArrayEquals(range(1000), sorted(e0));
            assertArrayEquals(range(1000), sorted(e1));
            assertNotEquals(Arrays.toString(e0), Arrays.toString(e1), "epochs differ");
            assertArrayEquals(e1, epoch(b, 1), "same seed and epoch, same order (from a fresh reader)");
            assertArrayEquals(e0, epoch(a, 0), "restarting an epoch repeats it");
            assertNotEquals(Arrays.toString(e0), Arrays.toString(epoch(other, 0)), "another seed");
        }
    }

    @Test
    void shufflingIsBoundedByTheBuffer() throws IOException {
        SparseStream s = SparseStream.libsvm(shards(tmp.resolve("d"), 900, 300), Labels.classification(), 0);
        try (StreamBatches one = s.shuffleBuffer(1).batches(50, 3, true, false);
                StreamBatches some = s.shuffleBuffer(40).batches(50, 3, true, false)) {
            int[] ids = epoch(one, 0); // shards in a random order, rows in file order within each
            for (int i = 1; i < ids.length; i++) if (i % 300 != 0) assertEquals(ids[i - 1] + 1, ids[i], "row " + i);
            int[] mixed = epoch(some, 0);
            // the row handed out i-th was read at most 39 rows later, and some move far back
            int[] readAt = readPositions(mixed, 300);
            int maxBack = 0;
            for (int i = 0; i < mixed.length; i++) {
                assertTrue(readAt[i] <= i + 39, "row " + mixed[i] + " out at " + i + ", read at " + readAt[i]);
                maxBack = Math.max(maxBack, i - readAt[i]);
            }
            assertTrue(maxBack > 40, "rows linger in the buffer: " + maxBack);
        }
    }

    /** Where in the epoch's read order (shards whole, in the order their first rows appear) each row was read. */
    private static int[] readPositions(int[] out, int perShard) {
        List<Integer> shardOrder = new ArrayList<>();
        for (int id : out) if (!shardOrder.contains(id / perShard)) shardOrder.add(id / perShard);
        // a shard is read after every shard whose rows appear first: order shards by first appearance
        int[] at = new int[out.length];
        for (int i = 0; i < out.length; i++)
            at[i] = shardOrder.indexOf(out[i] / perShard) * perShard + out[i] % perShard;
        return at;
    }

    @Test
    void withoutShufflingRowsComeAsTheInMemoryLoaderReadsThem() throws IOException {
        Path dir = shards(tmp.resolve("d"), 50, 50);
        Path file = dir.resolve("part-0.svm");
        SparseDataset whole = Libsvm.loadSparse(file, Labels.classification(), 100);
        SparseStream s = SparseStream.libsvm(file, Labels.classification(), 100);
        try (StreamBatches batches = s.batches(16, 1, false, false)) {
            SparseBatches memory = new SparseBatches(whole, 16, 1, Batches.Sampling.SEQUENTIAL, false);
            SparseBatch a = batches.newBatch(), b = memory.newBatch();
            while (memory.next(b)) {
                assertTrue(batches.next(a));
                assertEquals(b.rows(), a.rows());
                assertArrayEquals(Arrays.copyOf(b.rowStart(), b.rows() + 1), Arrays.copyOf(a.rowStart(), a.rows() + 1));
                assertArrayEquals(Arrays.copyOf(b.columns(), b.nonZeros()), Arrays.copyOf(a.columns(), a.nonZeros()));
                assertArrayEquals(Arrays.copyOf(b.values(), b.nonZeros()), Arrays.copyOf(a.values(), a.nonZeros()));
                assertArrayEquals(Arrays.copyOf(b.y(), b.rows()), Arrays.copyOf(a.y(), a.rows()));
            }
            assertTrue(!batches.next(a));
        }
    }

    @Test
    void seekingContinuesAnEpochExactly() throws IOException {
        SparseStream s = SparseStream.libsvm(shards(tmp.resolve("d"), 500, 120), Labels.classification(), 0)
                .shuffleBuffer(30);
        try (StreamBatches straight = s.batches(25, 5, true, false);
                StreamBatches resumed = s.batches(25, 5, true, false)) {
            int[] all = epoch(straight, 2);
            resumed.seek(2, 7);
            assertEquals(7, resumed.position().get("batch"));
            assertEquals(175L, resumed.position().get("rows_read"));
            SparseBatch b = resumed.newBatch();
            List<Integer> rest = new ArrayList<>();
            while (resumed.next(b))
                for (int i = 0; i < b.rows(); i++) rest.add((int) b.values()[b.rowStart()[i + 1] - 1]);
            assertArrayEquals(
                    Arrays.copyOfRange(all, 175, 500),
                    rest.stream().mapToInt(Integer::intValue).toArray());
        }
    }

    @Test
    void aBadLineFailsWithFileAndLineBeforeAnyBatch() throws IOException {
        Path dir = shards(tmp.resolve("d"), 100, 40);
        Files.writeString(dir.resolve("part-2.svm"), "1 3:0.5\n0 2:x\n1 5:1\n");
        SparseStream s = SparseStream.libsvm(dir, Labels.classification(), 0);
        DataFormatException e = assertThrows(DataFormatException.class, s::rows);
        assertEquals(dir.resolve("part-2.svm") + ":2: expected a number after 2:, found \"x\"", e.getMessage());
    }

    @Test
    void skippedBadLinesAreCountedAndReported() throws IOException {
        Path dir = shards(tmp.resolve("d"), 100, 40);
        Files.writeString(dir.resolve("part-2.svm"), "1 3:0.5\n0 2:x\n1 5:1\n7 4:1 3:1\n1 9:1\n0 1:1 0:2\n");
        SparseStream s = SparseStream.libsvm(dir, Labels.classification(2), 0).onBadLine(SparseStream.OnBadLine.SKIP);
        assertEquals(40 + 40 + 3, s.rows());
        assertEquals(3, s.badLines());
        List<String> ex = s.badLineExamples();
        assertEquals(3, ex.size());
        assertTrue(ex.get(0).startsWith(dir.resolve("part-2.svm") + ":2: "), ex.get(0));
        assertTrue(ex.get(1).startsWith(dir.resolve("part-2.svm") + ":4: expected a class label"), ex.get(1));
        assertTrue(ex.get(2).startsWith(dir.resolve("part-2.svm") + ":6: "), ex.get(2));
        String report = s.badLineReport();
        assertTrue(report.startsWith("d: skipped 3 bad lines of 86 (first 3: "), report);
        try (StreamBatches b = s.batches(10, 1, true, false)) {
            int rows = 0;
            SparseBatch batch = b.newBatch();
            while (b.next(batch)) rows += batch.rows();
            assertEquals(83, rows, "the good rows, each once");
        }
        assertEquals(
                "d: no bad lines",
                SparseStream.libsvm(shards(tmp.resolve("d2"), 10, 5), Labels.classification(), 0)
                        .badLineReport()
                        .replace("d2", "d"));
    }

    @Test
    void aTruncatedGzipShardIsAClearErrorEvenWhenSkipping() throws IOException {
        Path dir = shards(tmp.resolve("d"), 3000, 1000);
        Path gz = dir.resolve("part-1.svm.gz");
        byte[] bytes = Files.readAllBytes(gz);
        Files.write(gz, Arrays.copyOf(bytes, bytes.length / 2));
        for (SparseStream.OnBadLine policy : SparseStream.OnBadLine.values()) {
            SparseStream s =
                    SparseStream.libsvm(dir, Labels.classification(), 0).onBadLine(policy);
            DataFormatException e = assertThrows(DataFormatException.class, s::rows);
            assertTrue(
                    e.getMessage().startsWith(gz + ":")
                            && e.getMessage()
                                    .endsWith(
                                            "expected more gzip data, found the end of the file: a truncated gzip stream"),
                    e.getMessage());
        }
    }

    @Test
    void aShardDamagedAfterIndexingFailsWhenTheReaderThreadGetsThere() throws IOException {
        Path dir = shards(tmp.resolve("d"), 3000, 1000);
        SparseStream s = SparseStream.libsvm(dir, Labels.classification(), 0);
        assertEquals(3000, s.rows()); // indexed while intact
        Path gz = dir.resolve("part-1.svm.gz");
        byte[] bytes = Files.readAllBytes(gz);
        Files.write(gz, Arrays.copyOf(bytes, bytes.length / 2));
        Files.writeString(dir.resolve("part-0.svm"), "1 1:1\n");
        try (StreamBatches b = s.batches(100, 1, false, false)) {
            SparseBatch batch = b.newBatch();
            DataFormatException e = assertThrows(DataFormatException.class, () -> {
                while (b.next(batch)) {}
            });
            assertEquals(
                    dir.resolve("part-0.svm") + ":2: expected the 1000 rows its index counted, found 1: the file"
                            + " changed while training",
                    e.getMessage());
            b.seek(0, 0); // a restart after a failure reads afresh
            assertThrows(DataFormatException.class, () -> {
                while (b.next(batch)) {}
            });
        }
        try (StreamBatches b = s.batches(100, 1, true, false)) {
            SparseBatch batch = b.newBatch();
            DataFormatException e = assertThrows(DataFormatException.class, () -> {
                while (b.next(batch)) {}
            });
            assertTrue(
                    e.getMessage().contains("changed while training")
                            || e.getMessage().contains("truncated gzip"),
                    e.getMessage());
        }
    }

    @Test
    void emptyStreamsAreRefusedByName() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> SparseStream.libsvm(empty, Labels.classification(), 0).rows());
        assertEquals(empty + ": empty stream: the folder holds no data files", e.getMessage());
        Path blank = Files.writeString(tmp.resolve("blank.svm"), "\n  \n");
        e = assertThrows(IllegalArgumentException.class, () -> SparseStream.libsvm(blank, Labels.classification(), 0)
                .rows());
        assertEquals(blank + ": empty stream: no data rows", e.getMessage());
        Path bad = Files.writeString(tmp.resolve("bad.svm"), "x\n");
        e = assertThrows(IllegalArgumentException.class, () -> SparseStream.libsvm(bad, Labels.classification(), 0)
                .onBadLine(SparseStream.OnBadLine.SKIP)
                .rows());
        assertTrue(
                e.getMessage().startsWith(bad + ": empty stream: all 1 lines were bad (" + bad + ":1: "),
                e.getMessage());
        Path missing = tmp.resolve("missing");
        var io = assertThrows(
                java.io.UncheckedIOException.class,
                () -> SparseStream.libsvm(missing, Labels.classification(), 0).rows());
        assertEquals("cannot read " + missing + ": no such file or folder", io.getMessage());
    }

    private static int[] sorted(int[] a) {
        int[] s = a.clone();
        Arrays.sort(s);
        return s;
    }
}
