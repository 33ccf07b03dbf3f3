package dev.spikevae.backend.cpu;

/** Packed, register-blocked SGEMM (row-major). STUB: to be implemented. */
final class Sgemm {
    private final Parallel parallel;

    Sgemm(Parallel parallel) {
        this.parallel = parallel;
    }

    /** C = alpha op(A) op(B) + beta C, multi-threaded over the pool. */
    void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int offA, int lda,
              float[] b, int offB, int ldb, float beta, float[] c, int offC, int ldc) {
        throw new UnsupportedOperationException("Sgemm.gemm");
    }

    /** The same on the calling thread only (for use inside a parallel task). */
    void gemmSerial(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int offA, int lda,
                    float[] b, int offB, int ldb, float beta, float[] c, int offC, int ldc) {
        throw new UnsupportedOperationException("Sgemm.gemmSerial");
    }
}
