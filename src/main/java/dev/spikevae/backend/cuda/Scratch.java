package dev.spikevae.backend.cuda;

/**
 * A temporary device buffer of a kernel sequence (partial sums, column matrices), taken from the caching
 * allocator and given back when closed. Giving it back right after submitting the kernels that use it
 * is safe: on the single stream, whoever gets the block next writes it only after those kernels ran.
 */
final class Scratch implements AutoCloseable {
    final long address;
    private final long size;
    private final DeviceAllocator allocator;

    Scratch(DeviceAllocator allocator, long bytes) {
        this.allocator = allocator;
        this.size = DeviceAllocator.roundUp(bytes);
        this.address = allocator.allocate(size);
    }

    @Override
    public void close() {
        allocator.release(address, size);
    }
}
