package dev.spikevae.backend.cpu;

import dev.spikevae.tensor.ConvGeometry;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The weight gradient of kernels 3 wide on few taps and channels (ESVAE's first encoder layer and last decoder layer)
 * as dot products along output positions ({@link #run}): vectors of dy's rows times the runs of the staged input
 * ({@link ConvStaging}) that each kernel tap reads, summed in lanes and the lanes added once a group. No transposition
 * of dy and no tap rows, as the direct weight gradient ({@link DirectConv#backwardWeight}) needs; another summation
 * order than the GEMM path's (the same value within rounding), the same for every thread count.
 */
final class LaneWeightGradient {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();

    /** The most taps and output channels {@link #run} takes (its lane sums stay in cache). */
    private static final int MAX_LANE_TAPS = 32;
    private static final int MAX_LANE_CHANNELS = 64;
    /**
     * Output channels a call of the lane kernel takes: 3 ({@link #laneBlock}, 9 sums and 13 registers of 16 with
     * AVX2), or 8 at 16 lanes ({@link #laneBlock8}, 24 sums and 28 registers of 32 with AVX-512: each run of the
     * staged image then feeds 24 multiply-adds instead of 9; D5's weight gradient 5.0-5.1 -> 4.3-4.4 ms u8, 5.8 ->
     * 5.4-5.5 f32; blocks of 4, 12 sums, took 4.7 and 5.4-5.6).
     */
    private static final int LANE_CHANNELS = LANES >= 16 ? 8 : 3;
    /**
     * The fewest runs of outputs a call of {@link #laneBlock} takes (whole images). At 16 lanes 32: the 8 channels'
     * rows of dy a call reads then stay in the first-level cache across the rows of taps (E1: two images, 16 KiB; D5:
     * one image, 32 KiB), against 128 runs, 64 KiB: D5's weight gradient on u8 dy 4.32 -> 3.90 ms, E1's 1.31 -> 1.15
     * (alternated in one process).
     */
    private static final int LANE_RUNS = LANES >= 16 ? 32 : 128;

    /**
     * At 8 lanes and stride 2 along rows, the staged rows' phase width that {@link #laneBlockAt} takes (E1's: 32
     * columns and a padding column each side, 17 a phase), so that its taps lie at fixed offsets from one base.
     */
    private static final int WIDTH = 17;

    private final Parallel parallel;
    private final ConvWeightReduction weights;
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

    LaneWeightGradient(Parallel parallel) {
        this.parallel = parallel;
        this.weights = new ConvWeightReduction(parallel, SpikeVectorKernel.create());
    }

    /**
     * Whether {@link #run} takes {@code g}: kernels 3 wide, rows of outputs of whole vectors, few taps and channels
     * (ESVAE's last decoder layer: 27 taps, 32 channels; its first encoder layer: 27 taps, 32 channels at
     * stride 2). At stride 1 along rows a kernel row's three taps read a run of the staged image and the runs one and
     * two floats on; at stride 2 the middle tap's run lies in the other column phase of the staged row ({@link
     * ConvStaging}), which the 8-channel kernel ({@link #laneBlock8}, 16 lanes) takes, and at 8 lanes {@link
     * #laneBlockAt} on E1's staged rows ({@link #WIDTH}). E1's weight gradient on the GEMM path against this one,
     * alternated in one process: 1.50 -> 1.26 ms at 16 lanes; at 8 lanes (AVX2 code on a Zen 4 core, {@code
     * -XX:UseAVX=2}) 3.42-4.06 -> 2.97-3.92 ms over three processes, and both gradients 5.75-6.03 -> 5.45-5.64 (on a
     * Zen 5 core, with 32 registers, an earlier 3-channel kernel had measured within noise, 4.58 against 4.51 ms).
     */
    static boolean fits(ConvGeometry g) {
        return LANES >= 8 && (g.strideW() == 1 || g.strideW() == 2 && (LANE_CHANNELS == 8 || phaseWidth(g) == WIDTH))
                && g.kW() == 3 && g.outW() % LANES == 0 && g.inChannels() * g.kH() * g.kW() <= MAX_LANE_TAPS
                && g.outChannels() <= MAX_LANE_CHANNELS;
    }

    /**
     * dw = beta dw + sum over the batch of dy (x) im2col(x), as dot products along output positions, without the
     * transposition of dy and the tap rows of {@link DirectConv#backwardWeight}: for 3 output channels (8 at 16 lanes,
     * {@link #LANE_CHANNELS}) by the 3 taps of a kernel row, 9 (24) vectors of lane sums, each multiply-add taking a
     * vector of dy (its channels' rows regrouped as [run][3 channels][LANES], a vector copy; at 16 lanes f32 dy whose
     * channels fill blocks of 8 is read where it lies, {@link #laneBlock8InPlace}) and a vector of the taps' run in the
     * staged image. Lane l of a sum holds the products at the positions {@code p = l (mod LANES)} of a group's images
     * in order; the lanes are added once per group. The summation order differs from the GEMM path's (the same value
     * within rounding) and is the same for every thread count: the groups are the dense path's ({@link
     * ConvWeightReduction#runGroups}). Nine sums (13 vector registers) and offsets fixed in the code: in a
     * microbenchmark the AVX2 loop ran at about 70 % of the SGEMM micro-kernel's rate so, and at 45-60 % with twelve
     * sums (all 16 AVX2 registers) or with the taps' offsets passed in (docs/benchmarks.md); with 32 AVX-512 registers
     * passing them in costs nothing ({@link #laneBlock8}). Requires {@link #fits}.
     */
    void run(ConvOperand x, ConvOperand dy, float[] dw, int dwOff, float beta, ConvGeometry g) {
        run(x, dy, dw, dwOff, beta, g, null);
    }

    /** The width of a staged row's column phase at stride 2 ({@link ConvStaging#width}). */
    private static int phaseWidth(ConvGeometry g) {
        return (g.inW() + 2 * g.padW() + 1) / 2;
    }

    /** Work on images {@code [from, to)} of the batch, done while their dy is in the caches. */
    @FunctionalInterface
    interface Images {
        void run(int from, int to);
    }

    /**
     * {@link #run}, and after the lane sums of each call's images (a run of whole images of one group, in order) {@code
     * after} on those images, by the task that sums the group's first rows of taps: so each image is passed exactly
     * once, with its dy just read into the caches. The weight gradient's sums are those of {@link #run}, whatever
     * {@code after} does (it must not write x, dy or dw).
     */
    void run(ConvOperand x, ConvOperand dy, float[] dw, int dwOff, float beta, ConvGeometry g, Images after) {
        ConvStaging staged = new ConvStaging(g);
        int co = g.outChannels();
        int lb = LANE_CHANNELS;
        int blocks = (co + lb - 1) / lb;
        int positions = g.outH() * g.outW();
        int runs = positions / LANES;
        int inImage = g.inChannels() * g.inH() * g.inW();
        int outImage = co * positions;
        int[] offsets = staged.offsets;
        int[] positionAt = staged.positions();
        // images per kernel call: at least LANE_RUNS runs of outputs (D5: one image, of 128 runs at 8 lanes and 64 at
        // 16; 16 x 16 outputs: 4 images at 8 lanes, 2 at 16), so that loading and storing the sums is a small part of
        // a call
        int batch = Math.max(1, LANE_RUNS / runs);
        int[] runAt = new int[batch * runs];
        for (int q = 0; q < batch * runs; q++) {
            runAt[q] = q / runs * staged.imageSize() + positionAt[q % runs * LANES];
        }
        // f32 dy whose channels fill blocks of 8 (E1, D5 at 16 lanes) is read where it lies, a block's 8 rows
        // 'positions' apart, run q of a call at dyAt[q]: no regrouping copy, the same sums (weight gradients: D5
        // 4.9-5.0 -> 4.0-4.2 ms, E1 1.15-1.18 -> 1.02-1.04; docs/benchmarks.md). u8 dy is widened anyway, and its copy
        // regrouped as [run][8 channels] runs faster than as rows (4.1 -> 4.5-4.7)
        boolean inPlace = lb == 8 && co % lb == 0 && dy.floats() != null;
        int[] dyAt = inPlace ? new int[batch * runs] : null;
        for (int q = 0; inPlace && q < batch * runs; q++) {
            dyAt[q] = q / runs * outImage + q % runs * LANES;
        }
        int groups = Conv.weightGroups(g);
        int parts = groups % parallel.threads() == 0 ? 1 : parallel.threads();
        int tapStride = blocks * lb * LANES;
        weights.runGroups(g, beta, dw, dwOff, parts, 3, (from, to, into, intoOff, rowFrom, rowTo) -> {
            Scratch s = scratch.get();
            float[] xs = s.staged.get(batch * staged.imageSize() + LANES);
            float[] acc = s.lanes.get((rowTo - rowFrom) * tapStride);
            Arrays.fill(acc, 0, (rowTo - rowFrom) * tapStride, 0f);
            float[] d = inPlace ? null : s.rows.get(blocks * lb * batch * positions);
            for (int i0 = from; i0 < to; i0 += batch) {
                int images = Math.min(batch, to - i0);
                // dy read into the caches first (ConvOperand.touch): D5's weight gradient 5.5-5.8 -> 5.1-5.5 ms. Not x:
                // staging reads its images in order, one stream, and a touch first only read them twice (E1's three
                // passes in sequence, weight gradient 1.88-2.26 -> 1.86-2.06 ms over seven pairs, D5's the same)
                s.touched += dy.touch(i0 * outImage, images * outImage);
                for (int i = 0; i < images; i++) {
                    staged.stage(x, (i0 + i) * inImage, xs, i * staged.imageSize());
                    if (!inPlace) {
                        regroup(dy, dy.offset() + (i0 + i) * outImage, co, positions, d, i * positions, images, lb);
                    }
                }
                // a block of channels' rows of dy stays in the first-level cache across every row of taps (D5: 12 KiB
                // at 3 channels and 8 lanes, 32 KiB at 8 channels and 16 lanes, of 32 or 48 KiB; see LANE_RUNS)
                for (int b = 0; b < blocks; b++) {
                    for (int t0 = rowFrom; t0 < rowTo; t0 += 3) {
                        if (inPlace) {
                            laneBlock8InPlace(xs, runAt, dyAt, images * runs, offsets[t0], offsets[t0 + 1],
                                    offsets[t0 + 2], dy.floats(), dy.offset() + i0 * outImage + b * 8 * positions,
                                    positions, acc, (t0 - rowFrom) * tapStride + b * 8 * LANES, tapStride);
                        } else if (lb == 8) {
                            laneBlock8(xs, runAt, images * runs, offsets[t0], offsets[t0 + 1], offsets[t0 + 2], d,
                                    b * 8 * images * positions, acc, (t0 - rowFrom) * tapStride + b * 8 * LANES,
                                    tapStride);
                        } else if (g.strideW() == 1) {
                            laneBlock(xs, runAt, images * runs, offsets[t0], d, b * 3 * images * positions, acc,
                                    (t0 - rowFrom) * tapStride + b * 3 * LANES, tapStride);
                        } else {
                            laneBlockAt(xs, runAt, images * runs, offsets[t0], d, b * 3 * images * positions, acc,
                                    (t0 - rowFrom) * tapStride + b * 3 * LANES, tapStride);
                        }
                    }
                }
                if (after != null && rowFrom == 0) {
                    after.run(i0, i0 + images);
                }
            }
            for (int t = rowFrom; t < rowTo; t++) {
                for (int c = 0; c < co; c++) {
                    into[intoOff + t * co + c] += VectorLanes.sumInOrder(acc, (t - rowFrom) * tapStride + c * LANES,
                            LANES);
                }
            }
        });
    }

    /**
     * One image's dy ({@code co} rows of {@code positions}) into the layout {@code [block of lb channels][column][lb]
     * [LANES]} of {@code images} images' columns, as its columns from {@code column} on: a vector copy each (u8
     * widened). A last block of fewer channels repeats its last channel (those sums are never read).
     */
    private static void regroup(ConvOperand dy, int from, int co, int positions, float[] d, int column, int images,
                                int lb) {
        float[] f = dy.floats();
        byte[] b = dy.bytes();
        int blocks = (co + lb - 1) / lb;
        for (int c = 0; c < lb * blocks; c++) {
            int src = from + Math.min(c, co - 1) * positions;
            int dst = (c / lb) * lb * images * positions + lb * column + (c % lb) * LANES;
            for (int p = 0; p < positions; p += LANES, dst += lb * LANES) {
                (f != null ? FloatVector.fromArray(SPECIES, f, src + p) : StagingVectors.widen(b, src + p))
                        .intoArray(d, dst);
            }
        }
    }

    /**
     * The lane sums of 3 output channels (regrouped dy at {@code d[dAt]}) by the 3 taps of a kernel row (the staged
     * images at offsets {@code o}, {@code o + 1} and {@code o + 2}) over {@code runs} runs of LANES outputs: tap r's
     * sum with channel c at {@code acc[at + r * tapStride + c * LANES]}.
     */
    private static void laneBlock(float[] xs, int[] runAt, int runs, int o, float[] d, int dAt, float[] acc, int at,
                                  int tapStride) {
        int at1 = at + tapStride;
        int at2 = at1 + tapStride;
        FloatVector a00 = FloatVector.fromArray(SPECIES, acc, at);
        FloatVector a01 = FloatVector.fromArray(SPECIES, acc, at + LANES);
        FloatVector a02 = FloatVector.fromArray(SPECIES, acc, at + 2 * LANES);
        FloatVector a10 = FloatVector.fromArray(SPECIES, acc, at1);
        FloatVector a11 = FloatVector.fromArray(SPECIES, acc, at1 + LANES);
        FloatVector a12 = FloatVector.fromArray(SPECIES, acc, at1 + 2 * LANES);
        FloatVector a20 = FloatVector.fromArray(SPECIES, acc, at2);
        FloatVector a21 = FloatVector.fromArray(SPECIES, acc, at2 + LANES);
        FloatVector a22 = FloatVector.fromArray(SPECIES, acc, at2 + 2 * LANES);
        for (int q = 0, p = dAt; q < runs; q++, p += 3 * LANES) {
            int xa = runAt[q] + o;
            FloatVector x0 = FloatVector.fromArray(SPECIES, xs, xa);
            FloatVector x1 = FloatVector.fromArray(SPECIES, xs, xa + 1);
            FloatVector x2 = FloatVector.fromArray(SPECIES, xs, xa + 2);
            FloatVector dv = FloatVector.fromArray(SPECIES, d, p);
            a00 = dv.fma(x0, a00);
            a10 = dv.fma(x1, a10);
            a20 = dv.fma(x2, a20);
            dv = FloatVector.fromArray(SPECIES, d, p + LANES);
            a01 = dv.fma(x0, a01);
            a11 = dv.fma(x1, a11);
            a21 = dv.fma(x2, a21);
            dv = FloatVector.fromArray(SPECIES, d, p + 2 * LANES);
            a02 = dv.fma(x0, a02);
            a12 = dv.fma(x1, a12);
            a22 = dv.fma(x2, a22);
        }
        a00.intoArray(acc, at);
        a01.intoArray(acc, at + LANES);
        a02.intoArray(acc, at + 2 * LANES);
        a10.intoArray(acc, at1);
        a11.intoArray(acc, at1 + LANES);
        a12.intoArray(acc, at1 + 2 * LANES);
        a20.intoArray(acc, at2);
        a21.intoArray(acc, at2 + LANES);
        a22.intoArray(acc, at2 + 2 * LANES);
    }

    /**
     * {@link #laneBlock} at stride 2 along rows (at 8 lanes: E1), on staged rows of phases {@link #WIDTH} wide: a
     * kernel row's taps read the runs at {@code o} (kernel column 0, the odd phase), {@code o + WIDTH} (column 1, the
     * even phase) and {@code o + 1}. Offsets fixed in the code from one base, as in {@link #laneBlock}: on the AVX2
     * kind, with the offsets passed in, that kernel measured 5.3 against 3.1-3.5 (docs/benchmarks.md, "The last
     * decoder layer's weight gradient as dot products along positions"); on a Zen 4 core held to AVX2 the two forms
     * measured the same.
     */
    private static void laneBlockAt(float[] xs, int[] runAt, int runs, int o, float[] d, int dAt, float[] acc, int at,
                                    int tapStride) {
        int at1 = at + tapStride;
        int at2 = at1 + tapStride;
        FloatVector a00 = FloatVector.fromArray(SPECIES, acc, at);
        FloatVector a01 = FloatVector.fromArray(SPECIES, acc, at + LANES);
        FloatVector a02 = FloatVector.fromArray(SPECIES, acc, at + 2 * LANES);
        FloatVector a10 = FloatVector.fromArray(SPECIES, acc, at1);
        FloatVector a11 = FloatVector.fromArray(SPECIES, acc, at1 + LANES);
        FloatVector a12 = FloatVector.fromArray(SPECIES, acc, at1 + 2 * LANES);
        FloatVector a20 = FloatVector.fromArray(SPECIES, acc, at2);
        FloatVector a21 = FloatVector.fromArray(SPECIES, acc, at2 + LANES);
        FloatVector a22 = FloatVector.fromArray(SPECIES, acc, at2 + 2 * LANES);
        for (int q = 0, p = dAt; q < runs; q++, p += 3 * LANES) {
            int xa = runAt[q] + o;
            FloatVector x0 = FloatVector.fromArray(SPECIES, xs, xa);
            FloatVector x1 = FloatVector.fromArray(SPECIES, xs, xa + WIDTH);
            FloatVector x2 = FloatVector.fromArray(SPECIES, xs, xa + 1);
            FloatVector dv = FloatVector.fromArray(SPECIES, d, p);
            a00 = dv.fma(x0, a00);
            a10 = dv.fma(x1, a10);
            a20 = dv.fma(x2, a20);
            dv = FloatVector.fromArray(SPECIES, d, p + LANES);
            a01 = dv.fma(x0, a01);
            a11 = dv.fma(x1, a11);
            a21 = dv.fma(x2, a21);
            dv = FloatVector.fromArray(SPECIES, d, p + 2 * LANES);
            a02 = dv.fma(x0, a02);
            a12 = dv.fma(x1, a12);
            a22 = dv.fma(x2, a22);
        }
        a00.intoArray(acc, at);
        a01.intoArray(acc, at + LANES);
        a02.intoArray(acc, at + 2 * LANES);
        a10.intoArray(acc, at1);
        a11.intoArray(acc, at1 + LANES);
        a12.intoArray(acc, at1 + 2 * LANES);
        a20.intoArray(acc, at2);
        a21.intoArray(acc, at2 + LANES);
        a22.intoArray(acc, at2 + 2 * LANES);
    }

    /**
     * {@link #laneBlock} for 8 output channels (at 16 lanes: 24 sums in the 32 AVX-512 registers), the three taps at
     * offsets {@code o0}, {@code o1} and {@code o2} of the staged images (at stride 1 along rows {@code o0 + 1} and
     * {@code o0 + 2}; at stride 2 the middle tap in the other column phase). Passing the offsets in measured the same
     * as fixing them in the code (D5 on u8 dy: 4.22-4.89 against 4.30-4.78 ms); a stride of dy passed in did not
     * (4.4 -> 5.6-5.8 ms).
     */
    private static void laneBlock8(float[] xs, int[] runAt, int runs, int o0, int o1, int o2, float[] d, int dAt,
                                   float[] acc, int at, int tapStride) {
        int at1 = at + tapStride;
        int at2 = at1 + tapStride;
        FloatVector a00 = FloatVector.fromArray(SPECIES, acc, at);
        FloatVector a01 = FloatVector.fromArray(SPECIES, acc, at + LANES);
        FloatVector a02 = FloatVector.fromArray(SPECIES, acc, at + 2 * LANES);
        FloatVector a03 = FloatVector.fromArray(SPECIES, acc, at + 3 * LANES);
        FloatVector a04 = FloatVector.fromArray(SPECIES, acc, at + 4 * LANES);
        FloatVector a05 = FloatVector.fromArray(SPECIES, acc, at + 5 * LANES);
        FloatVector a06 = FloatVector.fromArray(SPECIES, acc, at + 6 * LANES);
        FloatVector a07 = FloatVector.fromArray(SPECIES, acc, at + 7 * LANES);
        FloatVector a10 = FloatVector.fromArray(SPECIES, acc, at1);
        FloatVector a11 = FloatVector.fromArray(SPECIES, acc, at1 + LANES);
        FloatVector a12 = FloatVector.fromArray(SPECIES, acc, at1 + 2 * LANES);
        FloatVector a13 = FloatVector.fromArray(SPECIES, acc, at1 + 3 * LANES);
        FloatVector a14 = FloatVector.fromArray(SPECIES, acc, at1 + 4 * LANES);
        FloatVector a15 = FloatVector.fromArray(SPECIES, acc, at1 + 5 * LANES);
        FloatVector a16 = FloatVector.fromArray(SPECIES, acc, at1 + 6 * LANES);
        FloatVector a17 = FloatVector.fromArray(SPECIES, acc, at1 + 7 * LANES);
        FloatVector a20 = FloatVector.fromArray(SPECIES, acc, at2);
        FloatVector a21 = FloatVector.fromArray(SPECIES, acc, at2 + LANES);
        FloatVector a22 = FloatVector.fromArray(SPECIES, acc, at2 + 2 * LANES);
        FloatVector a23 = FloatVector.fromArray(SPECIES, acc, at2 + 3 * LANES);
        FloatVector a24 = FloatVector.fromArray(SPECIES, acc, at2 + 4 * LANES);
        FloatVector a25 = FloatVector.fromArray(SPECIES, acc, at2 + 5 * LANES);
        FloatVector a26 = FloatVector.fromArray(SPECIES, acc, at2 + 6 * LANES);
        FloatVector a27 = FloatVector.fromArray(SPECIES, acc, at2 + 7 * LANES);
        for (int q = 0, p = dAt; q < runs; q++, p += 8 * LANES) {
            int xa = runAt[q];
            FloatVector x0 = FloatVector.fromArray(SPECIES, xs, xa + o0);
            FloatVector x1 = FloatVector.fromArray(SPECIES, xs, xa + o1);
            FloatVector x2 = FloatVector.fromArray(SPECIES, xs, xa + o2);
            FloatVector d0 = FloatVector.fromArray(SPECIES, d, p);
            a00 = d0.fma(x0, a00);
            a10 = d0.fma(x1, a10);
            a20 = d0.fma(x2, a20);
            FloatVector d1 = FloatVector.fromArray(SPECIES, d, p + LANES);
            a01 = d1.fma(x0, a01);
            a11 = d1.fma(x1, a11);
            a21 = d1.fma(x2, a21);
            FloatVector d2 = FloatVector.fromArray(SPECIES, d, p + 2 * LANES);
            a02 = d2.fma(x0, a02);
            a12 = d2.fma(x1, a12);
            a22 = d2.fma(x2, a22);
            FloatVector d3 = FloatVector.fromArray(SPECIES, d, p + 3 * LANES);
            a03 = d3.fma(x0, a03);
            a13 = d3.fma(x1, a13);
            a23 = d3.fma(x2, a23);
            FloatVector d4 = FloatVector.fromArray(SPECIES, d, p + 4 * LANES);
            a04 = d4.fma(x0, a04);
            a14 = d4.fma(x1, a14);
            a24 = d4.fma(x2, a24);
            FloatVector d5 = FloatVector.fromArray(SPECIES, d, p + 5 * LANES);
            a05 = d5.fma(x0, a05);
            a15 = d5.fma(x1, a15);
            a25 = d5.fma(x2, a25);
            FloatVector d6 = FloatVector.fromArray(SPECIES, d, p + 6 * LANES);
            a06 = d6.fma(x0, a06);
            a16 = d6.fma(x1, a16);
            a26 = d6.fma(x2, a26);
            FloatVector d7 = FloatVector.fromArray(SPECIES, d, p + 7 * LANES);
            a07 = d7.fma(x0, a07);
            a17 = d7.fma(x1, a17);
            a27 = d7.fma(x2, a27);
        }
        a00.intoArray(acc, at);
        a01.intoArray(acc, at + LANES);
        a02.intoArray(acc, at + 2 * LANES);
        a03.intoArray(acc, at + 3 * LANES);
        a04.intoArray(acc, at + 4 * LANES);
        a05.intoArray(acc, at + 5 * LANES);
        a06.intoArray(acc, at + 6 * LANES);
        a07.intoArray(acc, at + 7 * LANES);
        a10.intoArray(acc, at1);
        a11.intoArray(acc, at1 + LANES);
        a12.intoArray(acc, at1 + 2 * LANES);
        a13.intoArray(acc, at1 + 3 * LANES);
        a14.intoArray(acc, at1 + 4 * LANES);
        a15.intoArray(acc, at1 + 5 * LANES);
        a16.intoArray(acc, at1 + 6 * LANES);
        a17.intoArray(acc, at1 + 7 * LANES);
        a20.intoArray(acc, at2);
        a21.intoArray(acc, at2 + LANES);
        a22.intoArray(acc, at2 + 2 * LANES);
        a23.intoArray(acc, at2 + 3 * LANES);
        a24.intoArray(acc, at2 + 4 * LANES);
        a25.intoArray(acc, at2 + 5 * LANES);
        a26.intoArray(acc, at2 + 6 * LANES);
        a27.intoArray(acc, at2 + 7 * LANES);
    }

    /**
     * {@link #laneBlock8} on dy where it lies (f32): 8 channels' rows {@code cs} apart, run q at {@code dAt + dyAt[q]}
     * along them (the images of a call one after another). Its own loop, as passing the regrouped layout's strides in
     * slowed that case (D5 on u8 dy 4.1 -> 4.5-5.0 ms).
     */
    private static void laneBlock8InPlace(float[] xs, int[] runAt, int[] dyAt, int runs, int o0, int o1, int o2,
                                          float[] d, int dAt, int cs, float[] acc, int at, int tapStride) {
        int at1 = at + tapStride;
        int at2 = at1 + tapStride;
        FloatVector a00 = FloatVector.fromArray(SPECIES, acc, at);
        FloatVector a01 = FloatVector.fromArray(SPECIES, acc, at + LANES);
        FloatVector a02 = FloatVector.fromArray(SPECIES, acc, at + 2 * LANES);
        FloatVector a03 = FloatVector.fromArray(SPECIES, acc, at + 3 * LANES);
        FloatVector a04 = FloatVector.fromArray(SPECIES, acc, at + 4 * LANES);
        FloatVector a05 = FloatVector.fromArray(SPECIES, acc, at + 5 * LANES);
        FloatVector a06 = FloatVector.fromArray(SPECIES, acc, at + 6 * LANES);
        FloatVector a07 = FloatVector.fromArray(SPECIES, acc, at + 7 * LANES);
        FloatVector a10 = FloatVector.fromArray(SPECIES, acc, at1);
        FloatVector a11 = FloatVector.fromArray(SPECIES, acc, at1 + LANES);
        FloatVector a12 = FloatVector.fromArray(SPECIES, acc, at1 + 2 * LANES);
        FloatVector a13 = FloatVector.fromArray(SPECIES, acc, at1 + 3 * LANES);
        FloatVector a14 = FloatVector.fromArray(SPECIES, acc, at1 + 4 * LANES);
        FloatVector a15 = FloatVector.fromArray(SPECIES, acc, at1 + 5 * LANES);
        FloatVector a16 = FloatVector.fromArray(SPECIES, acc, at1 + 6 * LANES);
        FloatVector a17 = FloatVector.fromArray(SPECIES, acc, at1 + 7 * LANES);
        FloatVector a20 = FloatVector.fromArray(SPECIES, acc, at2);
        FloatVector a21 = FloatVector.fromArray(SPECIES, acc, at2 + LANES);
        FloatVector a22 = FloatVector.fromArray(SPECIES, acc, at2 + 2 * LANES);
        FloatVector a23 = FloatVector.fromArray(SPECIES, acc, at2 + 3 * LANES);
        FloatVector a24 = FloatVector.fromArray(SPECIES, acc, at2 + 4 * LANES);
        FloatVector a25 = FloatVector.fromArray(SPECIES, acc, at2 + 5 * LANES);
        FloatVector a26 = FloatVector.fromArray(SPECIES, acc, at2 + 6 * LANES);
        FloatVector a27 = FloatVector.fromArray(SPECIES, acc, at2 + 7 * LANES);
        for (int q = 0; q < runs; q++) {
            int p = dAt + dyAt[q];
            int xa = runAt[q];
            FloatVector x0 = FloatVector.fromArray(SPECIES, xs, xa + o0);
            FloatVector x1 = FloatVector.fromArray(SPECIES, xs, xa + o1);
            FloatVector x2 = FloatVector.fromArray(SPECIES, xs, xa + o2);
            FloatVector d0 = FloatVector.fromArray(SPECIES, d, p);
            a00 = d0.fma(x0, a00);
            a10 = d0.fma(x1, a10);
            a20 = d0.fma(x2, a20);
            FloatVector d1 = FloatVector.fromArray(SPECIES, d, p + cs);
            a01 = d1.fma(x0, a01);
            a11 = d1.fma(x1, a11);
            a21 = d1.fma(x2, a21);
            FloatVector d2 = FloatVector.fromArray(SPECIES, d, p + 2 * cs);
            a02 = d2.fma(x0, a02);
            a12 = d2.fma(x1, a12);
            a22 = d2.fma(x2, a22);
            FloatVector d3 = FloatVector.fromArray(SPECIES, d, p + 3 * cs);
            a03 = d3.fma(x0, a03);
            a13 = d3.fma(x1, a13);
            a23 = d3.fma(x2, a23);
            FloatVector d4 = FloatVector.fromArray(SPECIES, d, p + 4 * cs);
            a04 = d4.fma(x0, a04);
            a14 = d4.fma(x1, a14);
            a24 = d4.fma(x2, a24);
            FloatVector d5 = FloatVector.fromArray(SPECIES, d, p + 5 * cs);
            a05 = d5.fma(x0, a05);
            a15 = d5.fma(x1, a15);
            a25 = d5.fma(x2, a25);
            FloatVector d6 = FloatVector.fromArray(SPECIES, d, p + 6 * cs);
            a06 = d6.fma(x0, a06);
            a16 = d6.fma(x1, a16);
            a26 = d6.fma(x2, a26);
            FloatVector d7 = FloatVector.fromArray(SPECIES, d, p + 7 * cs);
            a07 = d7.fma(x0, a07);
            a17 = d7.fma(x1, a17);
            a27 = d7.fma(x2, a27);
        }
        a00.intoArray(acc, at);
        a01.intoArray(acc, at + LANES);
        a02.intoArray(acc, at + 2 * LANES);
        a03.intoArray(acc, at + 3 * LANES);
        a04.intoArray(acc, at + 4 * LANES);
        a05.intoArray(acc, at + 5 * LANES);
        a06.intoArray(acc, at + 6 * LANES);
        a07.intoArray(acc, at + 7 * LANES);
        a10.intoArray(acc, at1);
        a11.intoArray(acc, at1 + LANES);
        a12.intoArray(acc, at1 + 2 * LANES);
        a13.intoArray(acc, at1 + 3 * LANES);
        a14.intoArray(acc, at1 + 4 * LANES);
        a15.intoArray(acc, at1 + 5 * LANES);
        a16.intoArray(acc, at1 + 6 * LANES);
        a17.intoArray(acc, at1 + 7 * LANES);
        a20.intoArray(acc, at2);
        a21.intoArray(acc, at2 + LANES);
        a22.intoArray(acc, at2 + 2 * LANES);
        a23.intoArray(acc, at2 + 3 * LANES);
        a24.intoArray(acc, at2 + 4 * LANES);
        a25.intoArray(acc, at2 + 5 * LANES);
        a26.intoArray(acc, at2 + 6 * LANES);
        a27.intoArray(acc, at2 + 7 * LANES);
    }

    /** One thread's buffers, grown to the largest call seen and then reused. */
    private static final class Scratch {
        /** Sums of {@link ConvOperand#touch}, kept so that its reads are kept. */
        float touched;
        /** The staged images of a kernel call. */
        final ScratchFloats staged = new ScratchFloats();
        /** The lane sums of a part of a group. */
        final ScratchFloats lanes = new ScratchFloats();
        /** dy's rows regrouped ({@link #regroup}). */
        final ScratchFloats rows = new ScratchFloats();
    }
}
