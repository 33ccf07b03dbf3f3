package dev.spikevae.data;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Batches over a dataset with a seeded shuffle and one background read-ahead thread per epoch (optionally
 * helped by a pool of reader threads, see the seven-argument constructor; close the loader to end them).
 * The order and the flips of an epoch are a pure function of {@code (seed, epoch)} (see {@link EpochPlan}),
 * so a run resumed at epoch e sees exactly the data an uninterrupted run would. Every batch gets fresh
 * arrays, so a consumer may keep one.
 *
 * <p>Like the reference's {@code DataLoader}: {@code shuffle} draws a new permutation each epoch;
 * {@code dropLast} drops the final partial batch; {@code randomFlip} mirrors each image with probability
 * one half ({@code RandomHorizontalFlip}).
 */
public final class DataLoader implements AutoCloseable {
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final ImageDataset data;
    private final int batchSize;
    private final boolean shuffle;
    private final boolean dropLast;
    private final boolean randomFlip;
    private final long seed;
    private final int batches;
    private final int readerCount;
    /** The threads that read a batch's images in parallel, or null when the read-ahead thread reads alone. */
    private final ExecutorService readers;
    /** Every thread the reader pool started, so that {@link #close} can wait for each to end. */
    private final List<Thread> readerThreads = new CopyOnWriteArrayList<>();
    /** The epochs' read-ahead work and threads; ended ones are pruned when the next epoch starts. */
    private final Map<Prefetcher, Thread> running = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public DataLoader(ImageDataset data, int batchSize, boolean shuffle, boolean dropLast, boolean randomFlip,
                      long seed) {
        this(data, batchSize, shuffle, dropLast, randomFlip, seed, 1);
    }

    /**
     * As the other constructor, with {@code readers} threads reading the images of each batch in parallel
     * (1: the read-ahead thread reads them itself). Worth it where reads are slow: a CelebA JPEG takes about
     * a millisecond to decode, so one thread gives about a thousand images a second. The batches are the
     * same whatever the number of readers.
     */
    public DataLoader(ImageDataset data, int batchSize, boolean shuffle, boolean dropLast, boolean randomFlip,
                      long seed, int readers) {
        this.data = Objects.requireNonNull(data, "data");
        if (readers < 1) {
            throw new IllegalArgumentException("readers " + readers + " must be at least 1");
        }
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size " + batchSize + " must be positive");
        }
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.dropLast = dropLast;
        this.randomFlip = randomFlip;
        this.seed = seed;
        this.readerCount = readers;
        int n = data.size();
        this.batches = batchesPerEpoch(n, batchSize, dropLast);
        if (batches == 0) {
            throw new IllegalArgumentException(data.name() + " has " + n + " images: not one " + (dropLast
                    ? "full batch of " + batchSize + " (dropLast is on)" : "batch"));
        }
        this.readers = readers == 1 ? null : Executors.newFixedThreadPool(readers, daemonThreads(
                "spikevae-reader-" + data.name() + "-", readerThreads));
    }

    private static ThreadFactory daemonThreads(String prefix, List<Thread> started) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread t = new Thread(task, prefix + count.incrementAndGet());
            t.setDaemon(true);
            started.add(t);
            return t;
        };
    }

    public ImageDataset data() {
        return data;
    }

    public int batchSize() {
        return batchSize;
    }

    public int batchesPerEpoch() {
        return batches;
    }

    /** The batches per epoch of a loader over {@code images} images: the full ones only when {@code dropLast}. */
    public static int batchesPerEpoch(int images, int batchSize, boolean dropLast) {
        return dropLast ? images / batchSize : (images + batchSize - 1) / batchSize;
    }

    /** Images per epoch: all of them, or the full batches only when {@code dropLast}. */
    public int imagesPerEpoch() {
        return dropLast ? batches * batchSize : data.size();
    }

    /**
     * The batches of epoch {@code epoch} (0 or more). Reading ahead starts at once on a daemon thread;
     * close the iterator to stop it early (an abandoned iterator is stopped when it is collected).
     */
    public synchronized EpochIterator epoch(int epoch) {
        if (closed) {
            throw new IllegalStateException("the data loader over " + data.name() + " is closed");
        }
        int[] order = EpochPlan.order(seed, epoch, data.size(), shuffle);
        boolean[] flips = randomFlip ? EpochPlan.flips(seed, epoch, data.size()) : null;
        Prefetcher p = new Prefetcher(data, order, flips, batchSize, batches, epoch, readers, readerCount);
        Thread t = new Thread(p, "spikevae-prefetch-" + data.name() + "-epoch" + epoch + "-" + THREADS.incrementAndGet());
        t.setDaemon(true);
        running.values().removeIf(old -> !old.isAlive());
        running.put(p, t);
        t.start();
        return new EpochIterator(p, t, batches);
    }

    /**
     * Stops every read-ahead and reader thread and returns once each of them has ended (joined, not just
     * told to stop); later calls to {@link #epoch} fail. Safe to call more than once.
     */
    @Override
    public synchronized void close() {
        closed = true;
        running.keySet().forEach(Prefetcher::cancel);
        boolean interrupted = false;
        for (Thread t : running.values()) {
            interrupted |= joinUninterruptibly(t);
        }
        if (readers != null) {
            // The pool's tasks end with the read-ahead threads that wait for them; shutdownNow ends its idle
            // workers. A terminated pool may still have workers on their way out, so join each one.
            readers.shutdownNow();
            for (Thread t : readerThreads) {
                interrupted |= joinUninterruptibly(t);
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits for t to end even if interrupted; true if the caller was interrupted meanwhile. */
    private static boolean joinUninterruptibly(Thread t) {
        boolean interrupted = false;
        while (t.isAlive()) {
            try {
                t.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        return interrupted;
    }

    /** The threads the reader pool has started (for tests that check {@link #close} ends them). */
    List<Thread> readerThreads() {
        return List.copyOf(readerThreads);
    }
}
