package dev.spikevae.backend.cpu;

/**
 * One single-threaded SGEMM implementation: {@code C = alpha op(A) op(B) + beta C} on row-major matrices
 * given as arrays with element offsets and leading dimensions. {@link Sgemm} splits a problem into
 * blocks of C and hands each block to this on one thread.
 *
 * <p>Implementations must give every element of C a value that depends only on its row of op(A), its
 * column of op(B), alpha, beta and its old value, never on where the block boundaries fall: that is
 * what makes the multi-threaded result identical for every thread count.
 */
interface SgemmKernel {

    /** Requires {@code m, n >= 1}, {@code k >= 1} and {@code alpha != 0} (Sgemm handles the degenerate cases). */
    void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int offA, int lda,
              float[] b, int offB, int ldb, float beta, float[] c, int offC, int ldc);

    /**
     * C = alpha op(A) B + beta C with B read from a source: the same values as {@link #gemm} gives for the
     * stored matrix that the source describes, bit for bit.
     */
    void gemm(boolean transA, int m, int n, int k, float alpha, float[] a, int offA, int lda, GemmSource b,
              float beta, float[] c, int offC, int ldc);

    /**
     * C = alpha op(A) B handed to {@code sink} instead of stored: in blocks of whole rows (all n columns), the
     * blocks in ascending row order, every element exactly once with the value {@link #gemm} with beta 0 would
     * store. Requires {@code k <= sinkDepth()}.
     */
    void gemm(boolean transA, int m, int n, int k, float alpha, float[] a, int offA, int lda, GemmSource b,
              GemmSink sink);

    /** The largest k the sink form of {@link #gemm} accepts (C in a single pass over k). */
    int sinkDepth();

    /** Rows per register block; parallel splits of C fall on multiples of this. */
    int rowBlock();

    /** Columns per register block; parallel splits of C fall on multiples of this. */
    int columnBlock();

    /**
     * Whether this is the Vector API kernel, whose sums (fused multiply-adds in chains of its reduction block) the
     * direct convolutions ({@link DirectConv}) reproduce.
     */
    default boolean vectorApi() {
        return false;
    }

    /** What {@code doctor} and benchmarks print. */
    String description();
}
