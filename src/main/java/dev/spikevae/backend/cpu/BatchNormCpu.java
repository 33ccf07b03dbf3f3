package dev.spikevae.backend.cpu;

/**
 * Batch-norm statistics, apply and backward over x viewed as {@code [outer, C, inner]} (tdBN: outer =
 * T*N, inner = H*W; linear layers: inner = 1).
 *
 * <p>Per-channel sums are accumulated in double over chunks of outer rows whose size depends only on the
 * shape, and the chunks' partial sums are added in chunk order, so statistics and parameter gradients
 * are bitwise the same for any thread count. When inner is large the contiguous loops run over one
 * channel's span; when it is small they run over whole rows ({@code C * inner} values, channel being the
 * fast axis for inner = 1) with per-position coefficients.
 */
final class BatchNormCpu {
    /** Values per chunk of outer rows (fixed, never derived from the thread count). */
    private static final int CHUNK_VALUES = 1 << 15;
    /** From this span length on, loops run per channel span rather than per row. */
    private static final int MIN_SPAN = 16;

    private final Parallel parallel;
    private final BatchNormSpans spans;

    BatchNormCpu(Parallel parallel) {
        this(parallel, VectorSupport.available() ? new BatchNormVectorSpans() : new BatchNormScalarSpans());
    }

    BatchNormCpu(Parallel parallel, BatchNormSpans spans) {
        this.parallel = parallel;
        this.spans = spans;
    }

    void stats(float[] x, int xOff, int outer, int channels, int inner, float[] mean, int mOff, float[] var, int vOff) {
        long n = (long) outer * inner;
        double[] sums = channelSums(outer, channels, inner, (row, rowOff, c, spanOff, acc) -> {
            if (spanOff >= 0) {
                acc[c] += spans.sum(x, xOff + spanOff, inner);
            } else if (inner == 1) {
                for (int ch = 0, e = xOff + rowOff; ch < channels; ch++, e++) {
                    acc[ch] += x[e];
                }
            } else {
                // channel by channel (the same order as element by element, without a division per element)
                for (int ch = 0, e = xOff + rowOff; ch < channels; ch++) {
                    double a = acc[ch];
                    for (int end = e + inner; e < end; e++) {
                        a += x[e];
                    }
                    acc[ch] = a;
                }
            }
        }, 1);
        float[] meanF = new float[channels];
        for (int c = 0; c < channels; c++) {
            meanF[c] = n == 0 ? 0f : (float) (sums[c] / n);
        }
        // second pass about the (float) mean: no cancellation, and the mean's rounding only adds its square
        double[] squares = channelSums(outer, channels, inner, (row, rowOff, c, spanOff, acc) -> {
            if (spanOff >= 0) {
                acc[c] += spans.sumSquaredDeviation(x, xOff + spanOff, inner, meanF[c]);
            } else if (inner == 1) {
                for (int ch = 0, e = xOff + rowOff; ch < channels; ch++, e++) {
                    float d = x[e] - meanF[ch];
                    acc[ch] += d * d;
                }
            } else {
                for (int ch = 0, e = xOff + rowOff; ch < channels; ch++) {
                    float m = meanF[ch];
                    double a = acc[ch];
                    for (int end = e + inner; e < end; e++) {
                        float d = x[e] - m;
                        a += d * d;
                    }
                    acc[ch] = a;
                }
            }
        }, 1);
        for (int c = 0; c < channels; c++) {
            mean[mOff + c] = meanF[c];
            var[vOff + c] = n == 0 ? 0f : (float) (squares[c] / n);
        }
    }

    void forward(float[] x, int xOff, int outer, int channels, int inner, float[] mean, int mOff, float[] var, int vOff,
                 float[] gamma, int gOff, float[] beta, int bOff, float scale, float eps, float[] y, int yOff) {
        float[] scaleC = channelScales(gamma, gOff, var, vOff, channels, scale, eps);
        if (inner >= MIN_SPAN) {
            forRows(outer, channels * inner, (row) -> {
                for (int c = 0; c < channels; c++) {
                    int o = (row * channels + c) * inner;
                    spans.normalize(x, xOff + o, y, yOff + o, inner, mean[mOff + c], scaleC[c], beta[bOff + c]);
                }
            });
        } else {
            float[] meanP = perPosition(mean, mOff, channels, inner);
            float[] scaleP = perPosition(scaleC, 0, channels, inner);
            float[] shiftP = perPosition(beta, bOff, channels, inner);
            int width = channels * inner;
            forRows(outer, width, (row) -> spans.normalizeRow(x, xOff + row * width, y, yOff + row * width, width, meanP,
                    scaleP, shiftP));
        }
    }

