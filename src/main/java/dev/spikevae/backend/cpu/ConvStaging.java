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
     * + c / sW}, {@code c = iw + padW}. One flat table: strided rows shorter than {@link #LONG_ROW} (4x4 and 8x8
     * planes, where per-row arithmetic would dominate) are staged, and strided rows unstaged, by one loop per channel.
     */
    private final int[] spread;
    /** Strided rows at least this long are staged row by row ({@link #stageRows}); shorter ones through the table. */
    private static final int LONG_ROW = 16;
    /**
     * Per column phase of an input row: the first input column it takes (then every {@code sW}-th), how many, and
     * where in the staged row the first lands.
     */
    private final int[] phaseFirst;
    private final int[] phaseLength;
    private final int[] phaseAt;
    /** The slots of a staged image row that no input column lands in (the padding columns). */
    private final int[] gaps;
    /** Whether stride-2 rows are split by {@link StagingVectors}: both phases of whole vectors, and the Vector API. */
    private final boolean vectorPairs;

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
        int sW = g.strideW();
        phaseFirst = new int[sW];
        phaseLength = new int[sW];
        phaseAt = new int[sW];
        for (int phase = 0; phase < sW; phase++) {
            int iw0 = Math.floorMod(phase - g.padW(), sW);
            phaseFirst[phase] = iw0;
            phaseLength[phase] = Math.max(0, (g.inW() - iw0 + sW - 1) / sW);
            phaseAt[phase] = phase * width + (iw0 + g.padW()) / sW;
        }
        int[] gap = new int[row];
        int gapCount = 0;
        for (int phase = 0; phase < sW; phase++) {
            for (int at = phase * width; at < (phase + 1) * width; at++) {
                if (at < phaseAt[phase] || at >= phaseAt[phase] + phaseLength[phase]) {
                    gap[gapCount++] = at;
                }
            }
        }
        gaps = Arrays.copyOf(gap, gapCount);
        // rows of whole vectors, or of one vector (16 lanes: E2's 16 x 16 planes) where they are staged row by row and
        // the two phases lie side by side (one permutation each way)
        vectorPairs = sW == 2 && VectorSupport.available() && phaseLength[0] == phaseLength[1]
                && phaseLength[0] * 2 == g.inW() && (StagingVectors.fits(phaseLength[0])
                || StagingVectors.fitsHalf(phaseLength[0], phaseAt[0], phaseAt[1]) && g.inW() >= LONG_ROW);
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
        float[] xf = x.floats();
        byte[] xb = x.bytes();
        int n = spread.length;
        int from = x.offset() + start;
        if (g.strideW() == 1 || g.inW() >= LONG_ROW) {
            stageRows(xf, xb, from, dst, off);
            return;
        }
        Arrays.fill(dst, off, off + imageSize(), 0f);
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

    /**
     * {@link #stage}; an f32 image whose rows are split by column phase in vectors (stride 2) is first copied whole
     * into {@code copy} (at least an image long) by {@link System#arraycopy}, which read memory twice as fast as the
     * splitting loop (512 D4 images on one thread: 2.6 ms against 4.9 to stage them), and split from there. The same
     * staged image. Measured for the forward pass: D4's input gradient 8.3 -> 7.7-7.9 ms, E2's forward 3.84 -> 3.73,
     * D3's input gradient 3.72 -> 3.66, E1's forward the same; in the weight gradient, whose staged images of a chunk
     * share the second-level cache, the copy was slower (D4: 9.1-9.3 -> 9.5-9.6 ms), so it stages straight.
     */
    void stageCopied(ConvOperand x, int start, float[] dst, int off, float[] copy) {
        float[] xf = x.floats();
        if (xf == null || !vectorPairs) {
            stage(x, start, dst, off);
            return;
        }
        System.arraycopy(xf, x.offset() + start, copy, 0, g.inChannels() * g.inH() * g.inW());
        stageRows(copy, null, 0, dst, off);
    }

    /**
     * {@link #stage} for long rows and for stride 1: row by row, each phase's floats written contiguously (the indices
     * of the inner loops run in step with the loop, so no element is bounds-checked on its own; with stride 1 a row is
     * one copy, with stride 2 both phases go in one loop). Only the padding is zeroed: the border rows and, in each
     * row, the {@link #gaps} no input column lands in.
     */
    private void stageRows(float[] xf, byte[] xb, int from, float[] dst, int off) {
        int inW = g.inW();
        int sW = g.strideW();
        int top = g.padH() * row;
        int bottom = (g.padH() + g.inH()) * row;
        for (int ci = 0; ci < g.inChannels(); ci++) {
            int planeAt = off + ci * plane;
            Arrays.fill(dst, planeAt, planeAt + top, 0f);
            int rowAt = planeAt + top;
            Arrays.fill(dst, planeAt + bottom, planeAt + plane, 0f);
            if (vectorPairs) {
                // the phase that takes input column 0 takes the even columns
                int zeroFirst = phaseFirst[0] == 0 ? 0 : 1;
                StagingVectors.splitRows(xf, xb, from, inW, g.inH(), dst, rowAt, row, phaseAt[zeroFirst],
                        phaseAt[1 - zeroFirst], gaps);
                from += g.inH() * inW;
                continue;
            }
            for (int ih = 0; ih < g.inH(); ih++, rowAt += row, from += inW) {
                for (int gap : gaps) {
                    dst[rowAt + gap] = 0f;
                }
                if (sW == 2) {
                    stagePhasePair(xf, xb, from, dst, rowAt);
                    continue;
                }
                for (int phase = 0; phase < sW; phase++) {
                    int at = rowAt + phaseAt[phase];
                    int in = from + phaseFirst[phase];
                    int n = phaseLength[phase];
                    if (xf != null && sW == 1) {
                        System.arraycopy(xf, in, dst, at, n);
                    } else if (xf != null) {
                        for (int i = 0; i < n; i++) {
                            dst[at + i] = xf[in + i * sW];
                        }
                    } else {
                        for (int i = 0; i < n; i++) {
                            dst[at + i] = xb[in + i * sW] & 0xFF;
                        }
                    }
                }
            }
        }
    }

    /** One input row of a stride-2 plane: both column phases in one loop (their lengths differ by at most one). */
    private void stagePhasePair(float[] xf, byte[] xb, int from, float[] dst, int rowAt) {
        int a0 = rowAt + phaseAt[0];
        int a1 = rowAt + phaseAt[1];
        int i0 = from + phaseFirst[0];
        int i1 = from + phaseFirst[1];
        int n0 = phaseLength[0];
        int n1 = phaseLength[1];
        int n = Math.min(n0, n1);
        if (xf != null) {
            for (int i = 0; i < n; i++) {
                dst[a0 + i] = xf[i0 + 2 * i];
                dst[a1 + i] = xf[i1 + 2 * i];
            }
            if (n0 > n) {
                dst[a0 + n] = xf[i0 + 2 * n];
            }
            if (n1 > n) {
                dst[a1 + n] = xf[i1 + 2 * n];
            }
        } else {
            for (int i = 0; i < n; i++) {
                dst[a0 + i] = xb[i0 + 2 * i] & 0xFF;
                dst[a1 + i] = xb[i1 + 2 * i] & 0xFF;
            }
            if (n0 > n) {
                dst[a0 + n] = xb[i0 + 2 * n] & 0xFF;
            }
            if (n1 > n) {
                dst[a1 + n] = xb[i1 + 2 * n] & 0xFF;
            }
        }
    }

    /**
     * The inverse of {@link #stage} on the unpadded part: the staged image at {@code xs[from]} into x at {@code off}.
     */
    void unstage(float[] xs, int from, float[] x, int off) {
        int n = spread.length;
        if (g.strideW() == 1) {
            int inW = g.inW();
            for (int ci = 0, to = off; ci < g.inChannels(); ci++) {
                int at = from + ci * plane + g.padH() * row + g.padW();
                for (int ih = 0; ih < g.inH(); ih++, at += row, to += inW) {
                    System.arraycopy(xs, at, x, to, inW);
                }
            }
            return;
        }
        if (vectorPairs) {
            int zeroFirst = phaseFirst[0] == 0 ? 0 : 1;
            for (int ci = 0, at = from + g.padH() * row, to = off; ci < g.inChannels(); ci++, at += plane, to += n) {
                StagingVectors.joinRows(xs, at, row, phaseAt[zeroFirst], phaseAt[1 - zeroFirst], g.inH(), g.inW(), x, to);
            }
            return;
        }
        for (int ci = 0, at = from, to = off; ci < g.inChannels(); ci++, at += plane, to += n) {
            for (int i = 0; i < n; i++) {
                x[to + i] = xs[at + spread[i]];
            }
        }
    }
}
