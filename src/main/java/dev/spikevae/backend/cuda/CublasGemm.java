package dev.spikevae.backend.cuda;

import jcuda.Pointer;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.runtime.cudaStream_t;

import static jcuda.jcublas.cublasOperation.CUBLAS_OP_N;
import static jcuda.jcublas.cublasOperation.CUBLAS_OP_T;

/**
 * SGEMM through cuBLAS (JCublas2, which needs exactly libcublas.so.12). cuBLAS is column-major; a
 * row-major C = op(A) op(B) is the column-major C^T = op(B)^T op(A)^T, so the operands swap places and
 * keep their transpose flags.
 */
final class CublasGemm implements VendorGemm {
    private final JCudaDevice device;
    private final cublasHandle handle;
    private final String name;
    private final float[] alpha = new float[1];
    private final float[] beta = new float[1];

    private CublasGemm(JCudaDevice device, cublasHandle handle, String name) {
        this.device = device;
        this.handle = handle;
        this.name = name;
    }

    /** Creates a handle on the device's stream; any LinkageError means the library is not there. */
    static CublasGemm open(JCudaDevice device) {
        JCublas2.setExceptionsEnabled(false);
        cublasHandle h = new cublasHandle();
        int r = JCublas2.cublasCreate(h);
        if (r != 0) {
            throw new CudaException("cublasCreate failed with status " + r, r);
        }
        r = JCublas2.cublasSetStream(h, new cudaStream_t(device.stream()));
        if (r != 0) {
            throw new CudaException("cublasSetStream failed with status " + r, r);
        }
        int[] version = new int[1];
        JCublas2.cublasGetVersion(h, version);
        int v = version[0];
        return new CublasGemm(device, h, "cuBLAS " + v / 10000 + "." + v / 100 % 100 + "." + v % 100);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public synchronized void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, long a, int lda,
                                  long strideA, long b, int ldb, long strideB, float beta, long c, int ldc, long strideC,
                                  int batch) {
        this.alpha[0] = alpha;
        this.beta[0] = beta;
        int r = JCublas2.cublasSgemmStridedBatched(handle, transB ? CUBLAS_OP_T : CUBLAS_OP_N,
                transA ? CUBLAS_OP_T : CUBLAS_OP_N, n, m, k, Pointer.to(this.alpha), device.pointer(b), ldb, strideB,
                device.pointer(a), lda, strideA, Pointer.to(this.beta), device.pointer(c), ldc, strideC, batch);
        if (r != 0) {
            throw new CudaException("cublasSgemmStridedBatched (m " + m + ", n " + n + ", k " + k + ", batch " + batch
                    + ") failed with status " + r, r);
        }
    }
}
