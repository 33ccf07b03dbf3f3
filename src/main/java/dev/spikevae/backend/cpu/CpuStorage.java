package dev.spikevae.backend.cpu;

import dev.spikevae.tensor.DType;
import dev.spikevae.tensor.Storage;

/** Heap memory of the CPU backend: a float array (f32) or a byte array (u8), returned to the pool on release. */
final class CpuStorage extends Storage {
    final float[] floats;
    final byte[] bytes;
    private final CpuPool pool;

    private CpuStorage(float[] floats, byte[] bytes, CpuPool pool) {
        super(floats != null ? floats.length : bytes.length, floats != null ? DType.F32 : DType.U8);
        this.floats = floats;
        this.bytes = bytes;
        this.pool = pool;
    }

    static CpuStorage of(float[] data, CpuPool pool) {
        return new CpuStorage(data, null, pool);
    }

    static CpuStorage of(byte[] data, CpuPool pool) {
        return new CpuStorage(null, data, pool);
    }

    @Override
    protected void free() {
        if (floats != null) {
            pool.recycle(floats);
        } else {
            pool.recycle(bytes);
        }
    }
}
