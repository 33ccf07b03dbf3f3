package dev.spikevae.backend.cpu;

import dev.spikevae.tensor.ConvGeometry;
import java.util.Arrays;

/**
 * Convolutions whose u8 spike operand is mostly zeros, computed from the spikes that fired only: the forward
 * convolution and the weight gradient of a convolution whose input is spikes, and the transposed convolution
 * (backward data) and its weight gradient when the output-side operand is spikes. Each spike adds one row of
 * weights (or of the other operand) to a row of outputs, vectorised along that row ({@link SpikeKernel}).
 *
 * <p>Every output element is summed in the order the dense path ({@link Conv}: im2col + SGEMM) sums it — the
 * same k order, the same reduction blocks of the SGEMM kernel, the same chunks and weight-gradient groups — and
 * a skipped zero spike adds an exact zero there ({@code fma(w, 0, acc) == acc} for finite w), so the result is
 * bitwise the dense one (for finite weights and gradients) and does not depend on the thread count; where the dense
 * path sums in an order of its own (the weight gradients summed in lanes or without the products of padding, {@link
 * TapWeightGradient}, and at 16 lanes the transposed pass onto three channels, {@link TransposedToThree}), the two
 * agree within rounding. {@link CpuBackend} chooses between the two per call from the measured density of the spike
 * operand.
 */
final class SpikeConv {
    /** Images per parallel task of the forward and backward-data passes (any split gives the same result). */
    private static final int IMAGES_PER_TASK = 4;
    /** Bytes read to estimate a density; larger operands are sampled at an even stride. */
    private static final int DENSITY_SAMPLE = 1 << 15;
    private static final int SAMPLE_RUNS = 64;

    /** Rows (the length every spike adds, in floats) shorter than this always take the dense path. */
    static final int MIN_ROW = 32;
    /**
     * The density up to which a forward pass (a convolution's, or a transposed convolution's: the backward-data
     * kernel) with rows of {@link #FULL_ROW} floats or more takes the sparse path.
     */
    static final double MAX_DENSITY = 0.05;
    /** The same for a weight gradient, whose dense path costs more per output than a forward pass's. */
    static final double MAX_WEIGHT_DENSITY = 0.10;
    static final int FULL_ROW = 128;

    /**
     * The density (fraction of non-zero spikes) up to which a pass whose spikes each add a row of {@code row}
     * floats is faster sparse: {@link #MAX_DENSITY} ({@link #MAX_WEIGHT_DENSITY} for a weight gradient) for rows
     * of {@link #FULL_ROW} floats or more, proportionally less for shorter rows (the per-spike overhead weighs
     * more), none below {@link #MIN_ROW}. Read off {@code bench --sparse} on the ESVAE layers against the dense
     * path with the direct kernels (docs/benchmarks.md, "Spike-sparse convolutions"): the forward passes cross one
     * between 1 and 10 % density, the weight gradients between 10 and 17 %, and the 27-float rows of a
     * three-channel last layer are slower sparse at every density measured but the lowest.
     */
    static double maxDensity(int row, boolean weightGradient) {
        double limit = weightGradient ? MAX_WEIGHT_DENSITY : MAX_DENSITY;
        return row < MIN_ROW ? 0 : limit * Math.min(1.0, (double) row / FULL_ROW);
    }

    /**
     * Spike channels (the dense path's reduction) a transposed forward pass (backward data) needs before its sparse path
     * can pay: whatever the density, the sparse pass then adds its whole column matrix back into the image (col2im,
     * positions x taps an image, element by element), which costs about what the dense pass's reduction over 32 or 64
     * channels does. {@code bench --sparse} at 1 % density (2026-12-03, after the direct kernels' straight stores): D4
     * (32 channels) 0.66x, D3 (64) 0.81x, D2 (128) 1.65x, D1 (256) 2.01x.
     */
    static final int MIN_DATA_CHANNELS = 128;

    /** {@link #maxDensity} for a transposed forward pass (backward data) of {@code g}: none below {@link #MIN_DATA_CHANNELS}. */
    static double backwardDataMaxDensity(ConvGeometry g) {
        return g.outChannels() < MIN_DATA_CHANNELS ? 0 : maxDensity(backwardDataRow(g), false);
    }

    /** Forward: each input spike adds a row of weights along the output channels. */
    static int forwardRow(ConvGeometry g) {
        return g.outChannels();
    }

