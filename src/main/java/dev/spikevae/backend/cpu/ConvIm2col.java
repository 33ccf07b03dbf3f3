package dev.spikevae.backend.cpu;

import dev.spikevae.tensor.ConvGeometry;
import java.util.Arrays;

/**
 * The column matrix of a chunk of images: its source map, its adjoint (col2im) and the scatter of a GEMM's
 * channel matrix into a tensor. For {@code images} consecutive images the column matrix has one row per
 * (input channel, kernel row, kernel column) and one column per (image, output row, output column):
 * {@code col[(ci*kH + kh)*kW + kw][img*P + oh*outW + ow]}, P the output positions per image, so a whole chunk
 * is one GEMM with the weight matrix. The matrix itself is not stored (the GEMM packs it from the input,
 * {@link ConvSources}); col2im runs on a stored chunk only where the sink form of the GEMM does not apply.
 */
final class ConvIm2col {
    /**
     * Output rows at least this long go through the row-by-row col2im ({@link #col2imRows}), which test for
     * padding once per row; shorter rows (2x2..8x8 outputs) are cheaper per entry through the source map,
     * as the per-row loop overhead outweighs a table lookup there (measured on the ESVAE layers). Both
     * paths give bitwise identical results.
     */
    static final int ROW_COPY_MIN = 16;

    private ConvIm2col() {
    }

    /**
     * Where each column entry comes from: for kernel offset {@code kk = kh*kW + kw} and output position
     * {@code pos}, entry {@code kk*P + pos} is the offset of the input element within its channel plane,
     * or -1 where the kernel reads padding. With outputs narrower than {@link #ROW_COPY_MIN} the rows of an
     * image are a few floats long, so one table lookup per entry beats per-row range arithmetic and copies.
     */
    static int[] sourceMap(ConvGeometry g) {
        int positions = g.outH() * g.outW();
        int[] map = new int[g.kH() * g.kW() * positions];
        for (int kh = 0; kh < g.kH(); kh++) {
            for (int kw = 0; kw < g.kW(); kw++) {
                int base = (kh * g.kW() + kw) * positions;
                for (int oh = 0; oh < g.outH(); oh++) {
                    int ih = oh * g.strideH() - g.padH() + kh;
                    for (int ow = 0; ow < g.outW(); ow++) {
                        int iw = ow * g.strideW() - g.padW() + kw;
                        boolean inside = ih >= 0 && ih < g.inH() && iw >= 0 && iw < g.inW();
                        map[base + oh * g.outW() + ow] = inside ? ih * g.inW() + iw : -1;
                    }
                }
            }
        }
        return map;
    }

    /**
     * The adjoint of im2col: images {@code [0, images)} at {@code dxOff} are set to the bias of their
     * channel (0 without bias) and every column entry is added to the input element it was read from,
     * in a fixed order (kernel offset, then position).
     */
    static void col2im(float[] col, int ldCol, int images, ConvGeometry g, int[] map, float[] bias, int biasOff,
                       float[] dx, int dxOff) {
        if (g.outW() >= ROW_COPY_MIN) {
            col2imRows(col, ldCol, images, g, bias, biasOff, dx, dxOff);
            return;
        }
        int positions = g.outH() * g.outW();
        int planeSize = g.inH() * g.inW();
        int offsets = g.kH() * g.kW();
        for (int img = 0; img < images; img++) {
            for (int ci = 0; ci < g.inChannels(); ci++) {
                int plane = dxOff + (img * g.inChannels() + ci) * planeSize;
                Arrays.fill(dx, plane, plane + planeSize, bias == null ? 0f : bias[biasOff + ci]);
                for (int kk = 0; kk < offsets; kk++) {
                    int src = (ci * offsets + kk) * ldCol + img * positions;
                    int from = kk * positions;
                    for (int pos = 0; pos < positions; pos++) {
                        int at = map[from + pos];
                        if (at >= 0) {
                            dx[plane + at] += col[src + pos];
                        }
                    }
                }
            }
        }
    }

    /** The smallest output index o with {@code o*stride - pad + k >= 0}, at most {@code out}. */
    private static int firstInside(int k, int stride, int pad, int out) {
        return Math.min(out, Math.max(0, -Math.floorDiv(k - pad, stride)));
    }

