package dev.spikevae.backend.cpu;

import dev.spikevae.tensor.ConvGeometry;
import java.util.Arrays;

/**
 * The column matrix of a chunk of images and its adjoint. For {@code images} consecutive images the
 * column matrix has one row per (input channel, kernel row, kernel column) and one column per
 * (image, output row, output column): {@code col[(ci*kH + kh)*kW + kw][img*P + oh*outW + ow]}, P the
 * output positions per image, so a whole chunk is one GEMM with the weight matrix.
 */
final class ConvIm2col {
    /**
     * Output rows at least this long go through {@link #im2colRows} / {@link #col2imRows}, which test for
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
     * Fills {@code col} (leading dimension {@code ldCol}) from images {@code [0, images)} starting at
     * {@code xOff}. Image by image, so each channel plane is read from L1 for all kernel offsets.
     */
    static void im2col(float[] x, int xOff, int images, ConvGeometry g, int[] map, float[] col, int ldCol) {
        if (g.outW() >= ROW_COPY_MIN) {
            im2colRows(x, xOff, images, g, col, ldCol);
            return;
        }
        int positions = g.outH() * g.outW();
        int planeSize = g.inH() * g.inW();
        int offsets = g.kH() * g.kW();
        for (int img = 0; img < images; img++) {
            for (int ci = 0; ci < g.inChannels(); ci++) {
                int plane = xOff + (img * g.inChannels() + ci) * planeSize;
                for (int kk = 0; kk < offsets; kk++) {
                    int dst = (ci * offsets + kk) * ldCol + img * positions;
                    int src = kk * positions;
                    for (int pos = 0; pos < positions; pos++) {
                        int at = map[src + pos];
                        col[dst + pos] = at < 0 ? 0f : x[plane + at];
                    }
                }
            }
        }
    }

    /**
     * The adjoint of {@link #im2col}: images {@code [0, images)} at {@code dxOff} are set to the bias of their
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
    private static int[] insideRanges(ConvGeometry g) {
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
     * {@link #im2col} for wide outputs. A column row (channel, kh, kw) of an image is an outH x outW
     * block whose entries reading padding form a border known from (kh, kw) alone: the border is zeroed
     * and the interior copied row by row, without a per-entry test.
     */
    private static void im2colRows(float[] x, int xOff, int images, ConvGeometry g, float[] col, int ldCol) {
        int outW = g.outW();
        int inW = g.inW();
        int kW = g.kW();
        int sH = g.strideH();
        int sW = g.strideW();
        int positions = g.outH() * outW;
        int planeSize = g.inH() * inW;
        int offsets = g.kH() * kW;
        int[] ranges = insideRanges(g);
        // With stride 1 and full-width rows, a tap's interior is one contiguous run of the plane.
        boolean wholeRows = sW == 1 && sH == 1 && outW == inW;
        for (int img = 0; img < images; img++) {
            for (int ci = 0; ci < g.inChannels(); ci++) {
                int plane = xOff + (img * g.inChannels() + ci) * planeSize;
                for (int kh = 0; kh < g.kH(); kh++) {
                    int ohLo = ranges[2 * kh];
                    int ohHi = ranges[2 * kh + 1];
                    for (int kw = 0; kw < kW; kw++) {
                        int owLo = ranges[2 * g.kH() + 2 * kw];
                        int owHi = ranges[2 * g.kH() + 2 * kw + 1];
                        int dst = (ci * offsets + kh * kW + kw) * ldCol + img * positions;
                        // Whole output rows above and below the input read padding: one run each.
                        Arrays.fill(col, dst, dst + ohLo * outW, 0f);
                        Arrays.fill(col, dst + ohHi * outW, dst + positions, 0f);
                        if (ohHi <= ohLo) {
                            continue;
                        }
                        int src = plane + (ohLo * sH - g.padH() + kh) * inW - g.padW() + kw;
                        if (wholeRows && owLo == 0 && owHi == outW) {
                            System.arraycopy(x, src, col, dst + ohLo * outW, (ohHi - ohLo) * outW);
                            continue;
                        }
                        for (int oh = ohLo; oh < ohHi; oh++, src += sH * inW) {
                            int d = dst + oh * outW;
                            for (int ow = 0; ow < owLo; ow++) {
                                col[d + ow] = 0f;
                            }
                            if (sW == 1) {
                                for (int ow = owLo; ow < owHi; ow++) {
                                    col[d + ow] = x[src + ow];
                                }
                            } else {
                                for (int ow = owLo; ow < owHi; ow++) {
                                    col[d + ow] = x[src + ow * sW];
                                }
                            }
                            for (int ow = owHi; ow < outW; ow++) {
                                col[d + ow] = 0f;
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * {@link #col2im} for wide outputs, adding row by row over each tap's interior (the border read
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

    /** Copies images {@code [0, images)} of a {@code [*, channels, positions]} tensor into a {@code [channels, images*positions]} matrix. */
    static void gather(float[] t, int tOff, int images, int channels, int positions, float[] mat) {
        int ld = images * positions;
        for (int img = 0; img < images; img++) {
            for (int c = 0; c < channels; c++) {
                System.arraycopy(t, tOff + (img * channels + c) * positions, mat, c * ld + img * positions, positions);
            }
        }
    }

    /** The inverse of {@link #gather}, adding {@code bias[c]} to channel c when a bias is given. */
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
