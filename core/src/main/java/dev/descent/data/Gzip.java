package dev.descent.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Transparent gzip for every loader: a file that starts with the gzip magic bytes {@code 1f 8b} is
 * decompressed on the fly, whatever its name; any other file is read as it is. So {@code
 * train-images.idx3-ubyte.gz} and {@code data.csv.gz} load like their uncompressed originals.
 */
final class Gzip {

    static final int MAGIC_1 = 0x1f, MAGIC_2 = 0x8b;

    private Gzip() {}

    /** True if the file starts with the gzip magic bytes. */
    static boolean isGzip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.read() == MAGIC_1 && in.read() == MAGIC_2;
        }
    }

    /** A buffered stream of the file's content, decompressed if the file is gzip. */
    static InputStream open(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        raw.mark(2);
        boolean gzip = raw.read() == MAGIC_1 && raw.read() == MAGIC_2;
        raw.reset();
        return gzip ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16) : raw;
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