    /** Backward data: each output-side spike adds a row of weights along (input channel, kernel offset). */
    static int backwardDataRow(ConvGeometry g) {
        return g.inChannels() * g.kH() * g.kW();
    }

    private final Parallel parallel;
    private final SpikeKernel kernel;
    private final ConvWeightReduction weights;
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

    SpikeConv(Parallel parallel) {
        this(parallel, VectorSupport.available() ? SpikeVectorKernel.create() : new SpikeScalarKernel());
    }

    SpikeConv(Parallel parallel, SpikeKernel kernel) {
        this.parallel = parallel;
        this.kernel = kernel;
        this.weights = new ConvWeightReduction(parallel, kernel);
    }

    /**
     * Fraction of non-zero bytes in {@code [off, off + n)}: exact up to {@link #DENSITY_SAMPLE} bytes, else from
     * {@link #SAMPLE_RUNS} contiguous runs at an odd stride (so that runs do not keep landing on the same
     * channel of power-of-two planes).
     */
    static double density(byte[] b, int off, int n) {
        if (n <= 0) {
            return 0;
        }
        if (n <= DENSITY_SAMPLE) {
            return (double) nonZero(b, off, n) / n;
        }
        int run = DENSITY_SAMPLE / SAMPLE_RUNS;
        int stride = (n - run) / (SAMPLE_RUNS - 1);
        stride -= stride % 2 == 0 ? 1 : 0;
        long ones = 0;
        for (int j = 0; j < SAMPLE_RUNS; j++) {
            ones += nonZero(b, off + j * stride, run);
        }
        return (double) ones / ((long) run * SAMPLE_RUNS);
    }

    private static int nonZero(byte[] b, int off, int n) {
        int ones = 0;
        for (int i = off; i < off + n; i++) {
            ones += b[i] != 0 ? 1 : 0;
        }
        return ones;
    }

    // ------------------------------------------------------------------------------------------------
    // forward: y = conv(x, w) + bias, x spikes

    /** y = conv(x, w) + bias for u8 x. */
    void forward(byte[] x, int xOff, float[] w, int wOff, float[] bias, int biasOff, float[] y, int yOff,
                 ConvGeometry g) {
        int co = g.outChannels();
        int k = g.inChannels() * g.kH() * g.kW();
        float[] wT = new float[k * co];
        for (int c = 0; c < co; c++) {
            for (int p = 0; p < k; p++) {
                wT[p * co + c] = w[wOff + c * k + p];
            }
        }
        Taps taps = new Taps(g);
        int positions = g.outH() * g.outW();
        int inImage = g.inChannels() * g.inH() * g.inW();
        int outImage = co * positions;
        int block = kernel.reductionBlock();
        forImages(g.batch(), (b0, b1) -> {
            Scratch s = scratch.get();
            Events ev = s.events;
            float[] tot = s.tot.get(positions * co);
            float[] acc = s.acc.get(positions * co);
            for (int img = b0; img < b1; img++) {
                ev.read(x, xOff + img * inImage, g.inChannels(), g.inH() * g.inW());
                boolean started = false;
                for (int kb = 0; kb < k; kb = kb + Math.min(block, k - kb)) {
                    int kEnd = (int) Math.min(k, (long) kb + block);
                    float[] into = started && block != Integer.MAX_VALUE ? acc : tot;
                    Arrays.fill(into, 0, positions * co, 0f);
                    boolean any = scatterForward(ev, taps, kb, kEnd, wT, co, into);
                    if (into == acc && any) {
                        kernel.add(positions * co, acc, 0, tot, 0);
                    }
                    started = true;
                }
                if (!started) {
                    Arrays.fill(tot, 0, positions * co, 0f);
                }
                int dst = yOff + img * outImage;
                for (int c = 0; c < co; c++) {
                    float bc = bias == null ? 0f : bias[biasOff + c];
                    int row = dst + c * positions;
                    for (int p = 0; p < positions; p++) {
                        y[row + p] = bias == null ? tot[p * co + c] : tot[p * co + c] + bc;
                    }
                }
            }
        });
    }

