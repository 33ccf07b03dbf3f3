package dev.spikevae.backend.cpu;

/**
 * Which convolution path the CPU backend takes for u8 spike operands: chosen per call from the operand's
 * density ({@link #AUTO}, the default), or forced, for benchmarks and tests. Both paths give the same result:
 * bitwise, but where the dense path sums in another order of its own (the weight gradients summed in lanes, {@code
 * LaneWeightGradient}, and those without the products of padding, {@code TapWeightGradient},
 * and the transposed pass onto three channels, {@code TransposedToThree}), within rounding (see {@code SpikeConv} and
 * {@code SpikeConvTest}).
 */
public enum SparseMode {
    /** The spike-sparse path when the spike operand's density is at most its pass's threshold. */
    AUTO,
    /** Always the dense path ({@code Conv}: the direct passes or im2col + SGEMM). */
    DENSE,
    /** The spike-sparse path for every u8 spike operand it supports. */
    SPARSE
}
