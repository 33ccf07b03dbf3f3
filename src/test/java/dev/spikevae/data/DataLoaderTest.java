package dev.spikevae.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The loader over a fake dataset whose pixels say which image they are and whether it was flipped. Nothing
 * here waits for time to pass: tests wait for the loader's threads (join) or its observable state, and the
 * class timeout only turns a hang into a failure.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class DataLoaderTest {
    /** Far longer than any wait here takes; reached only if the loader hangs. */
    private static final long HANG_GUARD_MS = TimeUnit.MINUTES.toMillis(4);

    /**
     * n images of 1x2x3: pixel (x, y) of image i is {@code 8 i + 3 y + x} (x mirrored when flipped); label
     * {@code i % 7}. Reading image {@code failAt} throws.
     */
    static class FakeDataset implements ImageDataset {
        final int n;
        final int failAt;
        final AtomicInteger reads = new AtomicInteger();

        FakeDataset(int n, int failAt) {
            this.n = n;
            this.failAt = failAt;
        }

        @Override
        public String name() {
            return "fake/train";
        }

        @Override
        public int size() {
            return n;
        }

        @Override
        public int channels() {
            return 1;
        }

        @Override
        public int height() {
            return 2;
        }

        @Override
        public int width() {
            return 3;
        }

        @Override
        public void read(int index, float[] dst, int offset, boolean flip) {
            reads.incrementAndGet();
            if (index == failAt) {
                throw new DatasetException("/data/fake/img" + index + ".jpg: corrupt image: bad Huffman code");
            }
            for (int y = 0; y < 2; y++) {
                for (int x = 0; x < 3; x++) {
                    dst[offset + y * 3 + (flip ? 2 - x : x)] = 8 * index + 3 * y + x;
                }
            }
        }

        @Override
        public int label(int index) {
            return index % 7;
        }
    }

    /** The image index of each item of a batch, checking its pixels and label; flips[i] set if mirrored. */
    private static int[] indices(Batch b, boolean[] flips) {
        int[] out = new int[b.size()];
        for (int i = 0; i < b.size(); i++) {
            int index = (int) b.pixels()[i * 6] / 8;
            boolean flipped = b.pixels()[i * 6] % 8 == 2;
            for (int y = 0; y < 2; y++) {
                for (int x = 0; x < 3; x++) {
                    assertEquals(8 * index + 3 * y + (flipped ? 2 - x : x), b.pixels()[i * 6 + y * 3 + x], 0f);
                }
            }
            assertEquals(index % 7, b.labels()[i], "label of image " + index);
            out[i] = index;
            if (flips != null) {
                flips[i] = flipped;
            }
        }
        return out;
    }

    /** The image indices of one epoch in order, and (into flips, if given) whether each was mirrored. */
    private static List<Integer> epochOrder(DataLoader loader, int epoch, List<Boolean> flips) {
        List<Integer> order = new ArrayList<>();
        EpochIterator it = loader.epoch(epoch);
        while (it.hasNext()) {
            Batch b = it.next();
            boolean[] f = new boolean[b.size()];
            for (int i : indices(b, f)) {
                order.add(i);
            }
            for (boolean x : f) {
                if (flips != null) {
                    flips.add(x);
                }
            }
        }
        return order;
    }

    @Test
    void everyIndexOncePerEpochWithAPartialLastBatch() {
        try (DataLoader loader = new DataLoader(new FakeDataset(103, -1), 10, true, false, false, 5)) {
            assertEquals(11, loader.batchesPerEpoch());
            assertEquals(103, loader.imagesPerEpoch());
            EpochIterator it = loader.epoch(0);
            int[] seen = new int[103];
            List<Integer> sizes = new ArrayList<>();
            while (it.hasNext()) {
                Batch b = it.next();
                assertEquals(1, b.channels());
                assertEquals(2, b.height());
                assertEquals(3, b.width());
                sizes.add(b.size());
                for (int i : indices(b, null)) {
                    seen[i]++;
                }
            }
            assertEquals(List.of(10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 3), sizes);
            for (int i = 0; i < 103; i++) {
                assertEquals(1, seen[i], "image " + i);
            }
            assertThrows(NoSuchElementException.class, it::next);
        }
    }

    @Test
    void dropLastDropsOnlyThePartialBatch() {
        try (DataLoader loader = new DataLoader(new FakeDataset(103, -1), 10, true, true, false, 5)) {
            assertEquals(10, loader.batchesPerEpoch());
            assertEquals(100, loader.imagesPerEpoch());
            List<Integer> order = epochOrder(loader, 2, null);
            assertEquals(100, order.size());
            assertEquals(100, order.stream().distinct().count());
        }
        // The reference's counts (docs/reference.md §5).
        assertEquals(235, new DataLoader(new FakeDataset(60_000, -1), 256, true, false, false, 1).batchesPerEpoch());
        assertEquals(234, new DataLoader(new FakeDataset(60_000, -1), 256, true, true, false, 1).batchesPerEpoch());
        assertEquals(19, new DataLoader(new FakeDataset(10_000, -1), 512, false, true, false, 1).batchesPerEpoch());
        assertEquals(20, new DataLoader(new FakeDataset(10_000, -1), 512, false, false, false, 1).batchesPerEpoch());
        assertEquals(2_544, new DataLoader(new FakeDataset(162_770, -1), 64, true, false, true, 1).batchesPerEpoch());
    }

    @Test
    void orderIsAPureFunctionOfSeedAndEpoch() {
        FakeDataset data = new FakeDataset(50, -1);
        try (DataLoader a = new DataLoader(data, 8, true, false, false, 42);
             DataLoader b = new DataLoader(data, 8, true, false, false, 42);
             DataLoader c = new DataLoader(data, 8, true, false, false, 43)) {
            List<Integer> a3 = epochOrder(a, 3, null);
            assertEquals(a3, epochOrder(b, 3, null), "same seed and epoch, another loader");
            assertEquals(a3, epochOrder(a, 3, null), "same epoch again");
            assertFalse(a3.equals(epochOrder(a, 4, null)), "another epoch");
            assertFalse(a3.equals(epochOrder(c, 3, null)), "another seed");
            List<Integer> sorted = new ArrayList<>(a3);
            sorted.sort(null);
            assertFalse(a3.equals(sorted), "shuffled");
        }
        try (DataLoader plain = new DataLoader(data, 8, false, false, false, 42)) {
            List<Integer> order = epochOrder(plain, 7, null);
            for (int i = 0; i < 50; i++) {
                assertEquals(i, order.get(i), "no shuffle keeps the dataset order");
            }
        }
    }

    @Test
    void flipsAreSeededAndMirrorTheImage() {
        FakeDataset data = new FakeDataset(1000, -1);
        try (DataLoader a = new DataLoader(data, 100, true, false, true, 9);
             DataLoader b = new DataLoader(data, 100, true, false, true, 9);
             DataLoader none = new DataLoader(data, 100, true, false, false, 9)) {
            List<Boolean> fa = new ArrayList<>();
            List<Boolean> fb = new ArrayList<>();
            List<Boolean> fa1 = new ArrayList<>();
            List<Boolean> fn = new ArrayList<>();
            List<Integer> oa = epochOrder(a, 0, fa);
            assertEquals(oa, epochOrder(b, 0, fb));
            assertEquals(fa, fb, "same seed and epoch, same flips");
            epochOrder(a, 1, fa1);
            assertFalse(fa.equals(fa1), "another epoch, other flips");
            long flipped = fa.stream().filter(x -> x).count();
            assertTrue(flipped > 400 && flipped < 600, "about half flipped: " + flipped);
            assertEquals(oa, epochOrder(none, 0, fn), "flips do not change the order");
            assertFalse(fn.contains(true), "no flips without randomFlip");
        }
    }

    @Test
    void readsAheadAtMostTwoBatches() throws InterruptedException {
        FakeDataset data = new FakeDataset(100, -1);
        try (DataLoader loader = new DataLoader(data, 10, true, false, false, 1)) {
            EpochIterator it = loader.epoch(0);
            // Whenever the thread waits for the consumer, it holds the batch after the one in the slot and has
            // read nothing beyond it: before any next() that is batches 0 and 1.
            for (int taken = 0; taken < 9; taken++) {
                assertTrue(it.prefetcher().awaitWaitingWith(taken + 1, HANG_GUARD_MS),
                        "the thread waits with batch " + (taken + 1) + " after " + taken + " next() calls");
                assertEquals(10 * (taken + 2), data.reads.get(), "read ahead after " + taken + " next() calls");
                it.next();
            }
            it.next();
            assertFalse(it.hasNext());
            assertEquals(100, data.reads.get());
            it.thread().join();
        }
    }

    @Test
    void threadEndsAtTheEndOfTheEpochOnCloseAndWhenTheLoaderCloses() throws InterruptedException {
        FakeDataset data = new FakeDataset(1000, -1);
        DataLoader loader = new DataLoader(data, 10, true, false, false, 1);

        EpochIterator full = loader.epoch(0);
        epochOrder(loader, 0, null);
        while (full.hasNext()) {
            full.next();
        }
        full.thread().join(); // returns: the thread ends with its epoch

        EpochIterator closed = loader.epoch(1);
        closed.next();
        closed.close();
        closed.thread().join(); // returns: the thread ends when its iterator is closed
        assertFalse(closed.hasNext());

        EpochIterator open = loader.epoch(2);
        open.next();
        loader.close();
        assertFalse(open.thread().isAlive(), "close() waits for the threads to end");
        assertTrue(open.hasNext());
        String msg = assertThrows(IllegalStateException.class, open::next).getMessage();
        assertTrue(msg.contains("closed"), msg);
        assertThrows(IllegalStateException.class, () -> loader.epoch(3));
        assertTrue(data.reads.get() < 1000 * 2 + 100, "the abandoned epochs stopped reading: " + data.reads.get());
    }

    /** Starts an epoch, takes one batch and drops the iterator; returns its thread and a weak reference to it. */
    private static Map.Entry<Thread, WeakReference<EpochIterator>> abandonAfterOneBatch(DataLoader loader) {
        EpochIterator it = loader.epoch(0);
        it.next();
        return Map.entry(it.thread(), new WeakReference<>(it));
    }

    @Test
    void threadEndsWhenTheIteratorIsAbandoned() throws InterruptedException {
        FakeDataset data = new FakeDataset(1000, -1);
        try (DataLoader loader = new DataLoader(data, 10, true, false, false, 1)) {
            Map.Entry<Thread, WeakReference<EpochIterator>> abandoned = abandonAfterOneBatch(loader);
            while (!abandoned.getValue().refersTo(null)) {
                System.gc();
            }
            // The iterator is gone; its cleaner cancels the thread, which must then end by itself (the loader
            // is still open, so nothing else stops it).
            abandoned.getKey().join();
            assertTrue(data.reads.get() < 1000, "the abandoned epoch stopped reading: " + data.reads.get());
        }
    }

    @Test
    void aReadFailureSurfacesInTheConsumerWithItsMessage() throws InterruptedException {
        try (DataLoader loader = new DataLoader(new FakeDataset(100, 57), 10, false, false, false, 1)) {
            EpochIterator it = loader.epoch(0);
            for (int b = 0; b < 5; b++) {
                assertEquals(10, it.next().size(), "batches before the broken image arrive");
            }
            DatasetException e = assertThrows(DatasetException.class, it::next);
            assertTrue(e.getMessage().contains("/data/fake/img57.jpg: corrupt image: bad Huffman code"), e.getMessage());
            assertTrue(e.getMessage().contains("fake/train") && e.getMessage().contains("image 57"), e.getMessage());
            assertFalse(it.hasNext(), "the epoch ends at the failure");
            it.thread().join(); // returns: the thread ended at the failure
        }
    }

    @Test
    void parallelReadersGiveTheSameBatchesAndTheEarliestFailure() throws InterruptedException {
        FakeDataset data = new FakeDataset(97, -1);
        List<Boolean> flips1 = new ArrayList<>();
        List<Boolean> flips3 = new ArrayList<>();
        List<Integer> order1;
        List<Integer> order3;
        try (DataLoader one = new DataLoader(data, 16, true, false, true, 3)) {
            order1 = epochOrder(one, 5, flips1);
        }
        DataLoader three = new DataLoader(data, 16, true, false, true, 3, 3);
        try (three) {
            order3 = epochOrder(three, 5, flips3);
            assertEquals(3, three.readerThreads().size(), "the pool started its three readers");
        }
        assertEquals(order1, order3);
        assertEquals(flips1, flips3);
        for (Thread t : three.readerThreads()) {
            assertFalse(t.isAlive(), "close() returns after " + t.getName() + " has ended");
        }

        // Images 40 and 50 are broken, both in batch 1 of an unshuffled epoch, read by different readers:
        // the earlier one is reported.
        FakeDataset broken = new FakeDataset(97, 50) {
            @Override
            public void read(int index, float[] dst, int offset, boolean flip) {
                if (index == 40) {
                    throw new DatasetException("image 40 is broken too");
                }
                super.read(index, dst, offset, flip);
            }
        };
        try (DataLoader loader = new DataLoader(broken, 32, false, false, false, 3, 4)) {
            EpochIterator it = loader.epoch(0);
            it.next();
            String msg = assertThrows(DatasetException.class, it::next).getMessage();
            assertTrue(msg.contains("image 40 is broken too"), msg);
        }
        assertThrows(IllegalArgumentException.class, () -> new DataLoader(data, 16, true, false, true, 3, 0));
    }

    @Test
    void badArgumentsAreRejected() {
        FakeDataset data = new FakeDataset(100, -1);
        assertThrows(IllegalArgumentException.class, () -> new DataLoader(data, 0, true, false, false, 1));
        String msg = assertThrows(IllegalArgumentException.class, () -> new DataLoader(data, 256, true, true, false, 1)).getMessage();
        assertTrue(msg.contains("fake/train") && msg.contains("100") && msg.contains("256"), msg);
        try (DataLoader loader = new DataLoader(data, 256, true, false, false, 1)) {
            assertEquals(1, loader.batchesPerEpoch(), "one partial batch without dropLast");
            assertThrows(IllegalArgumentException.class, () -> loader.epoch(-1));
        }
    }

    @Test
    void shuffleIsUniformOverPositions() {
        // 5 items over 10,000 epochs: each item lands in each position ~2,000 times (sd ~40).
        int[][] counts = new int[5][5];
        for (int e = 0; e < 10_000; e++) {
            int[] order = EpochPlan.order(77, e, 5, true);
            int[] sorted = order.clone();
            Arrays.sort(sorted);
            assertArrayEquals(new int[] {0, 1, 2, 3, 4}, sorted);
            for (int p = 0; p < 5; p++) {
                counts[order[p]][p]++;
            }
        }
        for (int i = 0; i < 5; i++) {
            for (int p = 0; p < 5; p++) {
                assertTrue(Math.abs(counts[i][p] - 2000) < 250, "item " + i + " at position " + p + ": " + counts[i][p]);
            }
        }
    }
}
