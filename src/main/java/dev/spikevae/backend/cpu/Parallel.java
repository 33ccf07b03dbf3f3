package dev.spikevae.backend.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A fixed pool of worker threads for CPU kernels. The calling thread takes part in every job, so a
 * pool of {@code threads} uses {@code threads - 1} workers. Work is split into tasks claimed from a
 * shared counter; a kernel that needs a result independent of the thread count splits its work into a
 * fixed number of tasks and combines per-task partials in task order.
 *
 * <p>Calls from inside a task, or from a second thread while a job runs, execute inline on the caller:
 * nesting never deadlocks and never oversubscribes the cores.
 */
public final class Parallel {
    /** One unit of work: task {@code task} on worker slot {@code worker} (in [0, threads), for scratch buffers). */
    @FunctionalInterface
    public interface Task {
        void run(int task, int worker);
    }

    /** A contiguous range {@code [from, to)}. */
    @FunctionalInterface
    public interface Range {
        void run(int from, int to);
    }

    private static final ThreadLocal<Boolean> INSIDE = ThreadLocal.withInitial(() -> false);

    private final int threads;
    private final Worker[] workers;
    private final ReentrantLock lock = new ReentrantLock();

    public Parallel(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("thread count must be at least 1, got " + threads);
        }
        this.threads = threads;
        this.workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i + 1);
            workers[i].start();
        }
    }

    public int threads() {
        return threads;
    }

    /** Runs tasks {@code 0 .. tasks-1}, spread over the pool; returns when all are done. */
    public void forTasks(int tasks, Task body) {
        if (tasks <= 0) {
            return;
        }
        if (tasks == 1 || threads == 1 || INSIDE.get() || !lock.tryLock()) {
            runInline(tasks, body);
            return;
        }
        try {
            Job job = new Job(tasks, body, Math.min(workers.length, tasks - 1));
            for (int i = 0; i < job.helpers; i++) {
                workers[i].submit(job);
            }
            INSIDE.set(true);
            try {
                job.work(0);
            } finally {
                INSIDE.set(false);
            }
            job.awaitHelpers();
            job.rethrow();
        } finally {
            lock.unlock();
        }
    }

    /** Splits {@code [0, n)} into at most {@code threads} contiguous ranges of at least {@code grain} elements. */
    public void forRange(int n, int grain, Range body) {
        if (n <= 0) {
            return;
        }
        int chunks = (int) Math.min(threads, Math.max(1, (long) n / Math.max(1, grain)));
        if (chunks <= 1) {
            body.run(0, n);
            return;
        }
        forTasks(chunks, (t, w) -> body.run((int) ((long) t * n / chunks), (int) ((long) (t + 1) * n / chunks)));
    }

    private static void runInline(int tasks, Task body) {
        boolean outer = !INSIDE.get();
        INSIDE.set(true);
        try {
            for (int t = 0; t < tasks; t++) {
                body.run(t, 0);
            }
        } finally {
            if (outer) {
                INSIDE.set(false);
            }
        }
    }

    private static final class Job {
        final int tasks;
        final Task body;
        final int helpers;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger pending;
        volatile Throwable failure;
        final Thread owner = Thread.currentThread();

        Job(int tasks, Task body, int helpers) {
            this.tasks = tasks;
            this.body = body;
            this.helpers = helpers;
            this.pending = new AtomicInteger(helpers);
        }

        void work(int worker) {
            try {
                int t;
                while (failure == null && (t = next.getAndIncrement()) < tasks) {
                    body.run(t, worker);
                }
            } catch (Throwable e) {
                failure = e;
            }
        }

        void helperDone() {
            if (pending.decrementAndGet() == 0) {
                LockSupport.unpark(owner);
            }
        }

        void awaitHelpers() {
            int spins = 0;
            while (pending.get() > 0) {
                if (spins++ < 20_000) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(this, 50_000);
                }
            }
        }

        void rethrow() {
            Throwable e = failure;
            if (e instanceof RuntimeException re) {
                throw re;
            }
            if (e instanceof Error err) {
                throw err;
            }
            if (e != null) {
                throw new RuntimeException(e);
            }
        }
    }

    private static final class Worker extends Thread {
        private final int slot;
        private volatile Job job;

        Worker(int slot) {
            super("spikevae-cpu-" + slot);
            this.slot = slot;
            setDaemon(true);
        }

        void submit(Job j) {
            job = j;
            LockSupport.unpark(this);
        }

        @Override
        public void run() {
            INSIDE.set(true);
            while (true) {
                Job j = job;
                if (j == null) {
                    int spins = 0;
                    while ((j = job) == null && spins++ < 2_000) {
                        Thread.onSpinWait();
                    }
                    if (j == null) {
                        LockSupport.park(this);
                        continue;
                    }
                }
                job = null;
                j.work(slot);
                j.helperDone();
            }
        }
    }
}
