package dev.spikevae.backend.cpu;

import dev.spikevae.tensor.ConvGeometry;
import java.util.Arrays;

/**
 * Convolutions as implicit GEMMs. The batch (time steps merged with samples, so large, over small images)
 * is cut into chunks of whole images whose column matrix would stay within a few MB; each chunk is one GEMM
 * with the weight matrix, and chunks run in parallel, each on its own thread's scratch. The column matrix is
 * never stored: the SGEMM kernel packs its panels straight from the input tensor ({@link ConvSources}), and
 * the transposed convolution adds the kernel's finished rows straight into its output (col2im as a
 * {@link GemmSink}). The packed values are those im2col would have stored and the sums run in the same
 * order, so the results are bit for bit those of im2col + GEMM + col2im ({@link ConvIm2col}). With the Vector API
 * the direct passes ({@link DirectConv}) take most ESVAE layers, and the weight gradient of images of at most 4 output
 * positions skips the products of padding ({@link TapWeightGradient}, in another summation order).
 *
 * <p>Chunk sizes and reduction groups depend on the geometry only, never on the thread count, and
 * every output element is summed in a fixed order, so results are identical for every thread count.
 */
final class Conv {
    /** Floats of one chunk's column matrix (2 MiB), unless a single image needs more. */
    private static final long COLUMN_FLOATS = 1L << 19;
    /** GEMM columns per chunk: wide enough for the kernel, small enough to leave chunks for every thread. */
    private static final int CHUNK_COLUMNS = 4096;
    /** Weight-gradient partial sums, each over a contiguous run of chunks, added in group order. */
    private static final int WEIGHT_GROUPS = 8;
    /** Floats of all weight-gradient partials together; bigger weights use fewer groups. */
    private static final long PARTIAL_FLOATS = 1L << 22;

    private final Parallel parallel;
    private final Sgemm sgemm;
    /** The direct convolutions, with the Vector API kernel only (they reproduce its sums); else null. */
    private final DirectConv direct;
    /** The weight gradient without the products of padding, on few positions an image (with {@link #direct}). */
    private final TapWeightGradient taps;
    /** The weight gradient as dot products along positions, for kernels 3 wide on few taps (with {@link #direct}). */
    private final LaneWeightGradient lanes;
    /** Whether the direct convolutions are used where they apply ({@code spikevae.conv.direct}, default true). */
    private volatile boolean directOn = Boolean.parseBoolean(System.getProperty("spikevae.conv.direct", "true"));
    private final ThreadLocal<ConvScratch> scratch = ThreadLocal.withInitial(ConvScratch::new);

    Conv(Parallel parallel, Sgemm sgemm) {
        this.parallel = parallel;
        this.sgemm = sgemm;
        this.direct = sgemm.vectorApi() ? new DirectConv(parallel) : null;
        this.taps = direct != null ? new TapWeightGradient(parallel, sgemm) : null;
        this.lanes = direct != null ? new LaneWeightGradient(parallel) : null;
    }

    /** Whether this has the direct convolutions (with the Vector API SGEMM kernel only). */
    boolean hasDirect() {
        return direct != null;
    }

    /**
     * Uses the direct convolutions where they apply, or the implicit GEMM everywhere (for benchmarks: both give the
     * same bits, but for the weight gradients {@link LaneWeightGradient} and the transposed pass {@link
     * TransposedToThree} sum in another order).
     */
    void setDirect(boolean on) {
        directOn = on;
    }

    /** Images per chunk: a function of the geometry alone. */
    static int chunkImages(ConvGeometry g) {
        long positions = (long) g.outH() * g.outW();
        long perImage = (long) g.inChannels() * g.kH() * g.kW() * positions;
        long images = Math.min(COLUMN_FLOATS / perImage, CHUNK_COLUMNS / positions);
        return (int) Math.max(1, Math.min(Math.max(1, g.batch()), images));
    }

    /** How many partial weight gradients backwardWeight sums: a function of the geometry alone. */
    static int weightGroups(ConvGeometry g) {
        int chunk = chunkImages(g);
        int chunks = (g.batch() + chunk - 1) / chunk;
        long weightSize = (long) g.outChannels() * g.inChannels() * g.kH() * g.kW();
        return (int) Math.max(1, Math.min(Math.min(WEIGHT_GROUPS, chunks), PARTIAL_FLOATS / weightSize));
    }

