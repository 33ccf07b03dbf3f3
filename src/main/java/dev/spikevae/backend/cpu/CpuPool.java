package dev.spikevae.backend.cpu;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Recycles float and byte arrays by exact length. A training step allocates the same shapes every time,
 * so after the first step every temporary comes from here and the garbage collector sees no churn.
 *
 * <p>A released array is always kept: that adds no memory, it was live a moment ago. The budget
 * ({@code budgetBytes}, for live and pooled arrays together) is applied when a request finds no array
 * of its length: if the new array would take live plus pooled bytes over the budget, pooled arrays are
 * left to the collector first, those of the lengths requested least recently first. So after a change of
 * shapes (a smaller last batch, evaluation at another batch size) the old shapes' arrays make room for the
 * new ones instead of staying beside them, while a steady training loop never allocates.
 *
 * <p>In debug mode ({@link dev.spikevae.tensor.BackendOptions#debugMemory()}; the tests turn it on) every float
 * array handed out is filled with NaN and every byte array with 0x7F, so a kernel that forgets to write part of
 * its output is caught.
 */
final class CpuPool {
    private final boolean debug;

    /** The pooled arrays of one length and element type, and when that length was last requested. */
    private static final class Bin<A> {
        final ArrayDeque<A> arrays = new ArrayDeque<>();
        final long bytesEach;
        long lastRequest;

        Bin(long bytesEach) {
            this.bytesEach = bytesEach;
        }
    }

    private final Map<Integer, Bin<float[]>> floats = new HashMap<>();
    private final Map<Integer, Bin<byte[]>> bytes = new HashMap<>();
    private final long budgetBytes;
    private long pooledBytes;
    /** Bytes handed out and not yet returned, and the most there were since the last reset. */
    private long liveBytes;
    private long peakLiveBytes;
    /** Counts requests: the clock of {@link Bin#lastRequest}. */
    private long requests;

    CpuPool(long budgetBytes, boolean debug) {
        this.budgetBytes = budgetBytes;
        this.debug = debug;
    }

    synchronized float[] takeFloats(int n) {
        Bin<float[]> bin = floats.computeIfAbsent(n, k -> new Bin<>(4L * k));
        float[] a = take(bin);
        if (a == null) {
            a = new float[n];
        }
        if (debug) {
            Arrays.fill(a, Float.NaN);
        }
        return a;
    }

    synchronized byte[] takeBytes(int n) {
        Bin<byte[]> bin = bytes.computeIfAbsent(n, k -> new Bin<>(k));
        byte[] a = take(bin);
        if (a == null) {
            a = new byte[n];
        }
        if (debug) {
            Arrays.fill(a, (byte) 0x7F);
        }
        return a;
    }

    /** A pooled array of the bin, or null after making room for a new one within the budget. */
    private <A> A take(Bin<A> bin) {
        bin.lastRequest = ++requests;
        liveBytes += bin.bytesEach;
        peakLiveBytes = Math.max(peakLiveBytes, liveBytes);
        A a = bin.arrays.poll();
        if (a != null) {
            pooledBytes -= bin.bytesEach;
            return a;
        }
        while (pooledBytes > 0 && liveBytes + pooledBytes > budgetBytes) {
            dropLeastRecentlyRequested();
        }
        return null;
    }

    private void dropLeastRecentlyRequested() {
        Bin<?> oldest = null;
        for (Bin<float[]> b : floats.values()) {
            oldest = !b.arrays.isEmpty() && (oldest == null || b.lastRequest < oldest.lastRequest) ? b : oldest;
        }
        for (Bin<byte[]> b : bytes.values()) {
            oldest = !b.arrays.isEmpty() && (oldest == null || b.lastRequest < oldest.lastRequest) ? b : oldest;
        }
        oldest.arrays.poll();
        pooledBytes -= oldest.bytesEach;
    }

    synchronized void recycle(float[] a) {
        recycle(floats.computeIfAbsent(a.length, k -> new Bin<>(4L * k)), a);
    }

    synchronized void recycle(byte[] a) {
        recycle(bytes.computeIfAbsent(a.length, k -> new Bin<>(k)), a);
    }

    private <A> void recycle(Bin<A> bin, A a) {
        liveBytes -= bin.bytesEach;
        bin.arrays.push(a);
        pooledBytes += bin.bytesEach;
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
