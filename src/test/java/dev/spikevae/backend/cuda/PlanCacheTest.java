package dev.spikevae.backend.cuda;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Plans are made once per key and the least recently used one is released beyond the capacity. */
class PlanCacheTest {

    @Test
    void aPlanIsMadeOnceAndTheLeastRecentlyUsedIsReleased() {
        List<String> made = new ArrayList<>();
        List<String> released = new ArrayList<>();
        PlanCache<String, StringBuilder> cache = new PlanCache<>(2, k -> {
            made.add(k);
            return new StringBuilder(k);
        }, v -> released.add(v.toString()));
        StringBuilder a = cache.get("a");
        assertSame(a, cache.get("a"));
        cache.get("b");
        cache.get("a");          // b is now the least recently used
        cache.get("c");
        assertEquals(List.of("a", "b", "c"), made);
        assertEquals(List.of("b"), released);
        assertEquals(2, cache.size());
        assertSame(a, cache.get("a"));
        cache.get("b");
        assertEquals(List.of("a", "b", "c", "b"), made);
        assertEquals(List.of("b", "c"), released);
    }

    @Test
    void aCapacityBelowOneIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new PlanCache<String, String>(0,
                k -> k, v -> { }));
        assertEquals("plan cache capacity 0 must be at least 1", e.getMessage());
    }
}
