package dev.spikevae.backend.cpu;

/**
 * The two row operations of the spike-sparse convolutions ({@link SpikeConv}), with the same per-element
 * arithmetic as the SGEMM kernel of the same kind: fused multiply-adds in the Vector API kernel (as its
 * micro-kernel), a rounded product then a rounded sum in the scalar one (as {@link SgemmScalarKernel}).
 */
interface SpikeKernel {

    /** {@code y[yOff + i] += v * x[xOff + i]} for {@code i < n}. */
    void axpy(int n, float v, float[] x, int xOff, float[] y, int yOff);

    /** {@code y[yOff + i] = x[xOff + i] + y[yOff + i]} for {@code i < n}. */
    void add(int n, float[] x, int xOff, float[] y, int yOff);

    /**
     * For {@code i < n}: {@code s_i}, the chain from zero over {@code from <= e < to} of {@code v[e] * x[at[e] + i]} added
     * in e order (each step as {@link #axpy} takes it), stored to {@code y[yOff + i]}, or, with {@code add}, stored
     * as {@code s_i + y[yOff + i]} (as {@link #add}). The same values as those calls, in registers.
     */
    void sumRows(int n, int from, int to, int[] at, float[] v, float[] x, float[] y, int yOff, boolean add);

    /**
     * The SGEMM kernel's reduction block: each element of C is the sum of blocks of this many k in k order,
     * each a chain from zero, added onto C block after block; {@link Integer#MAX_VALUE} when the kernel
     * accumulates straight onto C.
     */
    int reductionBlock();
}
