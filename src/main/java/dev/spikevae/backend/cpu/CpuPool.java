package dev.spikevae.backend.cpu;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Recycles float and byte arrays by exact length. A training step allocates the same shapes every time,
 * so after the first step every temporary comes from here and the garbage collector sees no churn. The
 * pool keeps at most {@code maxBytes}; beyond that, released arrays are left to the collector.
 *
 * <p>With {@code -Dspikevae.debugMemory=true} (the tests set it) every float array handed out is filled
 * with NaN and every byte array with 0x7F, so a kernel that forgets to write part of its output is caught.
 */
final class CpuPool {
    static final boolean DEBUG = Boolean.getBoolean("spikevae.debugMemory");

    private final Map<Integer, ArrayDeque<float[]>> freeFloats = new HashMap<>();
    private final Map<Integer, ArrayDeque<byte[]>> freeBytes = new HashMap<>();
    private final long maxBytes;
    private long pooledBytes;
    /** Bytes handed out and not yet returned, and the most there were since the last reset. */
    private long liveBytes;
    private long peakLiveBytes;

    CpuPool(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    synchronized float[] takeFloats(int n) {
        ArrayDeque<float[]> q = freeFloats.get(n);
        float[] a = q == null ? null : q.poll();
        if (a != null) {
            pooledBytes -= 4L * n;
        } else {
            a = new float[n];
        }
        taken(4L * n);
        if (DEBUG) {
            Arrays.fill(a, Float.NaN);
        }
        return a;
    }

    synchronized byte[] takeBytes(int n) {
        ArrayDeque<byte[]> q = freeBytes.get(n);
        byte[] a = q == null ? null : q.poll();
        if (a != null) {
            pooledBytes -= n;
        } else {
            a = new byte[n];
        }
        taken(n);
        if (DEBUG) {
            Arrays.fill(a, (byte) 0x7F);
        }
        return a;
    }

    private void taken(long bytes) {
        liveBytes += bytes;
        peakLiveBytes = Math.max(peakLiveBytes, liveBytes);
    }

    synchronized void recycle(float[] a) {
        liveBytes -= 4L * a.length;
        if (pooledBytes + 4L * a.length <= maxBytes) {
            freeFloats.computeIfAbsent(a.length, k -> new ArrayDeque<>()).push(a);
            pooledBytes += 4L * a.length;
        }
    }

    synchronized void recycle(byte[] a) {
        liveBytes -= a.length;
        if (pooledBytes + a.length <= maxBytes) {
            freeBytes.computeIfAbsent(a.length, k -> new ArrayDeque<>()).push(a);
            pooledBytes += a.length;
        }
    }

    synchronized long pooledBytes() {
        return pooledBytes;
    }

    synchronized long liveBytes() {
        return liveBytes;
    }

    /** The most bytes live at once since the last {@link #resetPeak()} (or since the pool was made). */
    synchronized long peakLiveBytes() {
        return peakLiveBytes;
    }

    synchronized void resetPeak() {
        peakLiveBytes = liveBytes;
    }
}