    /**
     * The weight gradient's groups in the order the pool should take them: most images first (ties in group order,
     * the sort being stable). Chunks divide unevenly into groups (E2: 19 chunks in 8 groups of two or three), and
     * taken in group order the last large group left one thread idle at the end (E2's and D3's weight gradients
     * 4.9 -> 4.45 ms in this order). The order changes no sum: each group has its own partial sums, added in group
     * order.
     */
    static int[] groupOrder(ConvGeometry g) {
        int chunk = chunkImages(g);
        int chunks = (g.batch() + chunk - 1) / chunk;
        int groups = weightGroups(g);
        Integer[] order = new Integer[groups];
        int[] images = new int[groups];
        for (int group = 0; group < groups; group++) {
            order[group] = group;
            int from = group * chunks / groups * chunk;
            images[group] = Math.min(g.batch(), (group + 1) * chunks / groups * chunk) - from;
        }
        Arrays.sort(order, (a, b) -> images[b] - images[a]);
        int[] result = new int[groups];
        for (int i = 0; i < groups; i++) {
            result[i] = order[i];
        }
        return result;
    }

    /**
     * Runs {@code body} on every chunk: in parallel, one chunk per task, when there are several; a lone
     * chunk runs on the caller with the multi-threaded GEMM instead.
     */
    private void forChunks(ConvGeometry g, ChunkBody body) {
        int chunk = chunkImages(g);
        int chunks = (g.batch() + chunk - 1) / chunk;
        if (chunks == 1) {
            body.run(0, g.batch(), true);
        } else if (chunks > 1) {
            parallel.forTasks(chunks, (t, worker) -> body.run(t * chunk, Math.min(g.batch(), (t + 1) * chunk), false));
        }
    }

    @FunctionalInterface
    private interface ChunkBody {
        void run(int firstImage, int endImage, boolean multiThreadedGemm);
    }

    /** y = conv(x, w) + bias. */
    void forward(ConvOperand x, float[] w, int wOff, float[] bias, int biasOff, float[] y, int yOff, ConvGeometry g) {
        if (direct != null && directOn && DirectConv.forwardFits(g)) {
            direct.forward(x, w, wOff, bias, biasOff, y, yOff, g);
            return;
        }
        int positions = g.outH() * g.outW();
        int kSize = g.inChannels() * g.kH() * g.kW();
        int inImage = g.inChannels() * g.inH() * g.inW();
        int outImage = g.outChannels() * positions;
        int[] map = ConvIm2col.sourceMap(g);
        forChunks(g, (b0, b1, multiThreaded) -> {
            int images = b1 - b0;
            int columns = images * positions;
            float[] out = scratch.get().matrix.get(g.outChannels() * columns);
            GemmSource col = ConvSources.columns(x, b0 * inImage, g, map);
            if (multiThreaded) {
                sgemm.gemm(false, g.outChannels(), columns, kSize, w, wOff, kSize, col, 0f, out, 0, columns);
            } else {
                sgemm.gemmSerial(false, g.outChannels(), columns, kSize, w, wOff, kSize, col, 0f, out, 0, columns);
            }
            ConvIm2col.scatter(out, images, g.outChannels(), positions, bias, biasOff, y, yOff + b0 * outImage);
        });
    }