    /** The factor of {@code x - mean} per channel in {@link #forward}: {@code gamma * scale / sqrt(var + eps)}. */
    static float[] channelScales(float[] gamma, int gOff, float[] var, int vOff, int channels, float scale, float eps) {
        float[] scaleC = new float[channels];
        for (int c = 0; c < channels; c++) {
            scaleC[c] = (float) (gamma[gOff + c] * (double) scale / Math.sqrt((double) var[vOff + c] + eps));
        }
        return scaleC;
    }

    /** dx may be dy itself: each element of dx is written after the sums and reads only its own dy. */
    void backward(float[] dy, int dyOff, float[] x, int xOff, int outer, int channels, int inner, float[] mean, int mOff,
                  float[] var, int vOff, float[] gamma, int gOff, float scale, float eps, boolean training, float[] dx,
                  int dxOff, float[] dGamma, int dgOff, float[] dBeta, int dbOff) {
        backward(dy, dyOff, x, xOff, outer, channels, inner, mean, mOff, var, vOff, gamma, gOff, scale, eps, training,
                dx, dxOff, dGamma, dgOff, dBeta, dbOff, null);
    }

    /**
     * The backward's two sums over each span (one channel's {@code inner} values of one outer row) that starts in
     * {@code [from, to)} (offsets into the {@code [outer, C, inner]} tensor, multiples of inner): sum dy into
     * {@code into[2 s]} and sum dy (x - mean) into {@code into[2 s + 1]}, s = the span's index {@code row * C + c}.
     * Each is the value {@link #backward} forms for that span itself, so a caller that has just written dy (the fused
     * batch norm + LIF backward, block by block while it is in cache) hands them to {@link #backward} and the pass over
     * the whole of dy and x that would recompute them is skipped, with the same bits.
     */
    void spanSums(float[] dy, int dyOff, float[] x, int xOff, int channels, int inner, float[] mean, int mOff, int from,
                  int to, double[] into) {
        for (int e = from; e < to; e += inner) {
            int span = e / inner;
            into[2 * span] = spans.sum(dy, dyOff + e, inner);
            into[2 * span + 1] = spans.sumProductDeviation(dy, dyOff + e, x, xOff + e, inner, mean[mOff + span % channels]);
        }
    }

