package dev.spikevae.backend.cpu;

import java.util.Arrays;

/**
 * Row-major SGEMM {@code C = alpha op(A) op(B) + beta C} for the CPU backend. The kernel (Vector API,
 * or plain Java when the module is absent) is chosen once, here; this class handles the degenerate
 * cases and splits large problems over the pool by blocks of C. Each element of C is computed by
 * exactly one task with the k loop in a fixed order, so results are identical for every thread count.
 */
final class Sgemm {
    /** Below this many multiply-adds the pool costs more than it saves. */
    private static final long PARALLEL_MACS = 1L << 21;

    private final Parallel parallel;
    private final SgemmKernel kernel;

    Sgemm(Parallel parallel) {
        this(parallel, 0);
    }

    /** With the Vector API kernel's register block of {@code rows} rows (4, 6 or 8; 0: the machine's choice). */
    Sgemm(Parallel parallel, int rows) {
        this(parallel, VectorSupport.available() ? SgemmVectorKernelFactory.create(rows) : new SgemmScalarKernel());
    }

    Sgemm(Parallel parallel, SgemmKernel kernel) {
        this.parallel = parallel;
        this.kernel = kernel;
    }

    String description() {
        return kernel.description();
    }

    /** Columns of the kernel's register block: a split of C's columns at multiples of it keeps whole tiles. */
    int columnBlock() {
        return kernel.columnBlock();
    }

    /** Whether the kernel is the Vector API one ({@link SgemmKernel#vectorApi}). */
    boolean vectorApi() {
        return kernel.vectorApi();
    }

