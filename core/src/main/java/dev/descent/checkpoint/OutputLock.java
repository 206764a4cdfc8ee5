package dev.descent.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * An exclusive lock on a checkpoint folder and the output folder that holds it, so that two runs
 * writing the same place at once refuse clearly instead of replacing each other's files.
 *
 * <p>The lock is an operating-system lock ({@link FileChannel#tryLock}) on the file
 * {@code PARENT/.NAME.lock} beside the checkpoint folder {@code PARENT/NAME} (for the command line:
 * {@code OUT/.checkpoint.lock}); the file holds the holder's process id, for the message. The
 * operating system releases the lock when the process ends, however it ends (kill -9 included), so
 * a lock file left behind by a killed run never blocks the next one; the file itself is left in
 * place (deleting it could race with a run that is just locking it).
 *
 * <p>Within one process the lock is re-entrant for the thread that holds it (the command line locks
 * the output folder for the whole command, the trainer locks it again for the training), and refused
 * for other threads. {@link #close} releases one acquisition; the last one releases the lock.
 */
public final class OutputLock implements AutoCloseable {

    private static final Map<Path, Held> HELD = new HashMap<>();

    private final Path lockFile;
    private boolean closed;

    private OutputLock(Path lockFile) {
        this.lockFile = lockFile;
    }

    /** What this process holds on one lock file. */
    private static final class Held {
        final FileChannel channel;
        final FileLock lock;
        final Thread owner;
        int count = 1;

        Held(FileChannel channel, FileLock lock, Thread owner) {
            this.channel = channel;
            this.lock = lock;
            this.owner = owner;
        }
    }

    /** The lock file of the checkpoint folder {@code checkpointDir}: {@code PARENT/.NAME.lock}. */
    public static Path lockFile(Path checkpointDir) {
        Path target = checkpointDir.toAbsolutePath().normalize();
        return target.resolveSibling("." + target.getFileName() + ".lock");
    }

    /**
     * Locks the checkpoint folder {@code checkpointDir} (its parent is created if missing) for this
     * thread.
     *
     * @throws CheckpointException naming the folder and the holder if another process or another
     *     thread of this one holds it: {@code "OUT is being written by another run (pid 1234; lock
     *     file OUT/.checkpoint.lock)"}
     * @throws IOException if the lock file cannot be created or opened
     */
    public static OutputLock acquire(Path checkpointDir) throws IOException {
        Path file = lockFile(checkpointDir);
        Path folder = file.getParent();
        Files.createDirectories(folder);
        synchronized (HELD) {
            Held held = HELD.get(file);
            if (held != null) {
                if (held.owner != Thread.currentThread())
                    throw busy(
                            folder,
                            file,
                            ProcessHandle.current().pid() + ", this process, thread " + held.owner.getName());
                held.count++;
                return new OutputLock(file);
            }
            FileChannel ch = FileChannel.open(
                    file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
            if (lock == null) {
                String pid = holder(ch);
                ch.close();
                throw busy(folder, file, pid);
            }
            try {
                byte[] pid = (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII);
                ch.truncate(0);
                ch.write(ByteBuffer.wrap(pid), 0);
            } catch (IOException e) {
                lock.release();
                ch.close();
                throw e;
            }
            HELD.put(file, new Held(ch, lock, Thread.currentThread()));
            return new OutputLock(file);
        }
    }

    private static CheckpointException busy(Path folder, Path file, String pid) {
        return new CheckpointException(
                folder, "is being written by another run (pid " + pid + "; lock file " + file + ")");
    }

    /** The process id written in the lock file, or "unknown". */
    private static String holder(FileChannel ch) {
        try {
            ByteBuffer b = ByteBuffer.allocate(32);
            ch.read(b, 0);
            String s = new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII).trim();
            return s.matches("\\d{1,19}") ? s : "unknown";
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** The lock file. */
    public Path file() {
        return lockFile;
    }

    /** Releases this acquisition; the lock itself when it was the last one. Idempotent. */
    @Override
    public void close() throws IOException {
        synchronized (HELD) {
            if (closed) return;
            closed = true;
            Held held = HELD.get(lockFile);
            if (held == null || --held.count > 0) return;
            HELD.remove(lockFile);
            try {
                held.lock.release();
            } finally {
                held.channel.close();
            }
        }
    }
}
