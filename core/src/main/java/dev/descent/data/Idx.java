package dev.descent.data;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Loads image classification data in the IDX format of MNIST: an images file (magic {@code
 * 0x00000803}, count, rows, columns, then count×rows×columns unsigned bytes) and a labels file
 * (magic {@code 0x00000801}, count, then count unsigned bytes), big-endian. Each image becomes one
 * row of rows×columns features, byte/255f, so in [0, 1].
 *
 * <p>The header is checked against the file's length, exactly, and against what this JVM can hold
 * ({@link Sizes}), before anything is allocated, so a header claiming 2³¹ images fails at once. A
 * gzip-compressed file (magic bytes {@code 1f 8b}, whatever its name) is decompressed on the fly
 * and checked against its decompressed length; a pipe is read once, front to back.
 *
 * <p>Every method throws {@link DataFormatException} for a wrong magic number, a count or size of 0 or
 *     above 2³¹−1, a file length that differs from what the header says, a label outside the
 *     classes, or label and image counts that differ; the message names file and byte offset
 */
public final class Idx {

    private static final int IMAGES_MAGIC = 0x803, LABELS_MAGIC = 0x801;
    private static final float[] PIXEL = new float[256];

    static {
        for (int b = 0; b < 256; b++) PIXEL[b] = b / 255f;
    }

    private Idx() {}

    /** Images with labels 0–9. */
    public static Dataset load(Path images, Path labels) {
        return load(images, labels, 10);
    }

    /** Images with labels in {@code [0, classes)}, classes in [1, 256]. */
    public static Dataset load(Path images, Path labels, int classes) {
        if (classes < 1 || classes > 256)
            throw new IllegalArgumentException("classes must be in [1, 256] for byte labels, got " + classes);
        Body img = read(images, IMAGES_MAGIC, "an image count", "a row count", "a column count");
        Body lab = read(labels, LABELS_MAGIC, "a label count");
        int count = img.dims[0], features = img.dims[1] * img.dims[2];
        if (lab.dims[0] != count)
            throw DataFormatException.atOffset(
                    labels, 4, count + " labels, one per image in " + images, lab.dims[0] + " labels");

        float[] x = new float[count * features];
        for (int i = 0; i < x.length; i++) x[i] = PIXEL[img.data[i] & 0xFF];
        int[] y = new int[count];
        for (int i = 0; i < count; i++) {
            y[i] = lab.data[i] & 0xFF;
            if (y[i] >= classes)
                throw DataFormatException.atOffset(labels, lab.start + i, "a label in [0, " + classes + ")", "" + y[i]);
        }
        return Dataset.classification(LineReader.nameOf(images), x, features, y, classes);
    }

    /**
     * The MNIST folder layout: {@code train-images.idx3-ubyte}, {@code train-labels.idx1-ubyte},
     * {@code test-images.idx3-ubyte} and {@code test-labels.idx1-ubyte}, labels 0–9; each file may
     * instead be gzip-compressed with {@code .gz} appended to its name.
     */
    public static Split mnist(Path folder) {
        return new Split(
                load(
                        Gzip.plainOrGz(folder, "train-images.idx3-ubyte"),
                        Gzip.plainOrGz(folder, "train-labels.idx1-ubyte")),
                load(
                        Gzip.plainOrGz(folder, "test-images.idx3-ubyte"),
                        Gzip.plainOrGz(folder, "test-labels.idx1-ubyte")));
    }

    /** A checked IDX file: its sizes, and its data bytes (from file offset {@code start}). */
    private record Body(int[] dims, int start, byte[] data) {}

    /**
     * Reads the header, checks it (against the file's length when that is known: an uncompressed
     * regular file) and that its data fits in this JVM, then reads the data. The file is opened once
     * and read front to back, so a pipe or a compressed file works like a regular one; their length
     * is known only by reading, so the data is read up to what the header announces (a lying header
     * costs no more memory than the real data) and then one byte more must be the end.
     */
    private static Body read(Path file, int magic, String... dimNames) {
        int start = 4 + 4 * dimNames.length;
        try (InputStream in = Gzip.open(file)) {
            boolean plain = !Gzip.isDecompressed(in);
            String content = plain ? "" : " decompressed";
            byte[] head = in.readNBytes(start);
            if (head.length < start)
                throw DataFormatException.atOffset(
                        file,
                        head.length,
                        "a " + start + "-byte IDX header",
                        plain ? "the end of the file" : "the end of the decompressed data");
            int[] dims = dims(file, ByteBuffer.wrap(head), magic, dimNames); // big-endian
            BigInteger length = length(dims, start);
            String expected = start + " + " + joined(dims) + " = " + length + content + " bytes as the header says";
            if (plain && Files.isRegularFile(file)) {
                long size = Files.size(file);
                if (!length.equals(BigInteger.valueOf(size)))
                    throw DataFormatException.atOffset(
                            file,
                            length.compareTo(BigInteger.valueOf(size)) < 0 ? length.longValue() : size,
                            expected,
                            size + " bytes");
            }
            checkFits(file, dims, length);
            long values = length.longValue() - start;
            byte[] data = in.readNBytes((int) values); // grows as it reads
            if (data.length < values)
                throw DataFormatException.atOffset(file, start + data.length, expected, start + data.length + " bytes");
            if (in.read() >= 0) throw DataFormatException.atOffset(file, length.longValue(), expected, "more bytes");
            return new Body(dims, start, data);
        } catch (IOException e) {
            throw LineReader.cannotRead(file, e);
        }
    }

    /** The sizes in the header, checked: the magic number, then each size in [1, 2³¹−1]. */
    private static int[] dims(Path file, ByteBuffer header, int magic, String... dimNames) {
        int found = header.getInt(0);
        if (found != magic)
            throw DataFormatException.atOffset(
                    file, 0, String.format("magic number 0x%08X", magic), String.format("0x%08X", found));
        int[] dims = new int[dimNames.length];
        for (int d = 0; d < dims.length; d++) {
            dims[d] = header.getInt(4 + 4 * d);
            if (dims[d] <= 0)
                throw DataFormatException.atOffset(
                        file, 4 + 4 * d, dimNames[d] + " in [1, 2147483647]", Integer.toUnsignedString(dims[d]));
        }
        return dims;
    }

    /** The file length the header implies: start + the product of the sizes (exact, no overflow). */
    private static BigInteger length(int[] dims, int start) {
        BigInteger length = BigInteger.ONE;
        for (int d : dims) length = length.multiply(BigInteger.valueOf(d));
        return length.add(BigInteger.valueOf(start));
    }

    /**
     * The header's values fit in one array, and in the heap as this loader and a run hold them: the
     * bytes once, and as floats {@link Sizes#DATA_COPIES} times (loaded, split, standardised).
     */
    private static void checkFits(Path file, int[] dims, BigInteger length) {
        long values = length.min(BigInteger.valueOf(Long.MAX_VALUE)).longValue() - 4 - 4L * dims.length;
        String why = Sizes.arrayProblem(values);
        if (why == null) why = Sizes.heapProblem(values + Sizes.saturatedMultiply(values, 4L * Sizes.DATA_COPIES));
        if (why != null)
            throw DataFormatException.atOffset(
                    file,
                    4,
                    "a header whose data fits in this JVM (" + Sizes.DATA_COPIES
                            + " float copies: loaded, split, standardised)",
                    joined(dims) + ", which " + why);
    }

    private static String joined(int[] dims) {
        StringBuilder s = new StringBuilder();
        for (int d : dims) s.append(s.length() == 0 ? "" : "×").append(d);
        return s.toString();
    }
}
