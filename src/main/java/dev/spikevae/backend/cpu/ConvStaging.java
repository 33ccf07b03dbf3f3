package dev.spikevae.backend.cpu;

import dev.spikevae.tensor.ConvGeometry;
import java.util.Arrays;

/**
 * The staged layout of a convolution's input images, for the convolutions that read or add rows of outputs as
 * contiguous runs ({@link DirectConv}, {@link SpikeConv}): an image zero-padded and split by column phase. Padded
 * row r, padded column c of channel ci sits at {@code ci*plane + r*(sW*width) + (c % sW)*width + c / sW}, with
 * {@code width = ceil(paddedW / sW)}. Output position (oh, ow) at tap (ci, kh, kw) then reads {@code position(oh, ow)
 * + offsets[(ci*kH + kh)*kW + kw]}, and consecutive output columns read consecutive floats, whatever the stride. The
 * padding border is where taps that fall outside the image read zeros (or, for the transposed convolution, drop what
 * they add).
 */
final class ConvStaging {
    final ConvGeometry g;
    final int width;
    final int row;
    final int plane;
    final int[] offsets;

    ConvStaging(ConvGeometry g) {
        this.g = g;
        int paddedH = g.inH() + 2 * g.padH();
        int paddedW = g.inW() + 2 * g.padW();
        width = (paddedW + g.strideW() - 1) / g.strideW();
        row = g.strideW() * width;
        plane = paddedH * row;
        offsets = new int[g.inChannels() * g.kH() * g.kW()];
        for (int ci = 0; ci < g.inChannels(); ci++) {
            for (int kh = 0; kh < g.kH(); kh++) {
                for (int kw = 0; kw < g.kW(); kw++) {
                    offsets[(ci * g.kH() + kh) * g.kW() + kw] =
                            ci * plane + kh * row + (kw % g.strideW()) * width + kw / g.strideW();
                }
            }
        }
    }

    int taps() {
        return offsets.length;
    }

    int imageSize() {
        return g.inChannels() * plane;
    }

    /** Where output position (oh, ow) reads tap (0, 0, 0). */
    int position(int oh, int ow) {
        return oh * g.strideH() * row + ow;
    }

    /** Where each output position (row-major over the output) reads tap (0, 0, 0). */
    int[] positions() {
        int[] at = new int[g.outH() * g.outW()];
        for (int p = 0; p < at.length; p++) {
            at[p] = position(p / g.outW(), p % g.outW());
        }
        return at;
    }

    /** Stages the image at element {@code start} of x (past x's offset) into {@code dst} from {@code off}. */
    void stage(ConvOperand x, int start, float[] dst, int off) {
        Arrays.fill(dst, off, off + imageSize(), 0f);
        float[] xf = x.floats();
        byte[] xb = x.bytes();
        int src = x.offset() + start;
        int inW = g.inW();
        int sW = g.strideW();
        int rows = g.inChannels() * g.inH();
        for (int r = 0; r < rows; r++) {
            int ci = r / g.inH();
            int rowAt = off + ci * plane + (r - ci * g.inH() + g.padH()) * row;
            int from = src + r * inW;
            if (xf != null && sW == 1) {
                System.arraycopy(xf, from, dst, rowAt + g.padW(), inW);
                continue;
            }
            // phase by phase: input columns iw0, iw0 + sW, ... land on consecutive floats
            for (int phase = 0; phase < sW; phase++) {
                int iw0 = Math.floorMod(phase - g.padW(), sW);
                int n = (inW - iw0 + sW - 1) / sW;
                int at = rowAt + phase * width + (iw0 + g.padW()) / sW;
                if (xf != null) {
                    for (int i = 0; i < n; i++) {
                        dst[at + i] = xf[from + iw0 + i * sW];
                    }
                } else {
                    for (int i = 0; i < n; i++) {
                        dst[at + i] = xb[from + iw0 + i * sW] & 0xFF;
                    }
                }
            }
        }
    }

    /** The inverse of {@link #stage} on the unpadded part: the staged image {@code xs} into x at {@code off}. */
    void unstage(float[] xs, float[] x, int off) {
        int inW = g.inW();
        int sW = g.strideW();
        int rows = g.inChannels() * g.inH();
        for (int r = 0; r < rows; r++) {
            int ci = r / g.inH();
            int rowAt = ci * plane + (r - ci * g.inH() + g.padH()) * row;
            int to = off + r * inW;
            if (sW == 1) {
                System.arraycopy(xs, rowAt + g.padW(), x, to, inW);
                continue;
            }
            for (int phase = 0; phase < sW; phase++) {
                int iw0 = Math.floorMod(phase - g.padW(), sW);
                int n = (inW - iw0 + sW - 1) / sW;
                int at = rowAt + phase * width + (iw0 + g.padW()) / sW;
                for (int i = 0; i < n; i++) {
                    x[to + iw0 + i * sW] = xs[at + i];
                }
            }
        }
    }
}
