package dev.spikevae.backend.cpu;

import dev.spikevae.tensor.ConvGeometry;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Direct convolutions on the Vector API, for the layers whose implicit GEMM spends as long gathering its operand as
 * multiplying it ({@link ConvSources} looks up and tests every packed value). Here nothing is gathered through the
 * source map. Each image is first copied once into a zero-padded, column-phase-split layout ({@link ConvStaging}), in
 * which every kernel tap of a row of outputs reads a contiguous run; the output positions of a group of images (one
 * image, or as many as fill a panel where an image has fewer than {@code 2 x LANES} positions) are then cut into panels
 * of two vectors of columns, and
 *
 * <ul>
 *   <li>the forward pass ({@code y = conv(x, w) + bias}) runs the SGEMM micro-kernel against the weights in panels
 *       of output channels ({@link #channelPanels}) on each column panel: where the panel is two whole runs (rows of
 *       outputs of whole vectors), reading each tap's two vectors straight from the staged image ({@link
 *       SgemmVectorKernel#microKernelTaps}; but see {@link #TAPS_FROM_STAGED}), else on a copy packed with one vector
 *       copy per run of outputs and tap ({@link SgemmVectorKernel#microKernel});
 *   <li>the transposed convolution ({@code dx = conv^T(dy, w) + bias}) runs the same micro-kernel on dy's panels (6
 *       rows of the column matrix at a time, across the group's positions) and adds each finished row into the staged
 *       images, run by run, before they are copied out;
 *   <li>the weight gradient copies {@link #MR} kernel taps over a block of columns from the staged images, as rows
 *       ({@link SgemmVectorKernel#microKernelRows}), and runs the micro-kernel on them against the output gradient
 *       laid out as [channel block][column][two vectors].
 * </ul>
 *
 * <p>Every element is the sum the SGEMM kernel ({@link SgemmVectorKernel}) forms on the implicit GEMM: the same
 * fused multiply-adds in the same k order, in chains from zero of its reduction block {@code kc}, added block after
 * block; the forward adds the bias last, as {@link ConvIm2col#scatter} does, and the weight gradient keeps the dense
 * path's chunks and groups ({@link ConvWeightReduction}). The results are therefore bitwise those of {@link Conv}'s
 * GEMM path, for every thread count; except the transposed pass onto three channels at stride 1 ({@link
 * TransposedToThree}), a direct convolution summed over (channel, tap) in one chain (within rounding of the GEMM
 * path's, the same for every thread count). The weight gradient of kernels 3 wide on few taps, summed along positions
 * in another order, is {@link LaneWeightGradient}'s.
 */
final class DirectConv {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    /**
     * The upper half of a vector, and -0 (x + -0 is x, bit for bit, for every x): {@link #addRuns}, {@link #pack} and
     * {@link #copyTaps} on runs of half a vector.
     */
    private static final VectorMask<Float> UPPER_HALF = VectorMask.fromLong(SPECIES, -1L << (LANES / 2));
    /** The lanes from a quarter and three quarters of a vector on: {@link #pack} and {@link #copyTaps} on quarters. */
    private static final VectorMask<Float> FROM_QUARTER = VectorMask.fromLong(SPECIES, -1L << (LANES / 4));
    private static final VectorMask<Float> FROM_THREE_QUARTERS = VectorMask.fromLong(SPECIES, -1L << (3 * LANES / 4));
    private static final FloatVector NEGATIVE_ZEROS = FloatVector.broadcast(SPECIES, -0f);
    /** Two vectors: output positions (forward) or output channels (weight gradient) per register block. */
    private static final int NR = 2 * LANES;
    /**
     * Output channels (forward) or kernel taps (weight gradient) per register block: 6, or 4 where the SGEMM kernel
     * chose 4 rows ({@link SgemmVectorKernel#DEFAULT_ROWS}: Java 25 on AVX2, whose 6-row block spills).
     */
    static final int MR = SgemmVectorKernel.DEFAULT_ROWS == 4 ? 4 : 6;
    /**
     * The tallest row panel of the forward and transposed passes ({@link #channelPanels}): 8 where the SGEMM kernel
     * takes 8 rows (16 lanes: 32 registers hold the 8 x 32 block), else {@link #MR}. (The weight gradient keeps
     * {@link #MR}: 8 taps a block was slower there, docs/benchmarks.md.)
     */
    static final int PANEL_ROWS = SgemmVectorKernel.DEFAULT_ROWS == 8 ? 8 : MR;
    /**
     * Whether the forward reads a panel of two whole runs straight from the staged image ({@link
     * SgemmVectorKernel#microKernelTaps}) rather than packing it: not with panels of 6 rows at 8 lanes, the block
     * Java 17 takes with AVX2, whose 16 vector registers the 12 sums, two B vectors and a broadcast fill. There the
     * kernel ran 1.5-2 times slower than on a packed panel (with {@code -XX:UseAVX=2} on the AVX-512 machine: E2's
     * forward 12.65 against 6.30 ms, D4's input gradient 24.6 against 15.9, E1's forward 3.08 against 1.93, D5's input
     * gradient 8.65 against 5.64), while with 4-row panels (Java 25) and at 16 lanes it is the faster
     * (docs/benchmarks.md, "The 8-lane paths measured on the AVX-512 machine").
     */
    static final boolean TAPS_FROM_STAGED = !(LANES == 8 && PANEL_ROWS == 6);
    private static final int KC = SgemmVectorKernel.KC;
    /** The most output channels and taps {@link #backwardWeight} takes (but see {@link #weightFits}). */
    private static final int MAX_WEIGHT_CHANNELS = 64;
    private static final int MAX_WEIGHT_TAPS = 64;
    /** The most output channels {@link #backwardWeight} takes on rows of half or a quarter of a vector. */
    private static final int MAX_SHORT_ROW_WEIGHT_CHANNELS = 256;
    /** Images per parallel task of the forward and transposed passes (any split gives the same result). */
    private static final int IMAGES_PER_TASK = 4;
    /** A first-level data cache (32 KiB on the machines measured), for {@link #transposeGradient}'s choice. */
    private static final int L1_BYTES = 32 * 1024;

    private final Parallel parallel;
    private final ConvWeightReduction weights;
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);
    /** The transposed pass onto three channels at stride 1 (D5's forward), as a direct convolution. */
    private final TransposedToThree three;
    /** E1's geometry a plane at a time: its forward at 16 and 8 lanes, its input gradient at 16. */
    private final StrideTwoPlanes stride2;

    DirectConv(Parallel parallel) {
        this.parallel = parallel;
        this.weights = new ConvWeightReduction(parallel, SpikeVectorKernel.create());
        this.three = new TransposedToThree(parallel);
        this.stride2 = new StrideTwoPlanes(parallel);
    }

    /**
     * Whether {@link #forward} takes {@code g}: rows of outputs made of whole vectors, or of 2 to {@code LANES / 2}
     * outputs that tile a vector (4x4 and 2x2 outputs of ESVAE's inner layers).
     */
    static boolean forwardFits(ConvGeometry g) {
        return g.outW() % LANES == 0 || (g.outW() >= 2 && LANES % g.outW() == 0);
    }

    /**
     * Whether {@link #backwardWeight} takes {@code g}: output channels in whole register blocks, and either rows of
     * outputs of half or a quarter of a vector with at most {@link #MAX_SHORT_ROW_WEIGHT_CHANNELS} output channels
     * (their tap rows copied two or four runs a vector by {@link #copyTaps}; at 16 lanes E2's and D3's 8 x 8 outputs,
     * 5.6 against 6.6 ms for the GEMM path, and E3's and D2's 4 x 4, 4.96 against 5.68 and 5.22 against 5.79; at 8
     * lanes E3 to D2), or at most {@link #MAX_WEIGHT_CHANNELS} output channels and either rows of whole vectors (each
     * tap's row is then whole vector copies) or at most {@link #MAX_WEIGHT_TAPS} taps (input channels x kernel
     * offsets). Rows of an eighth of a vector (E4 and D1 at 16 lanes) were within noise of the GEMM path with eight
     * runs a vector too (docs/benchmarks.md, "Tap runs of half and a quarter of a vector..."); images of at most 4
     * output positions (E4 and D1 at every width) take {@link TapWeightGradient} before this.
     */
    static boolean weightFits(ConvGeometry g) {
        if (g.outChannels() % NR != 0) {
            return false;
        }
        if (2 * g.outW() == LANES || 4 * g.outW() == LANES) {
            return g.outChannels() <= MAX_SHORT_ROW_WEIGHT_CHANNELS;
        }
        return g.outChannels() <= MAX_WEIGHT_CHANNELS
                && (g.inChannels() * g.kH() * g.kW() <= MAX_WEIGHT_TAPS || g.outW() % LANES == 0);
    }

    // ------------------------------------------------------------------------------------------------
    // columns: output positions of a group of images, in panels of NR

    /**
     * Output positions that are contiguous both in the staged input (per tap) and in the output: a vector of a row of
     * outputs, or the whole row where it is shorter than a vector.
     */
    private static int run(ConvGeometry g) {
        return g.outW() % LANES == 0 ? LANES : g.outW();
    }

    /** Images staged together: the fewest whose output positions fill whole panels of NR columns. */
    private static int group(ConvGeometry g) {
        int a = g.outH() * g.outW();
        int b = NR;
        while (b != 0) {
            int t = a % b;
            a = b;
            b = t;
        }
        return NR / a;
    }

    /** Images per parallel task: whole groups, at least {@link #IMAGES_PER_TASK}. */
    private static int imagesPerTask(ConvGeometry g) {
        int group = group(g);
        return (IMAGES_PER_TASK + group - 1) / group * group;
    }

    /**
     * The columns {@code [j0, j0 + width)} of a group (column = image slot x output position) as the passes read and
     * write them: runs of {@code run} positions, contiguous in a staged image at every tap, and segments, the columns
     * of one image, contiguous in an [image][channel][position] tensor.
     */
    private static final class Columns {
        /** Where run q starts in the group's staged images, at tap offset 0. */
        final int[] runAt = new int[NR];
        int runs;
        /**
         * Segment i: its first column (from j0), where it starts in the tensor (from the group's first image), its
         * length.
         */
        final int[] segmentColumn = new int[NR];
        final int[] segmentAt = new int[NR];
        final int[] segmentLength = new int[NR];
        int segments;

        void map(int j0, int width, int run, int positions, int[] positionAt, int imageSize, int channels) {
            runs = width / run;
            for (int q = 0; q < runs; q++) {
                int column = j0 + q * run;
                int img = column / positions;
                runAt[q] = img * imageSize + positionAt[column - img * positions];
            }
            segments = 0;
            for (int c = 0; c < width; ) {
                int column = j0 + c;
                int img = column / positions;
                int pos = column - img * positions;
                int length = Math.min(width - c, positions - pos);
                segmentColumn[segments] = c;
                segmentAt[segments] = img * channels * positions + pos;
                segmentLength[segments] = length;
                segments++;
                c += length;
            }
        }
    }

    /**
     * The column panel {@code [k][NR]} from the staged images: for every tap, each run copied as one vector, or two
     * runs of half a vector or four of a quarter as one. A run shorter than a vector copies a whole vector all the
     * same: the runs of a tap are written in order, so each overwrites what the one before spilled, and the last one's
     * spill lands in the next tap's row before that row is written (the panel and the staged buffer have a vector of
     * slack at their ends).
     */
    private static void pack(float[] xs, int[] offsets, int k, Columns cols, int run, float[] panel) {
        int[] at = cols.runAt;
        int runs = cols.runs;
        if (runs == 2 && run == LANES) {
            // the common case of long rows: two vectors a tap
            int at0 = at[0];
            int at1 = at[1];
            for (int p = 0, d = 0; p < k; p++, d += NR) {
                int o = offsets[p];
                FloatVector.fromArray(SPECIES, xs, at0 + o).intoArray(panel, d);
                FloatVector.fromArray(SPECIES, xs, at1 + o).intoArray(panel, d + LANES);
            }
            return;
        }
        if (runs == 4 && 2 * run == LANES && at[1] >= run && at[3] >= run) {
            // rows of half a vector (E2's and D3's 8 outputs at 16 lanes): two runs a vector, the second's floats
            // blended into its upper half, so a tap is two stores rather than four (the pass 4.3-4.5 -> 4.0-4.2 ms)
            int at0 = at[0];
            int at1 = at[1] - run;
            int at2 = at[2];
            int at3 = at[3] - run;
            for (int p = 0, d = 0; p < k; p++, d += NR) {
                int o = offsets[p];
                FloatVector.fromArray(SPECIES, xs, at0 + o)
                        .blend(FloatVector.fromArray(SPECIES, xs, at1 + o), UPPER_HALF).intoArray(panel, d);
                FloatVector.fromArray(SPECIES, xs, at2 + o)
                        .blend(FloatVector.fromArray(SPECIES, xs, at3 + o), UPPER_HALF).intoArray(panel, d + LANES);
            }
            return;
        }
        if (runs == 8 && 4 * run == LANES && at[1] >= run && at[2] >= 2 * run && at[3] >= 3 * run
                && at[5] >= run && at[6] >= 2 * run && at[7] >= 3 * run) {
            // rows of a quarter of a vector (E3's forward, D2's input gradient at 16 lanes): four runs a vector, each
            // loaded from where its floats land in the right lanes and blended over the lanes from there on (the
            // pass 3.8 -> 3.6-3.7 ms)
            int a0 = at[0], a1 = at[1] - run, a2 = at[2] - 2 * run, a3 = at[3] - 3 * run;
            int b0 = at[4], b1 = at[5] - run, b2 = at[6] - 2 * run, b3 = at[7] - 3 * run;
            for (int p = 0, d = 0; p < k; p++, d += NR) {
                int o = offsets[p];
                FloatVector.fromArray(SPECIES, xs, a0 + o)
                        .blend(FloatVector.fromArray(SPECIES, xs, a1 + o), FROM_QUARTER)
                        .blend(FloatVector.fromArray(SPECIES, xs, a2 + o), UPPER_HALF)
                        .blend(FloatVector.fromArray(SPECIES, xs, a3 + o), FROM_THREE_QUARTERS).intoArray(panel, d);
                FloatVector.fromArray(SPECIES, xs, b0 + o)
                        .blend(FloatVector.fromArray(SPECIES, xs, b1 + o), FROM_QUARTER)
                        .blend(FloatVector.fromArray(SPECIES, xs, b2 + o), UPPER_HALF)
                        .blend(FloatVector.fromArray(SPECIES, xs, b3 + o), FROM_THREE_QUARTERS)
                        .intoArray(panel, d + LANES);
            }
            return;
        }
        for (int p = 0, d = 0; p < k; p++, d += NR) {
            int o = offsets[p];
            for (int q = 0; q < runs; q++) {
                FloatVector.fromArray(SPECIES, xs, at[q] + o).intoArray(panel, d + q * run);
            }
        }
    }

    /**
     * The forward pass's column panels where an input channel's plane is one vector and an image's outputs a quarter of
     * one (at 16 lanes E4's forward and D1's input gradient: 4 x 4 planes, 2 x 2 outputs): a panel's row of a tap, four
     * images to a vector, is made from the four images' planes by one permutation each (the tap's inputs into the
     * image's quarter) and three blends, padding set to 0 by a fourth; each plane is read once a channel for all its
     * taps, straight from x (no staged images).
     */
    private static final class QuarterPlanes {
        private final int taps;
        private final int channels;
        private final int plane;
        /** Per tap and image slot (4 a vector): each lane of the slot's quarter takes the input it reads. */
        private final VectorShuffle<Float>[] reads;
        /** Per tap: the lanes that read padding. */
        private final VectorMask<Float>[] padding;

        static boolean fit(ConvGeometry g) {
            return g.inH() * g.inW() == LANES && 4 * g.outH() * g.outW() == LANES;
        }

        @SuppressWarnings("unchecked")
        QuarterPlanes(ConvGeometry g) {
            taps = g.kH() * g.kW();
            channels = g.inChannels();
            plane = g.inH() * g.inW();
            int positions = g.outH() * g.outW();
            int[] map = ConvIm2col.sourceMap(g);
            reads = new VectorShuffle[taps * 4];
            padding = new VectorMask[taps];
            for (int t = 0; t < taps; t++) {
                long pad = 0;
                for (int slot = 0; slot < 4; slot++) {
                    int[] from = new int[LANES];
                    for (int p = 0; p < positions; p++) {
                        int at = map[t * positions + p];
                        from[slot * positions + p] = Math.max(at, 0);
                        if (at < 0) {
                            pad |= 1L << (slot * positions + p);
                        }
                    }
                    reads[t * 4 + slot] = VectorShuffle.fromArray(SPECIES, from, 0);
                }
                padding[t] = VectorMask.fromLong(SPECIES, pad);
            }
        }

        /**
         * The panel ({@code [k][NR]}) of images {@code first} on (eight of them; a panel past {@code last} repeats it
         * in columns no output reads).
         */
        void pack(ConvOperand x, int first, int last, float[] panel, float[] wide) {
            float[] xf = x.floats();
            byte[] xb = x.bytes();
            int image = channels * plane;
            // u8 planes are widened into {@code wide} first, so that a plane is always one float load (a vector chosen
            // between a float load and a widening is a phi, which C2 boxes)
            float[] from = xf != null ? xf : wide;
            for (int half = 0; half < 2; half++) {
                int i0 = first + 4 * half;
                int a0 = x.offset() + Math.min(i0, last) * image;
                int a1 = x.offset() + Math.min(i0 + 1, last) * image;
                int a2 = x.offset() + Math.min(i0 + 2, last) * image;
                int a3 = x.offset() + Math.min(i0 + 3, last) * image;
                for (int c = 0, d = half * LANES; c < channels; c++) {
                    int o = c * plane;
                    if (xf == null) {
                        StagingVectors.widen(xb, a0 + o).intoArray(wide, 0);
                        StagingVectors.widen(xb, a1 + o).intoArray(wide, LANES);
                        StagingVectors.widen(xb, a2 + o).intoArray(wide, 2 * LANES);
                        StagingVectors.widen(xb, a3 + o).intoArray(wide, 3 * LANES);
                    }
                    FloatVector p0 = FloatVector.fromArray(SPECIES, from, xf != null ? a0 + o : 0);
                    FloatVector p1 = FloatVector.fromArray(SPECIES, from, xf != null ? a1 + o : LANES);
                    FloatVector p2 = FloatVector.fromArray(SPECIES, from, xf != null ? a2 + o : 2 * LANES);
                    FloatVector p3 = FloatVector.fromArray(SPECIES, from, xf != null ? a3 + o : 3 * LANES);
                    for (int t = 0; t < taps; t++, d += NR) {
                        p0.rearrange(reads[4 * t])
                                .blend(p1.rearrange(reads[4 * t + 1]), FROM_QUARTER)
                                .blend(p2.rearrange(reads[4 * t + 2]), UPPER_HALF)
                                .blend(p3.rearrange(reads[4 * t + 3]), FROM_THREE_QUARTERS)
                                .blend(0f, padding[t]).intoArray(panel, d);
                    }
                }
            }
        }
    }

    /** y = conv(x, w) + bias; requires {@link #forwardFits}. */
    void forward(ConvOperand x, float[] w, int wOff, float[] bias, int biasOff, float[] y, int yOff, ConvGeometry g) {
        if (StrideTwoPlanes.fits(g)) {
            stride2.forward(x, w, wOff, bias, biasOff, y, yOff, g);
            return;
        }
        ConvStaging staged = new ConvStaging(g);
        int co = g.outChannels();
        int k = staged.taps();
        int positions = g.outH() * g.outW();
        int inImage = g.inChannels() * g.inH() * g.inW();
        int outImage = co * positions;
        int[] heights = channelPanels(co);
        float[] wp = panels(w, wOff, co, k, false, heights, scratch.get().weights);
        int[] positionAt = staged.positions();
        int run = run(g);
        int group = group(g);
        int perTask = imagesPerTask(g);
        int tasks = (g.batch() + perTask - 1) / perTask;
        // Over several reduction blocks a tile's blocks are summed in a scratch tile and written once (y's runs are
        // then written once, not once per block: with rows of outputs shorter than a vector element by element; D4's
        // input gradient, 288 taps, 8.36-8.46 -> 7.82-8.32 ms). The same sums in the same order.
        boolean sumTiles = k > KC;
        QuarterPlanes quarters = QuarterPlanes.fit(g) ? new QuarterPlanes(g) : null;
        int panelRows = 0;
        for (int h : heights) {
            panelRows += h;
        }
        boolean wholePanels = quarters == null && TAPS_FROM_STAGED && run == LANES && positions % NR == 0 && k <= KC
                && panelRows == co;
        // there each block of NR columns lies in one image: block b reads its two runs at blockRuns[2b] and
        // blockRuns[2b + 1] of the staged images and stores at blockY[b] from the group's first output, the same for
        // every group and channel panel, so mapped once here (D5's input gradient 5.4-5.9 -> 5.1-5.5 ms on Zen 4)
        int blocks = wholePanels ? group * positions / NR : 0;
        int[] blockRuns = new int[2 * blocks];
        int[] blockY = new int[blocks];
        for (int b = 0; b < blocks; b++) {
            int img = b * NR / positions;
            int pos = b * NR - img * positions;
            blockRuns[2 * b] = img * staged.imageSize() + positionAt[pos];
            blockRuns[2 * b + 1] = img * staged.imageSize() + positionAt[pos + LANES];
            blockY[b] = img * outImage + pos;
        }
        parallel.forTasks(tasks, (task, worker) -> {
            Scratch s = scratch.get();
            float[] xs = s.staged(group * staged.imageSize() + LANES);
            float[] panel = s.panel(k * NR + LANES);
            float[] tile = s.tile;
            float[] sum = s.sum;
            Columns cols = s.panelColumns;
            int end = Math.min(g.batch(), (task + 1) * perTask);
            for (int g0 = task * perTask; g0 < end; g0 += group) {
                int images = Math.min(group, end - g0);
                if (quarters == null) {
                    // the group's input read into the caches first, at the memory's rate (ConvOperand.touch)
                    s.touched += x.touch(g0 * inImage, images * inImage);
                    for (int i = 0; i < images; i++) {
                        staged.stageCopied(x, (g0 + i) * inImage, xs, i * staged.imageSize(), s.image(inImage));
                    }
                }
                int columns = images * positions;
                if (wholePanels) {
                    // Every block of columns is two whole runs of one image and every channel panel is full: the
                    // micro-kernel stores straight into y, and the panels are taken one at a time, each over all the
                    // group's columns. y is then written as 8 streams of rows at a time (a panel's channels) instead
                    // of all its channels' rows side by side, which the hardware follows better. D5's input gradient
                    // (32 channels of 4 KiB rows) on Zen 4, the pass alone 6.9-8.8 -> 5.4-6.8 ms, in sequence with
                    // the layer's other passes 6.0-6.6 -> 5.6-6.0 (docs/benchmarks.md, stop 46). The same sums.
                    int used = columns / NR;
                    for (int wPanel = 0, c0 = 0; wPanel < heights.length; c0 += heights[wPanel++]) {
                        int mr = heights[wPanel];
                        int yAt = yOff + g0 * outImage + c0 * positions;
                        for (int b = 0; b < used; b++) {
                            int at = yAt + blockY[b];
                            SgemmVectorKernel.microKernelTaps(mr, k, wp, c0 * k, xs, blockRuns[2 * b],
                                    blockRuns[2 * b + 1], staged.offsets, 0, y, at, positions);
                            if (bias != null) {
                                addBias(y, at, positions, mr, bias, biasOff + c0);
                            }
                        }
                    }
                    continue;
                }
                for (int j0 = 0; j0 < columns; j0 += NR) {
                    cols.map(j0, Math.min(NR, columns - j0), run, positions, positionAt, staged.imageSize(), co);
                    // a panel of two whole runs (rows of outputs of whole vectors) is not packed: the micro-kernel
                    // reads each tap's two vectors from the staged image (D4's input gradient 9.9-10.1 -> 8.9-9.0 ms,
                    // E1's forward 1.18-1.34 -> 1.00, D5's input gradient 4.2-4.6 -> 3.5-3.6; the same bits)
                    boolean taps = TAPS_FROM_STAGED && quarters == null && cols.runs == 2 && run == LANES;
                    if (quarters != null) {
                        quarters.pack(x, g0 + j0 / positions, end - 1, panel, s.wide(4 * LANES));
                    } else if (!taps) {
                        pack(xs, staged.offsets, k, cols, run, panel);
                    }
                    int at0 = cols.runAt[0];
                    int at1 = cols.runAt[1];
                    for (int wPanel = 0, c0 = 0; wPanel < heights.length; c0 += heights[wPanel++]) {
                        int mr = heights[wPanel];
                        int rows = Math.min(mr, co - c0);
                        int yAt = yOff + g0 * outImage + c0 * positions;
                        if (k <= KC && rows == mr && cols.segments == 1 && cols.segmentLength[0] == NR) {
                            // one block, a whole panel of one image's row: stored straight into y (no tile)
                            int at = yAt + cols.segmentAt[0];
                            if (taps) {
                                SgemmVectorKernel.microKernelTaps(mr, k, wp, c0 * k, xs, at0, at1, staged.offsets, 0,
                                        y, at, positions);
                            } else {
                                SgemmVectorKernel.microKernel(mr, k, wp, c0 * k, panel, 0, y, at, positions);
                            }
                            if (bias != null) {
                                addBias(y, at, positions, mr, bias, biasOff + c0);
                            }
                            continue;
                        }
                        for (int kb = 0; kb < k; kb += KC) {
                            int kEnd = Math.min(k, kb + KC);
                            if (taps) {
                                SgemmVectorKernel.microKernelTaps(mr, kEnd - kb, wp, c0 * k + kb * mr, xs, at0, at1,
                                        staged.offsets, kb, tile, 0, NR);
                            } else {
                                SgemmVectorKernel.microKernel(mr, kEnd - kb, wp, c0 * k + kb * mr, panel, kb * NR,
                                        tile);
                            }
                            if (!sumTiles) {
                                write(tile, rows, cols, y, yAt, positions, kb > 0, kEnd == k ? bias : null,
                                        biasOff + c0);
                            } else if (kb == 0) {
                                System.arraycopy(tile, 0, sum, 0, mr * NR);
                            } else {
                                for (int i = 0; i < mr * NR; i += LANES) {
                                    FloatVector.fromArray(SPECIES, tile, i).add(FloatVector.fromArray(SPECIES, sum, i))
                                            .intoArray(sum, i);
                                }
                            }
                        }
                        if (sumTiles) {
                            write(sum, rows, cols, y, yAt, positions, false, bias, biasOff + c0);
                        }
                    }
                }
            }
        });
    }

    /**
     * The rows of a row-major {@code rows x depth} matrix at {@code a[off]} (of a {@code depth x rows} one's transpose
     * when {@code transposed}) in panels of the given heights ({@link #channelPanels}): the panel of rows {@code [r0,
     * r0 + h)} at {@code packed[r0 * depth]}, {@code [depth][h]}, zero past the last row: the micro-kernel's A
     * operand. The forward pass takes the weights' rows (output channels), the transposed pass their columns (input
     * channel, tap). Into the calling thread's buffer (reused: a fresh array of ESVAE's widest weights, 1.2 MB, on
     * every call was a large-object allocation for the collector each time).
     */
    private static float[] panels(float[] a, int off, int rows, int depth, boolean transposed, int[] heights,
                                  ScratchFloats into) {
        int size = 0;
        for (int h : heights) {
            size += h * depth;
        }
        float[] packed = into.get(size);
        java.util.Arrays.fill(packed, 0, size, 0f);
        for (int p = 0, r0 = 0; p < heights.length; r0 += heights[p++]) {
            int h = heights[p];
            for (int r = r0; r < Math.min(rows, r0 + h); r++) {
                for (int d = 0; d < depth; d++) {
                    packed[r0 * depth + d * h + r - r0] = transposed ? a[off + d * rows + r] : a[off + r * depth + d];
                }
            }
        }
        return packed;
    }

    /**
     * The heights of the micro-kernel's row panels over {@code rows} rows (the forward pass's output channels, the
     * transposed pass's input channel x tap rows). With {@link #PANEL_ROWS} 8: panels of 8, a remainder of 1 to 4 in
     * one of 4, 5 or 6 in one of 6, 7 in one of 8 (32 channels as 8, 8, 8, 8, where panels of 6 and 4 took D4's input
     * gradient 10.9 ms against 10.0, E2's forward 3.86 against 3.76). Else 6, but a remainder of 2 to 4 rows in panels
     * of 4 (two where 2 are left, taking one 6 with them: 32 channels as 6, 6, 6, 6, 4, 4; 27 rows as 6, 6, 6, 6, 4). A
     * panel of 4 costs about 4.4 rows of a panel of 6 ({@link SgemmVectorKernel#microKernel}), where a last panel of 6
     * computes 6 rows for 2 to 4. Where {@link #MR} is 4, panels of 4 throughout.
     */
    static int[] channelPanels(int rows) {
        if (PANEL_ROWS == 8) {
            int eights = rows / 8;
            int rem = rows % 8;
            int[] heights = new int[eights + (rem > 0 ? 1 : 0)];
            java.util.Arrays.fill(heights, 0, eights, 8);
            if (rem > 0) {
                heights[eights] = rem <= 4 ? 4 : rem <= 6 ? 6 : 8;
            }
            return heights;
        }
        if (MR == 4) {
            int[] fours = new int[(rows + 3) / 4];
            java.util.Arrays.fill(fours, 4);
            return fours;
        }
        int rem = rows % MR;
        int sixes = rows / MR;
        int fours = 0;
        if (rem == 3 || rem == 4 || (rem == 2 && sixes == 0)) {
            fours = 1;
        } else if (rem == 2) {
            sixes--;
            fours = 2;
        } else if (rem != 0) {
            sixes++;
        }
        int[] heights = new int[sixes + fours];
        java.util.Arrays.fill(heights, 0, sixes, MR);
        java.util.Arrays.fill(heights, sixes, heights.length, 4);
        return heights;
    }

    /**
     * A finished block ({@code rows} output channels by the panel's columns) into y, segment by segment: stored (the
     * first block) or added to what the earlier blocks left, then the bias added once the last block is in (a
     * non-null {@code bias}), as the GEMM's write-back and {@link ConvIm2col#scatter} do. Row r of a segment goes to
     * {@code y[at + r*positions + segmentAt]}.
     */
    private static void write(float[] tile, int rows, Columns cols, float[] y, int at, int positions,
                              boolean accumulate, float[] bias, int biasOff) {
        if (cols.segments == 1 && cols.segmentLength[0] == NR) {
            writePanel(tile, rows, y, at + cols.segmentAt[0], positions, accumulate, bias, biasOff);
            return;
        }
        for (int r = 0; r < rows; r++) {
            float b = bias == null ? 0f : bias[biasOff + r];
            for (int i = 0; i < cols.segments; i++) {
                int src = r * NR + cols.segmentColumn[i];
                int dst = at + r * positions + cols.segmentAt[i];
                int n = cols.segmentLength[i];
                int j = 0;
                for (; j + LANES <= n; j += LANES) {
                    FloatVector v = FloatVector.fromArray(SPECIES, tile, src + j);
                    if (accumulate) {
                        v = v.add(FloatVector.fromArray(SPECIES, y, dst + j));
                    }
                    if (bias != null) {
                        v = v.add(b);
                    }
                    v.intoArray(y, dst + j);
                }
                for (; j < n; j++) {
                    float v = tile[src + j];
                    if (accumulate) {
                        v += y[dst + j];
                    }
                    if (bias != null) {
                        v += b;
                    }
                    y[dst + j] = v;
                }
            }
        }
    }

    /** Adds each row's bias to the NR outputs of the panel stored at {@code y[at + r * positions]} (as {@link #write}). */
    private static void addBias(float[] y, int at, int positions, int rows, float[] bias, int biasOff) {
        for (int r = 0; r < rows; r++) {
            int dst = at + r * positions;
            float b = bias[biasOff + r];
            FloatVector.fromArray(SPECIES, y, dst).add(b).intoArray(y, dst);
            FloatVector.fromArray(SPECIES, y, dst + LANES).add(b).intoArray(y, dst + LANES);
        }
    }

    /** {@link #write} of a panel whose columns are one run of NR outputs of one image: two vectors a row. */
    private static void writePanel(float[] tile, int rows, float[] y, int at, int positions, boolean accumulate,
                                   float[] bias, int biasOff) {
        for (int r = 0; r < rows; r++) {
            int dst = at + r * positions;
            FloatVector v0 = FloatVector.fromArray(SPECIES, tile, r * NR);
            FloatVector v1 = FloatVector.fromArray(SPECIES, tile, r * NR + LANES);
            if (accumulate) {
                v0 = v0.add(FloatVector.fromArray(SPECIES, y, dst));
                v1 = v1.add(FloatVector.fromArray(SPECIES, y, dst + LANES));
            }
            if (bias != null) {
                float b = bias[biasOff + r];
                v0 = v0.add(b);
                v1 = v1.add(b);
            }
            v0.intoArray(y, dst);
            v1.intoArray(y, dst + LANES);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // backward data (the transposed convolution)

    /**
     * Whether {@link #backwardData} takes {@code g}: output rows as {@link #forwardFits} takes them, and one reduction
     * block over channels.
     */
    static boolean dataFits(ConvGeometry g) {
        return forwardFits(g) && g.outChannels() <= KC;
    }

    /** Whether {@link #backwardData} hands {@code g} on {@code dy} to {@link StrideTwoPlanes} (requires dataFits). */
    static boolean planesTakeData(ConvGeometry g, ConvOperand dy) {
        return !TransposedToThree.fits(g) && StrideTwoPlanes.dataFits(g) && dy.floats() != null;
    }

    /**
     * dx = conv^T(dy, w) + bias (bias over dx's channels, or null); requires {@link #dataFits}. Per group of images,
     * dy is packed once into panels of NR columns (output positions); per panel of 6 rows (input channel, kernel
     * tap; the last 2 to 4 rows in panels of 4, {@link #channelPanels}) of the column matrix, the rows are computed
     * across the group's columns (the SGEMM micro-kernel, transposed weights broadcast) and then added, row after
     * row, into the staged (padded, phase-split) images, where each run
     * of outputs lands on a contiguous run: the adds of col2im, in its order (every element of dx receives its taps
     * in tap order).
     */
    void backwardData(ConvOperand dy, float[] w, int wOff, float[] bias, int biasOff, float[] dx, int dxOff,
                      ConvGeometry g) {
        if (TransposedToThree.fits(g)) {
            three.backwardData(dy, w, wOff, bias, biasOff, dx, dxOff, g);
            return;
        }
        if (planesTakeData(g, dy)) {
            stride2.backwardData(dy, w, wOff, bias, biasOff, dx, dxOff, g);
            return;
        }
        ConvStaging staged = new ConvStaging(g);
        int co = g.outChannels();
        int k = staged.taps();
        int positions = g.outH() * g.outW();
        int inImage = g.inChannels() * g.inH() * g.inW();
        int outImage = co * positions;
        int[] heights = channelPanels(k);
        float[] wt = panels(w, wOff, k, co, true, heights, scratch.get().weights);
        int[] positionAt = staged.positions();
        int run = run(g);
        int group = group(g);
        int perTask = imagesPerTask(g);
        int tasks = (g.batch() + perTask - 1) / perTask;
        // f32 images whose positions fill whole panels are packed image by image (packImages); u8 spikes, whose rows
        // are a quarter as long, were as fast or faster panel by panel
        boolean byImage = positions % NR == 0 && dy.floats() != null;
        // at 16 lanes those images are read where they lie, each panel's rows a channel apart (microKernelTaps, the
        // same sums): E1's input gradient 1.17-1.22 -> 1.05-1.13 ms. At 8 lanes that was slower (E1 1.67 -> 2.45 ms,
        // the forward of D4 12.3 -> 31.2 and of D5 6.0 -> 10.0, whose rows lie 1 or 4 KiB apart), so they are packed
        int[] rowsAt = byImage && LANES >= 16 ? channelRows(co, positions) : null;
        // planes of 1, 4 or 16 vectors: each channel's taps are added in registers, straight into dx (no staged images)
        Planes planes = planesFit(g) ? new Planes(g) : null;
        parallel.forTasks(tasks, (task, worker) -> {
            Scratch s = scratch.get();
            int columnPanels = (group * positions + NR - 1) / NR;
            int ld = columnPanels * NR;
            // a vector of slack past the images and the strip: addRuns on half vectors reads and writes whole ones
            float[] xs = planes != null ? null : s.staged(group * staged.imageSize() + LANES);
            float[] strip = s.rows((planes != null ? planes.rows : PANEL_ROWS) * ld + LANES);
            int ps = panelStride(co);
            float[] packed = s.panel(columnPanels * ps);
            int[] runAt = s.runAt(columnPanels * NR);
            Columns cols = s.panelColumns;
            int end = Math.min(g.batch(), (task + 1) * perTask);
            for (int g0 = task * perTask; g0 < end; g0 += group) {
                int images = Math.min(group, end - g0);
                int columns = images * positions;
                int used = (columns + NR - 1) / NR;
                int runs = 0;
                // the group's dy read into the caches first, then packed from there: D5's forward (packImages, four
                // channels' rows 4 KiB apart read side by side) 5.04-5.36 -> 4.83-4.98 ms, D4's 8.3-8.6 -> 8.2-8.4
                s.touched += dy.touch(g0 * outImage, images * outImage);
                for (int cp = 0; cp < used; cp++) {
                    cols.map(cp * NR, Math.min(NR, columns - cp * NR), run, positions, positionAt,
                            staged.imageSize(), co);
                    if (!byImage) {
                        packChannels(dy, dy.offset() + g0 * outImage, co, positions, cols, packed, cp * ps);
                    }
                    System.arraycopy(cols.runAt, 0, runAt, runs, cols.runs);
                    runs += cols.runs;
                }
                if (byImage && rowsAt == null) {
                    packImages(dy.floats(), dy.offset() + g0 * outImage, images, co, positions, packed);
                }
                PanelB panelB = new PanelB(packed, ps, rowsAt == null ? null : dy.floats(), dy.offset() + g0 * outImage,
                        positions, outImage, rowsAt);
                if (planes != null) {
                    // planes of 64 vectors (D4's forward: 128 KiB an image) are made in a scratch image, which is
                    // then copied into dx whole (8.5-9.0 -> 7.8-8.1 ms); made straight in dx, their stores went to
                    // memory between the sums. Planes of 16 vectors (E2's input gradient, D3's forward) were faster
                    // made straight in dx (3.81 against 4.02 ms, 3.74 against 3.93)
                    boolean whole = planes.vectors == 64;
                    float[] into = whole ? s.image(images * inImage) : dx;
                    planes.transposed(heights, co, wt, panelB, used, strip, images, bias, biasOff, into,
                            whole ? 0 : dxOff + g0 * inImage);
                    if (whole) {
                        System.arraycopy(into, 0, dx, dxOff + g0 * inImage, images * inImage);
                    }
                    continue;
                }
                for (int i = 0; i < images; i++) {
                    for (int ci = 0; ci < g.inChannels(); ci++) {
                        int plane = i * staged.imageSize() + ci * staged.plane;
                        java.util.Arrays.fill(xs, plane, plane + staged.plane, bias == null ? 0f : bias[biasOff + ci]);
                    }
                }
                for (int panel = 0, r0 = 0; panel < heights.length; r0 += heights[panel++]) {
                    int mr = heights[panel];
                    for (int cp = 0; cp < used; cp++) {
                        panelB.kernel(mr, co, wt, r0 * co, cp, strip, cp * NR, used * NR);
                    }
                    int rows = Math.min(mr, k - r0);
                    for (int r = 0; r < rows; r++) {
                        addRuns(strip, r * used * NR, runAt, runs, run, staged.offsets[r0 + r], xs);
                    }
                }
                for (int i = 0; i < images; i++) {
                    staged.unstage(xs, i * staged.imageSize(), dx, dxOff + (g0 + i) * inImage);
                }
            }
        });
    }

    /**
     * Whether {@link #backwardData} makes whole planes in registers ({@link Planes}): a plane of one vector and an
     * image's outputs shorter than one, a plane of four vectors and an image's outputs one, or {@link #rowsFit}.
     */
    static boolean planesFit(ConvGeometry g) {
        int plane = g.inH() * g.inW();
        int positions = g.outH() * g.outW();
        return (plane == LANES && positions < LANES) || (plane == 4 * LANES && positions == LANES) || rowsFit(g)
                || wideRowsFit(g);
    }

    /**
     * Floats from one of the transposed pass's packed column panels ([channel][NR]) to the next: channels x NR, and a
     * vector more where that is a whole multiple of 4 KiB. At 4 KiB apart every panel's row of a channel falls in the
     * same set of the first-level cache, and {@link #packImages}, which writes a channel's row into every panel of
     * an image in turn, evicted its own lines: D5's forward (32 panels an image of 32 channels, f32) took 6.8-7.2 ms
     * with the panels 4 KiB apart and 4.5-5.3 with a vector more.
     */
    static int panelStride(int channels) {
        int n = channels * NR;
        return n % PAGE_FLOATS == 0 ? n + LANES : n;
    }

    /** 4 KiB in floats: addresses this far apart share a set of the first-level cache ({@link #panelStride}). */
    private static final int PAGE_FLOATS = 1024;

    /**
     * Planes of 16 rows of one vector each (16 x 16 at 16 lanes: E2's input gradient and D3's forward), from a 3 x 3
     * kernel at stride 2 and padding 1 onto 8 x 8 outputs: {@link Planes#addRows}.
     */
    private static boolean rowsFit(ConvGeometry g) {
        return LANES == 16 && g.inH() == 16 && g.inW() == 16 && g.outH() == 8 && g.outW() == 8 && g.kH() == 3
                && g.kW() == 3 && g.strideH() == 2 && g.strideW() == 2 && g.padH() == 1 && g.padW() == 1;
    }

    /**
     * Planes of 32 rows of two vectors each (32 x 32 at 16 lanes: D4's forward), from 16 x 16 outputs by a 3 x 3 kernel
     * at stride 2 and padding 1: {@link Planes#addWideRows}.
     */
    private static boolean wideRowsFit(ConvGeometry g) {
        return LANES == 16 && g.inH() == 32 && g.inW() == 32 && g.outH() == 16 && g.outW() == 16 && g.kH() == 3
                && g.kW() == 3 && g.strideH() == 2 && g.strideW() == 2 && g.padH() == 1 && g.padW() == 1;
    }

    /** Row k of dy's channel matrix, {@code k * positions}: where {@link PanelB} reads dy in place. */
    private static int[] channelRows(int channels, int positions) {
        int[] rows = new int[channels];
        for (int k = 0; k < channels; k++) {
            rows[k] = k * positions;
        }
        return rows;
    }

    /**
     * The transposed pass's B panels: packed ([channel][NR] each, {@link #packImages} or {@link #packChannels}), or
     * f32 dy read where it lies (whole images of whole panels: panel cp's row k is NR floats of channel k).
     */
    private static final class PanelB {
        final float[] packed;
        final int ps;
        final float[] dy;
        final int start;
        final int positions;
        final int outImage;
        final int[] rows;

        PanelB(float[] packed, int ps, float[] dy, int start, int positions, int outImage, int[] rows) {
            this.packed = packed;
            this.ps = ps;
            this.dy = dy;
            this.start = start;
            this.positions = positions;
            this.outImage = outImage;
            this.rows = rows;
        }

        void kernel(int mr, int kc, float[] ap, int aOff, int cp, float[] c, int cOff, int ldc) {
            if (dy == null) {
                SgemmVectorKernel.microKernel(mr, kc, ap, aOff, packed, cp * ps, c, cOff, ldc);
            } else {
                int column = cp * NR;
                int at = start + column / positions * outImage + column % positions;
                SgemmVectorKernel.microKernelTaps(mr, kc, ap, aOff, dy, at, at + LANES, rows, 0, c, cOff, ldc);
            }
        }
    }

    /**
     * The transposed pass where an input channel's plane is one vector, four, sixteen or 64 (at 16 lanes: E4's input
     * gradient and D1's forward, 4 x 4 planes; E3's and D2's, 8 x 8; E2's and D3's, 16 x 16; D4's forward, 32 x 32
     * from 16 x 16 outputs at stride 2): col2im's adds of one
     * channel, all its taps, made in registers, straight into dx (no staged images). A tap's row holds, for each image,
     * its P outputs side by side; one permutation per vector of the plane puts each output where the tap sends it (-0
     * where it sends none: x + -0 is x for every x), and the taps are added in order onto the bias, as col2im adds
     * them. The rows of a channel's taps are gathered in the strip before its planes are made: panels of rows and
     * channels of taps need not line up, so the strip holds a channel and a panel and its unfinished rows move to its
     * front. (The same for any plane of whole vectors, a list of each vector's contributions, was 3-5 % faster than
     * the staged adds on the 16 x 16 planes, slower on E3 and E4 and 30-40 % slower on the 32 x 32 planes of E1, D4
     * and D5; D4's forward takes its own form, {@link #addWideRows}.)
     */
    private static final class Planes {
        /** {@link #interleave}: a plane row's even and odd columns, from the lower and the upper half of each. */
        private static final VectorShuffle<Float> LOWER_HALVES = VectorShuffle.fromOp(SPECIES, i -> i / 2);
        private static final VectorShuffle<Float> UPPER_HALVES = VectorShuffle.fromOp(SPECIES, i -> LANES / 2 + i / 2);
        private static final VectorMask<Float> ODD_LANES = VectorMask.fromLong(SPECIES, 0xAAAAAAAAAAAAAAAAL);
        /** {@link #addWideRows}: the lane a row of outputs read one float on takes from past the row. */
        private static final VectorMask<Float> LAST_LANE = VectorMask.fromLong(SPECIES, 1L << (LANES - 1));
        private final int taps;
        private final int positions;
        private final int channels;
        /** Vectors a plane: 1, 4 (one vector of outputs an image), 16 ({@link #rowsFit}), 64 ({@link #wideRowsFit}). */
        private final int vectors;
        /** The strip's capacity in rows. */
        private final int rows;
        /** Lanes of a loaded row past the image's P outputs, replaced by -0 (planes of one vector). */
        private final VectorMask<Float> others;
        /**
         * Per tap and vector of the plane: each lane takes the output the tap sends there; in planes of one vector
         * lane P (-0) where it sends none.
         */
        private final VectorShuffle<Float>[] sends;
        /** Per tap and vector of the plane (planes of four vectors): the lanes the tap sends nothing to (-0). */
        private final VectorMask<Float>[] unsent;
        /** 16-row planes, per half h and kx: {@code unsent[kx]} for h = 0, every lane for h = 1 (no output row 8). */
        private final VectorMask<Float>[] beyond;

        @SuppressWarnings("unchecked")
        Planes(ConvGeometry g) {
            taps = g.kH() * g.kW();
            positions = g.outH() * g.outW();
            channels = g.inChannels();
            vectors = g.inH() * g.inW() / LANES;
            rows = taps + PANEL_ROWS;
            others = VectorMask.fromLong(SPECIES, positions < LANES ? -1L << positions : 0L);
            if (vectors == 64) {
                sends = null;
                unsent = null;
                beyond = null;
                return;
            }
            if (vectors == 16) {
                // rows of one vector: per half of a vector of outputs (an output row of 8) and kernel column kx,
                // output ox to lane 2 ox + kx - 1
                sends = new VectorShuffle[6];
                unsent = new VectorMask[3];
                beyond = new VectorMask[6];
                for (int kx = 0; kx < 3; kx++) {
                    long none = -1L >>> (64 - LANES);
                    int[][] from = new int[2][LANES];
                    for (int ox = 0; ox < LANES / 2; ox++) {
                        int lane = 2 * ox + kx - 1;
                        if (lane >= 0 && lane < LANES) {
                            from[0][lane] = ox;
                            from[1][lane] = LANES / 2 + ox;
                            none &= ~(1L << lane);
                        }
                    }
                    sends[kx] = VectorShuffle.fromArray(SPECIES, from[0], 0);
                    sends[3 + kx] = VectorShuffle.fromArray(SPECIES, from[1], 0);
                    unsent[kx] = VectorMask.fromLong(SPECIES, none);
                    beyond[kx] = unsent[kx];
                    beyond[3 + kx] = VectorMask.fromLong(SPECIES, -1L >>> (64 - LANES));
                }
                return;
            }
            beyond = null;
            int[] map = ConvIm2col.sourceMap(g);
            sends = new VectorShuffle[taps * vectors];
            unsent = new VectorMask[taps * vectors];
            for (int t = 0; t < taps; t++) {
                for (int v = 0; v < vectors; v++) {
                    int[] from = new int[LANES];
                    java.util.Arrays.fill(from, vectors == 1 ? positions : 0);
                    long none = -1L >>> (64 - LANES);
                    for (int p = 0; p < positions; p++) {
                        int at = map[t * positions + p] - v * LANES;
                        if (at >= 0 && at < LANES) {
                            from[at] = p;
                            none &= ~(1L << at);
                        }
                    }
                    sends[t * vectors + v] = VectorShuffle.fromArray(SPECIES, from, 0);
                    unsent[t * vectors + v] = VectorMask.fromLong(SPECIES, none);
                }
            }
        }

        /**
         * The group's dx: each panel of rows of the column matrix (transposed weights by the packed dy) computed into
         * the strip, and every channel whose taps are all there made into its planes.
         */
        void transposed(int[] heights, int co, float[] wt, PanelB panels, int used, float[] strip, int images,
                        float[] bias, int biasOff, float[] dx, int dxAt) {
            int ld = used * NR;
            int ps = panelStride(co);
            int k = channels * taps;
            int base = 0;
            int done = 0;
            for (int panel = 0, r0 = 0; panel < heights.length; r0 += heights[panel++]) {
                int mr = heights[panel];
                if (r0 + mr - base > rows) {
                    int pending = done * taps;
                    System.arraycopy(strip, (pending - base) * ld, strip, 0, (r0 - pending) * ld);
                    base = pending;
                }
                for (int cp = 0; cp < used; cp++) {
                    panels.kernel(mr, co, wt, r0 * co, cp, strip, (r0 - base) * ld + cp * NR, ld);
                }
                for (int finished = Math.min(k, r0 + mr) / taps; done < finished; done++) {
                    float b = bias == null ? 0f : bias[biasOff + done];
                    int row0 = (done * taps - base) * ld;
                    if (vectors == 1) {
                        add(strip, row0, ld, images, b, dx, dxAt + done * LANES);
                    } else if (vectors == 16) {
                        addRows(strip, row0, ld, images, b, dx, dxAt + done * 16 * LANES);
                    } else if (vectors == 64) {
                        addWideRows(strip, row0, ld, images, b, dx, dxAt + done * 64 * LANES);
                    } else {
                        addFour(strip, row0, ld, images, b, dx, dxAt + done * 4 * LANES);
                    }
                }
            }
        }

        /**
         * Channel planes of every image from the channel's tap rows at {@code strip[row0..]}: four images at a time,
         * so that four chains of adds are in flight (one image at a time waited on each add: E4's input gradient 3.68
         * against 3.50 ms for two at a time and 3.93 against 3.73 for two against four).
         */
        private void add(float[] strip, int row0, int ld, int images, float bias, float[] dx, int at) {
            int stride = channels * LANES;
            int i = 0;
            for (; i + 4 <= images; i += 4) {
                FloatVector s0 = FloatVector.broadcast(SPECIES, bias);
                FloatVector s1 = s0;
                FloatVector s2 = s0;
                FloatVector s3 = s0;
                for (int t = 0, row = row0 + i * positions; t < taps; t++, row += ld) {
                    VectorShuffle<Float> send = sends[t];
                    s0 = s0.add(sent(strip, row, send));
                    s1 = s1.add(sent(strip, row + positions, send));
                    s2 = s2.add(sent(strip, row + 2 * positions, send));
                    s3 = s3.add(sent(strip, row + 3 * positions, send));
                }
                s0.intoArray(dx, at + i * stride);
                s1.intoArray(dx, at + (i + 1) * stride);
                s2.intoArray(dx, at + (i + 2) * stride);
                s3.intoArray(dx, at + (i + 3) * stride);
            }
            for (; i < images; i++) {
                FloatVector sum = FloatVector.broadcast(SPECIES, bias);
                for (int t = 0, row = row0 + i * positions; t < taps; t++, row += ld) {
                    sum = sum.add(sent(strip, row, sends[t]));
                }
                sum.intoArray(dx, at + i * stride);
            }
        }

        /**
         * {@link #add} for planes of four vectors, each image's row of a tap one vector: the tap's row permuted into
         * each vector of the plane, -0 where it sends nothing.
         */
        private void addFour(float[] strip, int row0, int ld, int images, float bias, float[] dx, int at) {
            int stride = channels * 4 * LANES;
            for (int i = 0; i < images; i++) {
                FloatVector s0 = FloatVector.broadcast(SPECIES, bias);
                FloatVector s1 = s0;
                FloatVector s2 = s0;
                FloatVector s3 = s0;
                for (int t = 0, row = row0 + i * positions; t < taps; t++, row += ld) {
                    FloatVector r = FloatVector.fromArray(SPECIES, strip, row);
                    int q = 4 * t;
                    s0 = s0.add(r.rearrange(sends[q]).blend(NEGATIVE_ZEROS, unsent[q]));
                    s1 = s1.add(r.rearrange(sends[q + 1]).blend(NEGATIVE_ZEROS, unsent[q + 1]));
                    s2 = s2.add(r.rearrange(sends[q + 2]).blend(NEGATIVE_ZEROS, unsent[q + 2]));
                    s3 = s3.add(r.rearrange(sends[q + 3]).blend(NEGATIVE_ZEROS, unsent[q + 3]));
                }
                int d = at + i * stride;
                s0.intoArray(dx, d);
                s1.intoArray(dx, d + LANES);
                s2.intoArray(dx, d + 2 * LANES);
                s3.intoArray(dx, d + 3 * LANES);
            }
        }

        /**
         * {@link #add} for planes of 16 rows of one vector from 8 x 8 outputs (3 x 3 kernel, stride 2, padding 1): tap
         * (ky, kx) sends output row oy to plane row 2 oy + ky - 1, output ox to lane 2 ox + kx - 1, by one permutation
         * of the half vector holding the row; the rows are sums in registers, four at a time ({@link #fourRows}; E2's
         * input gradient 4.40 -> 3.35 ms, D3's forward 4.44 -> 3.32 at eight a time, against the staged adds and the
         * unstaging).
         */
        private void addRows(float[] strip, int row0, int ld, int images, float bias, float[] dx, int at) {
            int stride = channels * 16 * LANES;
            for (int i = 0; i < images; i++) {
                int row = row0 + i * positions;
                int d = at + i * stride;
                for (int r = 0; r < 4; r++) {
                    fourRows(strip, row, ld, r, bias, dx, d + 4 * r * LANES);
                }
            }
        }

        /**
         * Plane rows 4 r to 4 r + 3 of one image ({@link #addRows}), from its output rows 2 r to 2 r + 2 (vector r of
         * its row of outputs holds rows 2 r and 2 r + 1, vector r + 1 row 2 r + 2; {@code sends[kx]} sends the lower
         * half's row, {@code sends[3 + kx]} the upper's). Kernel row 0 is a loop of its own, rows 1 and 2 one loop
         * (they feed the even and the odd plane rows; each row still takes its taps in order). Plane row 15 takes
         * nothing from kernel row 0 (output row 8 does not exist): {@code beyond} leaves it out. Four rows a call,
         * not eight: C2 inlines the Vector API's calls of a method up to a budget of bytecode, and with eight rows a
         * call some processes ran out of it by the last stores, which then stayed calls and boxed the sums (5 of the
         * 8 stores made intrinsics, E2's input gradient and D3's forward at twice their time in 2 of 8 processes
         * logged; the same kernel written without loops ran out in every process). Four rows a call: about 4 %
         * slower in a process where eight were not boxed.
         */
        private void fourRows(float[] strip, int row, int ld, int r, float bias, float[] dx, int d) {
            FloatVector a0 = FloatVector.broadcast(SPECIES, bias);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            int beyondAt = r == 3 ? 3 : 0;
            // ky = 0: plane rows 4 r + 1 and 4 r + 3, from output rows 2 r + 1 and 2 r + 2
            for (int kx = 0; kx < 3; kx++, row += ld) {
                FloatVector q = FloatVector.fromArray(SPECIES, strip, row + r * LANES);
                FloatVector n = FloatVector.fromArray(SPECIES, strip, row + (r + 1) * LANES);
                a1 = a1.add(q.rearrange(sends[3 + kx]).blend(NEGATIVE_ZEROS, unsent[kx]));
                a3 = a3.add(n.rearrange(sends[kx]).blend(NEGATIVE_ZEROS, beyond[beyondAt + kx]));
            }
            // ky = 1 (plane rows 4 r and 4 r + 2) and ky = 2 (plane rows 4 r + 1 and 4 r + 3), from output rows 2 r
            // and 2 r + 1
            for (int kx = 0; kx < 3; kx++, row += ld) {
                FloatVector q = FloatVector.fromArray(SPECIES, strip, row + r * LANES);
                FloatVector p = FloatVector.fromArray(SPECIES, strip, row + 3 * ld + r * LANES);
                VectorShuffle<Float> e = sends[kx];
                VectorShuffle<Float> o = sends[3 + kx];
                VectorMask<Float> none = unsent[kx];
                a0 = a0.add(q.rearrange(e).blend(NEGATIVE_ZEROS, none));
                a2 = a2.add(q.rearrange(o).blend(NEGATIVE_ZEROS, none));
                a1 = a1.add(p.rearrange(e).blend(NEGATIVE_ZEROS, none));
                a3 = a3.add(p.rearrange(o).blend(NEGATIVE_ZEROS, none));
            }
            a0.intoArray(dx, d);
            a1.intoArray(dx, d + LANES);
            a2.intoArray(dx, d + 2 * LANES);
            a3.intoArray(dx, d + 3 * LANES);
        }

        /**
         * {@link #add} for planes of 32 rows of two vectors from 16 x 16 outputs (3 x 3 kernel, stride 2, padding 1):
         * tap (ky, kx) sends output (oy, ox) to plane row 2 oy + ky - 1, column 2 ox + kx - 1. A plane row's even
         * columns take kx = 1 alone, its odd columns kx = 0 (the row of outputs one lane on) and kx = 2; so each row is
         * summed as its even and its odd columns, one vector each, in tap order onto the bias, and the two are
         * interleaved into the row's two vectors. Even rows take ky = 1 of output row m, odd rows 2 m + 1 ky = 0 of
         * output row m + 1 and then ky = 2 of row m (no output row 16: the last row takes ky = 2 alone).
         */
        private void addWideRows(float[] strip, int row0, int ld, int images, float bias, float[] dx, int at) {
            int stride = channels * 64 * LANES;
            FloatVector b = FloatVector.broadcast(SPECIES, bias);
            for (int i = 0; i < images; i++) {
                int r0 = row0 + i * positions;
                int r1 = r0 + 3 * ld;
                int r2 = r0 + 6 * ld;
                int d = at + i * stride;
                for (int m = 0; m < 16; m++, d += 4 * LANES) {
                    int o = m * LANES;
                    // plane row 2 m: ky = 1 of output row m; kx = 0 read one float on (lane j takes output j + 1)
                    FloatVector even = b.add(FloatVector.fromArray(SPECIES, strip, r1 + ld + o));
                    FloatVector odd = b.add(FloatVector.fromArray(SPECIES, strip, r1 + o + 1)
                                    .blend(NEGATIVE_ZEROS, LAST_LANE))
                            .add(FloatVector.fromArray(SPECIES, strip, r1 + 2 * ld + o));
                    interleave(even, odd, dx, d);
                    // plane row 2 m + 1: ky = 0 of output row m + 1, then ky = 2 of row m
                    FloatVector e = b;
                    FloatVector f = b;
                    if (m < 15) {
                        e = e.add(FloatVector.fromArray(SPECIES, strip, r0 + ld + o + LANES));
                        f = f.add(FloatVector.fromArray(SPECIES, strip, r0 + o + LANES + 1)
                                        .blend(NEGATIVE_ZEROS, LAST_LANE))
                                .add(FloatVector.fromArray(SPECIES, strip, r0 + 2 * ld + o + LANES));
                    }
                    e = e.add(FloatVector.fromArray(SPECIES, strip, r2 + ld + o));
                    f = f.add(FloatVector.fromArray(SPECIES, strip, r2 + o + 1).blend(NEGATIVE_ZEROS, LAST_LANE))
                            .add(FloatVector.fromArray(SPECIES, strip, r2 + 2 * ld + o));
                    interleave(e, f, dx, d + 2 * LANES);
                }
            }
        }

        /** A plane row of two vectors from its even and its odd columns ({@link #addWideRows}). */
        private static void interleave(FloatVector even, FloatVector odd, float[] dx, int d) {
            even.rearrange(LOWER_HALVES).blend(odd.rearrange(LOWER_HALVES), ODD_LANES).intoArray(dx, d);
            even.rearrange(UPPER_HALVES).blend(odd.rearrange(UPPER_HALVES), ODD_LANES).intoArray(dx, d + LANES);
        }

        /** One image's row of a tap, from {@code strip[at]}, as the tap sends it into the plane. */
        private FloatVector sent(float[] strip, int at, VectorShuffle<Float> send) {
            return FloatVector.fromArray(SPECIES, strip, at).blend(NEGATIVE_ZEROS, others).rearrange(send);
        }
    }

    /**
     * The panel of a [image][channel][position] tensor's columns, {@code [channel][NR]} at {@code packed[off]}: each
     * channel's segments copied (a u8 operand widened), a vector at a time where they have one.
     */
    private static void packChannels(ConvOperand t, int start, int channels, int positions, Columns cols,
                                     float[] packed, int off) {
        float[] tf = t.floats();
        byte[] tb = t.bytes();
        if (cols.segments == 1 && cols.segmentLength[0] == NR) {
            // a panel of one image's outputs (long rows): two vectors a channel
            for (int c = 0, src = start + cols.segmentAt[0], d = off; c < channels; c++, src += positions, d += NR) {
                if (tf != null) {
                    FloatVector.fromArray(SPECIES, tf, src).intoArray(packed, d);
                    FloatVector.fromArray(SPECIES, tf, src + LANES).intoArray(packed, d + LANES);
                } else {
                    StagingVectors.widen(tb, src).intoArray(packed, d);
                    StagingVectors.widen(tb, src + LANES).intoArray(packed, d + LANES);
                }
            }
            return;
        }
        for (int c = 0; c < channels; c++) {
            int d = off + c * NR;
            for (int i = 0; i < cols.segments; i++) {
                int src = start + cols.segmentAt[i] + c * positions;
                int dst = d + cols.segmentColumn[i];
                int n = cols.segmentLength[i];
                if (tf != null) {
                    int j = 0;
                    for (; j + LANES <= n; j += LANES) {
                        FloatVector.fromArray(SPECIES, tf, src + j).intoArray(packed, dst + j);
                    }
                    for (; j < n; j++) {
                        packed[dst + j] = tf[src + j];
                    }
                } else {
                    StagingVectors.widenRun(tb, src, packed, dst, n);
                }
            }
        }
    }

    /**
     * {@link #packChannels} of every panel of {@code images} whole f32 images whose positions fill whole panels: panel
     * cp (of image cp / (positions / NR)) at {@code packed[cp * panelStride(channels)]}. Each image is read four
     * channels at a time, their rows front to back side by side: four streams. Panel by panel, an image's 32 to 64
     * channels are as many interleaved streams of a line each, which the prefetchers followed less well (E1's input
     * gradient: 5.7 -> 5.0 ms); one channel at a time, one stream, was 6-9 % slower on E1's input gradient (1 KiB
     * rows: 1.24-1.35 -> 1.16-1.23 ms) and within 2 % on the others (docs/benchmarks.md). Used at 8 lanes: at 16 the
     * images are read where they lie ({@link PanelB}).
     */
    private static void packImages(float[] t, int start, int images, int channels, int positions, float[] packed) {
        int perImage = positions / NR;
        int ps = panelStride(channels);
        for (int i = 0; i < images; i++) {
            int c = 0;
            for (; c + 4 <= channels; c += 4) {
                int src = start + (i * channels + c) * positions;
                int d = i * perImage * ps + c * NR;
                for (int q = 0; q < perImage; q++, src += NR, d += ps) {
                    FloatVector.fromArray(SPECIES, t, src).intoArray(packed, d);
                    FloatVector.fromArray(SPECIES, t, src + LANES).intoArray(packed, d + LANES);
                    FloatVector.fromArray(SPECIES, t, src + positions).intoArray(packed, d + NR);
                    FloatVector.fromArray(SPECIES, t, src + positions + LANES).intoArray(packed, d + NR + LANES);
                    FloatVector.fromArray(SPECIES, t, src + 2 * positions).intoArray(packed, d + 2 * NR);
                    FloatVector.fromArray(SPECIES, t, src + 2 * positions + LANES)
                            .intoArray(packed, d + 2 * NR + LANES);
                    FloatVector.fromArray(SPECIES, t, src + 3 * positions).intoArray(packed, d + 3 * NR);
                    FloatVector.fromArray(SPECIES, t, src + 3 * positions + LANES)
                            .intoArray(packed, d + 3 * NR + LANES);
                }
            }
            for (; c < channels; c++) {
                int src = start + (i * channels + c) * positions;
                int d = i * perImage * ps + c * NR;
                for (int q = 0; q < perImage; q++, src += NR, d += ps) {
                    FloatVector.fromArray(SPECIES, t, src).intoArray(packed, d);
                    FloatVector.fromArray(SPECIES, t, src + LANES).intoArray(packed, d + LANES);
                }
            }
        }
    }

    /**
     * Adds the row {@code strip[from..]} into the staged images, run by run, at the tap's offset. Runs of half a vector
     * (at 16 lanes: E2's input gradient, D3's forward) are added as whole vectors whose upper half is -0, so the floats
     * past the run are rewritten as they were: E2's input gradient 5.1-5.3 -> 4.6-4.7 ms against the straight line of
     * eight adds it replaces (a masked read-modify-write was slower still, 12.8 ms). Other runs shorter than a vector
     * are added element by element, in straight lines for 4 and 2 (-0 vectors were no faster there, or slower). The
     * staged images and the strip need a vector of slack.
     */
    private static void addRuns(float[] strip, int from, int[] runAt, int runs, int run, int offset, float[] xs) {
        if (run == LANES) {
            for (int q = 0; q < runs; q++) {
                int at = runAt[q] + offset;
                FloatVector.fromArray(SPECIES, strip, from + q * LANES).add(FloatVector.fromArray(SPECIES, xs, at))
                        .intoArray(xs, at);
            }
        } else if (2 * run == LANES && LANES >= 16) {
            // a whole vector a run, its upper half -0: the floats past the run are stored as they were read
            for (int q = 0, src = from; q < runs; q++, src += run) {
                int at = runAt[q] + offset;
                FloatVector.fromArray(SPECIES, strip, src).blend(NEGATIVE_ZEROS, UPPER_HALF)
                        .add(FloatVector.fromArray(SPECIES, xs, at)).intoArray(xs, at);
            }
        } else if (run == 4) {
            for (int q = 0, src = from; q < runs; q++, src += 4) {
                int at = runAt[q] + offset;
                xs[at] = strip[src] + xs[at];
                xs[at + 1] = strip[src + 1] + xs[at + 1];
                xs[at + 2] = strip[src + 2] + xs[at + 2];
                xs[at + 3] = strip[src + 3] + xs[at + 3];
            }
        } else if (run == 2) {
            for (int q = 0, src = from; q < runs; q++, src += 2) {
                int at = runAt[q] + offset;
                xs[at] = strip[src] + xs[at];
                xs[at + 1] = strip[src + 1] + xs[at + 1];
            }
        } else {
            for (int q = 0, src = from; q < runs; q++, src += run) {
                int at = runAt[q] + offset;
                for (int j = 0; j < run; j++) {
                    xs[at + j] = strip[src + j] + xs[at + j];
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------------
    // weight gradient

    /** dw = beta dw + sum over the batch of dy (x) im2col(x); requires {@link #weightFits}. */
    void backwardWeight(ConvOperand x, ConvOperand dy, float[] dw, int dwOff, float beta, ConvGeometry g) {
        ConvStaging staged = new ConvStaging(g);
        int co = g.outChannels();
        int k = staged.taps();
        int positions = g.outH() * g.outW();
        int inImage = g.inChannels() * g.inH() * g.inW();
        int outImage = co * positions;
        int chunk = Conv.chunkImages(g);
        int[] positionAt = staged.positions();
        float[] dyf = dy.floats();
        byte[] dyb = dy.bytes();
        // partial sums as [k][co]: the register block's vectors run along output channels
        int groups = Conv.weightGroups(g);
        int parts = groups % parallel.threads() == 0 ? 1 : parallel.threads();
        weights.runParts(g, beta, dw, dwOff, parts, MR, (b0, columnFrom, columnTo, into, intoOff, rowFrom, rowTo) -> {
            Scratch s = scratch.get();
            int images = Math.min(g.batch(), b0 + chunk) - b0;
            int columns = images * positions;
            if (columnFrom == 0) {
                s.staged(images * staged.imageSize() + LANES);
                s.rows(images * positions * co);
                s.columns(images * positions);
                s.ready = 0;
            }
            // the images this block reaches, staged, and their output gradient as [channel block][column][NR]: just
            // before their first block, so that they are still in cache when it reads them
            for (int last = (columnTo - 1) / positions; s.ready <= last; s.ready++) {
                int i = s.ready;
                // both read into the caches first (ConvOperand.touch): the transposition then reads dy's 16 rows
                // from there (E1's weight gradient 2.0-3.3 -> 1.7-2.0 ms alternated, D4's 10.8-11.1 -> 9.9-10.2)
                s.touched += x.touch((b0 + i) * inImage, inImage) + dy.touch((b0 + i) * outImage, outImage);
                staged.stage(x, (b0 + i) * inImage, s.staged, i * staged.imageSize());
                transposeGradient(dyf, dyb, dy.offset() + (b0 + i) * outImage, co, positions, s.rows,
                        i * positions * NR, columns * NR, s);
                for (int p = 0; p < positions; p++) {
                    s.columns[i * positions + p] = i * staged.imageSize() + positionAt[p];
                }
            }
            float[] xs = s.staged;
            float[] dyT = s.rows;
            int[] columnAt = s.columns;
            float[] tile = s.tile;
            int width = columnTo - columnFrom;
            float[] ap = s.panel(MR * width + LANES);
            // the block's rows of outputs (or their parts at its ends): where each starts in the staged images
            int[] runs = s.runAt(2 * width);
            int count = 0;
            boolean whole = true;
            for (int col = columnFrom; col < columnTo; count++) {
                int n = Math.min(columnTo - col, g.outW() - col % g.outW());
                runs[2 * count] = columnAt[col];
                runs[2 * count + 1] = n;
                whole &= n == LANES;
                col += n;
            }
            for (int t0 = rowFrom; t0 < rowTo; t0 += MR) {
                int taps = Math.min(MR, rowTo - t0);
                copyTaps(xs, runs, count, whole, staged.offsets, t0, k, width, ap);
                for (int c0 = 0; c0 < co; c0 += NR) {
                    SgemmVectorKernel.microKernelRows(MR, width, ap, 0, width, dyT,
                            (c0 / NR * columns + columnFrom) * NR, tile);
                    for (int r = 0; r < taps; r++) {
                        int dst = intoOff + (t0 + r) * co + c0;
                        FloatVector.fromArray(SPECIES, tile, r * NR).add(FloatVector.fromArray(SPECIES, into, dst))
                                .intoArray(into, dst);
                        FloatVector.fromArray(SPECIES, tile, r * NR + LANES)
                                .add(FloatVector.fromArray(SPECIES, into, dst + LANES)).intoArray(into, dst + LANES);
                    }
                }
            }
        });
    }

    /**
     * One image's output gradient ({@code co} channels of {@code positions}, at {@code from} in {@code f} or, u8, in
     * {@code b}) into the weight gradient's B layout: channel c's value at position p to {@code to[at + (c / NR) *
     * block + p * NR + c % NR]}. With 256-bit vectors: element by element, a channel at a time, while one channel
     * block's lines (a line of NR floats per position) stay in the first-level cache across its channels; past that
     * (D5's 1024 positions: 64
     * KiB) every store went to the second level and the copy took a third to a half of the weight gradient, so there
     * eight channels by eight positions are transposed at a time in vectors ({@link StagingVectors#transpose8}; the
     * channels come in whole register blocks), a u8 image widened into a scratch first. Measured per image, 32
     * channels: 256 positions 3-5.7 us element by element, 3.4-6.2 transposed; 1024 positions 24-40 us against 15-20.
     * With 512-bit vectors, 16 channels by 16 positions at a time ({@link StagingVectors#transpose16}) at every size.
     */
    private static void transposeGradient(float[] f, byte[] b, int from, int co, int positions, float[] to, int at,
                                          int block, Scratch s) {
        // with 512-bit vectors 16 x 16 blocks at every size (transpose16): E2's and E3's weight gradients -5 % against
        // element by element, D4's -7 %, E1's 1.96-2.04 -> 1.61-1.76 ms (before E1 took LaneWeightGradient); u8
        // (widened first) within 3 %
        if (LANES != 16 && (LANES != 8 || (long) positions * NR * Float.BYTES <= L1_BYTES)) {
            // transpose8 is for 256-bit vectors only: with narrower ones it would run the Vector API's slow fallback,
            // and 256-bit vectors beside 512-bit ones make JDK 17's C2 box the other kernels' vectors (see
            // LifVectorKernel.spikes)
            copyChannels(f, b, from, co, positions, to, at, block);
            return;
        }
        float[] x = f;
        if (f == null) {
            int n = co * positions;
            x = s.wide(n);
            StagingVectors.widenRun(b, from, x, 0, n);
            from = 0;
        }
        int side = LANES;
        int whole = positions - positions % side;
        for (int c0 = 0; c0 < co; c0 += side) {
            int row = from + c0 * positions;
            int dst = at + (c0 / NR) * block + c0 % NR;
            for (int p = 0; p < whole; p += side) {
                if (side == 16) {
                    StagingVectors.transpose16(x, row + p, positions, to, dst + p * NR, NR);
                } else {
                    StagingVectors.transpose8(x, row + p, positions, to, dst + p * NR, NR);
                }
            }
            for (int p = whole; p < positions; p++) {
                for (int c = 0; c < side; c++) {
                    to[dst + p * NR + c] = x[row + c * positions + p];
                }
            }
        }
    }

    /** {@link #transposeGradient} a channel at a time, element by element. */
    private static void copyChannels(float[] f, byte[] b, int from, int co, int positions, float[] to, int at,
                                     int block) {
        for (int c = 0; c < co; c++) {
            int row = from + c * positions;
            int dst = at + (c / NR) * block + c % NR;
            if (f != null) {
                for (int p = 0; p < positions; p++) {
                    to[dst + p * NR] = f[row + p];
                }
            } else {
                for (int p = 0; p < positions; p++) {
                    to[dst + p * NR] = b[row + p] & 0xFF;
                }
            }
        }
    }

    /**
     * The micro-kernel's A for kernel taps {@code [t0, t0 + MR)} (the last repeated past {@code k}) over a block of
     * {@code width} columns, as {@link #MR} rows ({@code [MR][width]}, read by {@link
     * SgemmVectorKernel#microKernelRows}): each
     * row copied from the staged images run by run ({@code runs}: where each of the block's {@code count} rows of
     * outputs starts at tap 0, and its length) in whole vectors, as a row of outputs is contiguous there at every tap
     * ({@code xs} and {@code a} have a vector of slack for the last spill), two runs of half a vector or four of a
     * quarter as one; where every run is one vector ({@code whole}), one copy a run. Copied once per block of taps
     * and read by every block of output channels. (The packed panel's
     * [column][6] order was a transpose: about 1 ns a value.)
     */
    private static void copyTaps(float[] xs, int[] runs, int count, boolean whole, int[] offsets, int t0, int k,
                                 int width, float[] a) {
        if (whole) {
            // every run one vector (rows of outputs of whole vectors, the block's ends whole too: D4 at 16 lanes; E1 at
            // 8 before its weight gradient took the lane sums): one copy a run, without the cases below (D4's weight
            // gradient 9.98-10.06 -> 9.74-9.80 ms)
            for (int r = 0; r < MR; r++) {
                int o = offsets[Math.min(t0 + r, k - 1)];
                for (int q = 0, dst = r * width; q < 2 * count; q += 2, dst += LANES) {
                    FloatVector.fromArray(SPECIES, xs, runs[q] + o).intoArray(a, dst);
                }
            }
            return;
        }
        for (int r = 0; r < MR; r++) {
            int o = offsets[Math.min(t0 + r, k - 1)];
            int dst = r * width;
            for (int q = 0; q < 2 * count; q += 2) {
                int src = runs[q] + o;
                int n = runs[q + 1];
                if (4 * n == LANES && q + 6 < 2 * count && runs[q + 3] == n && runs[q + 5] == n && runs[q + 7] == n
                        && runs[q + 2] + o >= n && runs[q + 4] + o >= 2 * n && runs[q + 6] + o >= 3 * n) {
                    // four runs of a quarter of a vector (E3's and D2's rows of 4 outputs at 16 lanes, E4's and D1's
                    // of 2 at 8), each loaded where its floats land in the right lanes, blended over the lanes from
                    // there on
                    FloatVector.fromArray(SPECIES, xs, src)
                            .blend(FloatVector.fromArray(SPECIES, xs, runs[q + 2] + o - n), FROM_QUARTER)
                            .blend(FloatVector.fromArray(SPECIES, xs, runs[q + 4] + o - 2 * n), UPPER_HALF)
                            .blend(FloatVector.fromArray(SPECIES, xs, runs[q + 6] + o - 3 * n), FROM_THREE_QUARTERS)
                            .intoArray(a, dst);
                    dst += LANES;
                    q += 6;
                    continue;
                }
                if (2 * n == LANES && q + 2 < 2 * count && runs[q + 3] == n && runs[q + 2] + o >= n) {
                    // two runs of half a vector (E2's and D3's rows of 8 outputs at 16 lanes) as one vector, the
                    // second's floats blended into its upper half: half the stores (the pass 5.7 -> 5.3 ms)
                    FloatVector.fromArray(SPECIES, xs, src)
                            .blend(FloatVector.fromArray(SPECIES, xs, runs[q + 2] + o - n), UPPER_HALF)
                            .intoArray(a, dst);
                    dst += LANES;
                    q += 2;
                    continue;
                }
                // straight-line copies for the common lengths (a loop of one or two trips costs more than its work);
                // a run, or a run's tail, shorter than a vector is copied as a whole one: the next run (or row, or the
                // buffers' slack) takes the spill
                FloatVector.fromArray(SPECIES, xs, src).intoArray(a, dst);
                if (n == 2 * LANES) {
                    FloatVector.fromArray(SPECIES, xs, src + LANES).intoArray(a, dst + LANES);
                } else if (n > LANES) {
                    for (int j = LANES; j < n; j += LANES) {
                        FloatVector.fromArray(SPECIES, xs, src + j).intoArray(a, dst + j);
                    }
                }
                dst += n;
            }
        }
    }

    // ------------------------------------------------------------------------------------------------

    /** One thread's buffers, grown to the largest call seen and then reused. */
    private static final class Scratch {
        /** The packed weights of a call made on this thread (read by every task of the call). */
        final ScratchFloats weights = new ScratchFloats();
        final float[] tile = new float[PANEL_ROWS * NR];
        final float[] sum = new float[PANEL_ROWS * NR];
        /** The weight gradient's images of the current chunk staged so far. */
        int ready;
        /** Sums of {@link ConvOperand#touch}, kept so that its reads are kept. */
        float touched;
        float[] staged = new float[0];
        float[] panel = new float[0];
        float[] rows = new float[0];
        float[] wide = new float[0];
        float[] image = new float[0];
        int[] columns = new int[0];
        final Columns panelColumns = new Columns();
        int[] runAt = new int[0];

        int[] runAt(int n) {
            if (runAt.length < n) {
                runAt = new int[n];
            }
            return runAt;
        }

        float[] staged(int n) {
            if (staged.length < n) {
                staged = new float[n];
            }
            return staged;
        }

        float[] panel(int n) {
            if (panel.length < n) {
                panel = new float[n];
            }
            return panel;
        }

        /**
         * An image copied whole: an input image before it is staged ({@link ConvStaging#stageCopied}), or the planes
         * of the transposed pass's 32 x 32 images before they are copied into dx.
         */
        float[] image(int n) {
            if (image.length < n) {
                image = new float[n];
            }
            return image;
        }

        /** A u8 output gradient widened for {@link #transposeGradient}. */
        float[] wide(int n) {
            if (wide.length < n) {
                wide = new float[n];
            }
            return wide;
        }

        float[] rows(int n) {
            if (rows.length < n) {
                rows = new float[n];
            }
            return rows;
        }

        int[] columns(int n) {
            if (columns.length < n) {
                columns = new int[n];
            }
            return columns;
        }
    }
}
