package dev.descent.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A small file must never drive the JVM out of memory: decompressed size, line length, rows, class
 * count, densified width and IDX header sizes are checked against the heap ({@link Sizes}) before
 * they are allocated. The limits are lowered through their system properties so the files stay small.
 */
class DataLimitsTest {

    @TempDir
    Path dir;

    @AfterEach
    void restoreLimits() {
        System.clearProperty(Sizes.HEAP_PROPERTY);
        System.clearProperty(Gzip.MAX_DECOMPRESSED_PROPERTY);
        System.clearProperty(LineReader.MAX_LINE_PROPERTY);
    }

    /** A gzip file of {@code head} followed by {@code zeros} zero bytes. */
    private Path bomb(String name, byte[] head, long zeros) throws IOException {
        Path f = dir.resolve(name);
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(f), 1 << 16)) {
            out.write(head);
            byte[] block = new byte[1 << 20];
            for (long left = zeros; left > 0; left -= block.length)
                out.write(block, 0, (int) Math.min(left, block.length));
        }
        return f;
    }

    @Test
    void aGzipBombStopsAtTheDecompressedLimit() throws IOException {
        byte[] rows = ("a,b\n" + "0,0\n".repeat(500_000)).getBytes(StandardCharsets.US_ASCII); // 2 MB
        Path f = Files.write(dir.resolve("rows.csv.gz"), GzipTest.gzip(rows));
        System.setProperty(Gzip.MAX_DECOMPRESSED_PROPERTY, "1000000");
        var e = assertThrows(DataFormatException.class, () -> Csv.load(f));
        assertEquals(
                f + ": byte 1000000: expected at most 976.6 KB of decompressed content (4 × the heap limit;"
                        + " descent.data.maxDecompressedBytes changes it), found more: a gzip bomb, or data too large"
                        + " for this heap",
                e.getMessage());
        // without the lowered limit, the same file loads
        System.clearProperty(Gzip.MAX_DECOMPRESSED_PROPERTY);
        assertEquals(500_000, Csv.load(f, Labels.regression()).rows());
    }

    @Test
    void aRealisticBombOf256MbOfZerosFailsFastWithoutHoldingIt() throws IOException {
        // 256 MB of zero bytes: 250 KB compressed. With a 1 GB heap a line may have 64 M characters.
        Path f = bomb("zeros.csv.gz", new byte[0], 256L << 20);
        assertTrue(Files.size(f) < 400_000, Files.size(f) + " bytes");
        System.setProperty(Sizes.HEAP_PROPERTY, Long.toString(1L << 30));
        var e = assertTimeoutPreemptively(
                Duration.ofSeconds(20), () -> assertThrows(DataFormatException.class, () -> Csv.load(f)));
        assertEquals(
                f + ":1: expected a line of at most 67,108,864 characters (1/16 of the heap limit;"
                        + " descent.data.maxLineChars changes it), found a longer one",
                e.getMessage());
    }

    @Test
    void aLineLongerThanTheLimitIsRefusedWithItsNumber() throws IOException {
        System.setProperty(LineReader.MAX_LINE_PROPERTY, "100");
        Path f = Files.writeString(dir.resolve("long.csv"), "a,label\n1,0\n" + "1".repeat(200) + ",1\n");
        var e = assertThrows(DataFormatException.class, () -> Csv.load(f));
        assertEquals(3, e.line());
        Path svm = Files.writeString(dir.resolve("long.libsvm"), "0 1:1\r\n1" + " 2:1".repeat(50) + "\n");
        assertEquals(
                2,
                assertThrows(DataFormatException.class, () -> Libsvm.load(svm, Labels.classification()))
                        .line());
    }

    @Test
    void rowsBeyondTheHeapAreRefusedWhileReading() throws IOException {
        Path f = Files.writeString(dir.resolve("rows.csv"), "a,b,c\n" + "1,2,0\n".repeat(20_000));
        System.setProperty(Sizes.HEAP_PROPERTY, "1000000");
        var e = assertThrows(DataFormatException.class, () -> Csv.load(f));
        assertTrue(e.line() > 1 && e.line() < 20_000, "line " + e.line());
        assertTrue(
                e.getMessage()
                        .contains(": expected data that fits in this JVM (3 copies of every value: loaded, split,"
                                + " standardised), found "),
                e.getMessage());
        assertTrue(
                e.getMessage().endsWith("more than the heap limit of 976.6 KB (raise it with -Xmx)"), e.getMessage());
        Path svm = Files.writeString(dir.resolve("rows.libsvm"), "1 1:1 2:1\n".repeat(30_000));
        var s = assertThrows(DataFormatException.class, () -> Libsvm.load(svm, Labels.classification()));
        assertTrue(s.getMessage().contains("rows × 2 features by this line, which needs"), s.getMessage());
        System.clearProperty(Sizes.HEAP_PROPERTY);
        assertEquals(20_000, Csv.load(f).rows());
    }

    @Test
    void hugeLabelsAndIndicesAreRefusedNotAllocated() throws IOException {
        Path f = Files.writeString(dir.resolve("label.csv"), "a,label\n1,0\n2,2000000000\n");
        var e = assertThrows(DataFormatException.class, () -> Csv.load(f));
        assertEquals(
                f + ":3: expected a class label in column 2 (label) (an integer in [0, 16777216)), found"
                        + " \"2000000000\"",
                e.getMessage());
        Path svm = Files.writeString(dir.resolve("wide.libsvm"), "0 2147483647:1\n");
        assertTrue(assertThrows(DataFormatException.class, () -> Libsvm.load(svm, Labels.classification()))
                .getMessage()
                .endsWith(":1: expected a feature index in [1, 1048576] (give the feature count for more), found"
                        + " 2147483647"));
        var given = assertThrows(
                DataFormatException.class, () -> Libsvm.load(svm, Labels.classification(), Integer.MAX_VALUE));
        assertTrue(
                given.getMessage()
                        .endsWith("found 1 rows × 2,147,483,647 features, which 2,147,483,647 values, more than a Java"
                                + " array holds (2,147,483,639)"),
                given.getMessage());
    }

    @Test
    void anIdxHeaderClaimingMoreThanTheHeapIsRefusedBeforeReading() throws IOException {
        // a gzip of only a header: 60,000 images of 28×28 (47 MB) with no data behind it
        byte[] header = IdxTest.idx(0x803, new int[] {60_000, 28, 28}, new byte[0]);
        Path images = Files.write(dir.resolve("i.gz"), GzipTest.gzip(header));
        Path labels = Files.write(dir.resolve("l"), IdxTest.idx(0x801, new int[] {60_000}, new byte[60_000]));
        System.setProperty(Sizes.HEAP_PROPERTY, Long.toString(100L << 20));
        var e = assertThrows(DataFormatException.class, () -> Idx.load(images, labels));
        assertEquals(
                images + ": byte 4: expected a header whose data fits in this JVM (3 float copies: loaded, split,"
                        + " standardised), found 60000×28×28, which needs 583.2 MB, more than the heap limit of"
                        + " 100.0 MB (raise it with -Xmx)",
                e.getMessage());
        // 65536 × 65536 × 1 values cannot be one array, whatever the heap
        byte[] wide = IdxTest.idx(0x803, new int[] {65_536, 65_536, 1}, new byte[0]);
        Path w = Files.write(dir.resolve("w.gz"), GzipTest.gzip(wide));
        assertTrue(assertThrows(DataFormatException.class, () -> Idx.load(w, labels))
                .getMessage()
                .endsWith("found 65536×65536×1, which 4,294,967,296 values, more than a Java array holds"
                        + " (2,147,483,639)"));
    }

    @Test
    void aByteOrderMarkIsSkippedAndLineEndingsMayBeCrLfOrCr() throws IOException {
        Path f = Files.writeString(dir.resolve("bom.csv"), "\uFEFFx,label\r\n1,0\r\n2,1\r3,1\n");
        Dataset d = Csv.load(f, "x", Labels.regression()); // the first header name is "x", not "\uFEFFx"
        assertArrayEquals(new float[] {0, 1, 1}, d.x());
        assertArrayEquals(new float[] {1, 2, 3}, d.y());
        Path svm = Files.writeString(dir.resolve("bom.libsvm"), "\uFEFF1 1:0.5\n0 2:1\n");
        assertArrayEquals(
                new float[] {0.5f, 0, 0, 1},
                Libsvm.load(svm, Labels.classification()).x());
    }

    /** A named pipe fed by another thread: read once, front to back, never sought. */
    private Path fifo(String name, byte[] content) throws Exception {
        Path p = dir.resolve(name);
        Process mk = new ProcessBuilder("mkfifo", p.toString()).inheritIO().start();
        assertEquals(0, mk.waitFor());
        CompletableFuture.runAsync(() -> {
            try (OutputStream out = Files.newOutputStream(p)) {
                out.write(content);
            } catch (IOException ignored) {
                // the reader failed first; its assertion says why
            }
        });
        return p;
    }

    @Test
    void pipesLoadLikeFilesCompressedOrNot() throws Exception {
        Path csv = SharedData.file("breast_cancer.csv");
        Dataset expected = Csv.load(csv);
        byte[] plain = Files.readAllBytes(csv);
        assertArrayEquals(expected.x(), Csv.load(fifo("p1", plain)).x());
        assertArrayEquals(
                expected.x(), Csv.load(fifo("p2", GzipTest.gzip(plain))).x());
        byte[][] mnist = IdxTest.firstMnist(50);
        Dataset idx = Idx.load(fifo("p3", GzipTest.gzip(mnist[0])), fifo("p4", mnist[1]));
        assertArrayEquals(Idx.load(write("i", mnist[0]), write("l", mnist[1])).x(), idx.x());
    }

    private Path write(String name, byte[] data) throws IOException {
        return Files.write(dir.resolve(name), data);
    }
}
