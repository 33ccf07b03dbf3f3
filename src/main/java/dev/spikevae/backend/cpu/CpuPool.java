package dev.spikevae.backend.cpu;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Recycles float arrays by exact length. A training step allocates the same shapes every time, so after
 * the first step every temporary comes from here and the garbage collector sees no churn. The pool keeps
 * at most {@code maxBytes}; beyond that, released arrays are left to the collector.
 *
 * <p>With {@code -Dspikevae.debugMemory=true} (the tests set it) every array handed out is filled with
 * NaN, so a kernel that forgets to write part of its output is caught.
 */
final class CpuPool {
    static final boolean DEBUG = Boolean.getBoolean("spikevae.debugMemory");

    private final Map<Integer, ArrayDeque<float[]>> free = new HashMap<>();
    private final long maxBytes;
    private long pooledBytes;

    CpuPool(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    synchronized float[] take(int n) {
        ArrayDeque<float[]> q = free.get(n);
        float[] a = q == null ? null : q.poll();
        if (a != null) {
            pooledBytes -= 4L * n;
        } else {
            a = new float[n];
        }
        if (DEBUG) {
            Arrays.fill(a, Float.NaN);
        }
        return a;
    }

    synchronized void recycle(float[] a) {
        long bytes = 4L * a.length;
        if (pooledBytes + bytes > maxBytes) {
            return;
        }
        free.computeIfAbsent(a.length, k -> new ArrayDeque<>()).push(a);
        pooledBytes += bytes;
    }

    synchronized long pooledBytes() {
        return pooledBytes;
    }

    synchronized void clear() {
        free.clear();
        pooledBytes = 0;
    }
}
