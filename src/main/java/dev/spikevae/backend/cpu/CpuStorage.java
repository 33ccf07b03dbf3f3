package dev.spikevae.backend.cpu;

import dev.spikevae.tensor.Storage;

/** Heap memory of the CPU backend: one float array, returned to the pool on release. */
final class CpuStorage extends Storage {
    final float[] data;
    private final CpuPool pool;

    CpuStorage(float[] data, CpuPool pool) {
        super(data.length);
        this.data = data;
        this.pool = pool;
    }

    @Override
    protected void free() {
        pool.recycle(data);
    }
}