    /**
     * {@link #backward}, with its statistics' per-span sums already formed ({@link #spanSums} of every span, {@code
     * [outer][C][2]}; taken in span mode) or, where {@code spanSums} is null, formed here. They are then added as those
     * formed here are (each chunk's from zero in row order, the chunks in order), so the result is the same.
     */
    void backward(float[] dy, int dyOff, float[] x, int xOff, int outer, int channels, int inner, float[] mean, int mOff,
                  float[] var, int vOff, float[] gamma, int gOff, float scale, float eps, boolean training, float[] dx,
                  int dxOff, float[] dGamma, int dgOff, float[] dBeta, int dbOff, double[] spanSums) {
        long n = (long) outer * inner;
        // acc[2c] = sum dy, acc[2c + 1] = sum dy (x - mean)
        double[] sums = channelSums(outer, channels, inner, (row, rowOff, c, spanOff, acc) -> {
            if (spanOff >= 0 && spanSums != null) {
                int span = spanOff / inner;
                acc[2 * c] += spanSums[2 * span];
                acc[2 * c + 1] += spanSums[2 * span + 1];
            } else if (spanOff >= 0) {
                acc[2 * c] += spans.sum(dy, dyOff + spanOff, inner);
                acc[2 * c + 1] += spans.sumProductDeviation(dy, dyOff + spanOff, x, xOff + spanOff, inner, mean[mOff + c]);
            } else if (inner == 1) {
                for (int ch = 0, p = rowOff; ch < channels; ch++, p++) {
                    float g = dy[dyOff + p];
                    acc[2 * ch] += g;
                    acc[2 * ch + 1] += g * (x[xOff + p] - mean[mOff + ch]);
                }
            } else {
                // channel by channel (the same order as element by element, without a division per element)
                for (int ch = 0, p = rowOff; ch < channels; ch++) {
                    float m = mean[mOff + ch];
                    double sum = acc[2 * ch];
                    double product = acc[2 * ch + 1];
                    for (int end = p + inner; p < end; p++) {
                        float g = dy[dyOff + p];
                        sum += g;
                        product += g * (x[xOff + p] - m);
                    }
                    acc[2 * ch] = sum;
                    acc[2 * ch + 1] = product;
                }
            }
        }, 2);
        float[] a = new float[channels];
        float[] b = new float[channels];
        float[] c0 = new float[channels];
        for (int c = 0; c < channels; c++) {
            double invStd = 1.0 / Math.sqrt((double) var[vOff + c] + eps);
            double sumDy = sums[2 * c];
            double sumDyXhat = sums[2 * c + 1] * invStd;
            double gain = gamma[gOff + c] * (double) scale * invStd;
            dBeta[dbOff + c] = (float) sumDy;
            dGamma[dgOff + c] = (float) (scale * sumDyXhat);
            a[c] = (float) gain;
            b[c] = training && n > 0 ? (float) (-gain * invStd * sumDyXhat / n) : 0f;
            c0[c] = training && n > 0 ? (float) (-gain * sumDy / n) : 0f;
        }
        if (inner >= MIN_SPAN) {
            forRows(outer, channels * inner, (row) -> {
                for (int c = 0; c < channels; c++) {
                    int o = (row * channels + c) * inner;
                    spans.backward(dy, dyOff + o, x, xOff + o, dx, dxOff + o, inner, a[c], b[c], mean[mOff + c], c0[c]);
                }
            });
        } else {
            float[] aP = perPosition(a, 0, channels, inner);
            float[] bP = perPosition(b, 0, channels, inner);
            float[] meanP = perPosition(mean, mOff, channels, inner);
            float[] cP = perPosition(c0, 0, channels, inner);
            int width = channels * inner;
            forRows(outer, width, (row) -> spans.backwardRow(dy, dyOff + row * width, x, xOff + row * width, dx,
                    dxOff + row * width, width, aP, bP, meanP, cP));
        }
    }

    /** Adds one row's contribution to a chunk's accumulator; spanOff is -1 in row mode (called once per row). */
    @FunctionalInterface
    private interface RowSums {
        void add(int row, int rowOff, int channel, int spanOff, double[] acc);
    }

    @FunctionalInterface
    private interface RowBody {
        void run(int row);
    }

    /** Per-channel sums ({@code perChannel} accumulators each) over all rows, in a thread-count independent order. */
    private double[] channelSums(int outer, int channels, int inner, RowSums body, int perChannel) {
        int width = channels * inner;
        int rowsPerChunk = (int) Math.max(1, CHUNK_VALUES / Math.max(1L, width));
        int chunks = (outer + rowsPerChunk - 1) / rowsPerChunk;
        double[][] partial = new double[chunks][channels * perChannel];
        boolean spanMode = inner >= MIN_SPAN;
        parallel.forTasks(chunks, (chunk, worker) -> {
            double[] acc = partial[chunk];
            for (int row = chunk * rowsPerChunk, end = Math.min(outer, row + rowsPerChunk); row < end; row++) {
                int rowOff = row * width;
                if (spanMode) {
                    for (int c = 0; c < channels; c++) {
                        body.add(row, rowOff, c, rowOff + c * inner, acc);
                    }
                } else {
                    body.add(row, rowOff, -1, -1, acc);
                }
            }
        });
        double[] total = new double[channels * perChannel];
        for (double[] p : partial) {
            for (int i = 0; i < total.length; i++) {
                total[i] += p[i];
            }
        }
        return total;
    }

    private void forRows(int outer, int width, RowBody body) {
        int grain = (int) Math.max(1, CHUNK_VALUES / Math.max(1L, width));
        parallel.forRange(outer, grain, (from, to) -> {
            for (int row = from; row < to; row++) {
                body.run(row);
            }
        });
    }

    private static float[] perPosition(float[] perChannel, int off, int channels, int inner) {
        float[] out = new float[channels * inner];
        for (int c = 0; c < channels; c++) {
            java.util.Arrays.fill(out, c * inner, (c + 1) * inner, perChannel[off + c]);
        }
        return out;
    }
}
