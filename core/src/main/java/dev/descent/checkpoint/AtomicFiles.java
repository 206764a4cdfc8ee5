package dev.descent.checkpoint;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.UnaryOperator;

/**
 * Writing a file so that readers see either its old or its complete new content, never a part: the
 * one way Descent writes its outputs (checkpoint files, history CSVs, the examples' plots and CSVs).
 *
 * <p>{@link #write} writes {@code .NAME.tmp-RANDOM} beside the target, fsyncs it, renames it over the
 * target in one atomic step and fsyncs the directory. On any failure (an exception in the body, a
 * full disk) the temporary file is deleted and an existing target is left exactly as it was: a full
 * disk never leaves a truncated PNG or CSV. A target that is a symbolic link is replaced by the new
 * file; the file the link pointed to is never written. A process killed mid-write (kill -9, power
 * loss) leaves its {@code .NAME.tmp-RANDOM}; the next successful write of the same file removes such
 * leftovers (regular files of exactly that form only). One writer per file at a time is assumed, as
 * the output folders' {@link OutputLock} ensures.
 */
public final class AtomicFiles {

    private AtomicFiles() {}

    /** Writes a file's content to a channel. */
    public interface Body {
        void writeTo(WritableByteChannel out) throws IOException;
    }

    /** Writes a file's content to a stream (for encoders that take an {@link OutputStream}). */
    public interface StreamBody {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Writes {@code target} atomically (see the class comment); the parent directory is created if
     * needed.
     *
     * @throws IOException if the body or the file system fails; {@code target} is then unchanged
     */
    public static void write(Path target, Body body) throws IOException {
        write(target, body, UnaryOperator.identity());
    }

    /**
     * {@link #write(Path, Body)} with a hook around the output channel: failure-injection tests pass a
     * channel that fails (e.g. with "No space left on device" after n bytes); production code passes
     * {@link UnaryOperator#identity()}.
     */
    public static void write(Path target, Body body, UnaryOperator<WritableByteChannel> wrap) throws IOException {
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
        removeLeftovers(dir, "." + target.getFileName() + ".tmp-");
    }

    /** Best effort: deletes regular files {@code prefix + 12 hex digits} in dir (temporaries of killed writers). */
    private static void removeLeftovers(Path dir, String prefix) {
        try (java.util.stream.Stream<Path> entries = Files.list(dir)) {
            entries.filter(p -> {
                        String n = p.getFileName().toString();
                        return n.startsWith(prefix)
                                && n.length() == prefix.length() + 12
                                && n.substring(prefix.length()).chars().allMatch(c -> Character.digit(c, 16) >= 0)
                                && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS);
                    })
                    .forEach(AtomicFiles::deleteQuietly);
        } catch (IOException ignored) {
            // the file is written; stale temporaries are only untidy
        }
    }

    /**
     * {@link #write(Path, Body, UnaryOperator)} for a body that writes to a stream; the stream is
     * buffered and not closed by the body.
     */
    public static void writeStream(Path target, StreamBody body, UnaryOperator<WritableByteChannel> wrap)
            throws IOException {
        write(
                target,
                ch -> {
                    OutputStream out = new java.io.BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
                    body.writeTo(out);
                    out.flush();
                },
                wrap);
    }

    /**
     * Writes {@code bytes} as the whole content of {@code target}, atomically ({@link #write(Path,
     * Body, UnaryOperator)}); a failure is thrown as {@link #failure}.
     */
    public static void writeBytes(Path target, byte[] bytes, UnaryOperator<WritableByteChannel> wrap) {
        try {
            write(target, out -> writeFully(out, ByteBuffer.wrap(bytes)), wrap);
        } catch (IOException e) {
            throw failure(target, e);
        }
    }

    /**
     * The failure to write {@code file} as an unchecked exception with a message a user can act on:
     * {@code "no space left on device: FILE (nothing written; any earlier FILE is unchanged)"} when the
     * disk is full, else {@code "cannot write FILE: REASON"}.
     */
    public static UncheckedIOException failure(Path file, IOException e) {
        return new UncheckedIOException(describe(file, e), e);
    }

    /** The message of {@link #failure}. */
    public static String describe(Path file, IOException e) {
        if (isDiskFull(e))
            return "no space left on device: " + file + " (nothing written; any earlier file is unchanged)";
        return "cannot write " + file + ": " + e.getMessage();
    }

    /**
     * Whether {@code e} (or a cause) is the operating system's "no space left on device" (ENOSPC) or
     * "disk quota exceeded" (EDQUOT); the JDK reports both only through the message.
     */
    public static boolean isDiskFull(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
            if (m.contains("no space left on device") || m.contains("disk quota exceeded")) return true;
        }
        return false;
    }

    /** Writes all of buf to out. */
    static void writeFully(WritableByteChannel out, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) out.write(buf);
    }

    /**
     * Refuses to open {@code file} for reading unless it is a regular file, not a symbolic link: a
     * FIFO or a device would block or never end, and a link could point anywhere.
     *
     * @throws CheckpointException naming the file if it exists and is not a regular file
     */
    static void requireRegularFile(Path file) throws CheckpointException {
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS))
            throw new CheckpointException(file, "is not a regular file (a FIFO, device or link); refusing to read it");
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
