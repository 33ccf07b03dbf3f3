package dev.spikevae.backend.cuda;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Plans (descriptors, algorithm choice) made once per key and reused; beyond {@code capacity} the least
 * recently used plan is released. Not thread-safe: its owner synchronises.
 */
final class PlanCache<K, V> {
    private final int capacity;
    private final Function<K, V> create;
    private final Consumer<V> release;
    private final Map<K, V> plans = new LinkedHashMap<>(16, 0.75f, true);

    PlanCache(int capacity, Function<K, V> create, Consumer<V> release) {
        if (capacity < 1) {
            throw new IllegalArgumentException("plan cache capacity " + capacity + " must be at least 1");
        }
        this.capacity = capacity;
        this.create = create;
        this.release = release;
    }

    /** The plan of {@code key}, made on first use. */
    V get(K key) {
        V v = plans.get(key);
        if (v == null) {
            v = create.apply(key);
            plans.put(key, v);
            if (plans.size() > capacity) {
                Iterator<V> eldest = plans.values().iterator();
                release.accept(eldest.next());
                eldest.remove();
            }
        }
        return v;
    }

    int size() {
        return plans.size();
    }
}
