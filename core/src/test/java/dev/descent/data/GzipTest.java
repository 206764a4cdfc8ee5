package dev.descent.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every loader reads gzip-compressed files (magic 1f 8b) exactly like the originals. */
class GzipTest {

    @TempDir
    Path dir;

    static byte[] gzip(byte[] data) throws IOException {
        var bytes = new ByteArrayOutputStream();
        try (var out = new GZIPOutputStream(bytes)) {
            out.write(data);
        }
        return bytes.toByteArray();
    }

    private Path write(String name, byte[] data) throws IOException {
        return Files.write(dir.resolve(name), data);
    }

    @Test
    void idxReadsGzipLikeThePlainFile() throws IOException {
        byte[][] files = IdxTest.firstMnist(300);
        Dataset plain = Idx.load(write("i", files[0]), write("l", files[1]));
        // the name does not matter: the magic bytes decide
        Dataset gz = Idx.load(write("i.gz", gzip(files[0])), write("l-no-suffix", gzip(files[1])));
        assertEquals(plain.rows(), gz.rows());
        assertArrayEquals(plain.x(), gz.x());
        assertArrayEquals(plain.y(), gz.y());
    }

    @Test
    void mnistFolderMayHoldGzFiles() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("mnist"));
        for (String f : new String[] {
            "train-images.idx3-ubyte", "train-labels.idx1-ubyte", "test-images.idx3-ubyte", "test-labels.idx1-ubyte"
        }) Files.write(folder.resolve(f + ".gz"), gzip(Files.readAllBytes(IdxTest.MNIST.resolve(f))));
        Split gz = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> Idx.mnist(folder));
        Split plain = Idx.mnist(IdxTest.MNIST);
        assertEquals(8000, gz.train().rows());
        assertEquals(2000, gz.test().rows());
        assertArrayEquals(plain.train().x(), gz.train().x());
        assertArrayEquals(plain.test().y(), gz.test().y());
    }

    @Test
    void gzipIdxIsCheckedAgainstItsDecompressedLength() throws IOException {
        byte[][] files = IdxTest.firstMnist(10);
        Path labels = write("l", files[1]);
        Path shorter = write("short.gz", gzip(Arrays.copyOf(files[0], files[0].length - 5)));
        DataFormatException e = assertThrows(DataFormatException.class, () -> Idx.load(shorter, labels));
        assertTrue(e.getMessage().contains("7856 decompressed bytes as the header says"), e.getMessage());
        Path longer = write("long.gz", gzip(Arrays.copyOf(files[0], files[0].length + 1)));
        e = assertThrows(DataFormatException.class, () -> Idx.load(longer, labels));
        assertTrue(e.getMessage().contains("more bytes"), e.getMessage());
        Path header = write("header.gz", gzip(Arrays.copyOf(files[0], 7)));
        e = assertThrows(DataFormatException.class, () -> Idx.load(header, labels));
        assertTrue(e.getMessage().contains("16-byte IDX header"), e.getMessage());
        // a header claiming 100,000 images costs no more than the real (tiny) data
        byte[] lying = IdxTest.idx(0x803, new int[] {100_000, 28, 28}, new byte[784]);
        Path huge = write("huge.gz", gzip(lying));
        e = assertTimeoutPreemptively(
                Duration.ofSeconds(5), () -> assertThrows(DataFormatException.class, () -> Idx.load(huge, labels)));
        assertTrue(e.getMessage().contains("decompressed bytes as the header says"), e.getMessage());
        // and one claiming 2^31-1 values is refused before reading: its floats cannot fit (DataLimitsTest)
        byte[] max = IdxTest.idx(0x803, new int[] {Integer.MAX_VALUE / 784, 28, 28}, new byte[784]);
        Path maxed = write("max.gz", gzip(max));
        e = assertThrows(DataFormatException.class, () -> Idx.load(maxed, labels));
        assertTrue(e.getMessage().contains("expected a header whose data fits in this JVM"), e.getMessage());
    }

    @Test
    void csvAndLibsvmReadGzip() throws IOException {
        Path csv = SharedData.file("breast_cancer.csv");
        Dataset plain = Csv.load(csv);
        Dataset gz = Csv.load(write("bc.csv.gz", gzip(Files.readAllBytes(csv))));
        assertArrayEquals(plain.x(), gz.x());
        assertArrayEquals(plain.y(), gz.y());
        Path svm = SharedData.file("breast_cancer.libsvm");
        Dataset svmPlain = Libsvm.load(svm, Labels.classification());
        Dataset svmGz = Libsvm.load(write("bc.libsvm.gz", gzip(Files.readAllBytes(svm))), Labels.classification());
        assertArrayEquals(svmPlain.x(), svmGz.x());
    }

    @Test
    void aBadGzipStreamIsAnIoErrorNamingTheFile() throws IOException {
        byte[] broken = gzip("a,b\n1,2\n".getBytes());
        Path p = write("broken.csv.gz", Arrays.copyOf(broken, broken.length - 10));
        var e = assertThrows(RuntimeException.class, () -> Csv.load(p));
        assertTrue(e.getMessage().contains("broken.csv.gz"), e.getMessage());
    }
}
