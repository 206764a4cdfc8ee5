package dev.descent.data;

import java.io.BufferedInputStream;
import java.io.FileInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Transparent gzip for every loader: a file that starts with the gzip magic bytes {@code 1f 8b} is
 * decompressed on the fly, whatever its name; any other file is read as it is. So {@code
 * train-images.idx3-ubyte.gz} and {@code data.csv.gz} load like their uncompressed originals.
 *
 * <p>Files are opened once and read front to back, never sought, so a pipe ({@code --data <(zcat
 * ...)}, {@code /dev/stdin}) works: the magic bytes are sniffed through a mark/reset buffer.
 * Decompression stops with a {@link DataFormatException} past {@link #maxDecompressedBytes()}
 * (a gzip bomb: 10 GB of zeros compress to 10 MB).
 */
final class Gzip {

    static final int MAGIC_1 = 0x1f, MAGIC_2 = 0x8b;

    /** Overrides {@link #maxDecompressedBytes()} (bytes), e.g. for tests. */
    static final String MAX_DECOMPRESSED_PROPERTY = "descent.data.maxDecompressedBytes";

    private Gzip() {}

    /**
     * The most bytes one compressed file may decompress to: 4 × the heap limit ({@link Sizes}). A
     * data set is held as 4-byte floats {@link Sizes#DATA_COPIES} times over, and every value takes
     * at least one byte of IDX or two of text ("0,"), so content beyond this cannot fit anyway.
     */
    static long maxDecompressedBytes() {
        String p = System.getProperty(MAX_DECOMPRESSED_PROPERTY);
        return p != null ? Long.parseLong(p.strip()) : Sizes.saturatedMultiply(4, Sizes.heapLimit());
    }

    /** A buffered stream of the file's content, decompressed if the file is gzip. */
    static InputStream open(Path file) throws IOException {
        return open(file, maxDecompressedBytes());
    }

    /**
     * {@link #open(Path)} with another decompression limit: a streaming reader, whose memory does not
     * grow with the file, passes {@link Long#MAX_VALUE}.
     */
    static InputStream open(Path file, long maxDecompressed) throws IOException {
        InputStream raw = new BufferedInputStream(openRaw(file), 1 << 16);
        raw.mark(2);
        boolean gzip = raw.read() == MAGIC_1 && raw.read() == MAGIC_2;
        raw.reset();
        return gzip ? new Decompressed(file, new GZIPInputStream(raw, 1 << 16), maxDecompressed) : raw;
    }

    /** True if {@code in} (from {@link #open}) decompresses its file. */
    static boolean isDecompressed(InputStream in) {
        return in instanceof Decompressed;
    }

    /**
     * A regular file through NIO; anything else (a pipe, a device) through {@link FileInputStream},
     * whose {@code available()} does not seek: NIO's fails on a pipe with "Illegal seek", which
     * GZIPInputStream calls at the end of a member.
     */
    private static InputStream openRaw(Path file) throws IOException {
        if (Files.isRegularFile(file) || !Files.exists(file)) return Files.newInputStream(file);
        if (Files.isDirectory(file)) throw new IOException("is a folder, not a file");
        return new FileInputStream(file.toFile());
    }

    /** Decompressed bytes, counted: past the limit, a {@link DataFormatException} naming the file. */
    private static final class Decompressed extends FilterInputStream {
        private final Path file;
        private final long limit;
        private long count;

        Decompressed(Path file, InputStream in, long limit) {
            super(new BufferedInputStream(in, 1 << 16));
            this.file = file;
            this.limit = limit;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) count(1);
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) count(n);
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long k = super.skip(n);
            count(k);
            return k;
        }

        @Override
        public boolean markSupported() {
            return false;
        }

        private void count(long n) {
            count += n;
            if (count > limit)
                throw DataFormatException.atOffset(
                        file,
                        limit,
                        "at most " + Sizes.bytes(limit) + " of decompressed content (4 × the heap limit; "
                                + MAX_DECOMPRESSED_PROPERTY + " changes it)",
                        "more: a gzip bomb, or data too large for this heap");
        }
    }

    /**
     * {@code name} in {@code folder}, or {@code name + ".gz"} if only the compressed file is there
     * (the plain name when neither exists, so the error names the file one expects).
     */
    static Path plainOrGz(Path folder, String name) {
        Path plain = folder.resolve(name);
        if (Files.exists(plain)) return plain;
        Path gz = folder.resolve(name + ".gz");
        return Files.exists(gz) ? gz : plain;
    }
}