    /** C = alpha op(A) op(B) + beta C, multi-threaded over the pool. */
    void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int offA, int lda,
              float[] b, int offB, int ldb, float beta, float[] c, int offC, int ldc) {
        if (m <= 0 || n <= 0) {
            return;
        }
        if (k == 0 || alpha == 0f) {
            scale(m, n, beta, c, offC, ldc);
            return;
        }
        int threads = parallel.threads();
        if (threads == 1 || (long) m * n * k < PARALLEL_MACS) {
            kernel.gemm(transA, transB, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, c, offC, ldc);
            return;
        }
        forBlocks(threads, m, n, (r0, r1, c0, c1) -> kernel.gemm(transA, transB, r1 - r0, c1 - c0, k, alpha,
                a, offA + (transA ? r0 : r0 * lda), lda,
                b, offB + (transB ? c0 * ldb : c0), ldb, beta,
                c, offC + r0 * ldc + c0, ldc));
    }

    /** Blocks {@code [r0, r1) x [c0, c1)} of C, whole register blocks each, one pool task per block. */
    @FunctionalInterface
    private interface BlockTask {
        void run(int r0, int r1, int c0, int c1);
    }

    /**
     * Splits C ({@code m x n}) over the pool by {@link #split}: each element of C belongs to exactly one block, so
     * results do not depend on the split.
     */
    private void forBlocks(int threads, int m, int n, BlockTask block) {
        int rowBlocks = (m + kernel.rowBlock() - 1) / kernel.rowBlock();
        int colBlocks = (n + kernel.columnBlock() - 1) / kernel.columnBlock();
        int[] split = split(threads, rowBlocks, colBlocks, m, n);
        int rowParts = split[0];
        int colParts = split[1];
        parallel.forTasks(rowParts * colParts, (task, worker) -> {
            int rp = task / colParts;
            int cp = task % colParts;
            int r0 = Math.min(m, rp * rowBlocks / rowParts * kernel.rowBlock());
            int r1 = Math.min(m, (rp + 1) * rowBlocks / rowParts * kernel.rowBlock());
            int c0 = Math.min(n, cp * colBlocks / colParts * kernel.columnBlock());
            int c1 = Math.min(n, (cp + 1) * colBlocks / colParts * kernel.columnBlock());
            if (r0 >= r1 || c0 >= c1) {
                return;
            }
            block.run(r0, r1, c0, c1);
        });
    }

    /** The same on the calling thread only (for use inside a parallel task). */
    void gemmSerial(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int offA, int lda,
                    float[] b, int offB, int ldb, float beta, float[] c, int offC, int ldc) {
        if (m <= 0 || n <= 0) {
            return;
        }
        if (k == 0 || alpha == 0f) {
            scale(m, n, beta, c, offC, ldc);
            return;
        }
        kernel.gemm(transA, transB, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, c, offC, ldc);
    }

    /**
     * C = op(A) B + beta C with B read from a source, multi-threaded over the pool (alpha 1); the same
     * split and values as {@link #gemm} on the stored matrix.
     */
    void gemm(boolean transA, int m, int n, int k, float[] a, int offA, int lda, GemmSource b, float beta, float[] c,
              int offC, int ldc) {
        if (m <= 0 || n <= 0) {
            return;
        }
        if (k == 0) {
            scale(m, n, beta, c, offC, ldc);
            return;
        }
        int threads = parallel.threads();
        if (threads == 1 || (long) m * n * k < PARALLEL_MACS) {
            kernel.gemm(transA, m, n, k, 1f, a, offA, lda, b, beta, c, offC, ldc);
            return;
        }
        forBlocks(threads, m, n, (r0, r1, c0, c1) -> kernel.gemm(transA, r1 - r0, c1 - c0, k, 1f, a,
                offA + (transA ? r0 : r0 * lda), lda, b.columnsFrom(c0), beta, c, offC + r0 * ldc + c0, ldc));
    }

    /** The same on the calling thread only (for use inside a parallel task). */
    void gemmSerial(boolean transA, int m, int n, int k, float[] a, int offA, int lda, GemmSource b, float beta,
                    float[] c, int offC, int ldc) {
        if (m <= 0 || n <= 0) {
            return;
        }
        if (k == 0) {
            scale(m, n, beta, c, offC, ldc);
            return;
        }
        kernel.gemm(transA, m, n, k, 1f, a, offA, lda, b, beta, c, offC, ldc);
    }

    /**
     * op(A) B handed to {@code sink} in blocks, on the calling thread (see {@link SgemmKernel#gemm(boolean, int,
     * int, int, float, float[], int, int, GemmSource, GemmSink)}); requires {@code 1 <= k <= sinkDepth()}.
     */
    void gemmSerial(boolean transA, int m, int n, int k, float[] a, int offA, int lda, GemmSource b, GemmSink sink) {
        if (m > 0 && n > 0) {
            kernel.gemm(transA, m, n, k, 1f, a, offA, lda, b, sink);
        }
    }

    /** The largest k that {@link #gemmSerial(boolean, int, int, int, float[], int, int, GemmSource, GemmSink)} accepts. */
    int sinkDepth() {
        return kernel.sinkDepth();
    }

    /** C = beta C, where beta 0 clears C whatever it held (NaN included). */
    static void scale(int m, int n, float beta, float[] c, int offC, int ldc) {
        for (int i = 0; i < m; i++) {
            int row = offC + i * ldc;
            if (beta == 0f) {
                Arrays.fill(c, row, row + n, 0f);
            } else if (beta != 1f) {
                for (int j = 0; j < n; j++) {
                    c[row + j] *= beta;
                }
            }
        }
    }

    /**
     * How many parts to cut the rows and the columns of C into, about {@code threads} parts in all. Each
     * task packs its own slice of A and of B, so the split that minimises the packed volume per task,
     * {@code m/rowParts + n/colParts}, wins.
     */
    static int[] split(int threads, int rowBlocks, int colBlocks, int m, int n) {
        int bestRows = 1;
        int bestCols = Math.min(threads, colBlocks);
        double bestCost = Double.MAX_VALUE;
        for (int rowParts = 1; rowParts <= threads; rowParts++) {
            int colParts = threads / rowParts;
            if (rowParts * colParts != threads || rowParts > rowBlocks || colParts > colBlocks) {
                continue;
            }
            double cost = (double) m / rowParts + (double) n / colParts;
            if (cost < bestCost) {
                bestCost = cost;
                bestRows = rowParts;
                bestCols = colParts;
            }
        }
        if (bestCost == Double.MAX_VALUE) {
            // No exact factorisation fits (a thin C): cut the longer side as far as its blocks allow.
            if (rowBlocks >= colBlocks) {
                return new int[] {Math.min(threads, rowBlocks), 1};
            }
            return new int[] {1, Math.min(threads, colBlocks)};
        }
        return new int[] {bestRows, bestCols};
    }
}
