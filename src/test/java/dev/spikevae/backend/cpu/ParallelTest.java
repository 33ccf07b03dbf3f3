package dev.spikevae.backend.cpu;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ParallelTest {
    private static final Parallel POOL = new Parallel(3);

    @Test
    void everyTaskRunsOnceAndRangesCoverEverything() {
        AtomicIntegerArray hits = new AtomicIntegerArray(1000);
        POOL.forTasks(1000, (t, w) -> hits.incrementAndGet(t));
        for (int i = 0; i < 1000; i++) {
            assertEquals(1, hits.get(i), "task " + i);
        }
        AtomicIntegerArray cover = new AtomicIntegerArray(10_001);
        POOL.forRange(10_001, 100, (from, to) -> {
            for (int i = from; i < to; i++) {
                cover.incrementAndGet(i);
            }
        });
        for (int i = 0; i < 10_001; i++) {
            assertEquals(1, cover.get(i), "element " + i);
        }
    }

    @Test
    void nestedCallsRunInlineAndFailuresPropagate() {
        AtomicInteger inner = new AtomicInteger();
        POOL.forTasks(4, (t, w) -> POOL.forTasks(5, (u, v) -> inner.incrementAndGet()));
        assertEquals(20, inner.get());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> POOL.forTasks(50, (t, w) -> {
            if (t == 17) {
                throw new IllegalStateException("task 17 failed");
            }
        }));
        assertEquals("task 17 failed", e.getMessage());
        AtomicInteger after = new AtomicInteger();
        POOL.forTasks(100, (t, w) -> after.incrementAndGet());
        assertEquals(100, after.get(), "the pool still works after a failure");
    }
}
