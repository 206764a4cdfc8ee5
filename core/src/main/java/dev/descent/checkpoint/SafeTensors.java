package dev.descent.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * Reads and writes float32 tensors in the <a href="https://github.com/huggingface/safetensors">
 * safetensors</a> format, so that PyTorch, JAX, NumPy and the Hugging Face tools can load what
 * Descent saves:
 *
 * <pre>
 * bytes 0..7     N, the header length: unsigned 64-bit little-endian
 * bytes 8..8+N   header: UTF-8 JSON, padded with spaces to a multiple of 8 bytes
 *                {"__metadata__": {"format": "pt"},
 *                 "layers.0.weight": {"dtype": "F32", "shape": [10, 784], "data_offsets": [0, 31360]},
 *                 "layers.0.bias":   {"dtype": "F32", "shape": [10],      "data_offsets": [31360, 31400]}}
 * bytes 8+N..    data: each tensor's elements, row-major, little-endian; offsets are relative to
 *                the start of the data section; tensors are contiguous, in order, and cover it exactly
 * </pre>
 *
 * From Python: {@code from safetensors.torch import load_file; sd = load_file("model.safetensors")}
 * gives a {@code dict} of {@code torch.float32} tensors of the written shapes (and
 * {@code safetensors.numpy.load_file} the same as NumPy arrays). A model whose tensors are named
 * like a PyTorch {@code state_dict} (e.g. {@code layers.0.weight} of shape {@code [out, in]}) then
 * loads with {@code model.load_state_dict(sd)}.
 *
 * <p>{@link #write} writes only {@code F32}; {@link #read} accepts only {@code F32} and rejects
 * other dtypes by name. Reading validates the whole header before it allocates anything for the
 * data (length within the file and at most {@value #MAX_HEADER_BYTES} bytes, strict UTF-8 and
 * JSON, dtypes, shapes without overflow, offsets inside the data section, sizes that match the
 * shapes, no gaps, overlaps or trailing bytes), so a corrupt or truncated file gives a
 * {@link CheckpointException} naming the file and the problem, never an out-of-memory error.
 */
public final class SafeTensors {

    /** Largest header {@link #read} accepts, as the reference implementation (100 MB). */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    /** The header key of the free-form string-to-string metadata. */
    public static final String METADATA_KEY = "__metadata__";

    private static final int CHUNK_FLOATS = 1 << 14;
    private static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    private SafeTensors() {}

    /**
     * A named float32 tensor: a shape and its elements in row-major order. The shape is copied; the
     * data array is not (a checkpoint of a large model should not double its memory), so it must not
     * change while it is being written. {@code equals} compares names, shapes and data by value.
     */
    public record Tensor(String name, int[] shape, float[] data) {

        /**
         * Checks and builds a tensor.
         *
         * @throws IllegalArgumentException if the name is empty or {@value SafeTensors#METADATA_KEY}, a
         *     dimension is negative, or {@code data.length} is not the product of the shape (1 for
         *     shape {@code []})
         */
        public Tensor {
            if (name == null || name.isEmpty() || name.equals(METADATA_KEY))
                throw new IllegalArgumentException("tensor name must be non-empty and not " + METADATA_KEY + ", got "
                        + (name == null ? null : "'" + name + "'"));
            shape = shape.clone();
            long n = 1;
            for (int d : shape)
                if (d < 0)
                    throw new IllegalArgumentException(
                            "tensor '" + name + "' has a negative dimension in " + Arrays.toString(shape));
            for (int d : shape) {
                n *= d; // each factor < 2^31 and n <= 2^31 before it: no overflow
                if (n > Integer.MAX_VALUE) break;
            }
            if (Arrays.stream(shape).anyMatch(d -> d == 0)) n = 0;
            if (n != data.length)
                throw new IllegalArgumentException("tensor '" + name + "' of shape " + Arrays.toString(shape)
                        + " needs " + (n > Integer.MAX_VALUE ? "more than 2^31" : n) + " elements, got " + data.length);
        }

        /** A tensor of the given shape over data (shape product must equal data.length). */
        public static Tensor of(String name, float[] data, int... shape) {
            return new Tensor(name, shape, data);
        }

        /** The shape (a copy). */
        @Override
        public int[] shape() {
            return shape.clone();
        }

        /** Number of elements, {@code data().length}. */
        public int size() {
            return data.length;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Tensor t
                    && name.equals(t.name)
                    && Arrays.equals(shape, t.shape)
                    && Arrays.equals(data, t.data);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * name.hashCode() + Arrays.hashCode(shape)) + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "Tensor[" + name + " " + Arrays.toString(shape) + "]";
        }
    }

    /**
     * Writes tensors (in the given order) and metadata to {@code file} atomically: through a
     * temporary file in the same directory that is fsynced and then renamed over {@code file}. On
     * any failure the temporary file is deleted and an existing {@code file} is left untouched.
     * The parent directory is created if missing.
     *
     * @param metadata free-form strings stored under {@value #METADATA_KEY}; may be empty.
     *     Hugging Face loaders expect {@code "format": "pt"} for PyTorch weights.
     * @throws IllegalArgumentException if two tensors share a name
     * @throws IOException if the file system fails
     */
    public static void write(Path file, List<Tensor> tensors, Map<String, String> metadata) throws IOException {
        write(file, tensors, metadata, UnaryOperator.identity());
    }

    /**
     * {@link #write} with a hook around the output channel, for failure-injection tests.
     *
     * @return the SHA-256 of the file written, in lower-case hex (computed while writing)
     */
    static String write(
            Path file, List<Tensor> tensors, Map<String, String> metadata, UnaryOperator<WritableByteChannel> wrap)
            throws IOException {
        byte[] header = header(tensors, metadata);
        MessageDigest sha = sha256();
        AtomicFiles.write(file, out -> writeTo(digesting(out, sha), header, tensors), wrap);
        return HexFormat.of().formatHex(sha.digest());
    }

    /** A new SHA-256 digest (every JDK has one). */
    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no SHA-256", e);
        }
    }

    /** A channel that feeds what is written to {@code out} into {@code sha} too. */
    private static WritableByteChannel digesting(WritableByteChannel out, MessageDigest sha) {
        return new WritableByteChannel() {
            @Override
            public int write(ByteBuffer src) throws IOException {
                ByteBuffer seen = src.duplicate();
                int n = out.write(src);
                seen.limit(seen.position() + n);
                sha.update(seen);
                return n;
            }

            @Override
            public boolean isOpen() {
                return out.isOpen();
            }

            @Override
            public void close() throws IOException {
                out.close();
            }
        };
    }

    /** The header bytes (JSON padded with spaces to a multiple of 8), validating names. */
    static byte[] header(List<Tensor> tensors, Map<String, String> metadata) {
        Map<String, Object> json = new LinkedHashMap<>();
        metadata.forEach((k, v) -> {
            if (k == null || v == null)
                throw new IllegalArgumentException("metadata must map strings to strings, got " + k + " -> " + v);
        });
        if (!metadata.isEmpty()) json.put(METADATA_KEY, new LinkedHashMap<>(metadata));
        long offset = 0;
        for (Tensor t : tensors) {
            long end = offset + 4L * t.data.length;
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("dtype", "F32");
            info.put("shape", t.shape);
            info.put("data_offsets", new long[] {offset, end});
            if (json.put(t.name, info) != null)
                throw new IllegalArgumentException("two tensors are named '" + t.name + "'");
            offset = end;
        }
        byte[] text = Json.write(json).getBytes(StandardCharsets.UTF_8);
        byte[] padded = Arrays.copyOf(text, (text.length + 7) & ~7);
        Arrays.fill(padded, text.length, padded.length, (byte) ' ');
        return padded;
    }

    private static void writeTo(WritableByteChannel out, byte[] header, List<Tensor> tensors) throws IOException {
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
        AtomicFiles.writeFully(out, len.flip());
        AtomicFiles.writeFully(out, ByteBuffer.wrap(header));
        ByteBuffer buf = ByteBuffer.allocate(4 * CHUNK_FLOATS).order(ByteOrder.LITTLE_ENDIAN);
        FloatBuffer floats = buf.asFloatBuffer();
        for (Tensor t : tensors) {
            for (int i = 0; i < t.data.length; i += CHUNK_FLOATS) {
                int n = Math.min(CHUNK_FLOATS, t.data.length - i);
                floats.clear();
                floats.put(t.data, i, n);
                buf.clear().limit(4 * n);
                AtomicFiles.writeFully(out, buf);
            }
        }
    }

    /**
     * Reads a safetensors file of {@code F32} tensors.
     *
     * @throws CheckpointException if the file is missing, not a regular file (a FIFO, a device or a
     *     symbolic link is refused without being read), truncated, malformed, or holds a tensor of
     *     another dtype; the message names the file and what was expected
     * @throws IOException if the file system fails
     */
    public static SafeTensorsFile read(Path file) throws IOException {
        AtomicFiles.requireRegularFile(file);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return new Reader(file, ch).read();
        } catch (NoSuchFileException e) {
            throw new CheckpointException(file, "no such file", e);
        }
    }

    private record Entry(String name, int[] shape, long begin, long end) {}

    private static final class Reader {
        private final Path file;
        private final FileChannel ch;
        /** Fed with the whole file in order: length, header, then the data section tensor by tensor. */
        private final MessageDigest sha = sha256();

        Reader(Path file, FileChannel ch) {
            this.file = file;
            this.ch = ch;
        }

        SafeTensorsFile read() throws IOException {
            long size = ch.size();
            if (size < 8)
                throw bad("file has " + size + " bytes, fewer than the 8 of the header length; truncated or empty");
            ByteBuffer length = bytes(0, 8);
            sha.update(length.duplicate());
            long n = length.order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (n < 2 || n > size - 8 || n > MAX_HEADER_BYTES)
                throw bad("header length (bytes 0-7) is " + Long.toUnsignedString(n) + ", expected 2 to "
                        + Math.min(MAX_HEADER_BYTES, size - 8) + " (file size " + size
                        + " - 8, at most " + MAX_HEADER_BYTES + "); not a safetensors file or truncated");
            String text;
            try {
                ByteBuffer headerBytes = bytes(8, (int) n);
                sha.update(headerBytes.duplicate());
                text = StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(headerBytes)
                        .toString();
            } catch (CharacterCodingException e) {
                throw bad("header (bytes 8-" + (8 + n) + ") is not valid UTF-8");
            }
            if (text.charAt(0) != '{')
                throw bad("header must start with '{', found " + Json.write(text.substring(0, 1)));
            Object json;
            try {
                json = Json.parse(text);
            } catch (JsonException e) {
                throw bad("header JSON " + e.getMessage(), e);
            }
            long dataSize = size - 8 - n;
            Map<String, String> metadata = new LinkedHashMap<>();
            List<Entry> entries = new ArrayList<>();
            for (var e : ((Map<?, ?>) json).entrySet()) {
                String name = (String) e.getKey();
                if (name.equals(METADATA_KEY)) metadata = metadata(e.getValue());
                else entries.add(entry(name, e.getValue(), n, dataSize));
            }
            entries.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
            long at = 0;
            for (Entry e : entries) {
                if (e.begin != at)
                    throw bad("tensor '" + e.name + "' data_offsets [" + e.begin + ", " + e.end + "] "
                            + (e.begin < at ? "overlap" : "leave a gap after") + " the previous tensor, which ends at "
                            + at);
                at = e.end;
            }
            if (at != dataSize)
                throw bad("data section has " + dataSize + " bytes but the tensors cover " + at + " (file size " + size
                        + " = 8 + header " + n + " + data); trailing bytes");
            Map<String, SafeTensors.Tensor> tensors = new LinkedHashMap<>();
            for (Entry e : entries)
                tensors.put(e.name, new Tensor(e.name, e.shape, data(8 + n + e.begin, e.end - e.begin)));
            // the tensors were read in data order and cover the data section exactly: sha saw every byte
            return new SafeTensorsFile(file, tensors, metadata, HexFormat.of().formatHex(sha.digest()));
        }

        private Map<String, String> metadata(Object v) throws CheckpointException {
            if (!(v instanceof Map<?, ?> m))
                throw bad(METADATA_KEY + " must be an object of strings, found " + Json.write(v));
            Map<String, String> out = new LinkedHashMap<>();
            for (var e : m.entrySet()) {
                if (!(e.getValue() instanceof String s))
                    throw bad(METADATA_KEY + " value of '" + e.getKey() + "' must be a string, found "
                            + Json.write(e.getValue()));
                out.put((String) e.getKey(), s);
            }
            return out;
        }

        private Entry entry(String name, Object v, long headerSize, long dataSize) throws CheckpointException {
            String t = "tensor '" + name + "'";
            if (name.isEmpty()) throw bad("a tensor has an empty name");
            if (!(v instanceof Map<?, ?> info))
                throw bad(t + " must be an object with dtype, shape and data_offsets, found " + Json.write(v));
            Object dtype = info.get("dtype");
            if (!"F32".equals(dtype))
                throw bad(t + " has dtype " + Json.write(dtype) + "; Descent reads only \"F32\" (float32) tensors");
            long[] shape = longs(t + " shape", info.get("shape"), -1);
            long[] offsets = longs(t + " data_offsets", info.get("data_offsets"), 2);
            if (Arrays.stream(shape).anyMatch(d -> d > Integer.MAX_VALUE))
                throw bad(t + " of shape " + Arrays.toString(shape) + " has a dimension larger than "
                        + Integer.MAX_VALUE);
            long count = Arrays.stream(shape).anyMatch(d -> d == 0) ? 0 : 1;
            for (long d : shape) {
                if (count == 0) break;
                if (d > MAX_ELEMENTS || count > MAX_ELEMENTS / d)
                    throw bad(t + " of shape " + Arrays.toString(shape) + " has more than " + MAX_ELEMENTS
                            + " elements, too many for a Java float[]");
                count *= d;
            }
            long begin = offsets[0], end = offsets[1];
            if (begin > end) throw bad(t + " data_offsets [" + begin + ", " + end + "] must not decrease");
            if (end > dataSize)
                throw bad(t + " data_offsets [" + begin + ", " + end + "] end beyond the data section, which has "
                        + dataSize + " bytes (file size " + (8 + headerSize + dataSize)
                        + "); the file is truncated or the header is wrong");
            if (end - begin != 4 * count) {
                String dims = Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining("·"));
                throw bad(t + " data_offsets [" + begin + ", " + end + "] hold " + (end - begin) + " bytes, shape "
                        + Arrays.toString(shape) + " needs 4" + (dims.isEmpty() ? "" : "·" + dims) + " = "
                        + 4 * count + " bytes");
            }
            int[] ishape = new int[shape.length];
            for (int i = 0; i < shape.length; i++) ishape[i] = (int) shape[i];
            return new Entry(name, ishape, begin, end);
        }

        private long[] longs(String what, Object v, int length) throws CheckpointException {
            if (v instanceof List<?> list && (length < 0 || list.size() == length) && list.size() <= 64) {
                long[] out = new long[list.size()];
                for (int i = 0; i < out.length; i++) {
                    if (!(list.get(i) instanceof Long l) || l < 0) {
                        out = null;
                        break;
                    }
                    out[i] = l;
                }
                if (out != null) return out;
            }
            throw bad(what + " must be a list of " + (length < 0 ? "at most 64" : length)
                    + " non-negative integers, found " + (v == null ? "nothing" : Json.write(v)));
        }

        private float[] data(long position, long bytes) throws IOException {
            float[] out = new float[(int) (bytes / 4)];
            ByteBuffer buf = ByteBuffer.allocate(4 * CHUNK_FLOATS).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < out.length; i += CHUNK_FLOATS) {
                int n = Math.min(CHUNK_FLOATS, out.length - i);
                buf.clear().limit(4 * n);
                readFully(buf, position + 4L * i);
                buf.flip();
                sha.update(buf.duplicate());
                buf.asFloatBuffer().get(out, i, n);
            }
            return out;
        }

        private ByteBuffer bytes(long position, int count) throws IOException {
            ByteBuffer buf = ByteBuffer.allocate(count);
            readFully(buf, position);
            return buf.flip();
        }

        private void readFully(ByteBuffer buf, long position) throws IOException {
            while (buf.hasRemaining()) {
                int r = ch.read(buf, position);
                if (r < 0) throw bad("file ended at byte " + position + " while reading; it shrank while being read");
                position += r;
            }
        }

        private CheckpointException bad(String problem) {
            return new CheckpointException(file, problem);
        }

        private CheckpointException bad(String problem, Throwable cause) {
            return new CheckpointException(file, problem, cause);
        }
    }

    /** Names of tensors, for messages. */
    static String names(Set<String> names) {
        return names.size() <= 20
                ? String.join(", ", names)
                : names.stream().limit(20).collect(Collectors.joining(", ")) + ", … (" + names.size() + " in all)";
    }
}
