package dev.descent.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class WorkersTest {

    @Test
    void everyTaskRunsExactlyOnce() {
        for (int tasks = 0; tasks <= 9; tasks++) {
            AtomicIntegerArray runs = new AtomicIntegerArray(Math.max(tasks, 1));
            Workers.forEach(tasks, runs::incrementAndGet);
            for (int t = 0; t < tasks; t++) assertEquals(1, runs.get(t), "task " + t + " of " + tasks);
        }
    }

    /**
     * Many short calls in a row, from several threads at once: helper tasks are reused across calls
     * (one that arrives late joins the next call), and still every task of every call runs once.
     */
    @Test
    void reusedHelpersRunEveryTaskOnceAcrossManyCalls() throws Exception {
        Thread[] callers = new Thread[3];
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int c = 0; c < callers.length; c++) {
            int seed = c;
            callers[c] = new Thread(() -> {
                try {
                    AtomicIntegerArray runs = new AtomicIntegerArray(16);
                    for (int call = 0; call < 5000; call++) {
                        int tasks = 2 + (call * 7 + seed) % 14;
                        for (int t = 0; t < tasks; t++) runs.set(t, 0);
                        Workers.forEach(tasks, runs::incrementAndGet);
                        for (int t = 0; t < tasks; t++)
                            assertEquals(1, runs.get(t), "call " + call + ", task " + t + " of " + tasks);
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            callers[c].start();
        }
        for (Thread t : callers) t.join();
        if (failure.get() != null) throw new AssertionError(failure.get());
    }

    /**
     * A worker parks after spinning idle for {@link Workers#SPIN_NANOS}; the next call must wake it:
     * whichever thread takes task 0 waits for task 1 to start, which only another thread can do.
     */
    @Test
    void parkedWorkersAreWokenByTheNextCall() throws InterruptedException {
        for (int r = 0; r < 3; r++) {
            int round = r;
            Workers.forEach(2, t -> {}); // a worker ran, so it spins, then parks
            Thread.sleep(Math.max(20, 4 * Workers.SPIN_NANOS / 1_000_000));
            java.util.concurrent.CountDownLatch second = new java.util.concurrent.CountDownLatch(1);
            String[] ranOn = new String[2];
            Workers.forEach(2, t -> {
                ranOn[t] = Thread.currentThread().getName();
                if (t == 1) {
                    second.countDown();
                    return;
                }
                try {
                    if (!second.await(10, java.util.concurrent.TimeUnit.SECONDS))
                        throw new AssertionError("round " + round + ": no other thread started task 1 in 10 s");
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            });
            assertNotEquals(ranOn[0], ranOn[1], "round " + round);
            assertTrue(
                    ranOn[0].startsWith("descent-cpu-") || ranOn[1].startsWith("descent-cpu-"),
                    ranOn[0] + ", " + ranOn[1]);
        }
    }

    @Test
    void nestedWorkRunsInlineInsteadOfNesting() {
        AtomicIntegerArray runs = new AtomicIntegerArray(4 * 4);
        Workers.forEach(4, outer -> Workers.forEach(4, inner -> runs.incrementAndGet(outer * 4 + inner)));
        for (int i = 0; i < 16; i++) assertEquals(1, runs.get(i));
    }

    @Test
    void firstFailureIsRethrown() {
        IllegalStateException boom = new IllegalStateException("boom");
        IllegalStateException thrown = assertThrows(
                IllegalStateException.class,
                () -> Workers.forEach(8, t -> {
                    if (t == 5) throw boom;
                }));
        assertSame(boom, thrown);
    }

    /** Workers never hold a caller's context class loader (the first caller's would be pinned). */
    @Test
    void workersKeepTheLibrarysClassLoaderNotTheCallers() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                Runtime.getRuntime().availableProcessors() > 1,
                "one CPU: its worker may get no time to claim a task while the caller runs them all");
        Thread caller = Thread.currentThread();
        ClassLoader old = caller.getContextClassLoader();
        try (java.net.URLClassLoader callers = new java.net.URLClassLoader(new java.net.URL[0], old)) {
            caller.setContextClassLoader(callers);
            AtomicReference<ClassLoader> seen = new AtomicReference<>();
            for (int attempt = 0; attempt < 1000 && seen.get() == null; attempt++)
                Workers.forEach(64, t -> {
                    if (Workers.inPool()) seen.set(Thread.currentThread().getContextClassLoader());
                    // the caller's tasks last 20 µs, so a worker has time to claim some
                    else for (long end = System.nanoTime() + 20_000; System.nanoTime() < end; ) Thread.onSpinWait();
                });
            assertTrue(seen.get() != null, "no task ran on a worker");
            assertSame(Workers.class.getClassLoader(), seen.get());
        } finally {
            caller.setContextClassLoader(old);
        }
    }
}
