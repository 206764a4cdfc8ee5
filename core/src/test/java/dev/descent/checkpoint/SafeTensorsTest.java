package dev.descent.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.descent.checkpoint.SafeTensors.Tensor;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {

    @TempDir
    Path dir;

    static final List<Tensor> SMALL =
            List.of(Tensor.of("a", new float[] {1.0f, -2.0f}, 2), Tensor.of("b", new float[] {0.5f}));

    /** The file for {@link #SMALL} with metadata {"format":"pt"}, computed by hand from the spec. */
    static final String SMALL_HEADER = "{\"__metadata__\":{\"format\":\"pt\"},"
            + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
            + "\"b\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[8,12]}}";

    @Test
    void smallFileMatchesTheSpecByteForByte() throws IOException {
        Path f = dir.resolve("small.safetensors");
        SafeTensors.write(f, SMALL, Map.of("format", "pt"));
        byte[] bytes = Files.readAllBytes(f);
        // 138 bytes of JSON, padded with 6 spaces to 144 = 0x90; then 3 floats = 12 bytes
        assertEquals(138, SMALL_HEADER.length());
        assertEquals(8 + 144 + 12, bytes.length);
        assertEquals("9000000000000000", HexFormat.of().formatHex(bytes, 0, 8));
        assertEquals(SMALL_HEADER + "      ", new String(bytes, 8, 144, StandardCharsets.US_ASCII));
        // 1.0f = 0x3f800000, -2.0f = 0xc0000000, 0.5f = 0x3f000000, little-endian
        assertEquals("0000803f000000c00000003f", HexFormat.of().formatHex(bytes, 152, 164));
    }

    @Test
    void roundTripKeepsNamesShapesOrderDataAndMetadata() throws IOException {
        SplittableRandom r = new SplittableRandom(1);
        float[] big = new float[70_000]; // several write/read chunks and a tail
        for (int i = 0; i < big.length; i++) big[i] = Float.intBitsToFloat(r.nextInt());
        List<Tensor> fixed = List.of(
                Tensor.of("layers.1.weight", big, 7, 10_000),
                Tensor.of("empty", new float[0], 3, 0),
                Tensor.of("scalar", new float[] {Float.MIN_VALUE}),
                Tensor.of("layers.0.bias", new float[] {-0.0f, Float.NaN, Float.POSITIVE_INFINITY}, 3));
        Path f = dir.resolve("sub/dir/model.safetensors");
        Map<String, String> meta = Map.of("format", "pt", "note", "é \"quoted\" \n");
        SafeTensors.write(f, fixed, meta);
        SafeTensorsFile read = SafeTensors.read(f);
        assertEquals(List.copyOf(fixed), List.copyOf(read.tensors().values()));
        assertEquals(
                List.of("layers.1.weight", "empty", "scalar", "layers.0.bias"),
                List.copyOf(read.tensors().keySet()));
        assertEquals(meta, read.metadata());
        assertEquals(f, read.file());
        assertEquals(0, (Files.size(f) - 8 - 4L * (70_000 + 4)) % 8, "header padded to a multiple of 8");
    }

    @Test
    void tensorArgumentsAreCheckedBeforeAnythingIsWritten() {
        var e = assertThrows(IllegalArgumentException.class, () -> Tensor.of("w", new float[5], 2, 3));
        assertEquals("tensor 'w' of shape [2, 3] needs 6 elements, got 5", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Tensor.of("w", new float[0], -1, 0));
        assertTrue(e.getMessage().contains("negative dimension"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Tensor.of("w", new float[1], 1 << 30, 1 << 30, 4));
        assertEquals(
                "tensor 'w' of shape [1073741824, 1073741824, 4] needs more than 2^31 elements, got 1", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Tensor.of("__metadata__", new float[1]));
        assertThrows(IllegalArgumentException.class, () -> Tensor.of("", new float[1]));
        Path f = dir.resolve("dup.safetensors");
        e = assertThrows(
                IllegalArgumentException.class,
                () -> SafeTensors.write(
                        f, List.of(Tensor.of("x", new float[1]), Tensor.of("x", new float[1])), Map.of()));
        assertEquals("two tensors are named 'x'", e.getMessage());
        assertTrue(Files.notExists(f));
    }

    @Test
    void readsAFileWrittenElsewhereWithOtherHeaderOrderAndSpacing() throws IOException {
        // header order differs from data order, whitespace inside, no metadata, padding with spaces
        String header = "{ \"w\" : {\"shape\": [1, 2], \"dtype\": \"F32\", \"data_offsets\": [4, 12]},\n"
                + "  \"b\": {\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]} }";
        Path f = file(header, 3f, 1f, 2f);
        SafeTensorsFile read = SafeTensors.read(f);
        assertEquals(List.of("b", "w"), List.copyOf(read.tensors().keySet()), "in data order");
        assertArrayEquals(new float[] {1f, 2f}, read.requireShape("w", 1, 2));
        assertArrayEquals(new float[] {3f}, read.requireShape("b", 1));
        assertEquals(Map.of(), read.metadata());
    }

    @Test
    void requireShapeAndTensorNameTheFileAndTheDifference() throws IOException {
        Path f = dir.resolve("model.safetensors");
        SafeTensors.write(f, List.of(Tensor.of("layers.0.weight", new float[10 * 784], 10, 784)), Map.of());
        SafeTensorsFile read = SafeTensors.read(f);
        assertSame(read.tensors().get("layers.0.weight").data(), read.requireShape("layers.0.weight", 10, 784));
        var e = assertThrows(CheckpointException.class, () -> read.requireShape("layers.0.weight", 10, 785));
        assertEquals(
                f + ": tensor 'layers.0.weight' has shape [10, 784], expected [10, 785]; "
                        + "the checkpoint is of a different model",
                e.getMessage());
        assertEquals(f, e.file());
        e = assertThrows(CheckpointException.class, () -> read.tensor("layers.1.weight"));
        assertEquals(f + ": has no tensor 'layers.1.weight'; it has layers.0.weight", e.getMessage());
    }

    @Test
    void malformedFilesGiveMessagesNamingFileAndProblem() throws IOException {
        String t = "{\"t\":{\"dtype\":\"F32\",\"shape\":[10,784],\"data_offsets\":[0,400]}}";
        assertBad(
                file(t, new float[100]),
                "tensor 't' data_offsets [0, 400] hold 400 bytes, shape [10, 784] needs 4·10·784 = 31360 bytes");
        assertBad(
                file("{\"t\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}", 0f),
                "tensor 't' has dtype \"F16\"; Descent reads only \"F32\" (float32) tensors");
        assertBad(
                file("{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 0f),
                "tensor 't' data_offsets [0, 8] end beyond the data section, which has 4 bytes (file size 68); "
                        + "the file is truncated or the header is wrong");
        assertBad(
                file("{\"t\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,0]}}", 0f),
                "tensor 't' data_offsets [4, 0] must not decrease");
        assertBad(
                file("{\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 0f, 0f),
                "data section has 8 bytes but the tensors cover 4");
        assertBad(
                file("{\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 0f, 0f),
                "tensor 't' data_offsets [4, 8] leave a gap after the previous tensor, which ends at 0");
        assertBad(
                file(
                        "{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                                + "\"u\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
                        0f,
                        0f),
                "tensor 'u' data_offsets [4, 8] overlap the previous tensor, which ends at 8");
        assertBad(
                file("{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}", 0f),
                "tensor 't' data_offsets must be a list of 2 non-negative integers, found [0]");
        assertBad(
                file("{\"t\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 0f),
                "tensor 't' shape must be a list of at most 64 non-negative integers, found [-1]");
        assertBad(
                file("{\"t\":{\"dtype\":\"F32\",\"shape\":[65536,65536],\"data_offsets\":[0,4]}}", 0f),
                "tensor 't' of shape [65536, 65536] has more than 2147483639 elements, too many for a Java float[]");
        assertBad(
                file("{\"t\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,0],\"data_offsets\":[0,0]}}"),
                "tensor 't' of shape [4294967296, 4294967296, 0] has a dimension larger than 2147483647");
        assertBad(
                file("{\"t\":[1,2]}"), "tensor 't' must be an object with dtype, shape and data_offsets, found [1,2]");
        assertBad(
                file("{\"__metadata__\":{\"format\":1}}"), "__metadata__ value of 'format' must be a string, found 1");
        assertBad(file("[1]"), "header must start with '{', found byte 91");
        assertBad(file("{\"t\":1,}"), "header JSON 1:8: expected '\"' starting an object member name, found \"}\"");
        assertBad(
                withLength(Files.readAllBytes(file("{}")), 1L << 40),
                "header length (bytes 0-7) is 1099511627776, expected 2 to 8");
        assertBad(withLength(Files.readAllBytes(file("{}")), -1L), "header length (bytes 0-7) is 18446744073709551615");
        assertBad(
                Files.write(dir.resolve("short"), new byte[5]),
                "file has 5 bytes, fewer than the 8 of the header length");
        byte[] latin1 = Files.readAllBytes(file("{\"\u00e9\":{}}"));
        latin1[10] = (byte) 0xe9;
        latin1[11] = ' ';
        assertBad(Files.write(dir.resolve("latin1"), latin1), "header (bytes 8-24) is not valid UTF-8");
        assertBad(dir.resolve("missing.safetensors"), "no such file");
    }

    @Test
    void aHugeDeclaredHeaderIsRejectedByTheCapWithoutReadingIt() throws IOException {
        Path f = dir.resolve("sparse.safetensors");
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(120_000_100L); // sparse: no disk used
            raf.write(ByteBuffer.allocate(8)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putLong(110_000_000L)
                    .array());
        }
        assertBad(f, "header length (bytes 0-7) is 110000000, expected 2 to 100000000");
    }

    @Test
    void everyTruncationIsRejected() throws IOException {
        Path f = dir.resolve("full.safetensors");
        SafeTensors.write(f, SMALL, Map.of("format", "pt"));
        byte[] bytes = Files.readAllBytes(f);
        Path cut = dir.resolve("cut.safetensors");
        for (int n = 0; n < bytes.length; n++) {
            Files.write(cut, Arrays.copyOf(bytes, n));
            int len = n;
            var e = assertThrows(CheckpointException.class, () -> SafeTensors.read(cut), "truncated to " + len);
            assertTrue(e.getMessage().startsWith(cut + ": "), e.getMessage());
        }
    }

    /** Seeded random byte flips of a valid file: each reads or gives CheckpointException, nothing else. */
    @Test
    void randomByteFlipsOnlyGiveCheckpointException() throws IOException {
        Path f = dir.resolve("full.safetensors");
        SafeTensors.write(f, SMALL, Map.of("format", "pt"));
        byte[] bytes = Files.readAllBytes(f);
        Path bad = dir.resolve("flipped.safetensors");
        SplittableRandom r = new SplittableRandom(20_261_123L);
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            int ok = 0, rejected = 0;
            for (int i = 0; i < 5_000; i++) {
                byte[] b = bytes.clone();
                for (int m = r.nextInt(1, 4); m > 0; m--) {
                    int at = r.nextInt(i % 2 == 0 ? 16 : b.length); // half the cases hit the length and header start
                    b[at] = r.nextInt(3) == 0 ? (byte) r.nextInt(256) : (byte) (b[at] ^ (1 << r.nextInt(8)));
                }
                Files.write(bad, b);
                try {
                    SafeTensors.read(bad);
                    ok++;
                } catch (CheckpointException expected) {
                    rejected++;
                } catch (Throwable other) {
                    fail(
                            "case " + i + " threw " + other + " for "
                                    + HexFormat.of().formatHex(b),
                            other);
                }
            }
            assertTrue(ok > 50 && rejected > 1000, ok + " read, " + rejected + " rejected");
        });
    }

    @Test
    void aFailureDuringWriteLeavesTheOldFileAndNoTemporaryFile() throws IOException {
        Path f = dir.resolve("model.safetensors");
        SafeTensors.write(f, SMALL, Map.of());
        byte[] before = Files.readAllBytes(f);
        List<Tensor> bigger = List.of(Tensor.of("w", new float[50_000], 50_000));
        for (long failAt : new long[] {0, 7, 8, 100, 65_536, 150_000}) {
            var e = assertThrows(IOException.class, () -> SafeTensors.write(f, bigger, Map.of(), failingAfter(failAt)));
            assertEquals("injected failure after " + failAt + " bytes", e.getMessage());
            assertArrayEquals(before, Files.readAllBytes(f));
            try (Stream<Path> files = Files.list(dir)) {
                assertEquals(List.of(f), files.toList(), "no temporary file left behind");
            }
        }
        SafeTensors.write(f, bigger, Map.of());
        assertEquals(bigger.get(0), SafeTensors.read(f).tensor("w"));
    }

    @Test
    void writingOverADirectoryFailsCleanly() throws IOException {
        Path target = Files.createDirectories(dir.resolve("taken/x"));
        Files.writeString(target.resolve("keep"), "keep");
        assertThrows(IOException.class, () -> SafeTensors.write(dir.resolve("taken/x"), SMALL, Map.of()));
        assertEquals("keep", Files.readString(target.resolve("keep")));
        try (Stream<Path> files = Files.list(dir.resolve("taken"))) {
            assertEquals(List.of(target), files.toList());
        }
    }

    /** A channel that throws once more than {@code limit} bytes would have been written. */
    static UnaryOperator<WritableByteChannel> failingAfter(long limit) {
        return ch -> new WritableByteChannel() {
            long written;

            @Override
            public int write(ByteBuffer src) throws IOException {
                if (written + src.remaining() > limit)
                    throw new IOException("injected failure after " + limit + " bytes");
                written += src.remaining();
                return ch.write(src);
            }

            @Override
            public boolean isOpen() {
                return ch.isOpen();
            }

            @Override
            public void close() throws IOException {
                ch.close();
            }
        };
    }

    private void assertBad(Path f, String problemStart) {
        var e = assertThrows(CheckpointException.class, () -> SafeTensors.read(f));
        assertTrue(e.getMessage().startsWith(f + ": " + problemStart), "got: " + e.getMessage());
        assertEquals(f, e.file());
    }

    private int files;

    /** A safetensors file with the given header (padded) and float data. */
    private Path file(String header, float... data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        int n = (h.length + 7) & ~7;
        ByteBuffer b = ByteBuffer.allocate(8 + n + 4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(n).put(h);
        for (int i = h.length; i < n; i++) b.put((byte) ' ');
        for (float x : data) b.putFloat(x);
        return Files.write(dir.resolve("f" + files++ + ".safetensors"), b.array());
    }

    private Path withLength(byte[] bytes, long length) throws IOException {
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, length);
        return Files.write(dir.resolve("f" + files++ + ".safetensors"), bytes);
    }
}
