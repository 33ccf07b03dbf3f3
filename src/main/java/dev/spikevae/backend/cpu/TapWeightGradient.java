package dev.spikevae.backend.cpu;

import dev.spikevae.tensor.ConvGeometry;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The weight gradient for images of few output positions (at most {@link #MAX_POSITIONS}: ESVAE's E4 and D1, 2 x 2
 * outputs of 4 x 4 inputs), without the products of padding. On such small images many taps
 * read padding (E4 and D1: 11 of the 36 products of an image's 4 positions by 9 kernel offsets), and the im2col GEMM
 * multiplies those zeros as well. Here the kernel offsets are put in classes by the set of positions at which they
 * read inside the image (E4: {3}; {2, 3}; {1, 3}; all four), and for each class
 *
 * <pre>
 *   dw[co, ci, kk] = sum over (p in the class's positions, img) of dy[img, co, p] * x[img, ci, map(kk, p)]
 * </pre>
 *
 * is one SGEMM ([co] x [p, img] by [p, img] x [kk in the class, ci]) a run of consecutive positions: dy's matrix is
 * laid out once a group as [co][p][img], so that a run of positions is a block of its columns, and x's values are
 * packed by vector gathers straight from x. The images are cut into {@link Conv#weightGroups} groups, as on the GEMM
 * path; each group's input channels into one part per thread (whole panels of the GEMM). Each part's sums are kept as
 * [co][its kernel offsets in class order][its channels], and the groups are added in group order, so the result does
 * not depend on the thread count (a sum's order does not depend on the cut). Another summation order than the im2col
 * GEMM's: the same value within rounding.
 */
final class TapWeightGradient {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    /** The most output positions an image may have. */
    static final int MAX_POSITIONS = 4;

    private final Parallel parallel;
    private final Sgemm sgemm;
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

    TapWeightGradient(Parallel parallel, Sgemm sgemm) {
        this.parallel = parallel;
        this.sgemm = sgemm;
    }

    /**
     * Whether {@link #run} takes {@code g}: few positions an image, with vectors of 8 lanes or more. At 8 lanes it
     * replaced the direct weight gradient on ESVAE's E4 and D1 (OpenJDK 17 with {@code -XX:UseAVX=2} on the AVX-512
     * machine: 7.0-7.3 -> 5.4-5.7 ms a weight gradient, and with Temurin 25 7.6-7.9 -> 5.8-5.9; docs/benchmarks.md).
     */
    static boolean fits(ConvGeometry g) {
        return LANES >= 8 && g.outH() * g.outW() <= MAX_POSITIONS;
    }

    /** The kernel offsets in class order, and where each class starts: {@code [order, starts, masks]}. */
    private static int[][] classes(int[] map, int positions, int offsets) {
        int[] mask = new int[offsets];
        for (int kk = 0; kk < offsets; kk++) {
            for (int p = 0; p < positions; p++) {
                if (map[kk * positions + p] >= 0) {
                    mask[kk] |= 1 << p;
                }
            }
        }
        int[] order = new int[offsets];
        int[] starts = new int[offsets + 1];
        int[] masks = new int[offsets];
        boolean[] taken = new boolean[offsets];
        int n = 0;
        int classes = 0;
        for (int kk = 0; kk < offsets; kk++) {
            if (taken[kk]) {
                continue;
            }
            starts[classes] = n;
            masks[classes++] = mask[kk];
            for (int other = kk; other < offsets; other++) {
                if (!taken[other] && mask[other] == mask[kk]) {
                    taken[other] = true;
                    order[n++] = other;
                }
            }
        }
        starts[classes] = n;
        return new int[][] {order, Arrays.copyOf(starts, classes + 1),
                Arrays.copyOf(masks, classes)};
    }

    /** dw = beta dw + sum over the batch of dy (x) im2col(x); requires {@link #fits} and a batch of at least one. */
    void run(ConvOperand x, ConvOperand dy, float[] dw, int dwOff, float beta, ConvGeometry g) {
        int positions = g.outH() * g.outW();
        int offsets = g.kH() * g.kW();
        int ci = g.inChannels();
        int co = g.outChannels();
        int kSize = ci * offsets;
        int weightSize = co * kSize;
        int[] map = ConvIm2col.sourceMap(g);
        int[][] classes = classes(map, positions, offsets);
        int chunk = Conv.chunkImages(g);
        int chunks = (g.batch() + chunk - 1) / chunk;
        int groups = Conv.weightGroups(g);
        int[] order = Conv.groupOrder(g);
        float[] partials = scratch.get().partials.get(groups * weightSize);
        int parts = parallel.threads();
        int panels = (ci + sgemm.columnBlock() - 1) / sgemm.columnBlock();
        int[] cut = new int[parts + 1];
        for (int part = 0; part <= parts; part++) {
            cut[part] = Math.min(ci, part * panels / parts * sgemm.columnBlock());
        }
        parallel.forTasks(groups * parts, (task, worker) -> {
            int group = order[task / parts];
            int part = task % parts;
            if (cut[part] < cut[part + 1]) {
                int b0 = group * chunks / groups * chunk;
                int b1 = Math.min(g.batch(), (group + 1) * chunks / groups * chunk);
                group(x, dy, b0, b1, cut[part], cut[part + 1], partials, group * weightSize, map, classes, g);
            }
        });
        // dw[co, ci, kk] from the groups' sums (a part's columns at n0 * offsets: [slot][its channels]), in group order
        int[] slot = new int[offsets];
        for (int s = 0; s < offsets; s++) {
            slot[classes[0][s]] = s;
        }
        parallel.forRange(co, 8, (c0, c1) -> {
            float[] sum = new float[kSize];
            for (int c = c0; c < c1; c++) {
                int row = c * kSize;
                System.arraycopy(partials, row, sum, 0, kSize);
                for (int grp = 1; grp < groups; grp++) {
                    for (int j = 0, at = grp * weightSize + row; j < kSize; j++, at++) {
                        sum[j] += partials[at];
                    }
                }
                for (int part = 0; part < parts; part++) {
                    int n0 = cut[part];
                    int width = cut[part + 1] - n0;
                    for (int kk = 0; kk < offsets; kk++) {
                        int from = n0 * offsets + slot[kk] * width;
                        for (int i = 0, d = dwOff + row + n0 * offsets + kk; i < width; i++, d += offsets) {
                            dw[d] = beta == 0f ? sum[from + i] : beta * dw[d] + sum[from + i];
                        }
                    }
                }
            }
        });
    }

    /**
     * Input channels {@code [n0, n1)} of one group's sums (images [b0, b1)): the columns {@code n0 * offsets} on of
     * each row of {@code out[outOff]}, as [slot of the kernel offset in class order][channel - n0].
     */
    private void group(ConvOperand x, ConvOperand dy, int b0, int b1, int n0, int n1, float[] out, int outOff,
                       int[] map, int[][] classes, ConvGeometry g) {
        int positions = g.outH() * g.outW();
        int offsets = g.kH() * g.kW();
        int co = g.outChannels();
        int kSize = g.inChannels() * offsets;
        int outImage = co * positions;
        int images = b1 - b0;
        int width = n1 - n0;
        Scratch s = scratch.get();
        // dy as [co][p][img]: a run of positions is a block of columns
        float[] a = s.a.get(co * positions * images);
        float[] df = dy.floats();
        byte[] db = dy.bytes();
        int dBase = dy.offset() + b0 * outImage;
        for (int img = 0; img < images; img++) {
            for (int c = 0; c < co; c++) {
                int from = dBase + img * outImage + c * positions;
                int to = c * positions * images + img;
                for (int p = 0; p < positions; p++, to += images) {
                    a[to] = df != null ? df[from + p] : db[from + p] & 0xFF; // u8 is unsigned
                }
            }
        }
        int[] order = classes[0];
        int[] starts = classes[1];
        int[] masks = classes[2];
        for (int k = 0; k + 1 < starts.length; k++) {
            int first = starts[k];
            int count = starts[k + 1] - first;
            int c0 = outOff + n0 * offsets + first * width;
            boolean started = false;
            for (int p0 = 0; p0 < positions; p0++) {
                if ((masks[k] >> p0 & 1) == 0) {
                    continue;
                }
                int p1 = p0;
                while (p1 + 1 < positions && (masks[k] >> (p1 + 1) & 1) != 0) {
                    p1++;
                }
                GemmSource b = columns(x, b0, images, n0, width, p0, order, first, map, g);
                sgemm.gemmSerial(false, co, count * width, (p1 - p0 + 1) * images, a, p0 * images,
                        positions * images, b, started ? 1f : 0f, out, c0, kSize);
                started = true;
                p0 = p1;
            }
            if (!started) {
                for (int c = 0; c < co; c++) {
                    Arrays.fill(out, c0 + c * kSize, c0 + c * kSize + count * width, 0f);
                }
            }
        }
    }

    /**
     * The B operand of one run of positions from {@code p0} on: row (p - p0, img), column (slot - first, channel - n0)
     * holds {@code x[b0 + img, n0 + channel, map(order[slot], p)]}, inside the image by the class's choice: along a
     * run of one kernel offset's columns, a gather of a vector of channels at a time.
     */
    private static GemmSource columns(ConvOperand x, int b0, int images, int n0, int width, int p0, int[] order,
                                      int first, int[] map, ConvGeometry g) {
        int positions = g.outH() * g.outW();
        int plane = g.inH() * g.inW();
        int inImage = g.inChannels() * plane;
        float[] xf = x.floats();
        byte[] xb = x.bytes();
        int base = x.offset() + b0 * inImage + n0 * plane;
        int[] along = new int[LANES];
        for (int l = 0; l < LANES; l++) {
            along[l] = l * plane;
        }
        return (r0, rows, j0, cols, dst, off, ld) -> {
            for (int r = 0; r < rows; r++) {
                int p = p0 + (r0 + r) / images;
                int img = (r0 + r) % images;
                int d = off + r * ld;
                // a run of columns of one kernel offset: consecutive channels, a plane apart in x
                for (int c = 0; c < cols; ) {
                    int j = j0 + c;
                    int channel = j % width;
                    int run = Math.min(width - channel, cols - c);
                    int src = base + img * inImage + channel * plane
                            + map[order[first + j / width] * positions + p];
                    int e = 0;
                    if (xf != null) {
                        for (; e + LANES <= run; e += LANES, src += LANES * plane) {
                            FloatVector.fromArray(SPECIES, xf, src, along, 0).intoArray(dst, d + c + e);
                        }
                        for (; e < run; e++, src += plane) {
                            dst[d + c + e] = xf[src];
                        }
                    } else {
                        for (; e < run; e++, src += plane) {
                            dst[d + c + e] = xb[src] & 0xFF; // u8 is unsigned
                        }
                    }
                    c += run;
                }
            }
        };
    }

    /** One thread's dy matrix and partial sums, grown to the largest call seen and then reused. */
    private static final class Scratch {
        final ScratchFloats a = new ScratchFloats();
        final ScratchFloats partials = new ScratchFloats();
    }
}
