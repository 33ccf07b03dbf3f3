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
        Sgemm.scale(m, n, beta, c, offC, ldc);
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

    /**
     * With B from a source: strips of op(B) rows copied from it, then the loops above, so every element of C
     * gets the same products in the same order as from the stored matrix.
     */
    @Override
    public void gemm(boolean transA, int m, int n, int k, float alpha, float[] a, int offA, int lda, GemmSource b,
                     float beta, float[] c, int offC, int ldc) {
        Sgemm.scale(m, n, beta, c, offC, ldc);
        float[] strip = stripBuffer(TRANSPOSED_B_ROWS * n);
        for (int p0 = 0; p0 < k; p0 += TRANSPOSED_B_ROWS) {
            int p1 = Math.min(k, p0 + TRANSPOSED_B_ROWS);
            b.block(p0, p1 - p0, 0, n, strip, 0, n);
            accumulateStrip(transA, m, n, p0, p1, alpha, a, offA, lda, strip, c, offC, ldc);
        }
    }

    /** Row by row: each row of C from zero over the whole of k, then handed to the sink. */
    @Override
    public void gemm(boolean transA, int m, int n, int k, float alpha, float[] a, int offA, int lda, GemmSource b,
                     GemmSink sink) {
        float[] whole = stripBuffer(k * n + n);
        b.block(0, k, 0, n, whole, 0, n);
        int row = k * n;
        for (int i = 0; i < m; i++) {
            java.util.Arrays.fill(whole, row, row + n, 0f);
            accumulateStrip(transA, 1, n, 0, k, alpha, a, offA + (transA ? i : i * lda), lda, whole, whole, row, n);
            sink.accept(i, 1, 0, n, whole, row, n);
        }
    }

    @Override
    public int sinkDepth() {
        return Integer.MAX_VALUE;
    }

    /** C[i][j] += sum over p in [p0, p1) of alpha op(A)[i][p] strip[p - p0][j], in p order. */
    private static void accumulateStrip(boolean transA, int m, int n, int p0, int p1, float alpha, float[] a, int offA,
                                        int lda, float[] strip, float[] c, int offC, int ldc) {
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
