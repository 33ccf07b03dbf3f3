package dev.spikevae.backend.cuda;

import dev.spikevae.tensor.DType;
import dev.spikevae.tensor.Storage;

/** Device memory behind tensors: a block of the caching allocator, returned to it on release. */
final class CudaStorage extends Storage {
    final long address;
    private final long size;
    private final DeviceAllocator allocator;

    CudaStorage(int capacity, DType dtype, DeviceAllocator allocator) {
        super(capacity, dtype);
        this.allocator = allocator;
        this.size = DeviceAllocator.roundUp((long) capacity * dtype.bytes());
        this.address = allocator.allocate(size);
    }

    @Override
    protected void free() {
        allocator.release(address, size);
    }
}
