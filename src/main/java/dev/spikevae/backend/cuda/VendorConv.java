package dev.spikevae.backend.cuda;

import dev.spikevae.tensor.ConvGeometry;

/**
 * A vendor-library convolution (cuDNN) on the backend's stream, FP32 NCHW operands at device addresses.
 * Work is planned once per geometry (descriptors, algorithm, workspace size) and the plan reused; the
 * caller supplies the workspace, so it comes from the backend's caching allocator.
 */
public interface VendorConv {

    /** The three calls; a transposed convolution's forward pass is {@link #BACKWARD_DATA}. */
    enum Direction {
        FORWARD("cudnnConvolutionForward"),
        BACKWARD_DATA("cudnnConvolutionBackwardData"),
        BACKWARD_FILTER("cudnnConvolutionBackwardFilter");

        private final String call;

        Direction(String call) {
            this.call = call;
        }

        /** The cuDNN call that serves this direction. */
        public String call() {
            return call;
        }
    }

    /** A planned call: what it is for and the workspace it needs. */
    interface Plan {
        Direction direction();

        ConvGeometry geometry();

        /** Bytes of workspace the chosen algorithm needs (0: none, pass address 0). */
        long workspaceBytes();
    }

    /** The plan for {@code direction} over {@code g}; {@code tf32} allows TF32 tensor cores. Cached by the implementation. */
    Plan plan(Direction direction, ConvGeometry g, boolean tf32);

    /** y = conv(x, w), y overwritten. */
    void forward(Plan plan, long x, long w, long y, long workspace);

    /** dx = conv^T(dy, w), dx overwritten. */
    void backwardData(Plan plan, long dy, long w, long dx, long workspace);

    /** dw = beta dw + the weight gradient of conv over x and dy (beta 0: dw is not read). */
    void backwardFilter(Plan plan, long x, long dy, float beta, long dw, long workspace);

    /**
     * Adds a per-channel bias to the plan's output: y's channels after {@link Direction#FORWARD}, dx's
     * channels after {@link Direction#BACKWARD_DATA}.
     */
    void addBias(Plan plan, long bias, long out);

    /** e.g. "cuDNN 9.1.0". */
    String name();
}
