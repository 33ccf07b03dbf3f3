package dev.spikevae.backend.cpu;

import dev.spikevae.tensor.ConvGeometry;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link ConvSources#columnsTransposed} for images of few output positions (at most {@link #MAX_POSITIONS}: ESVAE's
 * E4 and D1, 2 x 2), packed by vector gathers: the weight gradient's B operand on the GEMM path. The input channels
 * a block of columns reads are first copied, image by image, into a scratch that ends each image with a zero; every
 * column of a row (an output position) then reads one element of its image's copy, the zero where the kernel reads
 * padding, so a row of the packed panel is one gather a vector, through an index map made once a block for each of the
 * few positions. The packed values are those of {@link ConvSources#columnsTransposed} (u8 widened), so the GEMM gives
 * the same bits. The scalar row-by-row packing took 16 % of E4's weight gradient; by gathers, 12 %, and E4's and D1's
 * weight gradients take 4-12 % less time (docs/benchmarks.md).
 */
final class GatheredColumns {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    /** The most output positions an image may have (the row-by-row layout of {@link ConvSources}). */
    static final int MAX_POSITIONS = 4;

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private GatheredColumns() {
    }

    /**
     * Whether {@link #source} takes {@code g}: at 16 lanes or more (measured there; at 8 lanes ESVAE's E4 and D1 take
     * the direct weight gradient, so nothing measured this path on gathers of 8).
     */
    static boolean fits(ConvGeometry g) {
        return LANES >= 16 && g.outH() * g.outW() <= MAX_POSITIONS;
    }

    /**
     * The transposed column matrix of the images from element {@code start} of {@code x}: row (img, pos), column (ci,
     * kk) holds {@code x[img, ci, map[kk*P + pos]]}, or 0 where the map says padding. Blocks whose width is not a
     * whole number of vectors are packed by {@link ConvSources#columnsTransposed}.
     */
    static GemmSource source(ConvOperand x, int start, ConvGeometry g, int[] map) {
        GemmSource scalar = ConvSources.columnsTransposed(x, start, g, map);
        int positions = g.outH() * g.outW();
        int offsets = g.kH() * g.kW();
        int plane = g.inH() * g.inW();
        int inImage = g.inChannels() * plane;
        float[] xf = x.floats();
        byte[] xb = x.bytes();
        int base = x.offset() + start;
        return (p0, rows, j0, cols, dst, off, ld) -> {
            if (cols % LANES != 0 || rows == 0) {
                scalar.block(p0, rows, j0, cols, dst, off, ld);
                return;
            }
            int ci0 = j0 / offsets;
            int channels = (j0 + cols - 1) / offsets + 1 - ci0;
            int zero = channels * plane;
            int stride = zero + 1;
            int img0 = p0 / positions;
            int images = (p0 + rows - 1) / positions + 1 - img0;
            Scratch s = SCRATCH.get();
            int[] index = s.index(positions * cols);
            for (int pos = 0; pos < positions; pos++) {
                for (int c = 0; c < cols; c++) {
                    int ci = (j0 + c) / offsets;
                    int at = map[(j0 + c) % offsets * positions + pos];
                    index[pos * cols + c] = at < 0 ? zero : (ci - ci0) * plane + at;
                }
            }
            float[] copy = s.images(images * stride);
            for (int i = 0, at = 0; i < images; i++, at += stride) {
                int src = base + (img0 + i) * inImage + ci0 * plane;
                if (xf != null) {
                    System.arraycopy(xf, src, copy, at, zero);
                } else {
                    for (int e = 0; e < zero; e++) {
                        copy[at + e] = xb[src + e] & 0xFF; // u8 is unsigned
                    }
                }
                copy[at + zero] = 0f;
            }
            for (int r = 0; r < rows; r++) {
                int row = p0 + r;
                int image = (row / positions - img0) * stride;
                int m = row % positions * cols;
                for (int c = 0; c < cols; c += LANES) {
                    FloatVector.fromArray(SPECIES, copy, image, index, m + c).intoArray(dst, off + r * ld + c);
                }
            }
        };
    }

    /** One thread's index map and image copies, grown to the largest block seen. */
    private static final class Scratch {
        private int[] index = new int[0];
        private float[] images = new float[0];

        int[] index(int n) {
            if (index.length < n) {
                index = new int[n];
            }
            return index;
        }

        float[] images(int n) {
            if (images.length < n) {
                images = new float[n];
            }
            return images;
        }
    }
}