    /** Adds every spike's weight rows for kernel offsets k in [kb, kEnd) to its outputs; whether any was added. */
    private boolean scatterForward(Events ev, Taps t, int kb, int kEnd, float[] wT, int co, float[] out) {
        int offsets = t.kH * t.kW;
        int ciLo = kb / offsets;
        int ciHi = (kEnd - 1) / offsets;
        boolean any = false;
        for (int ci = ciLo; ci <= ciHi; ci++) {
            for (int e = ev.start[ci]; e < ev.start[ci + 1]; e++) {
                int at = ev.at[e];
                float v = ev.value[e];
                int ih = at / t.inW;
                int iw = at - ih * t.inW;
                for (int kh = 0; kh < t.kH; kh++) {
                    int oh = t.rowOut[ih * t.kH + kh];
                    if (oh < 0) {
                        continue;
                    }
                    for (int kw = 0; kw < t.kW; kw++) {
                        int ow = t.colOut[iw * t.kW + kw];
                        int kk = ci * offsets + kh * t.kW + kw;
                        if (ow < 0 || kk < kb || kk >= kEnd) {
                            continue;
                        }
                        kernel.axpy(co, v, wT, kk * co, out, (oh * t.outW + ow) * co);
                        any = true;
                    }
                }
            }
        }
        return any;
    }

    // ------------------------------------------------------------------------------------------------
    // backward data (the transposed convolution's forward): dx = conv^T(dy, w) + bias, dy spikes

    /** dx = conv^T(dy, w) + bias (over dx's channels, or null) for u8 dy. */
    void backwardData(byte[] dy, int dyOff, float[] w, int wOff, float[] bias, int biasOff, float[] dx, int dxOff,
                      ConvGeometry g) {
        int co = g.outChannels();
        int offsets = g.kH() * g.kW();
        int k = g.inChannels() * offsets;
        int positions = g.outH() * g.outW();
        int planeSize = g.inH() * g.inW();
        int inImage = g.inChannels() * planeSize;
        int outImage = co * positions;
        ConvStaging staged = new ConvStaging(g);
        int block = kernel.reductionBlock();
        forImages(g.batch(), (b0, b1) -> {
            Scratch s = scratch.get();
            float[] xs = s.staged.get(staged.imageSize());
            float[] tot = s.tot.get(positions * k);
            float[] acc = s.acc.get(positions * k);
            for (int img = b0; img < b1; img++) {
                int src = dyOff + img * outImage;
                boolean started = false;
                for (int cb = 0; cb < co; cb = cb + Math.min(block, co - cb)) {
                    int cEnd = (int) Math.min(co, (long) cb + block);
                    float[] into = started && block != Integer.MAX_VALUE ? acc : tot;
                    Arrays.fill(into, 0, positions * k, 0f);
                    boolean any = false;
                    for (int c = cb; c < cEnd; c++) {
                        int row = src + c * positions;
                        for (int p = 0; p < positions; p++) {
                            int v = dy[row + p] & 0xFF;
                            if (v != 0) {
                                kernel.axpy(k, v, w, wOff + c * k, into, p * k);
                                any = true;
                            }
                        }
                    }
                    if (into == acc && any) {
                        kernel.add(positions * k, acc, 0, tot, 0);
                    }
                    started = true;
                }
                if (!started) {
                    Arrays.fill(tot, 0, positions * k, 0f);
                }
                // col2im on the transposed column matrix, in the dense order (kernel offset, then position), into the
                // staged image: a row of outputs adds along a contiguous run, taps on the padding land in its border
                for (int ci = 0; ci < g.inChannels(); ci++) {
                    Arrays.fill(xs, ci * staged.plane, (ci + 1) * staged.plane, bias == null ? 0f : bias[biasOff + ci]);
                }
                for (int col = 0; col < k; col++) {
                    int off = staged.offsets[col];
                    for (int oh = 0; oh < g.outH(); oh++) {
                        int at = staged.position(oh, 0) + off;
                        int from = oh * g.outW() * k + col;
                        for (int ow = 0; ow < g.outW(); ow++) {
                            xs[at + ow] += tot[from + ow * k];
                        }
                    }
                }
                staged.unstage(xs, 0, dx, dxOff + img * inImage);
            }
        });
    }

    /**
     * Whether the sparse weight gradient can use the pool: its groups of chunks are its only parallelism (a
     * single group, a small batch, runs on one thread where the dense path spreads each GEMM over the pool).
     */
    boolean weightGradientParallel(ConvGeometry g) {
        return parallel.threads() == 1 || Conv.weightGroups(g) > 1;
    }

