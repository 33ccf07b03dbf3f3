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

    /** First output column whose input column {@code ow*stride - pad + kw} is inside the image. */
    private static int firstValid(int kw, int stride, int pad) {
        return Math.max(0, Math.floorDiv(pad - kw + stride - 1, stride));
    }

    /** One past the last output column whose input column is inside an image {@code width} wide. */
    private static int endValid(int kw, int stride, int pad, int width, int outWidth) {
        return Math.min(outWidth, Math.floorDiv(width - 1 + pad - kw, stride) + 1);
    }

    /** Fills {@code col} (leading dimension {@code ldCol}) from images {@code [0, images)} starting at {@code xOff}. */
    static void im2col(float[] x, int xOff, int images, ConvGeometry g, float[] col, int ldCol) {
        int inH = g.inH();
        int inW = g.inW();
        int outH = g.outH();
        int outW = g.outW();
        int positions = outH * outW;
        int sH = g.strideH();
        int sW = g.strideW();
        int imageSize = g.inChannels() * inH * inW;
        for (int ci = 0; ci < g.inChannels(); ci++) {
            for (int kh = 0; kh < g.kH(); kh++) {
                for (int kw = 0; kw < g.kW(); kw++) {
                    int rowBase = ((ci * g.kH() + kh) * g.kW() + kw) * ldCol;
                    int owLo = firstValid(kw, sW, g.padW());
                    int owHi = Math.max(owLo, endValid(kw, sW, g.padW(), inW, outW));
                    for (int img = 0; img < images; img++) {
                        int plane = xOff + img * imageSize + ci * inH * inW;
                        int cBase = rowBase + img * positions;
                        for (int oh = 0; oh < outH; oh++) {
                            int ih = oh * sH - g.padH() + kh;
                            int dst = cBase + oh * outW;
                            if (ih < 0 || ih >= inH) {
                                Arrays.fill(col, dst, dst + outW, 0f);
                                continue;
                            }
                            Arrays.fill(col, dst, dst + owLo, 0f);
                            int src = plane + ih * inW + owLo * sW - g.padW() + kw;
                            if (sW == 1) {
                                System.arraycopy(x, src, col, dst + owLo, owHi - owLo);
                            } else {
                                for (int ow = owLo; ow < owHi; ow++, src += sW) {
                                    col[dst + ow] = x[src];
                                }
                            }
                            Arrays.fill(col, dst + owHi, dst + outW, 0f);
                        }
                    }
                }
            }
        }
    }

    /**
     * The adjoint of {@link #im2col}: images {@code [0, images)} at {@code dxOff} are set to the bias of their
     * channel (0 without bias) and every column entry is added to the input element it was read from.
     * Entries are added in a fixed order (channel, kernel row, kernel column, position).
     */
    static void col2im(float[] col, int ldCol, int images, ConvGeometry g, float[] bias, int biasOff, float[] dx,
                       int dxOff) {
        int inH = g.inH();
        int inW = g.inW();
        int outH = g.outH();
        int outW = g.outW();
        int positions = outH * outW;
        int sH = g.strideH();
        int sW = g.strideW();
        int planeSize = inH * inW;
        int imageSize = g.inChannels() * planeSize;
        for (int img = 0; img < images; img++) {
            for (int ci = 0; ci < g.inChannels(); ci++) {
                int plane = dxOff + img * imageSize + ci * planeSize;
                Arrays.fill(dx, plane, plane + planeSize, bias == null ? 0f : bias[biasOff + ci]);
            }
        }
        for (int ci = 0; ci < g.inChannels(); ci++) {
            for (int kh = 0; kh < g.kH(); kh++) {
                for (int kw = 0; kw < g.kW(); kw++) {
                    int rowBase = ((ci * g.kH() + kh) * g.kW() + kw) * ldCol;
                    int owLo = firstValid(kw, sW, g.padW());
                    int owHi = endValid(kw, sW, g.padW(), inW, outW);
                    for (int img = 0; img < images; img++) {
                        int plane = dxOff + img * imageSize + ci * planeSize;
                        int cBase = rowBase + img * positions;
                        for (int oh = 0; oh < outH; oh++) {
                            int ih = oh * sH - g.padH() + kh;
                            if (ih < 0 || ih >= inH) {
                                continue;
                            }
                            int src = cBase + oh * outW;
                            int dst = plane + ih * inW + owLo * sW - g.padW() + kw;
                            for (int ow = owLo; ow < owHi; ow++, dst += sW) {
                                dx[dst] += col[src + ow];
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
