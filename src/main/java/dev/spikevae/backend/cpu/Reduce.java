package dev.spikevae.backend.cpu;

import dev.spikevae.tensor.Shape;

/**
 * Sums over the axes along which the output broadcasts. Every output element is summed in double, in a
 * fixed order that does not depend on the thread count; a sum to very few outputs is split into
 * fixed-size chunks whose partials are combined in order, so it too is thread-count independent.
 */
final class Reduce {
    private static final int CHUNK = 1 << 14;
    private final Parallel parallel;

    Reduce(Parallel parallel) {
        this.parallel = parallel;
    }

    void sum(float[] x, int xo, Shape xs, float[] out, int oo, Shape os, float alpha, float beta) {
        int r = xs.rank();
        int[] outDims = new int[r];
        int off = r - os.rank();
        for (int i = 0; i < r; i++) {
            outDims[i] = i < off ? 1 : os.dim(i - off);
        }
        // Group x's axes into runs of kept / reduced axes: [g0, g1, ...] alternating.
        int[] sizes = new int[r + 1];
        boolean[] reduced = new boolean[r + 1];
        int groups = 0;
        for (int i = 0; i < r; i++) {
            int d = xs.dim(i);
            if (d == 1) {
                continue;
            }
            boolean red = outDims[i] == 1;
            if (groups > 0 && reduced[groups - 1] == red) {
                sizes[groups - 1] *= d;
            } else {
                sizes[groups] = d;
                reduced[groups] = red;
                groups++;
            }
        }
        int nOut = os.numel();
        if (groups == 0) { // a single element, or nothing reduced at all
            sizes[0] = xs.numel();
            reduced[0] = false;
            groups = 1;
        }
        if (groups == 1 && !reduced[0]) {
            for (int i = 0; i < nOut; i++) {
                out[oo + i] = finish(alpha * (double) x[xo + i], beta, out[oo + i]);
            }
            return;
        }
        if (groups == 1) { // everything reduced into one output
            out[oo] = finish(alpha * sumChunked(x, xo, sizes[0]), beta, out[oo]);
            return;
        }
        if (groups == 2 && !reduced[0]) { // [K, R] -> [K]: contiguous rows
            int k = sizes[0];
            int len = sizes[1];
            if (k < parallel.threads()) {
                for (int i = 0; i < k; i++) {
                    out[oo + i] = finish(alpha * sumChunked(x, xo + i * len, len), beta, out[oo + i]);
                }
                return;
            }
            parallel.forRange(k, Math.max(1, CHUNK / len), (from, to) -> {
                for (int i = from; i < to; i++) {
                    double s = 0;
                    int p = xo + i * len;
                    for (int j = 0; j < len; j++) {
                        s += x[p + j];
                    }
                    out[oo + i] = finish(alpha * s, beta, out[oo + i]);
                }
            });
            return;
        }
        if (groups == 2) { // [R, K] -> [K]: walk rows in order, each thread owning a block of columns
            int rowsR = sizes[0];
            int k = sizes[1];
            parallel.forRange(k, Math.max(16, CHUNK / Math.max(1, rowsR)), (from, to) -> {
                double[] acc = new double[to - from];
                for (int row = 0; row < rowsR; row++) {
                    int p = xo + row * k;
                    for (int j = from; j < to; j++) {
                        acc[j - from] += x[p + j];
                    }
                }
                for (int j = from; j < to; j++) {
                    out[oo + j] = finish(alpha * acc[j - from], beta, out[oo + j]);
                }
            });
            return;
        }
        if (groups == 3 && reduced[0] && reduced[2]) { // [R, K, S] -> [K]: per-channel sums (bias gradients)
            sumMiddle(x, xo, sizes[0], sizes[1], sizes[2], out, oo, alpha, beta);
            return;
        }
        // General: alternating kept and reduced groups; outputs enumerate the kept groups in order.
        int[] gStride = new int[groups];
        int acc = 1;
        for (int g = groups - 1; g >= 0; g--) {
            gStride[g] = acc;
            acc *= sizes[g];
        }
        int nKept = 0;
        int nRed = 0;
        for (int g = 0; g < groups; g++) {
            if (reduced[g]) {
                nRed++;
            } else {
                nKept++;
            }
        }
        int[] keptSize = new int[nKept];
        int[] keptStride = new int[nKept];
        int[] redSize = new int[nRed];
        int[] redStride = new int[nRed];
        for (int g = 0, a = 0, b = 0; g < groups; g++) {
            if (reduced[g]) {
                redSize[b] = sizes[g];
                redStride[b++] = gStride[g];
            } else {
                keptSize[a] = sizes[g];
                keptStride[a++] = gStride[g];
            }
        }
        int perOutput = xs.numel() / Math.max(1, nOut);
        parallel.forRange(nOut, Math.max(1, CHUNK / Math.max(1, perOutput)), (from, to) -> {
            for (int o = from; o < to; o++) {
                int rem = o;
                int base = xo;
                for (int q = keptSize.length - 1; q >= 0; q--) {
                    base += (rem % keptSize[q]) * keptStride[q];
                    rem /= keptSize[q];
                }
                out[oo + o] = finish(alpha * sumReduced(x, base, 0, redSize, redStride), beta, out[oo + o]);
            }
        });
    }

