package dev.descent.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {

    static final Path MNIST = SharedData.file("mnist10k");

    @TempDir
    Path dir;

    /** An IDX file: magic, sizes, then the data bytes. */
    static byte[] idx(int magic, int[] dims, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length).putInt(magic);
        for (int d : dims) b.putInt(d);
        return b.put(data).array();
    }

    /** The first {@code count} MNIST training images and labels, as IDX files. */
    static byte[][] firstMnist(int count) throws IOException {
        byte[] images = Files.readAllBytes(MNIST.resolve("train-images.idx3-ubyte"));
        byte[] labels = Files.readAllBytes(MNIST.resolve("train-labels.idx1-ubyte"));
        return new byte[][] {
            idx(0x803, new int[] {count, 28, 28}, Arrays.copyOfRange(images, 16, 16 + count * 784)),
            idx(0x801, new int[] {count}, Arrays.copyOfRange(labels, 8, 8 + count))
        };
    }

    @Test
    void loadsMnist10kQuickly() {
        long start = System.nanoTime();
        Split mnist = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> Idx.mnist(MNIST));
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.println("mnist10k loaded in " + millis + " ms");
        Dataset train = mnist.train(), test = mnist.test();
        assertEquals(8000, train.rows());
        assertEquals(2000, test.rows());
        assertEquals(784, train.features());
        assertEquals(784, test.features());
        assertEquals(10, train.classes());
        assertEquals(10, test.classes());
        assertArrayEquals(new int[] {820, 886, 794, 821, 772, 692, 822, 846, 766, 781}, CsvTest.labelCounts(train));
        assertArrayEquals(new int[] {181, 241, 197, 211, 208, 171, 192, 224, 178, 197}, CsvTest.labelCounts(test));
        float min = Float.MAX_VALUE, max = -Float.MAX_VALUE;
        for (float v : train.x()) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        assertEquals(0f, min);
        assertEquals(1f, max);
        assertEquals(3, train.label(0)); // first label byte of train-labels
    }

    @Test
    void pixelsAreBytesOver255() throws IOException {
        byte[] pixels = new byte[2 * 2 * 3];
        for (int i = 0; i < pixels.length; i++) pixels[i] = (byte) (i * 23);
        Path images = write("i", idx(0x803, new int[] {2, 2, 3}, pixels));
        Path labels = write("l", idx(0x801, new int[] {2}, new byte[] {4, 0}));
        Dataset d = Idx.load(images, labels, 5);
        assertEquals(6, d.features());
        for (int i = 0; i < pixels.length; i++) assertEquals((pixels[i] & 0xFF) / 255f, d.x()[i]);
        assertArrayEquals(new float[] {4, 0}, d.y());
        assertEquals(5, d.classes());
    }

    @Test
    void aHeaderClaimingHugeCountsFailsFastWithoutAllocating() throws IOException {
        byte[][] small = firstMnist(2);
        Path labels = write("labels", small[1]);
        for (int count : new int[] {1 << 30, Integer.MAX_VALUE, 8000}) {
            Path images = write("huge", idx(0x803, new int[] {count, 28, 28}, new byte[784 * 2]));
            DataFormatException e = assertTimeoutPreemptively(
                    Duration.ofSeconds(2),
                    () -> assertThrows(DataFormatException.class, () -> Idx.load(images, labels)));
            assertEquals(16 + 2 * 784, e.offset(), e.getMessage());
            assertTrue(
                    e.getMessage()
                            .contains("expected 16 + " + count + "×28×28 = " + (16 + 784L * count)
                                    + " bytes as the header says, found 1584 bytes"),
                    e.getMessage());
        }
        Path wide = write("wide", idx(0x803, new int[] {1 << 20, 1 << 20, 1 << 20}, new byte[5]));
        DataFormatException e = assertThrows(DataFormatException.class, () -> Idx.load(wide, labels));
        assertTrue(e.getMessage().contains("= 1152921504606846992 bytes as the header says, found 21"));
    }

    @Test
    void headerErrorsNameTheirOffset() throws IOException {
        byte[][] ok = firstMnist(3);
        Path images = write("images", ok[0]), labels = write("labels", ok[1]);
        assertEquals(3, Idx.load(images, labels).rows());

        assertImagesError(
                idx(0x801, new int[] {3, 28, 28}, new byte[3 * 784]),
                labels,
                0,
                "expected magic number 0x00000803, found 0x00000801");
        assertImagesError(
                idx(0x803, new int[] {0, 28, 28}, new byte[0]),
                labels,
                4,
                "expected an image count in [1, 2147483647], found 0");
        assertImagesError(idx(0x803, new int[] {-1, 28, 28}, new byte[0]), labels, 4, "found 4294967295");
        assertImagesError(
                idx(0x803, new int[] {3, 0, 28}, new byte[0]),
                labels,
                8,
                "expected a row count in [1, 2147483647], found 0");
        assertImagesError(idx(0x803, new int[] {3, 28, -5}, new byte[0]), labels, 12, "found 4294967291");
        assertImagesError(
                Arrays.copyOf(ok[0], 10), labels, 10, "expected a 16-byte IDX header, found the end of the file");
        assertImagesError(new byte[0], labels, 0, "expected a 16-byte IDX header");
        assertImagesError(
                Arrays.copyOf(ok[0], ok[0].length - 1),
                labels,
                ok[0].length - 1,
                "expected 16 + 3×28×28 = 2368 bytes as the header says, found 2367 bytes");
        assertImagesError(Arrays.copyOf(ok[0], ok[0].length + 1), labels, ok[0].length, "found 2369 bytes");
    }

    @Test
    void labelErrors() throws IOException {
        byte[][] ok = firstMnist(3);
        Path images = write("images", ok[0]);
        Path fewer = write("fewer", idx(0x801, new int[] {2}, new byte[] {1, 2}));
        DataFormatException e = assertThrows(DataFormatException.class, () -> Idx.load(images, fewer));
        assertEquals(fewer, e.file());
        assertEquals(4, e.offset());
        assertEquals(
                fewer + ": byte 4: expected 3 labels, one per image in " + images + ", found 2 labels", e.getMessage());

        Path big = write("big", idx(0x801, new int[] {3}, new byte[] {1, 10, 2}));
        e = assertThrows(DataFormatException.class, () -> Idx.load(images, big));
        assertEquals(9, e.offset());
        assertTrue(e.getMessage().endsWith("expected a label in [0, 10), found 10"));
        assertEquals(11, Idx.load(images, big, 11).classes());
        Path negative = write("neg", idx(0x801, new int[] {3}, new byte[] {1, (byte) 200, 2}));
        e = assertThrows(DataFormatException.class, () -> Idx.load(images, negative, 256 - 56));
        assertTrue(e.getMessage().endsWith("expected a label in [0, 200), found 200"));
        assertThrows(IllegalArgumentException.class, () -> Idx.load(images, big, 257));
    }

    @Test
    void missingFileNamesThePath() {
        Path f = dir.resolve("nowhere");
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> Idx.mnist(f));
        assertTrue(e.getMessage().startsWith("cannot read " + f.resolve("train-images.idx3-ubyte")), e.getMessage());
    }

    private void assertImagesError(byte[] images, Path labels, long offset, String expectedPart) throws IOException {
        Path f = write("bad-images", images);
        DataFormatException e = assertThrows(DataFormatException.class, () -> Idx.load(f, labels));
        assertEquals(offset, e.offset(), e.getMessage());
        assertEquals(-1, e.line());
        assertTrue(e.getMessage().startsWith(f + ": byte " + offset + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(expectedPart), e.getMessage());
    }

    private Path write(String name, byte[] content) throws IOException {
        return Files.write(dir.resolve(name), content);
    }
}
