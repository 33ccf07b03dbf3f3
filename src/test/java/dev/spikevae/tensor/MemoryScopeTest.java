package dev.spikevae.tensor;

import dev.spikevae.backend.cpu.CpuBackend;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MemoryScopeTest {
    private static final CpuBackend BE = new CpuBackend(1);

    @Test
    void scopeReleasesItsTensorsAndUseAfterReleaseFails() {
        Tensor t;
        try (MemoryScope s = MemoryScope.open()) {
            t = BE.zeros(4, 5);
            assertEquals(1, s.size());
        }
        assertTrue(t.isReleased());
        IllegalStateException e = assertThrows(IllegalStateException.class, t::toHost);
        assertTrue(e.getMessage().contains("after its memory was released"), e.getMessage());
    }

    @Test
    void keepMovesOneScopeOutAndPersistentIsUnscoped() {
        Tensor kept;
        Tensor persistent;
        try (MemoryScope outer = MemoryScope.open()) {
            try (MemoryScope inner = MemoryScope.open()) {
                kept = BE.zeros(3).keep();
                persistent = BE.persistentZeros(Shape.of(3));
                assertEquals(0, inner.size());
                assertEquals(1, outer.size());
            }
            assertFalse(kept.isReleased());
        }
        assertTrue(kept.isReleased());
        assertFalse(persistent.isReleased());
    }

    @Test
    void releasedMemoryIsReusedByTheNextStep() {
        long before = BE.pooledBytes();
        long arrayBytes;
        try (MemoryScope s = MemoryScope.open()) {
            Tensor t = BE.empty(1000, 1001);
            // the array holds the tensor and the floats before its origin (a cache line's start)
            assertEquals(1000 * 1001, t.storage().capacity() - t.storage().origin());
            arrayBytes = 4L * t.storage().capacity();
        }
        long pooled = BE.pooledBytes();
        assertEquals(before + arrayBytes, pooled);
        try (MemoryScope s = MemoryScope.open()) {
            BE.empty(1000, 1001);
            assertEquals(before, BE.pooledBytes(), "the pooled array was taken");
        }
    }

    @Test
    void scopesCloseInOrder() {
        MemoryScope a = MemoryScope.open();
        MemoryScope b = MemoryScope.open();
        assertThrows(IllegalStateException.class, a::close);
        b.close();
        a.close();
    }

    @Test
    void viewsShareMemoryAndCheckSizes() {
        try (MemoryScope s = MemoryScope.open()) {
            Tensor t = BE.fromHost(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
            Tensor v = t.view(3, -1);
            assertEquals(Shape.of(3, 2), v.shape());
            BE.fill(v, 7f);
            assertEquals(7f, t.toHost()[5]);
            assertEquals(Shape.of(1, 3), t.narrow0(1, 1).shape());
            assertEquals(4f - 4f + 7f, t.narrow0(1, 1).toHost()[0]);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.view(4, 2));
            assertTrue(e.getMessage().contains("[2, 3]"), e.getMessage());
        }
    }
}
