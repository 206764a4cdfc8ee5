package dev.descent.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.backend.Backend;
import dev.descent.backend.SimdBackend;
import dev.descent.data.Batches.Sampling;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class BatchesTest {

    /** Row r has features (r, -r) and targets (10r, 10r + 1), so a batch shows which rows it holds. */
    static Dataset tagged(int rows) {
        float[] x = new float[rows * 2], y = new float[rows * 2];
        for (int r = 0; r < rows; r++) {
            x[2 * r] = r;
            x[2 * r + 1] = -r;
            y[2 * r] = 10 * r;
            y[2 * r + 1] = 10 * r + 1;
        }
        return Dataset.regression("tagged", x, 2, y, 2);
    }

    /** Runs one epoch and returns the rows in visiting order, checking features and targets agree. */
    static int[] epochRows(Batches batches, long epoch, int[] sizes) {
        Batch b = batches.newBatch();
        batches.startEpoch(epoch);
        int[] rows = new int[0];
        int k = 0;
        while (batches.next(b)) {
            assertEquals(k, b.index());
            assertEquals(epoch, b.epoch());
            if (sizes != null) assertEquals(sizes[k], b.rows(), "batch " + k);
            k++;
            int start = rows.length;
            rows = Arrays.copyOf(rows, start + b.rows());
            for (int i = 0; i < b.rows(); i++) {
                int r = (int) b.x()[2 * i];
                assertEquals(-r, b.x()[2 * i + 1]);
                assertEquals(10 * r, b.y()[2 * i]);
                assertEquals(10 * r + 1, b.y()[2 * i + 1]);
                rows[start + i] = r;
            }
        }
        assertEquals(batches.batchesPerEpoch(), k);
        assertFalse(batches.next(b));
        return rows;
    }

    /**
     * Gathered by a backend, each batch is the one the caller copies: 333 rows of 800 features, so
     * the SIMD backend splits them over its 2 threads on any machine.
     */
    @Test
    void aBackendGathersTheSameBatches() {
        int rows = 1000, features = 800;
        float[] x = new float[rows * features], y = new float[rows];
        for (int i = 0; i < x.length; i++) x[i] = i * 0.5f;
        for (int r = 0; r < rows; r++) y[r] = r;
        Dataset data = Dataset.regression("wide", x, features, y, 1);
        Batches plain = new Batches(data, 333, 11), split = new Batches(data, 333, 11);
        Batch a = plain.newBatch(), b = split.newBatch();
        Backend backend = new SimdBackend(2);
        for (long epoch = 0; epoch < 2; epoch++) {
            plain.startEpoch(epoch);
            split.startEpoch(epoch);
            int batches = 0;
            while (plain.next(a)) {
                assertTrue(split.next(b, backend));
                assertEquals(a.rows(), b.rows());
                assertArrayEquals(a.x(), b.x(), "epoch " + epoch + ", batch " + batches);
                assertArrayEquals(a.y(), b.y());
                batches++;
            }
            assertFalse(split.next(b, backend));
            assertEquals(4, batches);
        }
    }

    static int[] identity(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = i;
        return a;
    }

    @Test
    void everyRowExactlyOncePerEpochInTheEpochsOrder() {
        Dataset d = tagged(10);
        for (int size : new int[] {1, 3, 4, 5, 9, 10, 11, 1000}) {
            Batches batches = new Batches(d, size, 42);
            int expectedSize = Math.min(size, 10);
            assertEquals(expectedSize, batches.batchSize());
            assertEquals((10 + expectedSize - 1) / expectedSize, batches.batchesPerEpoch());
            for (long epoch = 0; epoch < 5; epoch++) {
                int[] rows = epochRows(batches, epoch, null);
                assertArrayEquals(batches.order(epoch), rows);
                int[] sorted = rows.clone();
                Arrays.sort(sorted);
                assertArrayEquals(identity(10), sorted, "batch size " + size);
            }
        }
    }

    @Test
    void fullBatchAndPureSgd() {
        Dataset d = tagged(7);
        Batches full = new Batches(d, 7, 1);
        assertEquals(1, full.batchesPerEpoch());
        epochRows(full, 3, new int[] {7});
        Batches sgd = new Batches(d, 1, 1);
        assertEquals(7, sgd.batchesPerEpoch());
        epochRows(sgd, 3, new int[] {1, 1, 1, 1, 1, 1, 1});
        Batches clamped = new Batches(d, 100, 1);
        assertEquals(7, clamped.newBatch().capacity());
        epochRows(clamped, 0, new int[] {7});
    }

    @Test
    void orderDependsOnlyOnSeedAndEpoch() {
        Dataset d = tagged(50);
        Batches a = new Batches(d, 8, 42), b = new Batches(d, 8, 42), c = new Batches(d, 8, 43);
        b.startEpoch(7); // state does not matter
        for (long epoch : new long[] {0, 1, 2, 1_000_000_000_000L, -1}) {
            assertArrayEquals(a.order(epoch), b.order(epoch));
            assertArrayEquals(a.order(epoch), epochRows(b, epoch, null));
            assertFalse(Arrays.equals(a.order(epoch), a.order(epoch + 1)));
            assertFalse(Arrays.equals(a.order(epoch), c.order(epoch)));
        }
        assertFalse(Arrays.equals(identity(50), a.order(0)));
        // a different batch size cuts the same order differently
        assertArrayEquals(a.order(5), new Batches(d, 3, 42).order(5));
    }

    @Test
    void shuffleIsRoughlyUniform() {
        Batches batches = new Batches(tagged(4), 4, 9);
        int[][] counts = new int[4][4]; // [position][row]
        for (long e = 0; e < 4000; e++) {
            int[] order = batches.order(e);
            for (int p = 0; p < 4; p++) counts[p][order[p]]++;
        }
        for (int[] position : counts) for (int c : position) assertEquals(1000, c, 100);
    }

    @Test
    void dropLast() {
        Dataset d = tagged(10);
        Batches batches = new Batches(d, 3, 5, Sampling.SHUFFLE, true);
        assertEquals(3, batches.batchesPerEpoch());
        int[] rows = epochRows(batches, 2, new int[] {3, 3, 3});
        assertArrayEquals(Arrays.copyOf(batches.order(2), 9), rows);
        assertEquals(9, Arrays.stream(rows).distinct().count());
        assertEquals(1, new Batches(d, 10, 5, Sampling.SHUFFLE, true).batchesPerEpoch());
        assertEquals(1, new Batches(d, 11, 5, Sampling.SHUFFLE, true).batchesPerEpoch()); // clamped
        assertEquals(10, new Batches(d, 1, 5, Sampling.SHUFFLE, true).batchesPerEpoch());
        epochRows(new Batches(d, 4, 5, Sampling.SHUFFLE, false), 0, new int[] {4, 4, 2});
    }

    @Test
    void withReplacement() {
        Dataset d = tagged(200);
        Batches batches = new Batches(d, 64, 11, Sampling.WITH_REPLACEMENT, false);
        assertEquals(4, batches.batchesPerEpoch());
        int[] rows = epochRows(batches, 0, new int[] {64, 64, 64, 8});
        assertArrayEquals(batches.order(0), rows);
        long distinct = Arrays.stream(rows).distinct().count();
        assertTrue(distinct > 100 && distinct < 150, "distinct rows " + distinct); // expected 200(1 - 1/e) ≈ 126
        assertArrayEquals(rows, new Batches(d, 64, 11, Sampling.WITH_REPLACEMENT, false).order(0));
        assertFalse(Arrays.equals(rows, batches.order(1)));
        for (int r : batches.order(3)) assertTrue(r >= 0 && r < 200);
    }

    @Test
    void sequential() {
        Batches batches = new Batches(tagged(5), 2, 0, Sampling.SEQUENTIAL, false);
        assertArrayEquals(identity(5), epochRows(batches, 0, new int[] {2, 2, 1}));
        assertArrayEquals(identity(5), epochRows(batches, 9, null));
    }

    @Test
    void classificationTargetsAreGathered() {
        Dataset d = Dataset.classification("c", new float[] {0, 1, 2, 3}, 1, new int[] {2, 0, 1, 2}, 3);
        Batches batches = new Batches(d, 4, 3);
        Batch b = batches.newBatch();
        assertTrue(batches.next(b));
        int[] order = batches.order(0);
        for (int i = 0; i < 4; i++) {
            assertEquals(order[i], b.x()[i]);
            assertEquals(d.label(order[i]), b.y()[i]);
        }
    }

    @Test
    void rejectsBadArguments() {
        Dataset d = tagged(5);
        var e = assertThrows(IllegalArgumentException.class, () -> new Batches(d, 0, 1));
        assertEquals("batch size must be > 0, got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Batches(d, -3, 1));
        assertEquals("batch size must be > 0, got -3", e.getMessage());
        Batches batches = new Batches(d, 4, 1);
        assertThrows(IllegalArgumentException.class, () -> batches.next(new Batch(3, 2, 2)));
        assertThrows(IllegalArgumentException.class, () -> batches.next(new Batch(4, 3, 2)));
        assertThrows(IllegalArgumentException.class, () -> batches.next(new Batch(4, 2, 1)));
        assertTrue(batches.next(new Batch(8, 2, 2))); // larger is fine
    }

    @Test
    void lastBatchLeavesStaleRowsAndEndOfEpochLeavesTheBatchAlone() {
        Batches batches = new Batches(tagged(5), 3, 2, Sampling.SEQUENTIAL, false);
        Batch b = batches.newBatch();
        assertTrue(batches.next(b));
        assertTrue(batches.next(b));
        assertEquals(2, b.rows());
        assertArrayEquals(new float[] {3, -3, 4, -4, 2, -2}, b.x()); // row 2 left from batch 0
        assertFalse(batches.next(b));
        assertEquals(2, b.rows());
        assertEquals(1, b.index());
        batches.startEpoch(1);
        assertTrue(batches.next(b));
        assertEquals(0, b.index());
        assertEquals(1, b.epoch());
    }

    @Test
    void allocatesNothingPerBatch() {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Dataset d = tagged(1000);
        Batches batches = new Batches(d, 7, 1);
        Batch b = batches.newBatch();
        long checksum = 0;
        for (int warm = 0; warm < 3; warm++) {
            batches.startEpoch(warm);
            while (batches.next(b)) checksum += b.rows();
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        batches.startEpoch(3);
        int count = 0;
        while (batches.next(b)) count++;
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertEquals(143, count);
        assertTrue(checksum > 0);
        assertTrue(allocated < 1024, allocated + " bytes allocated for " + count + " batches"); // one SplittableRandom
    }

    @Test
    void orderOnlyGivesTheOrdersAndBatchCountsOfTheDataSetWithoutItsRows() {
        Dataset data = tagged(23);
        for (Sampling sampling : Sampling.values())
            for (boolean dropLast : new boolean[] {false, true}) {
                Batches full = new Batches(data, 5, 42, sampling, dropLast);
                Batches orders = Batches.orderOnly(23, 5, 42, sampling, dropLast);
                assertEquals(full.batchesPerEpoch(), orders.batchesPerEpoch(), sampling + " " + dropLast);
                assertEquals(full.batchSize(), orders.batchSize());
                for (long epoch = 0; epoch < 3; epoch++)
                    assertArrayEquals(full.order(epoch), orders.order(epoch), sampling + ", epoch " + epoch);
                // the visited rows are the order's, batch by batch
                assertArrayEquals(
                        Arrays.copyOf(orders.order(2), Math.min(23, full.batchesPerEpoch() * 5)),
                        epochRows(full, 2, null));
            }
        Batches orders = Batches.orderOnly(23, 5, 42, Sampling.SHUFFLE, false);
        assertThrows(IllegalStateException.class, orders::newBatch);
        assertThrows(IllegalArgumentException.class, () -> Batches.orderOnly(0, 5, 42, Sampling.SHUFFLE, false));
    }
}