    /**
     * dx = conv^T(dy, w) + bias (bias over dx's channels, or null). With at most {@link Sgemm#sinkDepth()}
     * output channels the GEMM's rows are added into dx as they are finished, chunks of images in parallel;
     * otherwise (or for a lone image on several threads) each chunk's column matrix is stored and added by
     * col2im. Both add the same values in the same order.
     */
    void backwardData(ConvOperand dy, float[] w, int wOff, float[] bias, int biasOff, float[] dx, int dxOff,
                      ConvGeometry g) {
        if (direct != null && directOn && DirectConv.dataFits(g)) {
            direct.backwardData(dy, w, wOff, bias, biasOff, dx, dxOff, g);
            return;
        }
        int positions = g.outH() * g.outW();
        int kSize = g.inChannels() * g.kH() * g.kW();
        int inImage = g.inChannels() * g.inH() * g.inW();
        int outImage = g.outChannels() * positions;
        int[] map = ConvIm2col.sourceMap(g);
        int chunk = chunkImages(g);
        int chunks = (g.batch() + chunk - 1) / chunk;
        boolean sink = g.outChannels() <= sgemm.sinkDepth() && (chunks > 1 || g.batch() >= parallel.threads());
        if (!sink) {
            forChunks(g, (b0, b1, multiThreaded) -> {
                int images = b1 - b0;
                int columns = images * positions;
                float[] col = scratch.get().columns.get(kSize * columns);
                GemmSource grad = ConvSources.channels(dy, b0 * outImage, g.outChannels(), positions);
                if (multiThreaded) {
                    sgemm.gemm(true, kSize, columns, g.outChannels(), w, wOff, kSize, grad, 0f, col, 0, columns);
                } else {
                    sgemm.gemmSerial(true, kSize, columns, g.outChannels(), w, wOff, kSize, grad, 0f, col, 0, columns);
                }
                ConvIm2col.col2im(col, columns, images, g, map, bias, biasOff, dx, dxOff + b0 * inImage);
            });
            return;
        }
        // Each input element's sum does not depend on how the images are cut, so a lone chunk is cut per thread.
        int perTask = chunks > 1 ? chunk : (g.batch() + parallel.threads() - 1) / parallel.threads();
        int tasks = (g.batch() + perTask - 1) / perTask;
        parallel.forTasks(tasks, (t, worker) -> {
            int b0 = t * perTask;
            int images = Math.min(g.batch(), b0 + perTask) - b0;
            int planes = images * g.inChannels();
            int plane = g.inH() * g.inW();
            for (int i = 0; i < planes; i++) {
                int at = dxOff + b0 * inImage + i * plane;
                Arrays.fill(dx, at, at + plane, bias == null ? 0f : bias[biasOff + i % g.inChannels()]);
            }
            sgemm.gemmSerial(true, kSize, images * positions, g.outChannels(), w, wOff, kSize,
                    ConvSources.channels(dy, b0 * outImage, g.outChannels(), positions),
                    ConvSources.col2im(g, map, dx, dxOff + b0 * inImage));
        });
    }

    /**
     * Whether the Vector API path sums {@code g}'s weight gradient without the products of padding ({@link
     * TapWeightGradient}), in another order than the GEMM path (with the direct convolutions on or off: the lane
     * weight gradient, which comes first, never takes images of so few positions): for the tests' tolerances.
     */
    static boolean tapWeights(ConvGeometry g) {
        return TapWeightGradient.fits(g) && !LaneWeightGradient.fits(g);
    }

    /**
     * Both gradients of {@link #forward} from one pass over dy, where a kernel makes them so: dx = conv^T(dy, w) and dw
     * = the sum over the batch of dy (x) im2col(x), the same bits as {@link #backwardData} (no bias) and {@link
     * #backwardWeight} (beta 0); whether it made them (if not, nothing is written and the caller runs those two).
     * Taken where both of them run the kernels of E1's geometry at 16 lanes, the lane weight gradient ({@link
     * LaneWeightGradient}) and the input gradient by planes ({@link StrideTwoPlanes}): the input gradient of each
     * call's images is made right after their lane sums, while their dy (read into the caches for those sums) is still
     * there, instead of in a second pass that reads all of dy from memory again.
     */
    boolean backwardBoth(ConvOperand x, ConvOperand dy, float[] w, int wOff, float[] dx, int dxOff, float[] dw,
                         int dwOff, ConvGeometry g) {
        if (direct == null || !directOn || g.batch() == 0 || !DirectConv.dataFits(g) || !DirectConv.planesTakeData(g, dy)
                || !LaneWeightGradient.fits(g)) {
            return false;
        }
        float[] wt = StrideTwoPlanes.transposedWeights(w, wOff, g.inChannels(), g.outChannels());
        lanes.run(x, dy, dw, dwOff, 0f, g, (from, to) -> StrideTwoPlanes.dataImages(dy, wt, null, 0, dx, dxOff,
                g.inChannels(), g.outChannels(), from, to));
        return true;
    }

