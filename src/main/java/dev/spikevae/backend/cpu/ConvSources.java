package dev.spikevae.backend.cpu;

import dev.spikevae.tensor.ConvGeometry;

/**
 * Implicit GEMM operands of a convolution: the matrices that an explicit im2col and channel gather would
 * build, and that col2im ({@link ConvIm2col#col2im}) would consume, read from and added into the tensors
 * themselves while the SGEMM kernel packs its panels or hands back its rows, so no column matrix of a chunk is ever stored. Float32 and u8 spike
 * operands ({@link ConvOperand}) are both read in place; a u8 value is widened as it is packed.
 *
 * <p>Every source yields exactly the values the stored matrix would hold (0 where the kernel reads padding),
 * so a GEMM over it gives bit for bit what the GEMM over the stored matrix gave. Columns of a chunk's
 * matrices run over (image, output position) with {@code P = outH*outW} positions per image; rows of the
 * column matrix over (input channel, kernel offset {@code kk = kh*kW + kw}).
 */
final class ConvSources {
    private ConvSources() {
    }

    /**
     * The column matrix of the images starting at element {@code start} of {@code x}: row (ci, kk), column
     * (img, pos) holds {@code x[img, ci, map[kk*P + pos]]}, or 0 where the map says padding.
     */
    static GemmSource columns(ConvOperand x, int start, ConvGeometry g, int[] map) {
        int positions = g.outH() * g.outW();
        int offsets = g.kH() * g.kW();
        int plane = g.inH() * g.inW();
        int inImage = g.inChannels() * plane;
        float[] xf = x.floats();
        byte[] xb = x.bytes();
        int base = x.offset() + start;
        return (p0, rows, j0, cols, dst, off, ld) -> {
            int ci = p0 / offsets;
            int kk = p0 % offsets;
            int img0 = j0 / positions;
            int pos0 = j0 % positions;
            for (int r = 0; r < rows; r++) {
                int d = off + r * ld;
                int img = img0;
                int pos = pos0;
                for (int c = 0; c < cols; img++, pos = 0) {
                    int run = Math.min(cols - c, positions - pos);
                    int src = base + img * inImage + ci * plane;
                    int m = kk * positions + pos;
                    if (xf != null) {
                        for (int t = 0; t < run; t++) {
                            int at = map[m + t];
                            dst[d + c + t] = at < 0 ? 0f : xf[src + at];
                        }
                    } else {
                        for (int t = 0; t < run; t++) {
                            int at = map[m + t];
                            dst[d + c + t] = at < 0 ? 0f : xb[src + at] & 0xFF; // u8 is unsigned
                        }
                    }
                    c += run;
                }
                if (++kk == offsets) {
                    kk = 0;
                    ci++;
                }
            }
        };
    }

    /** The transpose of {@link #columns}: row (img, pos), column (ci, kk). */
    static GemmSource columnsTransposed(ConvOperand x, int start, ConvGeometry g, int[] map) {
        int positions = g.outH() * g.outW();
        int offsets = g.kH() * g.kW();
        int plane = g.inH() * g.inW();
        int inImage = g.inChannels() * plane;
        float[] xf = x.floats();
        byte[] xb = x.bytes();
        int base = x.offset() + start;
        return (p0, rows, j0, cols, dst, off, ld) -> {
            int ci = j0 / offsets;
            int kk = j0 % offsets;
            int img0 = p0 / positions;
            int pos0 = p0 % positions;
            for (int c = 0; c < cols; c++) {
                int img = img0;
                int pos = pos0;
                for (int r = 0; r < rows; img++, pos = 0) {
                    int run = Math.min(rows - r, positions - pos);
                    int src = base + img * inImage + ci * plane;
                    int m = kk * positions + pos;
                    int d = off + r * ld + c;
                    if (xf != null) {
                        for (int t = 0; t < run; t++, d += ld) {
                            int at = map[m + t];
                            dst[d] = at < 0 ? 0f : xf[src + at];
                        }
                    } else {
                        for (int t = 0; t < run; t++, d += ld) {
                            int at = map[m + t];
                            dst[d] = at < 0 ? 0f : xb[src + at] & 0xFF;
                        }
                    }
                    r += run;
                }
                if (++kk == offsets) {
                    kk = 0;
                    ci++;
                }
            }
        };
    }

    /**
     * The {@code [channels, images*P]} matrix of a {@code [*, channels, P]} tensor from element {@code start}
     * (the channel matrix that {@link ConvIm2col#scatter} reverses): row c, column (img, pos) holds
     * {@code t[img, c, pos]}.
     */
    static GemmSource channels(ConvOperand t, int start, int channels, int positions) {
        float[] tf = t.floats();
        byte[] tb = t.bytes();
        int base = t.offset() + start;
        return (p0, rows, j0, cols, dst, off, ld) -> {
            int img0 = j0 / positions;
            int pos0 = j0 % positions;
            for (int r = 0; r < rows; r++) {
                int d = off + r * ld;
                int img = img0;
                int pos = pos0;
                for (int c = 0; c < cols; img++, pos = 0) {
                    int run = Math.min(cols - c, positions - pos);
                    int src = base + (img * channels + p0 + r) * positions + pos;
                    if (tf != null) {
                        System.arraycopy(tf, src, dst, d + c, run);
                    } else {
                        for (int i = 0; i < run; i++) {
                            dst[d + c + i] = tb[src + i] & 0xFF;
                        }
                    }
                    c += run;
                }
            }
        };
    }

    /**
     * col2im as a GEMM sink: each delivered element of the column matrix, row (ci, kk), column (img, pos), is
     * added to {@code dx[img, ci, map[kk*P + pos]]} (images from {@code dxOff}) unless it read padding. A
     * kernel hands over whole rows in ascending order (and this adds a block row by row), so every input
     * element receives its terms in kernel-offset order, as {@link ConvIm2col#col2im} adds them; the caller
     * fills dx with the bias (or 0) first.
     */
    static GemmSink col2im(ConvGeometry g, int[] map, float[] dx, int dxOff) {
        int positions = g.outH() * g.outW();
        int offsets = g.kH() * g.kW();
        int plane = g.inH() * g.inW();
        int inChannels = g.inChannels();
        return (i0, rows, j0, cols, block, off, ld) -> {
            int ci = i0 / offsets;
            int kk = i0 % offsets;
            int img0 = j0 / positions;
            int pos0 = j0 % positions;
            for (int r = 0; r < rows; r++) {
                int b = off + r * ld;
                int img = img0;
                int pos = pos0;
                for (int c = 0; c < cols; img++, pos = 0) {
                    int run = Math.min(cols - c, positions - pos);
                    int dst = dxOff + (img * inChannels + ci) * plane;
                    int m = kk * positions + pos;
                    for (int t = 0; t < run; t++) {
                        int at = map[m + t];
                        if (at >= 0) {
                            dx[dst + at] += block[b + c + t];
                        }
                    }
                    c += run;
                }
                if (++kk == offsets) {
                    kk = 0;
                    ci++;
                }
            }
        };
    }
}
