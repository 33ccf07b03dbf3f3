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
    private ConvIm2col() {
    }

    /**
     * Where each column entry comes from: for kernel offset {@code kk = kh*kW + kw} and output position
     * {@code pos}, entry {@code kk*P + pos} is the offset of the input element within its channel plane,
     * or -1 where the kernel reads padding. With spatial sizes of 2..32 the rows of an image are a few
     * floats long, so one table lookup per entry beats per-row range arithmetic and copies.
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
