package dev.descent.backend;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * The one thread pool of the CPU backends: {@code availableProcessors() - 1} daemon workers, created
 * on first use. The calling thread always takes part, so {@code availableProcessors()} threads run
 * at most; work submitted from inside a task runs inline on its thread, so calls never nest.
 *
 * <p>A call allocates nothing: each calling thread keeps one {@link Job} and its helper tasks and
 * reuses them for every call.
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

    private static final ThreadLocal<Job> JOBS = ThreadLocal.withInitial(Job::new);

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
        Job job;
        if (tasks <= 1 || inPool() || (job = JOBS.get()).body != null) {
            // one task, a pool worker, or a task of this thread's own call: run inline
            for (int t = 0; t < tasks; t++) body.accept(t);
            return;
        }
        job.run(tasks, body);
    }

    /**
     * One calling thread's work: the tasks of its current call, claimed through one counter, and
     * the helper tasks that bring pool workers in. Reused for every call of that thread.
     */
    private static final class Job {
        final Thread owner = Thread.currentThread();
        /** High 32 bits: the current call's task count; low 32 bits: the next task to claim. */
        final AtomicLong claims = new AtomicLong();

        final AtomicInteger done = new AtomicInteger();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Helper[] helpers = new Helper[Holder.POOL.getParallelism()];
        /** The current call's tasks; published to helpers by the write to {@link #claims}. */
        IntConsumer body;

        Job() {
            for (int h = 0; h < helpers.length; h++) helpers[h] = new Helper(this);
        }

        void run(int tasks, IntConsumer body) {
            this.body = body;
            done.set(0);
            claims.set((long) tasks << 32);
            try {
                for (int h = 0, n = Math.min(tasks - 1, helpers.length); h < n; h++) helpers[h].offer();
                work();
                while (done.get() < tasks) LockSupport.park(this);
            } finally {
                this.body = null;
            }
            Throwable e = failure.getAndSet(null);
            if (e instanceof RuntimeException r) throw r;
            if (e instanceof Error r) throw r;
            if (e != null) throw new IllegalStateException(e);
        }

        /**
         * Claims and runs tasks until none is left. The task count is read in the same atomic step
         * as the claim, so a helper arriving after its call has ended claims nothing, or a task of
         * the next call with that call's body: a call cannot end (nor the next begin) while one of
         * its tasks is claimed and unfinished.
         */
        void work() {
            for (; ; ) {
                long c = claims.getAndIncrement();
                int t = (int) c, tasks = (int) (c >>> 32);
                if (t >= tasks) return;
                try {
                    if (failure.get() == null) body.accept(t);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                } finally {
                    if (done.incrementAndGet() == tasks && Thread.currentThread() != owner) LockSupport.unpark(owner);
                }
            }
        }

        boolean unclaimed() {
            long c = claims.get();
            return (int) c < (int) (c >>> 32);
        }
    }

    /**
     * Brings one pool worker into its job's calls. Never completes, so the same object is queued
     * again for every call (no allocation); it is queued at most once at a time.
     */
    private static final class Helper extends ForkJoinTask<Void> {
        private static final long serialVersionUID = 1L;
        private final transient Job job;
        private final AtomicBoolean queued = new AtomicBoolean();

        Helper(Job job) {
            this.job = job;
        }

        /** Queues this helper, unless it is queued or running already (then it joins the call itself). */
        void offer() {
            if (queued.compareAndSet(false, true)) Holder.POOL.execute(this);
        }

        @Override
        protected boolean exec() {
            // a call that began while this helper was finishing the previous one found it still
            // queued: look again after clearing the flag, so that call gets its helper
            do {
                job.work();
                queued.set(false);
            } while (job.unclaimed() && queued.compareAndSet(false, true));
            return false;
        }

        @Override
        public Void getRawResult() {
            return null;
        }

        @Override
        protected void setRawResult(Void value) {}
    }
}
