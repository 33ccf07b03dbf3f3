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
    /**
     * Where element (ih, iw) of an input channel lands in its staged plane: {@code (ih + padH) * row + (c % sW) * width
     * + c / sW}, {@code c = iw + padW}. One flat table: the staging then runs one loop per channel, with no per-row
     * arithmetic (rows of the narrow layers are 4 to 32 floats).
     */
    private final int[] spread;

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
        spread = new int[g.inH() * g.inW()];
        for (int ih = 0; ih < g.inH(); ih++) {
            for (int iw = 0; iw < g.inW(); iw++) {
                int c = iw + g.padW();
                spread[ih * g.inW() + iw] = (ih + g.padH()) * row + (c % g.strideW()) * width + c / g.strideW();
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
        int n = spread.length;
        int from = x.offset() + start;
        for (int ci = 0, at = off; ci < g.inChannels(); ci++, at += plane, from += n) {
            if (xf != null) {
                for (int i = 0; i < n; i++) {
                    dst[at + spread[i]] = xf[from + i];
                }
            } else {
                for (int i = 0; i < n; i++) {
                    dst[at + spread[i]] = xb[from + i] & 0xFF; // u8 is unsigned
                }
            }
        }
    }

    /** The inverse of {@link #stage} on the unpadded part: the staged image at {@code xs[from]} into x at {@code off}. */
    void unstage(float[] xs, int from, float[] x, int off) {
        int n = spread.length;
        for (int ci = 0, at = from, to = off; ci < g.inChannels(); ci++, at += plane, to += n) {
            for (int i = 0; i < n; i++) {
                x[to + i] = xs[at + spread[i]];
            }
        }
    }
}