    // ------------------------------------------------------------------------------------------------
    // weight gradient: dw = beta dw + sum over the batch of dy (x) im2col(x), x or dy spikes

    /** The weight gradient with spikes {@code x} (u8) and a float output gradient {@code dy}. */
    void backwardWeightSpikeInput(byte[] x, int xOff, float[] dy, int dyOff, float[] dw, int dwOff, float beta,
                                  ConvGeometry g) {
        int co = g.outChannels();
        int k = g.inChannels() * g.kH() * g.kW();
        int positions = g.outH() * g.outW();
        int inImage = g.inChannels() * g.inH() * g.inW();
        int outImage = co * positions;
        Taps taps = new Taps(g);
        // partial sums are held as [k][co] (rows along output channels) and transposed when written
        weights.run(g, beta, dw, dwOff, true, (b0, columnFrom, columnTo, into, intoOff) -> {
            Scratch s = scratch.get();
            boolean any = false;
            int firstImage = b0 + columnFrom / positions;
            int endImage = b0 + (columnTo + positions - 1) / positions;
            float[] dyT = s.rows.get(positions * co);
            for (int img = firstImage; img < endImage; img++) {
                int base = (img - b0) * positions;
                int pLo = Math.max(0, columnFrom - base);
                int pHi = Math.min(positions, columnTo - base);
                s.events.read(x, xOff + img * inImage, g.inChannels(), g.inH() * g.inW());
                if (s.events.count() == 0) {
                    continue;
                }
                int src = dyOff + img * outImage;
                for (int c = 0; c < co; c++) {
                    for (int p = 0; p < positions; p++) {
                        dyT[p * co + c] = dy[src + c * positions + p];
                    }
                }
                any |= scatterWeight(s.events, taps, pLo, pHi, dyT, co, into, intoOff);
            }
            return any;
        });
    }

    private boolean scatterWeight(Events ev, Taps t, int pLo, int pHi, float[] dyT, int co, float[] into, int intoOff) {
        int offsets = t.kH * t.kW;
        boolean any = false;
        for (int ci = 0; ci < ev.channels; ci++) {
            for (int e = ev.start[ci]; e < ev.start[ci + 1]; e++) {
                int at = ev.at[e];
                float v = ev.value[e];
                int ih = at / t.inW;
                int iw = at - ih * t.inW;
                for (int kh = 0; kh < t.kH; kh++) {
                    int oh = t.rowOut[ih * t.kH + kh];
                    if (oh < 0) {
                        continue;
                    }
                    for (int kw = 0; kw < t.kW; kw++) {
                        int ow = t.colOut[iw * t.kW + kw];
                        int p = oh * t.outW + ow;
                        if (ow < 0 || p < pLo || p >= pHi) {
                            continue;
                        }
                        kernel.axpy(co, v, dyT, p * co, into, intoOff + (ci * offsets + kh * t.kW + kw) * co);
                        any = true;
                    }
                }
            }
        }
        return any;
    }

    /** The weight gradient with a float input {@code x} and spikes {@code dy} (u8): a transposed convolution's. */
    void backwardWeightSpikeGradient(float[] x, int xOff, byte[] dy, int dyOff, float[] dw, int dwOff, float beta,
                                     ConvGeometry g) {
        int co = g.outChannels();
        int offsets = g.kH() * g.kW();
        int k = g.inChannels() * offsets;
        int positions = g.outH() * g.outW();
        int planeSize = g.inH() * g.inW();
        int inImage = g.inChannels() * planeSize;
        int outImage = co * positions;
        ConvStaging staged = new ConvStaging(g);
        int[] positionAt = staged.positions();
        ConvOperand xo = ConvOperand.of(x, xOff);
        weights.run(g, beta, dw, dwOff, false, (b0, columnFrom, columnTo, into, intoOff) -> {
            Scratch s = scratch.get();
            float[] xs = s.staged.get(staged.imageSize());
            boolean any = false;
            int firstImage = b0 + columnFrom / positions;
            int endImage = b0 + (columnTo + positions - 1) / positions;
            float[] colT = s.rows.get(positions * k);
            for (int img = firstImage; img < endImage; img++) {
                int base = (img - b0) * positions;
                int pLo = Math.max(0, columnFrom - base);
                int pHi = Math.min(positions, columnTo - base);
                int src = dyOff + img * outImage;
                boolean fired = false;
                for (int i = 0; i < outImage && !fired; i++) {
                    fired = dy[src + i] != 0;
                }
                if (!fired) {
                    continue;
                }
                // im2col of this image's positions, transposed, from the staged image (zeros on the padding); an image
                // that spans several blocks of its chunk (which come in order on this thread) is staged once
                if (columnFrom == 0 || s.stagedImage != img) {
                    staged.stage(xo, img * inImage, xs, 0);
                    s.stagedImage = img;
                }
                int[] taps = staged.offsets;
                for (int p = pLo; p < pHi; p++) {
                    int at = positionAt[p];
                    int row = p * k;
                    for (int col = 0; col < k; col++) {
                        colT[row + col] = xs[at + taps[col]];
                    }
                }
                for (int c = 0; c < co; c++) {
                    int row = src + c * positions;
                    for (int p = pLo; p < pHi; p++) {
                        int v = dy[row + p] & 0xFF;
                        if (v != 0) {
                            kernel.axpy(k, v, colT, p * k, into, intoOff + c * k);
                            any = true;
                        }
                    }
                }
            }
            return any;
        });
    }

