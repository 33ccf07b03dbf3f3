package dev.spikevae.data;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The work of one epoch's background thread: builds the batches in order and hands them over through a
 * one-item slot, so at most one finished batch waits while the next is being read; then the thread waits
 * for the consumer. It holds no reference to the consumer's iterator, so an abandoned iterator can be
 * collected and its cleaner can cancel this. A read failure is handed over in place of the batch;
 * cancellation is checked between images and wakes a thread waiting for the consumer, so the thread ends
 * soon after {@link #cancel}.
 *
 * <p>With a reader pool, the images of a batch are read by the pool's threads (image p by reader
 * {@code p % readers}); each writes its own slots, so the batch is the same whatever the pool's size.
 */
final class Prefetcher implements Runnable {
    /** A failed batch: what the consumer rethrows. */
    record Failure(DatasetException error) {
    }

    private final ImageDataset data;
    private final int[] order;
    private final boolean[] flips;
    private final int batchSize;
    private final int batches;
    private final int epoch;
    private final ExecutorService readers;
    private final int readerCount;

    /** Guards the slot, {@code ended} and {@code waitingWith}; every change of them is announced by notifyAll. */
    private final Object lock = new Object();
    /** The handed-over item (a {@link Batch} or a {@link Failure}) not yet taken, or null. */
    private Object slot;
    /** Whether {@link #run} has returned. */
    private boolean ended;
    /** The batch this thread holds while it waits for the slot to empty, or -1. */
    private int waitingWith = -1;
    /** Written under the lock (to wake waiters), read without it between images. */
    private volatile boolean cancelled;

    /**
     * Batch b holds the images {@code order[b * batchSize ..]}; {@code flips} is null for no flips;
     * {@code readers} is null to read on this thread, else a pool of {@code readerCount} threads.
     */
    Prefetcher(ImageDataset data, int[] order, boolean[] flips, int batchSize, int batches, int epoch,
               ExecutorService readers, int readerCount) {
        this.data = data;
        this.order = order;
        this.flips = flips;
        this.batchSize = batchSize;
        this.batches = batches;
        this.epoch = epoch;
        this.readers = readers;
        this.readerCount = readers == null ? 1 : readerCount;
    }

    void cancel() {
        synchronized (lock) {
            cancelled = true;
            lock.notifyAll();
        }
    }

    /**
     * Waits for the next item and takes it: a {@link Batch} or a {@link Failure}.
     *
     * @throws IllegalStateException when cancelled (its loader or iterator was closed), or when the thread
     *                               ended without handing over batch {@code next}
     * @throws InterruptedException  when the caller is interrupted while waiting
     */
    Object take(int next) throws InterruptedException {
        synchronized (lock) {
            while (true) {
                if (cancelled) {
                    throw new IllegalStateException("the epoch's batches are no longer available: its data loader "
                            + "was closed");
                }
                if (slot != null) {
                    Object item = slot;
                    slot = null;
                    lock.notifyAll();
                    return item;
                }
                if (ended) {
                    throw new IllegalStateException("the read-ahead thread ended without handing over batch " + next);
                }
                lock.wait();
            }
        }
    }

    /**
     * Waits until this thread has built batch {@code batch} and waits for the consumer to take the one
     * before it, or until {@code millis} pass; true if it got there. While it waits the thread reads
     * nothing, so this is the point at which to observe how far it has read ahead.
     */
    boolean awaitWaitingWith(int batch, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        synchronized (lock) {
            while (waitingWith != batch) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || ended) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
            return true;
        }
    }

    @Override
    public void run() {
        try {
            for (int b = 0; b < batches && !cancelled; b++) {
                Object item;
                try {
                    item = build(b);
                } catch (DatasetException e) {
                    item = new Failure(e);
                } catch (RuntimeException | Error e) {
                    item = new Failure(new DatasetException(data.name() + ", epoch " + epoch + ", batch " + b + ": " + e, e));
                }
                if (item == null || !handOver(item, b) || item instanceof Failure) {
                    return;
                }
            }
        } finally {
            synchronized (lock) {
                ended = true;
                lock.notifyAll();
            }
        }
    }

    /** Batch b, or null when cancelled while reading it. */
    private Batch build(int b) {
        int from = b * batchSize;
        int size = Math.min(batchSize, order.length - from);
        float[] pixels = new float[size * data.imageSize()];
        int[] labels = new int[size];
        if (readers == null) {
            try {
                readEvery(from, size, 0, 1, pixels, labels);
            } catch (ReadFailure f) {
                throw f.error;
            }
        } else {
            List<Future<?>> parts = new ArrayList<>(readerCount);
            for (int k = 0; k < readerCount; k++) {
                int first = k;
                parts.add(readers.submit(() -> readEvery(from, size, first, readerCount, pixels, labels)));
            }
            awaitAll(parts);
        }
        return cancelled ? null : new Batch(pixels, labels, size, data.channels(), data.height(), data.width());
    }

    /** Reads positions {@code first, first + step, ...} of the batch starting at {@code from}. */
    private void readEvery(int from, int size, int first, int step, float[] pixels, int[] labels) {
        int imageSize = data.imageSize();
        for (int i = first; i < size && !cancelled; i += step) {
            int index = order[from + i];
            try {
                data.read(index, pixels, i * imageSize, flips != null && flips[from + i]);
                labels[i] = data.label(index);
            } catch (RuntimeException e) {
                throw new ReadFailure(i, new DatasetException(data.name() + ", image " + index + ": " + e.getMessage(), e));
            }
        }
    }

    /** Waits for every part; if some failed, throws the failure of the earliest position in the batch. */
    private static void awaitAll(List<Future<?>> parts) {
        ReadFailure earliest = null;
        RuntimeException other = null;
        for (Future<?> part : parts) {
            try {
                part.get();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof ReadFailure f) {
                    earliest = earliest == null || f.position < earliest.position ? f : earliest;
                } else if (e.getCause() instanceof Error err) {
                    throw err;
                } else {
                    other = new IllegalStateException("a reader thread failed: " + e.getCause(), e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the reader threads", e);
            }
        }
        if (earliest != null) {
            throw earliest.error;
        }
        if (other != null) {
            throw other;
        }
    }

    /** A read failure and its position in the batch (to report the earliest when readers run in parallel). */
    private static final class ReadFailure extends RuntimeException {
        final int position;
        final DatasetException error;

        ReadFailure(int position, DatasetException error) {
            super(error.getMessage(), error, false, false);
            this.position = position;
            this.error = error;
        }
    }

    /** Puts batch b's item in the slot once it is empty; false if cancelled (or interrupted) first. */
    private boolean handOver(Object item, int b) {
        synchronized (lock) {
            try {
                while (slot != null && !cancelled) {
                    waitingWith = b;
                    lock.notifyAll();
                    lock.wait();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } finally {
                waitingWith = -1;
            }
            if (cancelled) {
                return false;
            }
            slot = item;
            lock.notifyAll();
            return true;
        }
    }
}
