package dev.descent.backend;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
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
 * <p>A training step makes a few parallel calls of tens of microseconds each, and waking a parked
 * thread costs about as much on a virtual machine (a futex and an inter-processor interrupt). So a
 * worker that finished a call, and a caller waiting for its helpers, spin for {@link #SPIN_NANOS}
 * before they park: back-to-back calls find their helpers awake, as OpenBLAS's and OpenMP's threads
 * do.
 *
 * <p>A call allocates nothing: each calling thread keeps one {@link Job} and reuses it for every call.
 */
final class Workers {

    private Workers() {}

    /** How long an idle worker, and a caller waiting for its helpers, spin before parking. */
    static final long SPIN_NANOS = 200_000;

    private static final class Holder {
        static final Worker[] WORKERS = start(Math.max(1, Runtime.getRuntime().availableProcessors() - 1));

        static Worker[] start(int n) {
            Worker[] w = new Worker[n];
            for (int i = 0; i < n; i++) {
                w[i] = new Worker(i);
                w[i].start();
            }
            return w;
        }
    }

    private static final ThreadLocal<Job> JOBS = ThreadLocal.withInitial(Job::new);

    /** Whether the current thread is one of this pool's workers. */
    static boolean inPool() {
        return Thread.currentThread() instanceof Worker;
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
     * One calling thread's work: the tasks of its current call, claimed through one counter by the
     * caller and the workers it offered the call to. Reused for every call of that thread.
     */
    private static final class Job {
        final Thread owner = Thread.currentThread();
        /** High 32 bits: the current call's task count; low 32 bits: the next task to claim. */
        final AtomicLong claims = new AtomicLong();

        final AtomicInteger done = new AtomicInteger();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        /** Whether {@link #owner} parked waiting for its helpers (then the last one unparks it). */
        volatile boolean waiting;
        /** The current call's tasks; published to helpers by the write to {@link #claims}. */
        IntConsumer body;

        void run(int tasks, IntConsumer body) {
            this.body = body;
            done.set(0);
            claims.set((long) tasks << 32);
            try {
                Worker[] workers = Holder.WORKERS;
                for (int h = 0, n = Math.min(tasks - 1, workers.length); h < n; h++) workers[h].offer(this);
                work();
                awaitDone(tasks);
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
                    if (done.incrementAndGet() == tasks && waiting) LockSupport.unpark(owner);
                }
            }
        }

        /** Spins, then parks, until all {@code tasks} of the current call are done. */
        private void awaitDone(int tasks) {
            long start = System.nanoTime();
            while (done.get() < tasks) {
                if (System.nanoTime() - start < SPIN_NANOS) {
                    Thread.onSpinWait();
                    continue;
                }
                waiting = true;
                if (done.get() < tasks) LockSupport.park(this);
                waiting = false;
            }
        }

        boolean unclaimed() {
            long c = claims.get();
            return (int) c < (int) (c >>> 32);
        }
    }

    /**
     * One pool thread: helps the call put in its {@link #job} slot, then spins for {@link
     * #SPIN_NANOS} waiting for the next before it parks.
     */
    private static final class Worker extends Thread {
        private static final VarHandle JOB;

        static {
            try {
                JOB = MethodHandles.lookup().findVarHandle(Worker.class, "job", Job.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        /** The call this worker is asked to help, or null. */
        private volatile Job job;
        /** Whether this worker parked (then an offer unparks it). */
        private volatile boolean parked;

        Worker(int index) {
            super("descent-cpu-" + index);
            setDaemon(true);
            // not the first caller's: a task-scoped loader (a Spark task's, an application
            // server's) would stay reachable from this thread for the life of the JVM
            setContextClassLoader(Workers.class.getClassLoader());
        }

        /** Asks this worker to help {@code j}'s call, unless it is busy with another one (then the caller works alone). */
        void offer(Job j) {
            if (JOB.compareAndSet(this, null, j) && parked) LockSupport.unpark(this);
        }

        @Override
        public void run() {
            long idle = System.nanoTime();
            for (; ; ) {
                Job j = job;
                if (j != null) {
                    // a call that began while this worker was finishing the previous one found the
                    // slot taken: look again after clearing it, so that call gets its helper
                    do {
                        j.work();
                        job = null;
                    } while (j.unclaimed() && JOB.compareAndSet(this, null, j));
                    idle = System.nanoTime();
                } else if (System.nanoTime() - idle < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    parked = true;
                    if (job == null) LockSupport.park(this);
                    parked = false;
                    idle = System.nanoTime();
                }
            }
        }
    }
}
