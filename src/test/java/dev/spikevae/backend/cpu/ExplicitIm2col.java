package dev.spikevae.backend.cpu;

import dev.spikevae.tensor.ConvGeometry;
import java.util.Arrays;

/**
 * The explicit im2col and gather that the convolutions used before they packed their GEMM panels from the
 * input ({@link ConvSources}), kept as the reference the implicit path must equal bit for bit.
 */
final class ExplicitIm2col {
    private ExplicitIm2col() {
    }

    /**
     * Fills {@code col} (leading dimension {@code ldCol}) from images {@code [0, images)} starting at
     * {@code xOff}. Image by image, so each channel plane is read from L1 for all kernel offsets.
     */
    static void im2col(float[] x, int xOff, int images, ConvGeometry g, int[] map, float[] col, int ldCol) {
        if (g.outW() >= ConvIm2col.ROW_COPY_MIN) {
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
        int[] ranges = ConvIm2col.insideRanges(g);
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
     * Copies images {@code [0, images)} of a {@code [*, channels, positions]} tensor into a
     * {@code [channels, images*positions]} matrix.
     */
    static void gather(float[] t, int tOff, int images, int channels, int positions, float[] mat) {
        int ld = images * positions;
        for (int img = 0; img < images; img++) {
            for (int c = 0; c < channels; c++) {
                System.arraycopy(t, tOff + (img * channels + c) * positions, mat, c * ld + img * positions, positions);
            }
        }
    }
}
