package dev.descent.backend;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * The one thread pool of the CPU backends: {@code availableProcessors() - 1} daemon workers, created
 * on first use. The calling thread always takes part, so {@code availableProcessors()} threads run
 * at most; work submitted from a worker runs inline on it, so pools never nest.
 */
final class Workers {

    private Workers() {}

    private static final class Holder {
        static final ForkJoinPool POOL = new ForkJoinPool(
                Math.max(1, Runtime.getRuntime().availableProcessors() - 1),
                pool -> {
                    ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
                    t.setName("descent-cpu-" + t.getPoolIndex());
                    t.setDaemon(true);
                    return t;
                },
                null,
                false);
    }

    /** Whether the current thread is one of this pool's workers. */
    static boolean inPool() {
        return Thread.currentThread() instanceof ForkJoinWorkerThread w && w.getPool() == Holder.POOL;
    }

    /**
     * Runs {@code body.accept(t)} for every t in {@code [0, tasks)}, on the caller and the pool's
     * workers, and returns when all have finished. Tasks are claimed in order from a shared counter,
     * so a slow or busy worker simply takes fewer. The first exception thrown by a task is rethrown.
     */
    static void forEach(int tasks, IntConsumer body) {
        if (tasks <= 1 || inPool()) {
            for (int t = 0; t < tasks; t++) body.accept(t);
            return;
        }
        Job job = new Job(tasks, body, Thread.currentThread());
        int helpers = Math.min(tasks - 1, Holder.POOL.getParallelism());
        for (int h = 0; h < helpers; h++) Holder.POOL.execute(job);
        job.run();
        job.await();
    }

    private static final class Job implements Runnable {
        final int tasks;
        final IntConsumer body;
        final Thread owner;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        Job(int tasks, IntConsumer body, Thread owner) {
            this.tasks = tasks;
            this.body = body;
            this.owner = owner;
        }

        @Override
        public void run() {
            for (int t; (t = next.getAndIncrement()) < tasks; ) {
                try {
                    if (failure.get() == null) body.accept(t);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                } finally {
                    if (done.incrementAndGet() == tasks && Thread.currentThread() != owner) LockSupport.unpark(owner);
                }
            }
        }

        void await() {
            while (done.get() < tasks) LockSupport.park(this);
            Throwable e = failure.get();
            if (e instanceof RuntimeException r) throw r;
            if (e instanceof Error r) throw r;
            if (e != null) throw new IllegalStateException(e);
        }
    }
}
