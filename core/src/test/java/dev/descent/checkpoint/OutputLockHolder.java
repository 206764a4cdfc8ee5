package dev.descent.checkpoint;

import java.nio.file.Path;

/** A second process for {@link OutputLockTest}: locks the checkpoint folder args[0], says so, then waits to be killed. */
public final class OutputLockHolder {
    private OutputLockHolder() {}

    public static void main(String[] args) throws Exception {
        OutputLock.acquire(Path.of(args[0]));
        System.out.println("locked");
        System.out.flush();
        Thread.sleep(120_000);
    }
}
