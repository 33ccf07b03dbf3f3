package dev.spikevae.tensor;

/**
 * The geometry of one 2-D convolution over a batch: input {@code [batch, inChannels, inH, inW]}, weight
 * {@code [outChannels, inChannels, kH, kW]}, output {@code [batch, outChannels, outH, outW]}; dilation 1,
 * one group. A transposed convolution is described by the convolution it is the adjoint of (its
 * output is this geometry's input): see {@link #transposed}.
 */
public record ConvGeometry(int batch, int inChannels, int inH, int inW, int outChannels, int kH, int kW,
                           int strideH, int strideW, int padH, int padW, int outH, int outW) {

    public ConvGeometry {
        if (batch < 0 || inChannels <= 0 || outChannels <= 0 || kH <= 0 || kW <= 0 || strideH <= 0 || strideW <= 0
                || padH < 0 || padW < 0 || inH <= 0 || inW <= 0 || outH <= 0 || outW <= 0) {
            throw new IllegalArgumentException("invalid convolution geometry: batch " + batch + ", in " + inChannels
                    + "x" + inH + "x" + inW + ", out " + outChannels + "x" + outH + "x" + outW + ", kernel " + kH + "x" + kW
                    + ", stride " + strideH + "x" + strideW + ", padding " + padH + "x" + padW);
        }
        int expectH = (inH + 2 * padH - kH) / strideH + 1;
        int expectW = (inW + 2 * padW - kW) / strideW + 1;
        if (inH + 2 * padH < kH || inW + 2 * padW < kW || outH != expectH || outW != expectW) {
            throw new IllegalArgumentException("convolution geometry: input " + inH + "x" + inW + " with kernel " + kH + "x"
                    + kW + ", stride " + strideH + "x" + strideW + ", padding " + padH + "x" + padW + " gives "
                    + expectH + "x" + expectW + ", not " + outH + "x" + outW);
        }
    }

    /** A square-kernel convolution of a {@code [batch, inChannels, inH, inW]} input. */
    public static ConvGeometry conv(int batch, int inChannels, int inH, int inW, int outChannels, int kernel, int stride,
                                    int padding) {
        int outH = (inH + 2 * padding - kernel) / stride + 1;
        int outW = (inW + 2 * padding - kernel) / stride + 1;
        return new ConvGeometry(batch, inChannels, inH, inW, outChannels, kernel, kernel, stride, stride, padding, padding,
                outH, outW);
    }

    /**
     * The geometry of a transposed convolution (PyTorch {@code ConvTranspose2d}) taking
     * {@code [batch, inChannels, inH, inW]} to {@code [batch, outChannels, (in-1)*stride - 2*padding + kernel + outputPadding]}.
     * It is expressed as the convolution whose adjoint it is: that convolution's input is the transposed
     * convolution's output, its output the transposed convolution's input, and the weight layout
     * {@code [inChannels_t, outChannels_t, k, k]} is PyTorch's ConvTranspose layout.
     */
    public static ConvGeometry transposed(int batch, int inChannels, int inH, int inW, int outChannels, int kernel, int stride,
                                          int padding, int outputPadding) {
        if (outputPadding < 0 || outputPadding >= Math.max(stride, 1)) {
            throw new IllegalArgumentException("transposed convolution: output padding " + outputPadding
                    + " must be in [0, stride) with stride " + stride);
        }
        int outH = (inH - 1) * stride - 2 * padding + kernel + outputPadding;
        int outW = (inW - 1) * stride - 2 * padding + kernel + outputPadding;
        return new ConvGeometry(batch, outChannels, outH, outW, inChannels, kernel, kernel, stride, stride, padding, padding,
                inH, inW);
    }

    public Shape inputShape() {
        return Shape.of(batch, inChannels, inH, inW);
    }

    public Shape weightShape() {
        return Shape.of(outChannels, inChannels, kH, kW);
    }

    public Shape outputShape() {
        return Shape.of(batch, outChannels, outH, outW);
    }

    /** The same geometry over another batch size. */
    public ConvGeometry withBatch(int b) {
        return new ConvGeometry(b, inChannels, inH, inW, outChannels, kH, kW, strideH, strideW, padH, padW, outH, outW);
    }

    /** Multiply-adds of the forward pass. */
    public long macs() {
        return (long) batch * outChannels * outH * outW * inChannels * kH * kW;
    }
}
