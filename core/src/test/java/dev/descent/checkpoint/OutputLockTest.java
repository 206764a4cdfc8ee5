package dev.descent.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputLockTest {

    @TempDir
    Path root;

    @Test
    void anotherProcessHoldingTheFolderIsRefusedByPidAndAKilledOneDoesNotBlock() throws Exception {
        Path ckpt = root.resolve("out/checkpoint");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process holder = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        OutputLockHolder.class.getName(),
                        ckpt.toString())
                .redirectErrorStream(true)
                .start();
        try {
            var out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("locked", out.readLine());
            var e = assertThrows(CheckpointException.class, () -> OutputLock.acquire(ckpt));
            assertEquals(
                    root.resolve("out") + ": is being written by another run (pid " + holder.pid() + "; lock file "
                            + root.resolve("out/.checkpoint.lock") + ")",
                    e.getMessage());
        } finally {
            holder.destroyForcibly(); // kill -9: the operating system drops its lock
            holder.waitFor(30, TimeUnit.SECONDS);
        }
        assertTrue(Files.exists(root.resolve("out/.checkpoint.lock")), "the stale lock file is still there");
        try (OutputLock lock = OutputLock.acquire(ckpt)) {
            assertEquals(
                    ProcessHandle.current().pid() + "\n",
                    Files.readString(lock.file()),
                    "the lock file now names this process");
        }
    }

    @Test
    void reentrantForTheHoldingThreadRefusedForOthersReleasedOnClose() throws Exception {
        Path ckpt = root.resolve("checkpoint");
        try (OutputLock outer = OutputLock.acquire(ckpt)) {
            try (OutputLock inner = OutputLock.acquire(ckpt)) {
                var other = CompletableFuture.supplyAsync(() -> {
                    try (OutputLock l = OutputLock.acquire(ckpt)) {
                        return "acquired";
                    } catch (Exception e) {
                        return e.getMessage();
                    }
                });
                assertTrue(other.get().startsWith(root + ": is being written by another run (pid "), other.get());
            }
            var stillHeld = CompletableFuture.supplyAsync(() -> {
                try (OutputLock l = OutputLock.acquire(ckpt)) {
                    return "acquired";
                } catch (Exception e) {
                    return "refused";
                }
            });
            assertEquals("refused", stillHeld.get(), "the outer acquisition still holds it");
        }
        var free = CompletableFuture.supplyAsync(() -> {
            try (OutputLock l = OutputLock.acquire(ckpt)) {
                return "acquired";
            } catch (Exception e) {
                return e.getMessage();
            }
        });
        assertEquals("acquired", free.get());
    }
}