    /** One past the largest o (within {@code [first, out]}) with {@code o*stride - pad + k <= in - 1}. */
    private static int endInside(int k, int stride, int pad, int in, int out, int first) {
        return Math.max(first, Math.min(out, Math.floorDiv(in - 1 + pad - k, stride) + 1));
    }

    /**
     * The padding border of every kernel tap, once per call (it costs divisions): entries {@code 2*kh} and
     * {@code 2*kh+1} are the output rows {@code [lo, hi)} that tap row kh reads inside the input, entries
     * {@code 2*kH + 2*kw} and {@code 2*kH + 2*kw + 1} the same for output columns and tap column kw.
     */
    static int[] insideRanges(ConvGeometry g) {
        int[] r = new int[2 * (g.kH() + g.kW())];
        for (int kh = 0; kh < g.kH(); kh++) {
            r[2 * kh] = firstInside(kh, g.strideH(), g.padH(), g.outH());
            r[2 * kh + 1] = endInside(kh, g.strideH(), g.padH(), g.inH(), g.outH(), r[2 * kh]);
        }
        int base = 2 * g.kH();
        for (int kw = 0; kw < g.kW(); kw++) {
            r[base + 2 * kw] = firstInside(kw, g.strideW(), g.padW(), g.outW());
            r[base + 2 * kw + 1] = endInside(kw, g.strideW(), g.padW(), g.inW(), g.outW(), r[base + 2 * kw]);
        }
        return r;
    }

    /**
     * col2im for wide outputs, adding row by row over each tap's interior (the border read
     * padding and is skipped), in the same order as the source-map path: kernel offset, then position.
     */
    private static void col2imRows(float[] col, int ldCol, int images, ConvGeometry g, float[] bias, int biasOff,
                                   float[] dx, int dxOff) {
        int outW = g.outW();
        int inW = g.inW();
        int kW = g.kW();
        int sH = g.strideH();
        int sW = g.strideW();
        int positions = g.outH() * outW;
        int planeSize = g.inH() * inW;
        int offsets = g.kH() * kW;
        int[] ranges = insideRanges(g);
        for (int img = 0; img < images; img++) {
            for (int ci = 0; ci < g.inChannels(); ci++) {
                int plane = dxOff + (img * g.inChannels() + ci) * planeSize;
                Arrays.fill(dx, plane, plane + planeSize, bias == null ? 0f : bias[biasOff + ci]);
                for (int kh = 0; kh < g.kH(); kh++) {
                    int ohLo = ranges[2 * kh];
                    int ohHi = ranges[2 * kh + 1];
                    for (int kw = 0; kw < kW; kw++) {
                        int owLo = ranges[2 * g.kH() + 2 * kw];
                        int owHi = ranges[2 * g.kH() + 2 * kw + 1];
                        int src = (ci * offsets + kh * kW + kw) * ldCol + img * positions + ohLo * outW;
                        int dst = plane + (ohLo * sH - g.padH() + kh) * inW - g.padW() + kw;
                        for (int oh = ohLo; oh < ohHi; oh++, src += outW, dst += sH * inW) {
                            if (sW == 1) {
                                for (int ow = owLo; ow < owHi; ow++) {
                                    dx[dst + ow] += col[src + ow];
                                }
                            } else {
                                for (int ow = owLo; ow < owHi; ow++) {
                                    dx[dst + ow * sW] += col[src + ow];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * A {@code [channels, images*positions]} matrix into a {@code [*, channels, positions]} tensor, adding
     * {@code bias[c]} to channel c when a bias is given.
     */
    static void scatter(float[] mat, int images, int channels, int positions, float[] bias, int biasOff, float[] t,
                        int tOff) {
        int ld = images * positions;
        for (int img = 0; img < images; img++) {
            for (int c = 0; c < channels; c++) {
                int src = c * ld + img * positions;
                int dst = tOff + (img * channels + c) * positions;
                if (bias == null) {
                    System.arraycopy(mat, src, t, dst, positions);
                } else {
                    float bc = bias[biasOff + c];
                    for (int p = 0; p < positions; p++) {
                        t[dst + p] = mat[src + p] + bc;
                    }
                }
            }
        }
    }
}
