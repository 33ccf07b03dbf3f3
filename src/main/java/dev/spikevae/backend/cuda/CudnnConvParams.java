package dev.spikevae.backend.cuda;

import dev.spikevae.tensor.ConvGeometry;

/**
 * The cuDNN descriptor values of one {@link ConvGeometry}, in plain Java (no cuDNN call), so the mapping
 * is testable without a GPU. Every geometry, plain or transposed, is described by its forward
 * convolution: x {@code [batch, inC, inH, inW]}, filter {@code [outC, inC, kH, kW]} (cuDNN's KCRS),
 * y {@code [batch, outC, outH, outW]}, all FP32 NCHW and fully packed; padding and stride as given,
 * dilation 1, cross-correlation (the CPU kernels do not flip the filter).
 *
 * <p>A transposed convolution's forward pass is the backward-data call of that forward convolution:
 * its input is dy, its output dx, its weight {@code [inC_t, outC_t, k, k]} is the same KCRS filter.
 * Output padding needs no parameter: it is already in dx's height and width ({@link #uncoveredTail}).
 * cuDNN only checks that y's size is its forward-output size of x ({@link #forwardOutputSize}, floor
 * division), which holds for any {@code outputPadding < stride}; each dx element is then the sum over
 * the windows that reach it (rows past every window get none), as in the own col2im, and the bias is
 * added after.
 *
 * @param x        the input tensor's dims, n c h w
 * @param filter   the filter's dims, k c r s
 * @param y        the output tensor's dims, n c h w
 * @param bias     the forward bias's dims, 1 outC 1 1
 * @param dataBias the backward-data (transposed forward) bias's dims, 1 inC 1 1
 */
record CudnnConvParams(Dims x, Dims filter, Dims y, Dims bias, Dims dataBias, int padH, int padW, int strideH,
                       int strideW, int dilationH, int dilationW, int mode) {

    /** cudnnConvolutionMode_t CUDNN_CROSS_CORRELATION (the same value in cuDNN 8 and 9). */
    static final int CROSS_CORRELATION = 1;
    /** cudnnTensorFormat_t CUDNN_TENSOR_NCHW. */
    static final int NCHW = 0;
    /** cudnnDataType_t CUDNN_DATA_FLOAT, also the convolution's compute type. */
    static final int FLOAT = 0;

    /** Four dims of a 4-d descriptor. */
    record Dims(int n, int c, int h, int w) {
    }

    static CudnnConvParams of(ConvGeometry g) {
        int outH = forwardOutputSize(g.inH(), g.padH(), g.kH(), g.strideH(), 1);
        int outW = forwardOutputSize(g.inW(), g.padW(), g.kW(), g.strideW(), 1);
        if (outH != g.outH() || outW != g.outW()) {
            throw new IllegalArgumentException("cuDNN: " + g + " has output " + g.outH() + "x" + g.outW()
                    + ", cuDNN's forward size of its input is " + outH + "x" + outW);
        }
        return new CudnnConvParams(new Dims(g.batch(), g.inChannels(), g.inH(), g.inW()),
                new Dims(g.outChannels(), g.inChannels(), g.kH(), g.kW()),
                new Dims(g.batch(), g.outChannels(), g.outH(), g.outW()), new Dims(1, g.outChannels(), 1, 1),
                new Dims(1, g.inChannels(), 1, 1), g.padH(), g.padW(), g.strideH(), g.strideW(), 1, 1, CROSS_CORRELATION);
    }

    /** cudnnGetConvolution2dForwardOutputDim's size along one axis: 1 + (in + 2 pad - dilated kernel) / stride. */
    static int forwardOutputSize(int in, int pad, int kernel, int stride, int dilation) {
        return 1 + (in + 2 * pad - ((kernel - 1) * dilation + 1)) / stride;
    }

    /**
     * Rows (or columns) of the padded input after the last filter window: a transposed convolution's
     * output padding; for a plain convolution the remainder of the floor division.
     */
    static int uncoveredTail(int in, int pad, int kernel, int stride, int out) {
        return in + 2 * pad - kernel - (out - 1) * stride;
    }
}
