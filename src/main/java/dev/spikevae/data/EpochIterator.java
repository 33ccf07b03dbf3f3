package dev.spikevae.data;

import java.lang.ref.Cleaner;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The batches of one epoch, read ahead by a daemon thread. The thread ends when the last batch has been
 * handed over, when a read fails (the consumer's {@link #next} then throws a {@link DatasetException} with
 * the read's message), when this iterator or its loader is closed, and when the iterator is abandoned
 * (becomes unreachable before the end: a cleaner cancels the thread).
 */
public final class EpochIterator implements Iterator<Batch>, AutoCloseable {
    private static final Cleaner CLEANER = Cleaner.create();
    private final Prefetcher prefetcher;
    private final Thread thread;
    private final Cleaner.Cleanable cleanable;
    private final int batches;
    private int delivered;
    private boolean finished;

    EpochIterator(Prefetcher prefetcher, Thread thread, int batches) {
        this.prefetcher = prefetcher;
        this.thread = thread;
        this.batches = batches;
        // The cleaning action captures the prefetcher only, never this iterator.
        this.cleanable = CLEANER.register(this, prefetcher::cancel);
    }

    @Override
    public boolean hasNext() {
        return !finished && delivered < batches;
    }

    @Override
    public Batch next() {
        if (!hasNext()) {
            throw new NoSuchElementException("the epoch has no more batches (" + batches + " delivered or closed)");
        }
        Object item;
        try {
            item = prefetcher.take(delivered);
        } catch (IllegalStateException e) {
            finish();
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the next batch", e);
        }
        if (item instanceof Prefetcher.Failure f) {
            finish();
            throw new DatasetException(f.error().getMessage(), f.error());
        }
        delivered++;
        if (delivered == batches) {
            finish();
        }
        return (Batch) item;
    }

    /** Stops reading ahead; the remaining batches are dropped. Safe to call more than once. */
    @Override
    public void close() {
        finish();
    }

    /** The read-ahead thread (for tests that check it ends). */
    Thread thread() {
        return thread;
    }

    /** The read-ahead work (for tests that observe how far it has read). */
    Prefetcher prefetcher() {
        return prefetcher;
    }

    private void finish() {
        finished = true;
        cleanable.clean(); // cancels the prefetcher at most once
    }
}
