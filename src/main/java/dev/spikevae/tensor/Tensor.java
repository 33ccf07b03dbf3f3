package dev.spikevae.tensor;

/**
 * A dense tensor on one backend: a shape, a storage and an element offset into it. Tensors are
 * contiguous and row-major; spiking activations are time-major, {@code [T, N, C, H, W]} or
 * {@code [T, N, F]}. Elements are float32, or bytes for spike tensors stored compactly ({@link DType}).
 *
 * <p>A tensor holds no data in Java: reading values is always an explicit host copy
 * ({@link #toHost()}, {@link #item()}). Arithmetic goes through {@link Backend} (raw, into given
 * outputs) or {@code dev.spikevae.autograd.Ops} (allocating, differentiable).
 *
 * <p>{@link #requiresGrad()} and {@link #grad()} are the autograd bookkeeping: a leaf that requires a
 * gradient (a parameter) has its gradient accumulated into {@code grad} by backward.
 */
public final class Tensor {
    private final Backend backend;
    private final Shape shape;
    private final Storage storage;
    private final int offset;
    private boolean requiresGrad;
    private Tensor grad;

    public Tensor(Backend backend, Shape shape, Storage storage, int offset) {
        if (offset < 0 || (long) offset + shape.numel() > storage.capacity()) {
            throw new IllegalArgumentException("tensor of shape " + shape + " at offset " + offset
                    + " does not fit its storage of " + storage.capacity() + " elements");
        }
        this.backend = backend;
        this.shape = shape;
        this.storage = storage;
        this.offset = offset;
    }

    public Backend backend() {
        return backend;
    }

    public DType dtype() {
        return storage.dtype();
    }

    public Shape shape() {
        return shape;
    }

    public int numel() {
        return shape.numel();
    }

    public int rank() {
        return shape.rank();
    }

    /** Dimension {@code i}; negative counts from the end. */
    public int dim(int i) {
        return shape.dim(i);
    }

    /** The storage, checked to be live. Backends use this to reach their memory. */
    public Storage storage() {
        if (storage.isReleased()) {
            throw new IllegalStateException("tensor " + shape + " was used after its memory was released "
                    + "(its MemoryScope closed, or release() was called); keep() it to let it outlive the scope");
        }
        return storage;
    }

    public int offset() {
        return offset;
    }

    /** Whether this tensor and {@code other} are backed by the same storage (views of one another). */
    public boolean isSameMemory(Tensor other) {
        return storage == other.storage;
    }

    public boolean isReleased() {
        return storage.isReleased();
    }

    /**
     * A view with another shape of the same number of elements, sharing memory. One dimension may be
     * -1. The view is not tracked by autograd: inside a differentiable computation use
     * {@code Ops.reshape}.
     */
    public Tensor view(int... dims) {
        int known = 1;
        int infer = -1;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] == -1) {
                if (infer >= 0) {
                    throw new IllegalArgumentException("view: more than one -1 in " + java.util.Arrays.toString(dims));
                }
                infer = i;
            } else {
                known *= dims[i];
            }
        }
        int[] d = dims.clone();
        if (infer >= 0) {
            if (known == 0 || numel() % known != 0) {
                throw new IllegalArgumentException("view: cannot view " + shape + " as " + java.util.Arrays.toString(dims));
            }
            d[infer] = numel() / known;
        }
        Shape s = Shape.of(d);
        if (s.numel() != numel()) {
            throw new IllegalArgumentException("view: cannot view " + shape + " (" + numel() + " elements) as " + s);
        }
        return new Tensor(backend, s, storage(), offset);
    }

    public Tensor view(Shape s) {
        return view(s.dims());
    }

    /** A view of rows {@code [start, start + length)} along axis 0, sharing memory (not tracked by autograd). */
    public Tensor narrow0(int start, int length) {
        int rows = shape.dim(0);
        if (start < 0 || length < 0 || start + length > rows) {
            throw new IllegalArgumentException("narrow0: rows [" + start + ", " + (start + length)
                    + ") out of range for shape " + shape);
        }
        int[] d = shape.dims();
        d[0] = length;
        int inner = shape.size(1, shape.rank());
        return new Tensor(backend, Shape.of(d), storage(), offset + start * inner);
    }

    /** Copies the values, as floats, to a new host array (an explicit device-to-host transfer). */
    public float[] toHost() {
        float[] out = new float[numel()];
        backend.copyToHost(this, out, 0);
        return out;
    }

    /** The single value of a one-element tensor (a host copy). */
    public float item() {
        if (numel() != 1) {
            throw new IllegalArgumentException("item: tensor of shape " + shape + " has " + numel() + " elements, not 1");
        }
        return toHost()[0];
    }

    public boolean requiresGrad() {
        return requiresGrad;
    }

    public Tensor requiresGrad(boolean value) {
        this.requiresGrad = value;
        return this;
    }

    /** The accumulated gradient of a leaf, or {@code null} before the first backward. */
    public Tensor grad() {
        return grad;
    }

    public void setGrad(Tensor grad) {
        if (grad != null && !grad.shape.equals(shape)) {
            throw new IllegalArgumentException("setGrad: gradient " + grad.shape + " does not match tensor " + shape);
        }
        this.grad = grad;
    }

    /** Lets this tensor outlive the innermost {@link MemoryScope} that owns it (it moves one scope out). */
    public Tensor keep() {
        MemoryScope.keepFromCurrentScopes(storage());
        return this;
    }

    /** Releases the memory now (all views of it become unusable). */
    public void release() {
        storage.release();
    }

    @Override
    public String toString() {
        return "Tensor" + shape + (dtype() == DType.F32 ? "" : dtype().name().toLowerCase()) + "@" + backend.name();
    }
}
