package dev.spikevae.backend.cpu;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The two products of a linear layer whose input is u8 spikes, computed from the spikes that fired only: the
 * forward {@code y = x w^T} and the weight gradient {@code dw = dy^T x}. Each spike adds one row of floats (a column
 * of w, or a row of dy) to a row of results, vectorised along that row ({@link SpikeKernel}).
 *
 * <p>Every element is summed as the SGEMM kernel of the same kind sums it on the spikes converted to floats: the
 * same k order, in chains from zero over the kernel's reduction blocks ({@link SpikeKernel#reductionBlock}) added
 * block after block, the same multiply-add. A spike that did not fire adds an exact zero there, so the results are
 * bitwise those of the dense path for finite operands, for every thread count (each result row or column is one
 * task's). Only {@code alpha = 1}, {@code beta = 0} products are taken; {@link CpuBackend} chooses between this and
 * the dense path per call from the spikes' density.
 */
final class SpikeLinear {
    /** Result rows (forward) per parallel task; any split gives the same result. */
    private static final int ROWS_PER_TASK = 16;
    /** Result columns (weight gradient) per parallel task. */
    private static final int COLUMNS_PER_TASK = 32;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /**
     * The density of the spikes up to which the forward product takes this path: {@code bench --sparse} and a scratch
     * sweep over ESVAE's linear shapes (docs/benchmarks.md, "Spike-sparse linear layers") put its break-even between
     * 15 and 30 %.
     */
    static final double MAX_DENSITY = 0.15;
    /** The same for the weight gradient, whose break-even came lower (5 to 15 % for 128 outputs) and less steady. */
    static final double MAX_WEIGHT_DENSITY = 0.05;

    private final Parallel parallel;
    private final SpikeKernel kernel;
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

    SpikeLinear(Parallel parallel, SpikeKernel kernel) {
        this.parallel = parallel;
        this.kernel = kernel;
    }

    private static final class Scratch {
        final ScratchFloats floats = new ScratchFloats();
        final ScratchFloats block = new ScratchFloats();
        int[] at = new int[0];
        float[] values = new float[0];

        /** Room for n events: where each one's row starts, and its spike's value. */
        void events(int n) {
            if (at.length < n) {
                at = new int[n];
                values = new float[n];
            }
        }
    }

    /** The high bit of each byte of {@code v} set where that byte is not zero, every other bit clear. */
    static long nonZeroBytes(long v) {
        return (((v & 0x7F7F7F7F7F7F7F7FL) + 0x7F7F7F7F7F7F7F7FL) | v) & 0x8080808080808080L;
    }

    /**
     * {@code C = A W^T}: A {@code m x k} u8 spikes (row stride lda), W {@code n x k} floats (row stride ldw), C {@code
     * m x n} (row stride ldc), overwritten.
     */
    void forward(int m, int n, int k, byte[] a, int offA, int lda, float[] w, int offW, int ldw, float[] c, int offC,
                 int ldc) {
        // W^T as [k][n]: the row each spike of column p adds (in the caller's buffer, shared read-only by the tasks)
        float[] wt = scratch.get().floats.get(k * n);
        for (int j = 0; j < n; j++) {
            int row = offW + j * ldw;
            for (int p = 0; p < k; p++) {
                wt[p * n + j] = w[row + p];
            }
        }
        int block = Math.min(k, kernel.reductionBlock());
        int tasks = (m + ROWS_PER_TASK - 1) / ROWS_PER_TASK;
        parallel.forTasks(tasks, (task, worker) -> {
            Scratch s = scratch.get();
            s.events(block);
            int[] at = s.at;
            float[] values = s.values;
            for (int i = task * ROWS_PER_TASK; i < Math.min(m, (task + 1) * ROWS_PER_TASK); i++) {
                int ai = offA + i * lda;
                // each reduction block's chain from zero, the first stored into C, the later ones added onto it
                for (int p0 = 0; p0 < k; p0 += block) {
                    int count = 0;
                    int end = Math.min(k, p0 + block);
                    int p = p0;
                    for (; p + 8 <= end; p += 8) {
                        for (long bits = nonZeroBytes((long) LONGS.get(a, ai + p)); bits != 0; bits &= bits - 1) {
                            int q = p + (Long.numberOfTrailingZeros(bits) >>> 3);
                            at[count] = q * n;
                            values[count++] = a[ai + q] & 0xff;
                        }
                    }
                    for (; p < end; p++) {
                        if (a[ai + p] != 0) {
                            at[count] = p * n;
                            values[count++] = a[ai + p] & 0xff;
                        }
                    }
                    kernel.sumRows(n, 0, count, at, values, wt, c, offC + i * ldc, p0 > 0);
                }
            }
        });
    }

    /**
     * {@code C = G^T X}: G {@code k x m} floats (row stride ldg), X {@code k x n} u8 spikes (row stride ldx), C {@code
     * m x n} (row stride ldc), overwritten.
     */
    void weightGradient(int m, int n, int k, float[] g, int offG, int ldg, byte[] x, int offX, int ldx, float[] c,
                        int offC, int ldc) {
        int block = Math.min(k, kernel.reductionBlock());
        int tasks = (n + COLUMNS_PER_TASK - 1) / COLUMNS_PER_TASK;
        parallel.forTasks(tasks, (task, worker) -> {
            int j0 = task * COLUMNS_PER_TASK;
            int cols = Math.min(n, j0 + COLUMNS_PER_TASK) - j0;
            Scratch s = scratch.get();
            // the task's columns of X as lists of the rows where they fired, in row order: column j's events at
            // [j * k, j * k + counts[j]), each G's row and the spike's value
            s.events(cols * k);
            int[] at = s.at;
            float[] values = s.values;
            int[] counts = new int[cols];
            for (int r = 0; r < k; r++) {
                int xr = offX + r * ldx + j0;
                int j = 0;
                for (; j + 8 <= cols; j += 8) {
                    for (long bits = nonZeroBytes((long) LONGS.get(x, xr + j)); bits != 0; bits &= bits - 1) {
                        int q = j + (Long.numberOfTrailingZeros(bits) >>> 3);
                        int e = q * k + counts[q]++;
                        at[e] = offG + r * ldg;
                        values[e] = x[xr + q] & 0xff;
                    }
                }
                for (; j < cols; j++) {
                    if (x[xr + j] != 0) {
                        int e = j * k + counts[j]++;
                        at[e] = offG + r * ldg;
                        values[e] = x[xr + j] & 0xff;
                    }
                }
            }
            float[] column = s.block.get(m);
            for (int j = 0; j < cols; j++) {
                // each reduction block of rows: its events, a chain from zero, stored, then added onto the sum
                int e = j * k;
                int end = e + counts[j];
                for (int p0 = 0; p0 < k; p0 += block) {
                    int from = e;
                    int limit = offG + Math.min(k, p0 + block) * ldg;
                    while (e < end && at[e] < limit) {
                        e++;
                    }
                    kernel.sumRows(m, from, e, at, values, g, column, 0, p0 > 0);
                }
                int cj = offC + j0 + j;
                for (int o = 0; o < m; o++) {
                    c[cj + o * ldc] = column[o];
                }
            }
        });
    }
}
