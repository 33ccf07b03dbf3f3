package dev.spikevae.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

/** The pool keeps what is released, makes room on a miss over its budget, and counts live bytes. */
class CpuPoolTest {

    @Test
    void releasedArraysAreKeptWhateverTheBudget() {
        CpuPool pool = new CpuPool(0, true);
        float[] a = pool.takeFloats(10);
        pool.recycle(a);
        assertEquals(40, pool.pooledBytes());
        assertSame(a, pool.takeFloats(10), "a steady loop reuses its arrays even over budget");
    }

    @Test
    void aMissOverBudgetDropsTheLengthsRequestedLeastRecently() {
        CpuPool pool = new CpuPool(1000, true);
        float[] old = pool.takeFloats(100); // 400 bytes, requested first
        byte[] newer = pool.takeBytes(300);
        pool.recycle(old);
        pool.recycle(newer);
        float[] small = pool.takeFloats(50); // miss: 200 live + 700 pooled fit the budget, nothing dropped
        assertEquals(700, pool.pooledBytes());
        pool.recycle(small);
        pool.takeBytes(200); // miss: 200 + 900 > 1000, so the least recently requested length goes
        assertEquals(500, pool.pooledBytes());
        assertSame(newer, pool.takeBytes(300), "the recently requested length stayed");
        assertSame(small, pool.takeFloats(50));
        assertNotSame(old, pool.takeFloats(100), "the oldest length was left to the collector");
        assertEquals(0, pool.pooledBytes());
    }

    @Test
    void liveBytesAndTheirPeakAreCounted() {
        CpuPool pool = new CpuPool(1 << 20, true);
        float[] a = pool.takeFloats(10);
        byte[] b = pool.takeBytes(8);
        assertEquals(48, pool.liveBytes());
        pool.recycle(a);
        assertEquals(8, pool.liveBytes());
        assertEquals(48, pool.peakLiveBytes());
        pool.resetPeak();
        assertEquals(8, pool.peakLiveBytes());
        pool.recycle(b);
        pool.takeBytes(8);
        assertEquals(8, pool.peakLiveBytes());
    }
}
