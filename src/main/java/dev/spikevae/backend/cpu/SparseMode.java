package dev.spikevae.backend.cpu;

/**
 * Which convolution path the CPU backend takes for u8 spike operands: chosen per call from the operand's
 * density ({@link #AUTO}, the default), or forced, for benchmarks and tests. Both paths give bitwise the same
 * result (see {@code SpikeConv}).
 */
public enum SparseMode {
    /** The spike-sparse path when the spike operand's density is at most its pass's threshold. */
    AUTO,
    /** Always im2col + SGEMM. */
    DENSE,
    /** The spike-sparse path for every u8 spike operand it supports. */
    SPARSE
}
