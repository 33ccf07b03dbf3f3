package dev.spikevae.backend.cpu;

/**
 * SGEMM in plain Java, for JVMs without the Vector API. Loop order i-p-j keeps the innermost loop on
 * contiguous rows of C and op(B) when B is not transposed; a transposed B is read through a per-thread
 * copy of the needed rows so the inner loop stays contiguous too. Each element of C accumulates its
 * products in p order onto {@code beta * C}, whatever block of C it is computed in.
 */
final class SgemmScalarKernel implements SgemmKernel {
    /** Rows of op(B) copied at a time when B is transposed. */
    private static final int TRANSPOSED_B_ROWS = 64;

    private final ThreadLocal<float[]> bRows = new ThreadLocal<>();

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int offA, int lda,
                     float[] b, int offB, int ldb, float beta, float[] c, int offC, int ldc) {
        for (int i = 0; i < m; i++) {
            int ci = offC + i * ldc;
            if (beta == 0f) {
                java.util.Arrays.fill(c, ci, ci + n, 0f);
            } else if (beta != 1f) {
                for (int j = 0; j < n; j++) {
                    c[ci + j] *= beta;
                }
            }
        }
        if (!transB) {
            for (int i = 0; i < m; i++) {
                int ci = offC + i * ldc;
                for (int p = 0; p < k; p++) {
                    float aip = alpha * (transA ? a[offA + p * lda + i] : a[offA + i * lda + p]);
                    int bp = offB + p * ldb;
                    for (int j = 0; j < n; j++) {
                        c[ci + j] += aip * b[bp + j];
                    }
                }
            }
            return;
        }
        // op(B) = B^T: copy a strip of op(B) rows [p0, p1) x n so the inner loop reads contiguously.
        float[] strip = stripBuffer(TRANSPOSED_B_ROWS * n);
        for (int p0 = 0; p0 < k; p0 += TRANSPOSED_B_ROWS) {
            int p1 = Math.min(k, p0 + TRANSPOSED_B_ROWS);
            for (int j = 0; j < n; j++) {
                int bj = offB + j * ldb;
                for (int p = p0; p < p1; p++) {
                    strip[(p - p0) * n + j] = b[bj + p];
                }
            }
            for (int i = 0; i < m; i++) {
                int ci = offC + i * ldc;
                for (int p = p0; p < p1; p++) {
                    float aip = alpha * (transA ? a[offA + p * lda + i] : a[offA + i * lda + p]);
                    int sp = (p - p0) * n;
                    for (int j = 0; j < n; j++) {
                        c[ci + j] += aip * strip[sp + j];
                    }
                }
            }
        }
    }

    private float[] stripBuffer(int size) {
        float[] s = bRows.get();
        if (s == null || s.length < size) {
            s = new float[size];
            bRows.set(s);
        }
        return s;
    }

    @Override
    public int rowBlock() {
        return 1;
    }

    @Override
    public int columnBlock() {
        return 1;
    }

    @Override
    public String description() {
        return "scalar SGEMM";
    }
}
