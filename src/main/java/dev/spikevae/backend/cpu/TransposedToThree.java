package dev.spikevae.backend.cpu;

import dev.spikevae.tensor.ConvGeometry;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The transposed pass, dx = conv^T(dy, w) + bias, of a 3 x 3 convolution at stride 1 and padding 1 whose input has
 * three channels in rows of two vectors (at 16 lanes ESVAE's last decoder layer: a transposed convolution 32 -> 3 on
 * 32 x 32 images, D5), computed as the convolution it equals: dy zero-padded by one (the staged layout of that
 * convolution, {@link ConvStaging}), the kernel turned by 180 degrees and its two channel axes swapped. A tile of dx
 * (its 3 channels x 4 rows x 2 vectors) is summed in 24 registers over every channel of dy and tap in order, each
 * multiply-add one vector of the staged image and one broadcast weight, then stored into dx once.
 *
 * <p>The GEMM path ({@link DirectConv#backwardData}) makes the 27 rows of the column matrix (each a sum over dy's
 * channels) and then adds them into dx tap after tap, through a strip and staged images; with three output channels
 * that bookkeeping and the packing of dy's panels cost more than the multiply-adds. This sums each value in another
 * order (one chain from the bias over dy's channels and the taps): the same within rounding, the same for every
 * thread count. D5's forward, batch 512, 2 threads, alternated in one process: see docs/benchmarks.md ("Reads that
 * hold the core...").
 */
final class TransposedToThree {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    /** Rows of dx a tile: 4 rows of 2 vectors, 8 vectors a channel, 24 sums in the 32 AVX-512 registers. */
    private static final int TILE_ROWS = 4;
    /** Images per parallel task (any split gives the same result). */
    private static final int IMAGES_PER_TASK = 4;

    private final Parallel parallel;
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

    /** A thread's staged image (and a vector of slack), and the sum of its touches. */
    private static final class Scratch {
        float[] staged = new float[0];
        /** The padded plane size {@link #staged} is laid out for: its padding is zero in that layout. */
        int plane = -1;
        /** Sums of {@link ConvOperand#touch}, kept so that its reads are kept. */
        float touched;
    }

    TransposedToThree(Parallel parallel) {
        this.parallel = parallel;
    }

    /**
     * Whether {@link #backwardData} takes {@code g}: 16 float lanes (the 24 sums need the 32 AVX-512 registers), three
     * input channels, a 3 x 3 kernel at stride 1 and padding 1 (so dx and dy have the same size), rows of two vectors,
     * and a multiple of 4 rows.
     */
    static boolean fits(ConvGeometry g) {
        return LANES == 16 && g.inChannels() == 3 && g.kH() == 3 && g.kW() == 3 && g.strideH() == 1
                && g.strideW() == 1 && g.padH() == 1 && g.padW() == 1 && g.inW() == 2 * LANES
                && g.inH() % TILE_ROWS == 0 && g.outH() == g.inH() && g.outW() == g.inW();
    }

    /** dx = conv^T(dy, w) + bias (bias over dx's three channels, or null); requires {@link #fits}. */
    void backwardData(ConvOperand dy, float[] w, int wOff, float[] bias, int biasOff, float[] dx, int dxOff,
                      ConvGeometry g) {
        int co = g.outChannels();
        // the convolution this pass equals: dy's channels in, three out, the same size
        ConvStaging staging = new ConvStaging(ConvGeometry.conv(g.batch(), co, g.outH(), g.outW(), 3, 3, 1, 1));
        int taps = staging.taps();
        // its weights, [tap (dy's channel c, row a, column b)][dx's channel]: w[c][ci][2 - a][2 - b]
        float[] wk = new float[3 * taps];
        for (int c = 0; c < co; c++) {
            for (int ci = 0; ci < 3; ci++) {
                for (int a = 0; a < 3; a++) {
                    for (int b = 0; b < 3; b++) {
                        wk[3 * ((c * 3 + a) * 3 + b) + ci] = w[wOff + ((c * 3 + ci) * 3 + 2 - a) * 3 + 2 - b];
                    }
                }
            }
        }
        float bias0 = bias == null ? 0f : bias[biasOff];
        float bias1 = bias == null ? 0f : bias[biasOff + 1];
        float bias2 = bias == null ? 0f : bias[biasOff + 2];
        int plane = g.inH() * g.inW();
        int inImage = 3 * plane;
        int outImage = co * g.outH() * g.outW();
        int tasks = (g.batch() + IMAGES_PER_TASK - 1) / IMAGES_PER_TASK;
        int[] offsets = staging.offsets;
        parallel.forTasks(tasks, (task, worker) -> {
            Scratch s = scratch.get();
            if (s.staged.length < staging.imageSize() + LANES) {
                s.staged = new float[staging.imageSize() + LANES];
                s.plane = staging.plane;
            } else if (s.plane != staging.plane) {
                java.util.Arrays.fill(s.staged, 0f); // another layout: its rows would lie on this one's padding
                s.plane = staging.plane;
            }
            float[] xs = s.staged;
            int end = Math.min(g.batch(), (task + 1) * IMAGES_PER_TASK);
            for (int i = task * IMAGES_PER_TASK; i < end; i++) {
                // the image read into the caches first (ConvOperand.touch), then staged from there
                s.touched += dy.touch(i * outImage, outImage);
                stage(dy, i * outImage, co, g.outH(), staging.plane, staging.row, xs);
                for (int y0 = 0; y0 < g.inH(); y0 += TILE_ROWS) {
                    tile(xs, y0 * staging.row, staging.row, offsets, taps, wk, bias0, bias1, bias2, dx,
                            dxOff + i * inImage + y0 * g.inW(), plane);
                }
            }
        });
    }

    /**
     * One image of dy ({@code channels} planes of rows of two vectors, f32 or u8) into the staged layout, each row a
     * float on in its padded row: two vector copies a row (u8 widened). The padding (border rows, the first and last
     * column of each row) is never written, so it stays zero: only this pass writes its scratch, which is zeroed
     * whenever it is made or its layout (the padded plane) changes.
     */
    private static void stage(ConvOperand dy, int from, int channels, int rows, int plane, int row, float[] xs) {
        float[] f = dy.floats();
        byte[] b = dy.bytes();
        int in = dy.offset() + from;
        for (int c = 0; c < channels; c++) {
            int at = c * plane + row + 1;
            for (int r = 0; r < rows; r++, in += 2 * LANES, at += row) {
                if (f != null) {
                    FloatVector.fromArray(SPECIES, f, in).intoArray(xs, at);
                    FloatVector.fromArray(SPECIES, f, in + LANES).intoArray(xs, at + LANES);
                } else {
                    StagingVectors.widen(b, in).intoArray(xs, at);
                    StagingVectors.widen(b, in + LANES).intoArray(xs, at + LANES);
                }
            }
        }
    }

    /**
     * dx's 3 channels x 4 rows of 2 vectors from staged rows {@code at, at + row, ...}: each sum starts at its channel's
     * bias and takes every tap in order; channel ci's rows land at {@code to + ci * plane}, 32 floats a row.
     */
    private static void tile(float[] xs, int at, int row, int[] offsets, int taps, float[] wk, float bias0,
                             float bias1, float bias2, float[] dx, int to, int plane) {
        FloatVector a00 = FloatVector.broadcast(SPECIES, bias0);
        FloatVector a01 = a00;
        FloatVector a02 = a00;
        FloatVector a03 = a00;
        FloatVector a04 = a00;
        FloatVector a05 = a00;
        FloatVector a06 = a00;
        FloatVector a07 = a00;
        FloatVector a10 = FloatVector.broadcast(SPECIES, bias1);
        FloatVector a11 = a10;
        FloatVector a12 = a10;
        FloatVector a13 = a10;
        FloatVector a14 = a10;
        FloatVector a15 = a10;
        FloatVector a16 = a10;
        FloatVector a17 = a10;
        FloatVector a20 = FloatVector.broadcast(SPECIES, bias2);
        FloatVector a21 = a20;
        FloatVector a22 = a20;
        FloatVector a23 = a20;
        FloatVector a24 = a20;
        FloatVector a25 = a20;
        FloatVector a26 = a20;
        FloatVector a27 = a20;
        int r1 = row;
        int r2 = 2 * row;
        int r3 = 3 * row;
        for (int t = 0; t < taps; t++) {
            int o = at + offsets[t];
            FloatVector w0 = FloatVector.broadcast(SPECIES, wk[3 * t]);
            FloatVector w1 = FloatVector.broadcast(SPECIES, wk[3 * t + 1]);
            FloatVector w2 = FloatVector.broadcast(SPECIES, wk[3 * t + 2]);
            FloatVector x = FloatVector.fromArray(SPECIES, xs, o);
            a00 = x.fma(w0, a00);
            a10 = x.fma(w1, a10);
            a20 = x.fma(w2, a20);
            x = FloatVector.fromArray(SPECIES, xs, o + LANES);
            a01 = x.fma(w0, a01);
            a11 = x.fma(w1, a11);
            a21 = x.fma(w2, a21);
            x = FloatVector.fromArray(SPECIES, xs, o + r1);
            a02 = x.fma(w0, a02);
            a12 = x.fma(w1, a12);
            a22 = x.fma(w2, a22);
            x = FloatVector.fromArray(SPECIES, xs, o + r1 + LANES);
            a03 = x.fma(w0, a03);
            a13 = x.fma(w1, a13);
            a23 = x.fma(w2, a23);
            x = FloatVector.fromArray(SPECIES, xs, o + r2);
            a04 = x.fma(w0, a04);
            a14 = x.fma(w1, a14);
            a24 = x.fma(w2, a24);
            x = FloatVector.fromArray(SPECIES, xs, o + r2 + LANES);
            a05 = x.fma(w0, a05);
            a15 = x.fma(w1, a15);
            a25 = x.fma(w2, a25);
            x = FloatVector.fromArray(SPECIES, xs, o + r3);
            a06 = x.fma(w0, a06);
            a16 = x.fma(w1, a16);
            a26 = x.fma(w2, a26);
            x = FloatVector.fromArray(SPECIES, xs, o + r3 + LANES);
            a07 = x.fma(w0, a07);
            a17 = x.fma(w1, a17);
            a27 = x.fma(w2, a27);
        }
        a00.intoArray(dx, to);
        a01.intoArray(dx, to + LANES);
        a02.intoArray(dx, to + 2 * LANES);
        a03.intoArray(dx, to + 3 * LANES);
        a04.intoArray(dx, to + 4 * LANES);
        a05.intoArray(dx, to + 5 * LANES);
        a06.intoArray(dx, to + 6 * LANES);
        a07.intoArray(dx, to + 7 * LANES);
        a10.intoArray(dx, to + plane);
        a11.intoArray(dx, to + plane + LANES);
        a12.intoArray(dx, to + plane + 2 * LANES);
        a13.intoArray(dx, to + plane + 3 * LANES);
        a14.intoArray(dx, to + plane + 4 * LANES);
        a15.intoArray(dx, to + plane + 5 * LANES);
        a16.intoArray(dx, to + plane + 6 * LANES);
        a17.intoArray(dx, to + plane + 7 * LANES);
        a20.intoArray(dx, to + 2 * plane);
        a21.intoArray(dx, to + 2 * plane + LANES);
        a22.intoArray(dx, to + 2 * plane + 2 * LANES);
        a23.intoArray(dx, to + 2 * plane + 3 * LANES);
        a24.intoArray(dx, to + 2 * plane + 4 * LANES);
        a25.intoArray(dx, to + 2 * plane + 5 * LANES);
        a26.intoArray(dx, to + 2 * plane + 6 * LANES);
        a27.intoArray(dx, to + 2 * plane + 7 * LANES);
    }
}