    // ------------------------------------------------------------------------------------------------

    /** Runs {@code body} over images in tasks of {@link #IMAGES_PER_TASK}. */
    private void forImages(int batch, ImageRange body) {
        int tasks = (batch + IMAGES_PER_TASK - 1) / IMAGES_PER_TASK;
        if (tasks <= 1) {
            body.run(0, batch);
            return;
        }
        parallel.forTasks(tasks, (t, worker) -> body.run(t * IMAGES_PER_TASK,
                Math.min(batch, (t + 1) * IMAGES_PER_TASK)));
    }

    @FunctionalInterface
    private interface ImageRange {
        void run(int firstImage, int endImage);
    }

    /** For an input row (column) and a kernel row (column), the output row (column) it lands in, or -1. */
    private static final class Taps {
        final int kH;
        final int kW;
        final int inW;
        final int outW;
        final int[] rowOut;
        final int[] colOut;

        Taps(ConvGeometry g) {
            kH = g.kH();
            kW = g.kW();
            inW = g.inW();
            outW = g.outW();
            rowOut = outputs(g.inH(), kH, g.strideH(), g.padH(), g.outH());
            colOut = outputs(g.inW(), kW, g.strideW(), g.padW(), g.outW());
        }

        private static int[] outputs(int in, int kernel, int stride, int pad, int out) {
            int[] t = new int[in * kernel];
            for (int i = 0; i < in; i++) {
                for (int kk = 0; kk < kernel; kk++) {
                    int d = i + pad - kk;
                    int o = d >= 0 && d % stride == 0 ? d / stride : -1;
                    t[i * kernel + kk] = o < out ? o : -1;
                }
            }
            return t;
        }
    }

    /** The spikes of one image: per channel, their offsets within the plane and values, in plane order. */
    private static final class Events {
        int channels;
        int[] start = new int[1];
        int[] at = new int[0];
        float[] value = new float[0];

        void read(byte[] b, int off, int channels, int planeSize) {
            this.channels = channels;
            if (start.length < channels + 1) {
                start = new int[channels + 1];
            }
            int n = 0;
            for (int c = 0; c < channels; c++) {
                start[c] = n;
                int plane = off + c * planeSize;
                for (int i = 0; i < planeSize; i++) {
                    int v = b[plane + i] & 0xFF;
                    if (v != 0) {
                        if (n == at.length) {
                            at = Arrays.copyOf(at, Math.max(64, 2 * n));
                            value = Arrays.copyOf(value, at.length);
                        }
                        at[n] = i;
                        value[n] = v;
                        n++;
                    }
                }
            }
            start[channels] = n;
        }

        int count() {
            return start[channels];
        }
    }

    /** One thread's buffers, grown to the largest call seen and then reused. */
    private static final class Scratch {
        final Events events = new Events();
        final ScratchFloats staged = new ScratchFloats();
        /** The image staged last by the weight gradient within the current chunk. */
        int stagedImage = -1;
        final ScratchFloats tot = new ScratchFloats();
        final ScratchFloats acc = new ScratchFloats();
        final ScratchFloats rows = new ScratchFloats();
    }
}
