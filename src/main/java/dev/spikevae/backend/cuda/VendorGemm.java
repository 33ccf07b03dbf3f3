package dev.spikevae.backend.cuda;

/** A vendor-library SGEMM (cuBLAS) with {@link CudaGemm}'s row-major contract, on the backend's stream. */
public interface VendorGemm {
    void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, long a, int lda, long strideA, long b,
              int ldb, long strideB, float beta, long c, int ldc, long strideC, int batch);

    /** e.g. "cuBLAS 12.6.4". */
    String name();
}
