package dev.descent.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.UnaryOperator;

/** Writing a file so that readers see either its old or its complete new content, never a part. */
final class AtomicFiles {

    private AtomicFiles() {}

    /** Writes a file's content to a channel. */
    interface Body {
        void writeTo(WritableByteChannel out) throws IOException;
    }

    /**
     * Writes {@code target} through a temporary file {@code .NAME.tmp-RANDOM} in the same directory
     * (created if needed): body, fsync, atomic rename over the target, fsync of the directory. On
     * any failure the temporary file is deleted and an existing target is left as it was.
     * {@code wrap} lets tests interpose a failing channel; production passes the identity.
     */
    static void write(Path target, Body body, UnaryOperator<WritableByteChannel> wrap) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve("." + target.getFileName() + ".tmp-" + randomSuffix());
        boolean moved = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                body.writeTo(wrap.apply(ch));
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            moved = true;
            syncDirectory(dir);
        } finally {
            if (!moved) deleteQuietly(tmp);
        }
    }

    /** Writes all of buf to out. */
    static void writeFully(WritableByteChannel out, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) out.write(buf);
    }

    /** Flushes a directory's entries to disk where the platform allows it (Linux, macOS); a no-op elsewhere. */
    static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException notSupported) {
            // Windows cannot open a directory as a channel; the rename is still atomic there.
        }
    }

    static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort: the original failure is what the caller needs to see
        }
    }

    static String randomSuffix() {
        byte[] b = new byte[6];
        ThreadLocalRandom.current().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
