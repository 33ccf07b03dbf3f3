package dev.spikevae.backend.cpu;

import dev.spikevae.tensor.ConvGeometry;
import java.util.Arrays;

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

    /**
     * The most output positions an image may have for {@link #columnsTransposed} to write its blocks row by row. At 4
     * (E4's and D1's weight gradients) row by row was 10 % faster than column by column; at 16 (E3, D2) 15 % slower
     * and at 64 (E2) 50 %, where a column's runs of positions are long.
     */
    private static final int ROW_POSITIONS = 4;

    /**
     * The transpose of {@link #columns}: row (img, pos), column (ci, kk). With few positions an image ({@link
     * #ROW_POSITIONS}) a block is written row by row: which of its columns read padding, and where the others read from
     * in an image, depends only on the row's position, so those are listed once per block for each position and every
     * row is a zeroed line of the packed panel and then a copy of its values that lie inside the image. Else column by
     * column, a run of positions at a time.
     */
    static GemmSource columnsTransposed(ConvOperand x, int start, ConvGeometry g, int[] map) {
        int positions = g.outH() * g.outW();
        int offsets = g.kH() * g.kW();
        int plane = g.inH() * g.inW();
        int inImage = g.inChannels() * plane;
        float[] xf = x.floats();
        byte[] xb = x.bytes();
        int base = x.offset() + start;
        if (positions > ROW_POSITIONS) {
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
        return (p0, rows, j0, cols, dst, off, ld) -> {
            int slots = Math.min(rows, positions);
            int pos0 = p0 % positions;
            // slot t lists, for position (pos0 + t) % P, each column inside the image and its offset in the image
            int[] count = new int[slots];
            int[] column = new int[slots * cols];
            int[] from = new int[slots * cols];
            for (int t = 0; t < slots; t++) {
                int pos = (pos0 + t) % positions;
                int n = t * cols;
                for (int c = 0; c < cols; c++) {
                    int ci = (j0 + c) / offsets;
                    int at = map[(j0 + c) % offsets * positions + pos];
                    if (at >= 0) {
                        column[n] = c;
                        from[n++] = ci * plane + at;
                    }
                }
                count[t] = n - t * cols;
            }
            int img = p0 / positions;
            int pos = pos0;
            for (int r = 0; r < rows; r++) {
                int d = off + r * ld;
                Arrays.fill(dst, d, d + cols, 0f);
                int t = r % positions;
                int src = base + img * inImage;
                int end = t * cols + count[t];
                if (xf != null) {
                    for (int n = t * cols; n < end; n++) {
                        dst[d + column[n]] = xf[src + from[n]];
                    }
                } else {
                    for (int n = t * cols; n < end; n++) {
                        dst[d + column[n]] = xb[src + from[n]] & 0xFF; // u8 is unsigned
                    }
                }
                if (++pos == positions) {
                    pos = 0;
                    img++;
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
