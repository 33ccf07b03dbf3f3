package dev.spikevae.backend.cuda;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * A caching device allocator: released blocks are kept by rounded size and handed out again, so a
 * training loop whose steps allocate the same tensors (each step's {@code MemoryScope} releases them)
 * calls cuMemAlloc only in its first step. Reuse is safe without events because the backend runs all
 * work on one stream: a block released after the kernels that used it were submitted is only written
 * again by work submitted later. When an allocation fails the cache is handed back to the driver and
 * the allocation retried once.
 */
public final class DeviceAllocator {
    /** Sizes up to this are rounded to {@link #SMALL_ROUND}, larger ones to {@link #LARGE_ROUND}. */
    static final long SMALL_LIMIT = 1L << 20;
    static final long SMALL_ROUND = 512;
    static final long LARGE_ROUND = 2L << 20;

    private final Device device;
    private final Map<Long, ArrayDeque<Long>> cache = new HashMap<>();
    private long inUse;
    private long cached;
    private long peak;
    private long driverAllocations;

    public DeviceAllocator(Device device) {
        this.device = device;
    }

    /** The size class of a request of {@code bytes} (at least {@link #SMALL_ROUND}). */
    static long roundUp(long bytes) {
        long b = Math.max(1, bytes);
        long unit = b <= SMALL_LIMIT ? SMALL_ROUND : LARGE_ROUND;
        return (b + unit - 1) / unit * unit;
    }

    /** A block of at least {@code bytes}; its size class is {@link #roundUp}{@code (bytes)}. */
    public synchronized long allocate(long bytes) {
        long size = roundUp(bytes);
        ArrayDeque<Long> free = cache.get(size);
        long address;
        if (free != null && !free.isEmpty()) {
            address = free.pop();
            cached -= size;
        } else {
            try {
                address = device.allocate(size);
            } catch (DeviceOutOfMemoryException e) {
                trim();
                try {
                    address = device.allocate(size);
                } catch (DeviceOutOfMemoryException again) {
                    throw new DeviceOutOfMemoryException("out of GPU memory allocating " + size + " bytes ("
                            + inUse + " bytes in use by tensors, cache emptied): " + again.getMessage(), again.code());
                }
            }
            driverAllocations++;
        }
        inUse += size;
        peak = Math.max(peak, inUse);
        return address;
    }

    /** Returns a block of size class {@code size} to the cache. */
    public synchronized void release(long address, long size) {
        cache.computeIfAbsent(size, s -> new ArrayDeque<>()).push(address);
        inUse -= size;
        cached += size;
    }

    /** Hands every cached block back to the driver. */
    public synchronized void trim() {
        for (ArrayDeque<Long> q : cache.values()) {
            for (long a : q) {
                device.free(a);
            }
        }
        cache.clear();
        cached = 0;
    }

    public synchronized long bytesInUse() {
        return inUse;
    }

    public synchronized long bytesCached() {
        return cached;
    }

    public synchronized long peakBytes() {
        return peak;
    }

    /** How many blocks came from the driver (not from the cache). */
    public synchronized long driverAllocations() {
        return driverAllocations;
    }
}
