package dev.spikevae.tensor;

/**
 * The memory behind one or more tensors (views share it). A backend subclasses it; the base class only
 * tracks whether it has been released, so that any use after release fails loudly instead of reading
 * recycled memory.
 */
public abstract class Storage {
    private final int capacity;
    private final DType dtype;
    private boolean released;

    protected Storage(int capacity, DType dtype) {
        this.capacity = capacity;
        this.dtype = dtype;
    }

    /** Number of elements. */
    public final int capacity() {
        return capacity;
    }

    public final DType dtype() {
        return dtype;
    }

    /**
     * The element at which a new tensor on this storage starts (0 unless the backend leaves room before it, as the
     * CPU backend does so that a tensor's data starts on a cache line).
     */
    public int origin() {
        return 0;
    }

    public final boolean isReleased() {
        return released;
    }

    /** Returns the memory to the backend (pool or driver). Idempotent. */
    public final void release() {
        if (!released) {
            released = true;
            free();
        }
    }

    /** Hands the memory back; called once. */
    protected abstract void free();
}
