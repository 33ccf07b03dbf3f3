package dev.spikevae.backend.cpu;

import static dev.spikevae.backend.cpu.StagingVectors.EVEN;
import static dev.spikevae.backend.cpu.StagingVectors.HIGH;
import static dev.spikevae.backend.cpu.StagingVectors.HIGH_HALF;
import static dev.spikevae.backend.cpu.StagingVectors.LOW;
import static dev.spikevae.backend.cpu.StagingVectors.ODD;
import static dev.spikevae.backend.cpu.StagingVectors.ODD_LANES;

import dev.spikevae.tensor.ConvGeometry;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The forward pass and the input gradient of a 3 x 3 convolution at stride 2 and padding 1 from 32 x 32 planes onto 16
 * x 16 ones (ESVAE's first encoder layer on CIFAR-10's images, E1: 3 -> 32 channels), each writing its output a plane
 * at a time as one ascending stream: both at 16 lanes, the forward at 8 lanes too.
 *
 * <p>{@link DirectConv#forward} takes 8 output channels and 2 vectors of a row a call (each tap's two vectors of input
 * feed 16 sums), so its stores go to 8 channels' rows side by side. From memory (batches past the caches) those
 * interleaved stores cost E1's forward about a third of its arithmetic, where stores in one ascending run cost next to
 * nothing (docs/benchmarks.md, "E1 a plane at a time"). {@link #forward} makes an output channel's plane in two calls
 * of 8 rows of one vector: each staged input row is read once for the one or two output rows that take it (a kernel
 * row at stride 2), as the three vectors its kernel columns read, each on its own 64-byte line ({@link
 * CpuStorage#lineArray}): 51 loads for 72 multiply-adds an input channel and half plane, none straddling two lines.
 * At 8 lanes, with 16 registers, a call makes 4 rows of two vectors a kernel row at a time ({@link #quarter}). {@link
 * #backwardData} makes four rows of one of dx's channels a call from dy read in place, by its four phases (even and odd
 * rows and columns), with no strip of the column matrix and no staged images to add it into (at 16 lanes only: at 8,
 * two vectors of each of dy's rows and the nine tap sums a half row needs left a multiply-add a load and a broadcast,
 * and the GEMM path stayed faster; docs/benchmarks.md).
 *
 * <p>Both keep {@link DirectConv}'s sums: the forward takes the taps in the order of the implicit GEMM's k (input
 * channel, kernel row, kernel column) from zero and adds the bias last, as {@link SgemmVectorKernel#microKernelTaps}
 * does on a reduction of at most {@link SgemmVectorKernel#KC}; the input gradient forms each tap's sum over dy's
 * channels as one chain from zero and adds them to the bias tap after tap, as {@link DirectConv#backwardData}'s column
 * matrix and col2im do. So the same bits.
 */
final class StrideTwoPlanes {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    /** A staged input row: the vectors kernel columns 0, 1 and 2 read (inputs 2i - 1, 2i and 2i + 1 for output i). */
    private static final int ROW = 3 * 16;
    /** Staged rows an input channel: the padding row above the plane (zero), then its 32 rows. */
    private static final int ROWS = 33;
    /** Images per parallel task (any split gives the same result). */
    private static final int IMAGES_PER_TASK = 4;
    /** Lane i takes lane i - 1 (lane 0 is then cleared): the odd inputs moved one output to the right. */
    private static final VectorShuffle<Float> RIGHT = VectorShuffle.fromOp(SPECIES, i -> Math.max(i - 1, 0));
    private static final VectorMask<Float> FIRST = VectorMask.fromLong(SPECIES, 1L);
    /** Lane i takes lane i + 1 (the last lane wraps to lane 0): sums of dy's next outputs moved one to the left. */
    private static final VectorShuffle<Float> NEXT = VectorShuffle.fromOp(SPECIES, i -> (i + 1) % LANES);
    private static final VectorMask<Float> LAST = VectorMask.fromLong(SPECIES, 1L << (LANES - 1));

    private final Parallel parallel;
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

    /** A thread's staged image (its padding row zero: {@link #stage} never writes there). */
    private static final class Scratch {
        float[] staged = new float[0];
        /** Sums of {@link ConvOperand#touch}, kept so that its reads are kept. */
        float touched;
    }

    StrideTwoPlanes(Parallel parallel) {
        this.parallel = parallel;
    }

    /**
     * Whether {@link #forward} takes {@code g}: this geometry at 16 or 8 lanes, with the forward's taps in one
     * reduction block (beyond it the GEMM path sums block by block).
     */
    static boolean fits(ConvGeometry g) {
        return (LANES == 16 || LANES == 8) && g.inChannels() * 9 <= SgemmVectorKernel.KC && g.inH() == 32
                && g.inW() == 32 && g.outH() == 16 && g.outW() == 16 && g.kH() == 3 && g.kW() == 3 && g.strideH() == 2
                && g.strideW() == 2 && g.padH() == 1 && g.padW() == 1;
    }

    /**
     * Whether {@link #backwardData} takes {@code g}: {@link #fits} at 16 lanes (its channels in one reduction block by
     * {@link DirectConv#dataFits}).
     */
    static boolean dataFits(ConvGeometry g) {
        return LANES == 16 && fits(g);
    }

    /** y = conv(x, w) + bias (bias over y's channels, or null); requires {@link #fits}. */
    void forward(ConvOperand x, float[] w, int wOff, float[] bias, int biasOff, float[] y, int yOff, ConvGeometry g) {
        int ci = g.inChannels();
        int co = g.outChannels();
        int inImage = ci * 32 * 32;
        int outImage = co * 16 * 16;
        int staged = ci * ROWS * ROW;
        int tasks = (g.batch() + IMAGES_PER_TASK - 1) / IMAGES_PER_TASK;
        parallel.forTasks(tasks, (task, worker) -> {
            Scratch s = scratch.get();
            if (s.staged.length < CpuStorage.FLOAT_ORIGIN + staged) {
                s.staged = CpuStorage.lineArray(staged);
            }
            float[] xs = s.staged;
            int at = CpuStorage.FLOAT_ORIGIN;
            int end = Math.min(g.batch(), (task + 1) * IMAGES_PER_TASK);
            for (int i = task * IMAGES_PER_TASK; i < end; i++) {
                // the image read into the caches first (ConvOperand.touch), then staged from there
                s.touched += x.touch(i * inImage, inImage);
                stage(x, i * inImage, ci, xs, at);
                int to = yOff + i * outImage;
                for (int c = 0; c < co; c++, to += 16 * 16) {
                    int wAt = wOff + c * ci * 9;
                    int b = biasOff + c;
                    if (LANES == 16) {
                        half(xs, at, ci, w, wAt, bias, b, y, to);
                        half(xs, at + 16 * ROW, ci, w, wAt, bias, b, y, to + 8 * 16);
                    } else {
                        for (int j = 0; j < 16; j += 4) {
                            quarter(xs, at + 2 * j * ROW, ci, w, wAt, bias, b, y, to + j * 16);
                        }
                    }
                }
            }
        });
    }

    /**
     * dx = conv^T(dy, w) + bias (bias over dx's channels, or null); requires {@link #fits} and f32 dy. Its four phases
     * (even or odd rows and columns of dx) are each a vector of 16 outputs that take one, two or four kernel taps of
     * dy's rows m and m + 1 (read in place; kernel column 0 takes dy's next output, its sums moved by a lane at the
     * end). A call makes four rows of one of dx's channels, two pairs of an even and an odd row: for each pair nine
     * sums, one per tap, each over dy's channels in order from zero (a row of the column matrix, as {@link
     * DirectConv#backwardData} forms it), then added to the bias (zero without) tap after tap as col2im adds them;
     * taps that would read past dy's last row or column are left out, as col2im never forms them. So the same bits as
     * {@link DirectConv#backwardData}.
     */
    void backwardData(ConvOperand dy, float[] w, int wOff, float[] bias, int biasOff, float[] dx, int dxOff,
                      ConvGeometry g) {
        int ci = g.inChannels();
        int co = g.outChannels();
        int outImage = co * 16 * 16;
        float[] wt = transposedWeights(w, wOff, ci, co);
        int tasks = (g.batch() + IMAGES_PER_TASK - 1) / IMAGES_PER_TASK;
        parallel.forTasks(tasks, (task, worker) -> {
            Scratch s = scratch.get();
            int end = Math.min(g.batch(), (task + 1) * IMAGES_PER_TASK);
            for (int i = task * IMAGES_PER_TASK; i < end; i++) {
                // the image read into the caches first (ConvOperand.touch): a call reads three rows of each channel
                s.touched += dy.touch(i * outImage, outImage);
                dataImages(dy, wt, bias, biasOff, dx, dxOff, ci, co, i, i + 1);
            }
        });
    }

    /** The weights by input channel, [ci][co][tap]: a call of {@link #rows} reads its channel's taps in order. */
    static float[] transposedWeights(float[] w, int wOff, int ci, int co) {
        float[] wt = new float[ci * co * 9];
        for (int c = 0; c < ci; c++) {
            for (int o = 0; o < co; o++) {
                System.arraycopy(w, wOff + (o * ci + c) * 9, wt, (c * co + o) * 9, 9);
            }
        }
        return wt;
    }

    /** {@link #backwardData} of images {@code [from, to)}, on the weights of {@link #transposedWeights}. */
    static void dataImages(ConvOperand dy, float[] wt, float[] bias, int biasOff, float[] dx, int dxOff, int ci, int co,
                           int from, int to) {
        float[] f = dy.floats();
        int inImage = ci * 32 * 32;
        int outImage = co * 16 * 16;
        for (int i = from; i < to; i++) {
            int at = dy.offset() + i * outImage;
            for (int c = 0; c < ci; c++) {
                float b = bias == null ? 0f : bias[biasOff + c];
                int into = dxOff + i * inImage + c * 32 * 32;
                for (int m = 0; m < 16; m += 2) {
                    rows(f, at + m * 16, m == 14, co, wt, c * co * 9, b, dx, into + 2 * m * 32);
                }
            }
        }
    }

    /**
     * One image ({@code channels} planes of 32 x 32, f32 or u8) into the staged layout: input row r of channel c at
     * {@code at + (c * ROWS + r + 1) * ROW}, as its odd inputs moved one to the right (column -1, the padding, zero),
     * its even inputs and its odd inputs.
     */
    private static void stage(ConvOperand x, int from, int channels, float[] xs, int at) {
        float[] f = x.floats();
        byte[] b = x.bytes();
        int in = x.offset() + from;
        for (int c = 0; c < channels; c++) {
            int to = at + c * ROWS * ROW + ROW;
            // one loop per operand type (a vector chosen between a float load and a widening is a phi, which C2
            // keeps as an object)
            if (f != null) {
                for (int r = 0; r < 32; r++, in += 32, to += ROW) {
                    for (int k = 0; k < 16; k += LANES) {
                        FloatVector v0 = FloatVector.fromArray(SPECIES, f, in + 2 * k);
                        FloatVector v1 = FloatVector.fromArray(SPECIES, f, in + 2 * k + LANES);
                        FloatVector odd = v0.rearrange(ODD).blend(v1.rearrange(ODD), HIGH);
                        // lane 0 of the odd inputs moved one to the right: the padding (0), or at 8 lanes in the
                        // second vector the last odd input of the first
                        float before = k == 0 ? 0f : f[in + 2 * k - 1];
                        odd.rearrange(RIGHT).blend(before, FIRST).intoArray(xs, to + k);
                        v0.rearrange(EVEN).blend(v1.rearrange(EVEN), HIGH).intoArray(xs, to + 16 + k);
                        odd.intoArray(xs, to + 32 + k);
                    }
                }
            } else {
                for (int r = 0; r < 32; r++, in += 32, to += ROW) {
                    for (int k = 0; k < 16; k += LANES) {
                        FloatVector v0 = StagingVectors.widen(b, in + 2 * k);
                        FloatVector v1 = StagingVectors.widen(b, in + 2 * k + LANES);
                        FloatVector odd = v0.rearrange(ODD).blend(v1.rearrange(ODD), HIGH);
                        // lane 0 of the odd inputs moved one to the right: the padding (0), or at 8 lanes in the
                        // second vector the last odd input of the first
                        float before = k == 0 ? 0f : b[in + 2 * k - 1] & 0xff;
                        odd.rearrange(RIGHT).blend(before, FIRST).intoArray(xs, to + k);
                        v0.rearrange(EVEN).blend(v1.rearrange(EVEN), HIGH).intoArray(xs, to + 16 + k);
                        odd.intoArray(xs, to + 32 + k);
                    }
                }
            }
        }
    }

    /**
     * Eight output rows of one channel from the staged rows at {@code at} on (the row above the first output row's
     * inputs, then 16 more), over every input channel: stored at {@code y[to]} as 8 consecutive vectors, plus {@code
     * bias[b]} unless bias is null.
     */
    private static void half(float[] xs, int at, int channels, float[] w, int wAt, float[] bias, int b, float[] y,
                             int to) {
        // from FloatVector.zero, not a constant vector: a loop's sums that start from a static final vector were
        // kept as objects, allocated on every multiply-add (JDK 17)
        FloatVector c0 = FloatVector.zero(SPECIES);
        FloatVector c1 = FloatVector.zero(SPECIES);
        FloatVector c2 = FloatVector.zero(SPECIES);
        FloatVector c3 = FloatVector.zero(SPECIES);
        FloatVector c4 = FloatVector.zero(SPECIES);
        FloatVector c5 = FloatVector.zero(SPECIES);
        FloatVector c6 = FloatVector.zero(SPECIES);
        FloatVector c7 = FloatVector.zero(SPECIES);
        for (int c = 0; c < channels; c++, at += ROWS * ROW, wAt += 9) {
            FloatVector w00 = FloatVector.broadcast(SPECIES, w[wAt]);
            FloatVector w01 = FloatVector.broadcast(SPECIES, w[wAt + 1]);
            FloatVector w02 = FloatVector.broadcast(SPECIES, w[wAt + 2]);
            FloatVector w10 = FloatVector.broadcast(SPECIES, w[wAt + 3]);
            FloatVector w11 = FloatVector.broadcast(SPECIES, w[wAt + 4]);
            FloatVector w12 = FloatVector.broadcast(SPECIES, w[wAt + 5]);
            FloatVector w20 = FloatVector.broadcast(SPECIES, w[wAt + 6]);
            FloatVector w21 = FloatVector.broadcast(SPECIES, w[wAt + 7]);
            FloatVector w22 = FloatVector.broadcast(SPECIES, w[wAt + 8]);
            // staged row 2j + k is kernel row k of output row j (k = 0, 1, 2): each row's three vectors are loaded
            // once, for the one or two output rows that take it
            FloatVector x0;
            FloatVector x1;
            FloatVector x2;
            x0 = FloatVector.fromArray(SPECIES, xs, at);
            x1 = FloatVector.fromArray(SPECIES, xs, at + LANES);
            x2 = FloatVector.fromArray(SPECIES, xs, at + 2 * LANES);
            c0 = w00.fma(x0, c0);
            c0 = w01.fma(x1, c0);
            c0 = w02.fma(x2, c0);
            x0 = FloatVector.fromArray(SPECIES, xs, at + 1 * ROW);
            x1 = FloatVector.fromArray(SPECIES, xs, at + 1 * ROW + LANES);
            x2 = FloatVector.fromArray(SPECIES, xs, at + 1 * ROW + 2 * LANES);
            c0 = w10.fma(x0, c0);
            c0 = w11.fma(x1, c0);
            c0 = w12.fma(x2, c0);
            x0 = FloatVector.fromArray(SPECIES, xs, at + 2 * ROW);
            x1 = FloatVector.fromArray(SPECIES, xs, at + 2 * ROW + LANES);
            x2 = FloatVector.fromArray(SPECIES, xs, at + 2 * ROW + 2 * LANES);
            c0 = w20.fma(x0, c0);
            c0 = w21.fma(x1, c0);
            c0 = w22.fma(x2, c0);
            c1 = w00.fma(x0, c1);
            c1 = w01.fma(x1, c1);
            c1 = w02.fma(x2, c1);
            x0 = FloatVector.fromArray(SPECIES, xs, at + 3 * ROW);
            x1 = FloatVector.fromArray(SPECIES, xs, at + 3 * ROW + LANES);
            x2 = FloatVector.fromArray(SPECIES, xs, at + 3 * ROW + 2 * LANES);
            c1 = w10.fma(x0, c1);
            c1 = w11.fma(x1, c1);
            c1 = w12.fma(x2, c1);
            x0 = FloatVector.fromArray(SPECIES, xs, at + 4 * ROW);
            x1 = FloatVector.fromArray(SPECIES, xs, at + 4 * ROW + LANES);
            x2 = FloatVector.fromArray(SPECIES, xs, at + 4 * ROW + 2 * LANES);
            c1 = w20.fma(x0, c1);
            c1 = w21.fma(x1, c1);
            c1 = w22.fma(x2, c1);
            c2 = w00.fma(x0, c2);
            c2 = w01.fma(x1, c2);
            c2 = w02.fma(x2, c2);
            x0 = FloatVector.fromArray(SPECIES, xs, at + 5 * ROW);
            x1 = FloatVector.fromArray(SPECIES, xs, at + 5 * ROW + LANES);
            x2 = FloatVector.fromArray(SPECIES, xs, at + 5 * ROW + 2 * LANES);
            c2 = w10.fma(x0, c2);
            c2 = w11.fma(x1, c2);
            c2 = w12.fma(x2, c2);
            x0 = FloatVector.fromArray(SPECIES, xs, at + 6 * ROW);
            x1 = FloatVector.fromArray(SPECIES, xs, at + 6 * ROW + LANES);
            x2 = FloatVector.fromArray(SPECIES, xs, at + 6 * ROW + 2 * LANES);
            c2 = w20.fma(x0, c2);
            c2 = w21.fma(x1, c2);
            c2 = w22.fma(x2, c2);
            c3 = w00.fma(x0, c3);
            c3 = w01.fma(x1, c3);
            c3 = w02.fma(x2, c3);
            x0 = FloatVector.fromArray(SPECIES, xs, at + 7 * ROW);
            x1 = FloatVector.fromArray(SPECIES, xs, at + 7 * ROW + LANES);
            x2 = FloatVector.fromArray(SPECIES, xs, at + 7 * ROW + 2 * LANES);
            c3 = w10.fma(x0, c3);
            c3 = w11.fma(x1, c3);
            c3 = w12.fma(x2, c3);
            x0 = FloatVector.fromArray(SPECIES, xs, at + 8 * ROW);
            x1 = FloatVector.fromArray(SPECIES, xs, at + 8 * ROW + LANES);
            x2 = FloatVector.fromArray(SPECIES, xs, at + 8 * ROW + 2 * LANES);
            c3 = w20.fma(x0, c3);
            c3 = w21.fma(x1, c3);
            c3 = w22.fma(x2, c3);
            c4 = w00.fma(x0, c4);
            c4 = w01.fma(x1, c4);
            c4 = w02.fma(x2, c4);
            x0 = FloatVector.fromArray(SPECIES, xs, at + 9 * ROW);
            x1 = FloatVector.fromArray(SPECIES, xs, at + 9 * ROW + LANES);
            x2 = FloatVector.fromArray(SPECIES, xs, at + 9 * ROW + 2 * LANES);
            c4 = w10.fma(x0, c4);
            c4 = w11.fma(x1, c4);
            c4 = w12.fma(x2, c4);
            x0 = FloatVector.fromArray(SPECIES, xs, at + 10 * ROW);
            x1 = FloatVector.fromArray(SPECIES, xs, at + 10 * ROW + LANES);
            x2 = FloatVector.fromArray(SPECIES, xs, at + 10 * ROW + 2 * LANES);
            c4 = w20.fma(x0, c4);
            c4 = w21.fma(x1, c4);
            c4 = w22.fma(x2, c4);
            c5 = w00.fma(x0, c5);
            c5 = w01.fma(x1, c5);
            c5 = w02.fma(x2, c5);
            x0 = FloatVector.fromArray(SPECIES, xs, at + 11 * ROW);
            x1 = FloatVector.fromArray(SPECIES, xs, at + 11 * ROW + LANES);
            x2 = FloatVector.fromArray(SPECIES, xs, at + 11 * ROW + 2 * LANES);
            c5 = w10.fma(x0, c5);
            c5 = w11.fma(x1, c5);
            c5 = w12.fma(x2, c5);
            x0 = FloatVector.fromArray(SPECIES, xs, at + 12 * ROW);
            x1 = FloatVector.fromArray(SPECIES, xs, at + 12 * ROW + LANES);
            x2 = FloatVector.fromArray(SPECIES, xs, at + 12 * ROW + 2 * LANES);
            c5 = w20.fma(x0, c5);
            c5 = w21.fma(x1, c5);
            c5 = w22.fma(x2, c5);
            c6 = w00.fma(x0, c6);
            c6 = w01.fma(x1, c6);
            c6 = w02.fma(x2, c6);
            x0 = FloatVector.fromArray(SPECIES, xs, at + 13 * ROW);
            x1 = FloatVector.fromArray(SPECIES, xs, at + 13 * ROW + LANES);
            x2 = FloatVector.fromArray(SPECIES, xs, at + 13 * ROW + 2 * LANES);
            c6 = w10.fma(x0, c6);
            c6 = w11.fma(x1, c6);
            c6 = w12.fma(x2, c6);
            x0 = FloatVector.fromArray(SPECIES, xs, at + 14 * ROW);
            x1 = FloatVector.fromArray(SPECIES, xs, at + 14 * ROW + LANES);
            x2 = FloatVector.fromArray(SPECIES, xs, at + 14 * ROW + 2 * LANES);
            c6 = w20.fma(x0, c6);
            c6 = w21.fma(x1, c6);
            c6 = w22.fma(x2, c6);
            c7 = w00.fma(x0, c7);
            c7 = w01.fma(x1, c7);
            c7 = w02.fma(x2, c7);
            x0 = FloatVector.fromArray(SPECIES, xs, at + 15 * ROW);
            x1 = FloatVector.fromArray(SPECIES, xs, at + 15 * ROW + LANES);
            x2 = FloatVector.fromArray(SPECIES, xs, at + 15 * ROW + 2 * LANES);
            c7 = w10.fma(x0, c7);
            c7 = w11.fma(x1, c7);
            c7 = w12.fma(x2, c7);
            x0 = FloatVector.fromArray(SPECIES, xs, at + 16 * ROW);
            x1 = FloatVector.fromArray(SPECIES, xs, at + 16 * ROW + LANES);
            x2 = FloatVector.fromArray(SPECIES, xs, at + 16 * ROW + 2 * LANES);
            c7 = w20.fma(x0, c7);
            c7 = w21.fma(x1, c7);
            c7 = w22.fma(x2, c7);
        }
        if (bias != null) {
            FloatVector v = FloatVector.broadcast(SPECIES, bias[b]);
            c0 = c0.add(v);
            c1 = c1.add(v);
            c2 = c2.add(v);
            c3 = c3.add(v);
            c4 = c4.add(v);
            c5 = c5.add(v);
            c6 = c6.add(v);
            c7 = c7.add(v);
        }
        c0.intoArray(y, to);
        c1.intoArray(y, to + LANES);
        c2.intoArray(y, to + 2 * LANES);
        c3.intoArray(y, to + 3 * LANES);
        c4.intoArray(y, to + 4 * LANES);
        c5.intoArray(y, to + 5 * LANES);
        c6.intoArray(y, to + 6 * LANES);
        c7.intoArray(y, to + 7 * LANES);
    }

    /**
     * At 8 lanes: four output rows of one channel (two vectors each) from the staged rows at {@code at} on (the row
     * above the first output row's inputs, then 8 more), over every input channel: stored at {@code y[to]} as 8
     * consecutive vectors, plus {@code bias[b]} unless bias is null. A kernel row's three weights at a time (8 sums, 3
     * weights and a loaded vector: 12 of AVX2's 16 registers), each staged vector loaded for the multiply-add that
     * takes it, a kernel column's 8 multiply-adds (one per sum) in a row; every sum still takes its taps in the order
     * (input channel, kernel row, kernel column). With each sum's three multiply-adds in a row instead, the kernel ran
     * at 57-65 GFLOP/s on one core with its data in the caches against 76-84.
     */
    private static void quarter(float[] xs, int at, int channels, float[] w, int wAt, float[] bias, int b, float[] y,
                                int to) {
        FloatVector c0 = FloatVector.zero(SPECIES);
        FloatVector c1 = FloatVector.zero(SPECIES);
        FloatVector c2 = FloatVector.zero(SPECIES);
        FloatVector c3 = FloatVector.zero(SPECIES);
        FloatVector c4 = FloatVector.zero(SPECIES);
        FloatVector c5 = FloatVector.zero(SPECIES);
        FloatVector c6 = FloatVector.zero(SPECIES);
        FloatVector c7 = FloatVector.zero(SPECIES);
        for (int c = 0; c < channels; c++, at += ROWS * ROW) {
            // staged row 2j + k is kernel row k of output row j; c<2j> and c<2j + 1> its two vectors
            for (int k = 0, r = at; k < 3; k++, r += ROW, wAt += 3) {
                FloatVector w0 = FloatVector.broadcast(SPECIES, w[wAt]);
                FloatVector w1 = FloatVector.broadcast(SPECIES, w[wAt + 1]);
                FloatVector w2 = FloatVector.broadcast(SPECIES, w[wAt + 2]);
                c0 = w0.fma(FloatVector.fromArray(SPECIES, xs, r), c0);
                c1 = w0.fma(FloatVector.fromArray(SPECIES, xs, r + 8), c1);
                c2 = w0.fma(FloatVector.fromArray(SPECIES, xs, r + 2 * ROW), c2);
                c3 = w0.fma(FloatVector.fromArray(SPECIES, xs, r + 2 * ROW + 8), c3);
                c4 = w0.fma(FloatVector.fromArray(SPECIES, xs, r + 4 * ROW), c4);
                c5 = w0.fma(FloatVector.fromArray(SPECIES, xs, r + 4 * ROW + 8), c5);
                c6 = w0.fma(FloatVector.fromArray(SPECIES, xs, r + 6 * ROW), c6);
                c7 = w0.fma(FloatVector.fromArray(SPECIES, xs, r + 6 * ROW + 8), c7);
                c0 = w1.fma(FloatVector.fromArray(SPECIES, xs, r + 16), c0);
                c1 = w1.fma(FloatVector.fromArray(SPECIES, xs, r + 24), c1);
                c2 = w1.fma(FloatVector.fromArray(SPECIES, xs, r + 2 * ROW + 16), c2);
                c3 = w1.fma(FloatVector.fromArray(SPECIES, xs, r + 2 * ROW + 24), c3);
                c4 = w1.fma(FloatVector.fromArray(SPECIES, xs, r + 4 * ROW + 16), c4);
                c5 = w1.fma(FloatVector.fromArray(SPECIES, xs, r + 4 * ROW + 24), c5);
                c6 = w1.fma(FloatVector.fromArray(SPECIES, xs, r + 6 * ROW + 16), c6);
                c7 = w1.fma(FloatVector.fromArray(SPECIES, xs, r + 6 * ROW + 24), c7);
                c0 = w2.fma(FloatVector.fromArray(SPECIES, xs, r + 32), c0);
                c1 = w2.fma(FloatVector.fromArray(SPECIES, xs, r + 40), c1);
                c2 = w2.fma(FloatVector.fromArray(SPECIES, xs, r + 2 * ROW + 32), c2);
                c3 = w2.fma(FloatVector.fromArray(SPECIES, xs, r + 2 * ROW + 40), c3);
                c4 = w2.fma(FloatVector.fromArray(SPECIES, xs, r + 4 * ROW + 32), c4);
                c5 = w2.fma(FloatVector.fromArray(SPECIES, xs, r + 4 * ROW + 40), c5);
                c6 = w2.fma(FloatVector.fromArray(SPECIES, xs, r + 6 * ROW + 32), c6);
                c7 = w2.fma(FloatVector.fromArray(SPECIES, xs, r + 6 * ROW + 40), c7);
            }
        }
        if (bias != null) {
            FloatVector v = FloatVector.broadcast(SPECIES, bias[b]);
            c0 = c0.add(v);
            c1 = c1.add(v);
            c2 = c2.add(v);
            c3 = c3.add(v);
            c4 = c4.add(v);
            c5 = c5.add(v);
            c6 = c6.add(v);
            c7 = c7.add(v);
        }
        c0.intoArray(y, to);
        c1.intoArray(y, to + LANES);
        c2.intoArray(y, to + 2 * LANES);
        c3.intoArray(y, to + 3 * LANES);
        c4.intoArray(y, to + 4 * LANES);
        c5.intoArray(y, to + 5 * LANES);
        c6.intoArray(y, to + 6 * LANES);
        c7.intoArray(y, to + 7 * LANES);
    }

    /**
     * Rows 2m to 2m + 3 of one of dx's channels (8 vectors from {@code dx[to]}) from dy's rows m (at {@code at}), m + 1
     * and m + 2 of every channel ({@code last}: m + 1 is dy's last row, which has no row below it).
     */
    private static void rows(float[] dy, int at, boolean last, int channels, float[] wt, int wAt, float b, float[] dx,
                             int to) {
        // s<ky><kx> (rows 2m and 2m + 1) and t<ky><kx> (rows 2m + 2 and 2m + 3): the sum of tap (ky, kx). An even row
        // takes kernel row 1, an odd row rows 0 (dy's row below) and 2; even columns kernel column 1, odd columns 0
        // (dy's next output) and 2. Two pairs of rows a call: each weight broadcast serves two multiply-adds
        FloatVector s00 = FloatVector.zero(SPECIES);
        FloatVector s01 = FloatVector.zero(SPECIES);
        FloatVector s02 = FloatVector.zero(SPECIES);
        FloatVector s10 = FloatVector.zero(SPECIES);
        FloatVector s11 = FloatVector.zero(SPECIES);
        FloatVector s12 = FloatVector.zero(SPECIES);
        FloatVector s20 = FloatVector.zero(SPECIES);
        FloatVector s21 = FloatVector.zero(SPECIES);
        FloatVector s22 = FloatVector.zero(SPECIES);
        FloatVector t00 = FloatVector.zero(SPECIES);
        FloatVector t01 = FloatVector.zero(SPECIES);
        FloatVector t02 = FloatVector.zero(SPECIES);
        FloatVector t10 = FloatVector.zero(SPECIES);
        FloatVector t11 = FloatVector.zero(SPECIES);
        FloatVector t12 = FloatVector.zero(SPECIES);
        FloatVector t20 = FloatVector.zero(SPECIES);
        FloatVector t21 = FloatVector.zero(SPECIES);
        FloatVector t22 = FloatVector.zero(SPECIES);
        // below the last row: any row (its sums are left out)
        int below = last ? at + 16 : at + 32;
        for (int o = 0; o < channels; o++, at += 16 * 16, below += 16 * 16, wAt += 9) {
            FloatVector p0 = FloatVector.fromArray(SPECIES, dy, at);
            FloatVector p1 = FloatVector.fromArray(SPECIES, dy, at + 16);
            FloatVector p2 = FloatVector.fromArray(SPECIES, dy, below);
            FloatVector w = FloatVector.broadcast(SPECIES, wt[wAt]);
            s00 = w.fma(p1, s00);
            t00 = w.fma(p2, t00);
            w = FloatVector.broadcast(SPECIES, wt[wAt + 1]);
            s01 = w.fma(p1, s01);
            t01 = w.fma(p2, t01);
            w = FloatVector.broadcast(SPECIES, wt[wAt + 2]);
            s02 = w.fma(p1, s02);
            t02 = w.fma(p2, t02);
            w = FloatVector.broadcast(SPECIES, wt[wAt + 3]);
            s10 = w.fma(p0, s10);
            t10 = w.fma(p1, t10);
            w = FloatVector.broadcast(SPECIES, wt[wAt + 4]);
            s11 = w.fma(p0, s11);
            t11 = w.fma(p1, t11);
            w = FloatVector.broadcast(SPECIES, wt[wAt + 5]);
            s12 = w.fma(p0, s12);
            t12 = w.fma(p1, t12);
            w = FloatVector.broadcast(SPECIES, wt[wAt + 6]);
            s20 = w.fma(p0, s20);
            t20 = w.fma(p1, t20);
            w = FloatVector.broadcast(SPECIES, wt[wAt + 7]);
            s21 = w.fma(p0, s21);
            t21 = w.fma(p1, t21);
            w = FloatVector.broadcast(SPECIES, wt[wAt + 8]);
            s22 = w.fma(p0, s22);
            t22 = w.fma(p1, t22);
        }
        // kernel column 0 reads dy's next output: lane i of its sums takes lane i + 1, each lane's sum the same chain
        // over dy's channels as if dy had been moved first (the last lane's value is never kept)
        s00 = s00.rearrange(NEXT);
        s10 = s10.rearrange(NEXT);
        s20 = s20.rearrange(NEXT);
        t00 = t00.rearrange(NEXT);
        t10 = t10.rearrange(NEXT);
        t20 = t20.rearrange(NEXT);
        FloatVector base = FloatVector.broadcast(SPECIES, b);
        // each row's 32 outputs from its even and odd columns, stored in the branch that makes them (vectors
        // merged from two branches, or passed to a method C2 had compiled apart, were kept as objects: JDK 17).
        // An even row: taps (1, 1); (1, 0) and (1, 2), the last column without (1, 0). An odd row: taps (0, 1) and
        // (2, 1); (0, 0), (0, 2), (2, 0) and (2, 2), the last column without (0, 0) and (2, 0); below dy's last row
        // without kernel row 0
        FloatVector even = base.add(s11);
        FloatVector odd = base.add(s10).blend(base, LAST).add(s12);
        even.rearrange(LOW).blend(odd.rearrange(LOW), ODD_LANES).intoArray(dx, to);
        even.rearrange(HIGH_HALF).blend(odd.rearrange(HIGH_HALF), ODD_LANES).intoArray(dx, to + LANES);
        even = base.add(s01).add(s21);
        odd = base.add(s00).blend(base, LAST).add(s02);
        odd = odd.add(s20).blend(odd, LAST).add(s22);
        even.rearrange(LOW).blend(odd.rearrange(LOW), ODD_LANES).intoArray(dx, to + 2 * LANES);
        even.rearrange(HIGH_HALF).blend(odd.rearrange(HIGH_HALF), ODD_LANES).intoArray(dx, to + 3 * LANES);
        even = base.add(t11);
        odd = base.add(t10).blend(base, LAST).add(t12);
        even.rearrange(LOW).blend(odd.rearrange(LOW), ODD_LANES).intoArray(dx, to + 4 * LANES);
        even.rearrange(HIGH_HALF).blend(odd.rearrange(HIGH_HALF), ODD_LANES).intoArray(dx, to + 5 * LANES);
        if (last) {
            FloatVector e = base.add(t21);
            FloatVector d = base.add(t20).blend(base, LAST).add(t22);
            e.rearrange(LOW).blend(d.rearrange(LOW), ODD_LANES).intoArray(dx, to + 6 * LANES);
            e.rearrange(HIGH_HALF).blend(d.rearrange(HIGH_HALF), ODD_LANES).intoArray(dx, to + 7 * LANES);
        } else {
            FloatVector e = base.add(t01).add(t21);
            FloatVector d = base.add(t00).blend(base, LAST).add(t02);
            d = d.add(t20).blend(d, LAST).add(t22);
            e.rearrange(LOW).blend(d.rearrange(LOW), ODD_LANES).intoArray(dx, to + 6 * LANES);
            e.rearrange(HIGH_HALF).blend(d.rearrange(HIGH_HALF), ODD_LANES).intoArray(dx, to + 7 * LANES);
        }
    }
}
