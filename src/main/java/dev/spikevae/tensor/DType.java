package dev.spikevae.tensor;

/**
 * Element types. Everything computes in {@link #F32}; {@link #U8} is the compact type for binary spike
 * tensors (a quarter of the memory), accepted where an op only reads or writes spikes: the spike outputs
 * of {@code lifForward} and {@code bernoulliSpikes}, the spike inputs of the convolution ops, and the
 * memory ops ({@code copy}, {@code cast}, {@code fill}, host copies).
 */
public enum DType {
    F32(4), U8(1);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }
}
