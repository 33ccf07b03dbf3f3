package dev.spikevae.data;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The work of one epoch's background thread: builds the batches in order and hands them over through a
 * one-slot queue, so at most one finished batch waits while the next is being read. It holds no reference
 * to the consumer's iterator, so an abandoned iterator can be collected and its cleaner can cancel this.
 * A read failure is handed over in place of the batch; cancellation is checked between images and while
 * waiting for the consumer, so the thread ends soon after {@link #cancel}.
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
    private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(1);
    private volatile boolean cancelled;

    /** Batch b holds the images {@code order[b * batchSize ..]}; {@code flips} is null for no flips. */
    Prefetcher(ImageDataset data, int[] order, boolean[] flips, int batchSize, int batches, int epoch) {
        this.data = data;
        this.order = order;
        this.flips = flips;
        this.batchSize = batchSize;
        this.batches = batches;
        this.epoch = epoch;
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
        int imageSize = data.imageSize();
        float[] pixels = new float[size * imageSize];
        int[] labels = new int[size];
        for (int i = 0; i < size; i++) {
            if (cancelled) {
                return null;
            }
            int index = order[from + i];
            try {
                data.read(index, pixels, i * imageSize, flips != null && flips[from + i]);
                labels[i] = data.label(index);
            } catch (RuntimeException e) {
                throw new DatasetException(data.name() + ", image " + index + ": " + e.getMessage(), e);
            }
        }
        return new Batch(pixels, labels, size, data.channels(), data.height(), data.width());
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
