package dev.spikevae.data;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The work of one epoch's background thread: builds the batches in order and hands them over through a
 * one-slot queue, so at most one finished batch waits while the next is being read. It holds no reference
 * to the consumer's iterator, so an abandoned iterator can be collected and its cleaner can cancel this.
 * A read failure is handed over in place of the batch; cancellation is checked between images and while
 * waiting for the consumer, so the thread ends soon after {@link #cancel}.
 *
 * <p>With a reader pool, the images of a batch are read by the pool's threads (image p by reader
 * {@code p % readers}); each writes its own slots, so the batch is the same whatever the pool's size.
 */
final class Prefetcher implements Runnable {
    /** How long the thread waits on a full queue before it looks at the cancel flag again. */
    private static final long POLL_MS = 20;

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
    private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(1);
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
        cancelled = true;
    }

    boolean cancelled() {
        return cancelled;
    }

    /** The next item (a {@link Batch} or a {@link Failure}), or null if none came within the timeout. */
    Object poll(long millis) throws InterruptedException {
        return queue.poll(millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void run() {
        for (int b = 0; b < batches && !cancelled; b++) {
            Object item;
            try {
                item = build(b);
            } catch (DatasetException e) {
                item = new Failure(e);
            } catch (RuntimeException | Error e) {
                item = new Failure(new DatasetException(data.name() + ", epoch " + epoch + ", batch " + b + ": " + e, e));
            }
            if (item == null || !handOver(item) || item instanceof Failure) {
                return;
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

    /** Puts the item in the queue; false if cancelled while waiting for room. */
    private boolean handOver(Object item) {
        try {
            while (!queue.offer(item, POLL_MS, TimeUnit.MILLISECONDS)) {
                if (cancelled) {
                    return false;
                }
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