    /** dw = beta dw + sum over the batch of dy (x) im2col(x). */
    void backwardWeight(ConvOperand x, ConvOperand dy, float[] dw, int dwOff, float beta, ConvGeometry g) {
        int kSize = g.inChannels() * g.kH() * g.kW();
        int weightSize = g.outChannels() * kSize;
        if (g.batch() == 0) {
            scale(dw, dwOff, weightSize, beta);
            return;
        }
        if (lanes != null && directOn && LaneWeightGradient.fits(g)) {
            lanes.run(x, dy, dw, dwOff, beta, g);
            return;
        }
        // before the direct weight gradient, which multiplies the padding too (at 8 lanes E4's and D1's)
        if (direct != null && TapWeightGradient.fits(g)) {
            taps.run(x, dy, dw, dwOff, beta, g);
            return;
        }
        if (direct != null && directOn && DirectConv.weightFits(g)) {
            direct.backwardWeight(x, dy, dw, dwOff, beta, g);
            return;
        }
        int chunk = chunkImages(g);
        int chunks = (g.batch() + chunk - 1) / chunk;
        int groups = weightGroups(g);
        int[] map = ConvIm2col.sourceMap(g);
        if (groups == 1) {
            // A big weight: accumulate chunk after chunk straight into dw, each GEMM spread over the pool.
            for (int t = 0; t < chunks; t++) {
                accumulateWeightGradient(x, dy, t * chunk, Math.min(g.batch(), (t + 1) * chunk),
                        t == 0 ? beta : 1f, dw, dwOff, 0, kSize, g, map, true);
            }
            return;
        }
        float[] partials = scratch.get().partials.get(groups * weightSize);
        // Each group's columns of dw (the GEMM's n) are cut into one part per thread: groups of unequal size (a chunk
        // more, a last chunk partial) or fewer than a multiple of the threads then still share out evenly (measured:
        // E3 and D2 12.5 -> 11.7 ms, E4 and D1 12.2 -> 10.9 ms). Every element is still summed by one task in the same
        // order, so the cut changes no result.
        int parts = parallel.threads();
        int panels = (kSize + sgemm.columnBlock() - 1) / sgemm.columnBlock();
        int[] order = groupOrder(g);
        parallel.forTasks(groups * parts, (task, worker) -> {
            int group = order[task / parts];
            int part = task % parts;
            int n0 = Math.min(kSize, part * panels / parts * sgemm.columnBlock());
            int n1 = Math.min(kSize, (part + 1) * panels / parts * sgemm.columnBlock());
            if (n0 >= n1) {
                return;
            }
            int first = group * chunks / groups;
            int end = (group + 1) * chunks / groups;
            for (int t = first; t < end; t++) {
                accumulateWeightGradient(x, dy, t * chunk, Math.min(g.batch(), (t + 1) * chunk),
                        t == first ? 0f : 1f, partials, group * weightSize, n0, n1, g, map, false);
            }
        });
        ConvWeightReduction.sumGroups(parallel, partials, groups, g.outChannels(), kSize, false, beta, dw, dwOff);
    }

    /**
     * Columns {@code [n0, n1)} of target = beta target + dY_chunk im2col(x_chunk)^T for images [b0, b1): dY's matrix
     * is gathered (it is as small as the output), im2col(x)^T packed from x by the kernel.
     */
    private void accumulateWeightGradient(ConvOperand x, ConvOperand dy, int b0, int b1, float beta,
                                          float[] target, int targetOff, int n0, int n1, ConvGeometry g, int[] map,
                                          boolean multiThreaded) {
        int positions = g.outH() * g.outW();
        int kSize = g.inChannels() * g.kH() * g.kW();
        int images = b1 - b0;
        int columns = images * positions;
        float[] grad = scratch.get().matrix.get(g.outChannels() * columns);
        int inImage = g.inChannels() * g.inH() * g.inW();
        int outImage = g.outChannels() * positions;
        ConvSources.channels(dy, b0 * outImage, g.outChannels(), positions).block(0, g.outChannels(), 0, columns, grad,
                0, columns);
        GemmSource all = ConvSources.columnsTransposed(x, b0 * inImage, g, map);
        GemmSource colT = n0 == 0 ? all : (p0, rows, j0, cols, dst, off, ld) -> all.block(p0, rows, n0 + j0, cols, dst,
                off, ld);
        if (multiThreaded) {
            sgemm.gemm(false, g.outChannels(), n1 - n0, columns, grad, 0, columns, colT, beta, target, targetOff + n0,
                    kSize);
        } else {
            sgemm.gemmSerial(false, g.outChannels(), n1 - n0, columns, grad, 0, columns, colT, beta, target,
                    targetOff + n0, kSize);
        }
    }

    private static void scale(float[] t, int off, int n, float beta) {
        for (int i = off; i < off + n; i++) {
            t[i] = beta == 0f ? 0f : beta * t[i];
        }
    }

    /** One thread's buffers, grown to the largest chunk seen and then reused. */
    private static final class ConvScratch {
        final ScratchFloats columns = new ScratchFloats();
        final ScratchFloats matrix = new ScratchFloats();
        final ScratchFloats partials = new ScratchFloats();
    }
}
