package dev.spikevae.backend.cpu;

/**
 * Where a GEMM's result goes when it is not stored as a matrix: the kernel hands over finished blocks of C
 * (the transposed convolution adds them into its output, for instance, instead of writing a column matrix
 * and reading it again). A kernel delivers every element of C exactly once, with its final value, in blocks
 * of whole rows (all columns) in ascending row order (see {@link SgemmKernel#gemm(boolean, int, int, int,
 * float, float[], int, int, GemmSource, GemmSink)}).
 */
@FunctionalInterface
interface GemmSink {
    /** Receives {@code C[i0 + r][j0 + c] = block[off + r*ld + c]} for {@code r < rows}, {@code c < cols}. */
    void accept(int i0, int rows, int j0, int cols, float[] block, int off, int ld);
}