    /**
     * Sums of x {@code [R, K, S]} over R and S. Rows are taken in fixed chunks (so that few channels still
     * spread over the pool), each chunk keeping its own partial per channel, and the partials are added
     * in chunk order: the result does not depend on the thread count.
     */
    private void sumMiddle(float[] x, int xo, int rows, int k, int span, float[] out, int oo, float alpha, float beta) {
        int width = k * span;
        int rowsPerChunk = Math.max(1, CHUNK / width);
        int chunks = (rows + rowsPerChunk - 1) / rowsPerChunk;
        double[][] partial = new double[chunks][k];
        parallel.forTasks(chunks, (chunk, worker) -> {
            double[] acc = partial[chunk];
            for (int row = chunk * rowsPerChunk, end = Math.min(rows, row + rowsPerChunk); row < end; row++) {
                for (int c = 0, p = xo + row * width; c < k; c++, p += span) {
                    acc[c] += spanSum(x, p, span);
                }
            }
        });
        for (int c = 0; c < k; c++) {
            double s = 0;
            for (double[] p : partial) {
                s += p[c];
            }
            out[oo + c] = finish(alpha * s, beta, out[oo + c]);
        }
    }

    /**
     * Sum of n contiguous values in double with four interleaved accumulators, combined in a fixed order:
     * four independent add chains instead of one that waits on every addition's latency.
     */
    private static double spanSum(float[] x, int p, int n) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int j = 0;
        for (; j + 4 <= n; j += 4) {
            s0 += x[p + j];
            s1 += x[p + j + 1];
            s2 += x[p + j + 2];
            s3 += x[p + j + 3];
        }
        for (; j < n; j++) {
            s0 += x[p + j];
        }
        return (s0 + s1) + (s2 + s3);
    }

    private static double sumReduced(float[] x, int p, int level, int[] size, int[] stride) {
        double s = 0;
        int n = size[level];
        int st = stride[level];
        if (level == size.length - 1) {
            for (int j = 0; j < n; j++) {
                s += x[p + j * st];
            }
        } else {
            for (int j = 0; j < n; j++) {
                s += sumReduced(x, p + j * st, level + 1, size, stride);
            }
        }
        return s;
    }

    private static float finish(double value, float beta, float old) {
        return beta == 0f ? (float) value : (float) (value + beta * (double) old);
    }

    /** Sum of n contiguous values: fixed chunks summed in parallel, partials combined in order. */
    private double sumChunked(float[] x, int xo, int n) {
        int chunks = (n + CHUNK - 1) / CHUNK;
        if (chunks <= 1) {
            double s = 0;
            for (int j = 0; j < n; j++) {
                s += x[xo + j];
            }
            return s;
        }
        double[] partial = new double[chunks];
        parallel.forTasks(chunks, (t, w) -> {
            int from = t * CHUNK;
            int to = Math.min(n, from + CHUNK);
            double s = 0;
            for (int j = from; j < to; j++) {
                s += x[xo + j];
            }
            partial[t] = s;
        });
        double s = 0;
        for (double v : partial) {
            s += v;
        }
        return s;
    }
}
