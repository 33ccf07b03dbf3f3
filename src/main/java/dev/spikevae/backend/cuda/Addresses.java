package dev.spikevae.backend.cuda;

import dev.spikevae.tensor.DType;
import dev.spikevae.tensor.Tensor;

/** Device addresses of tensors (storage base plus the tensor's element offset). */
final class Addresses {
    private Addresses() {
    }

    static long of(Tensor t) {
        return ((CudaStorage) t.storage()).address + (long) t.offset() * t.dtype().bytes();
    }

    /** The address of a tensor of the given dtype, or 0 (a null pointer) when it has another dtype. */
    static long ifType(Tensor t, DType dtype) {
        return t.dtype() == dtype ? of(t) : 0L;
    }

    /** The address of an optional tensor, 0 for null. */
    static long orNull(Tensor t) {
        return t == null ? 0L : of(t);
    }
}
