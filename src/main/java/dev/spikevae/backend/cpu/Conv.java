package dev.spikevae.backend.cpu;

import dev.spikevae.tensor.ConvGeometry;

/** Convolutions through chunked im2col + SGEMM. STUB: to be implemented. */
final class Conv {
    private final Parallel parallel;
    private final Sgemm sgemm;

    Conv(Parallel parallel, Sgemm sgemm) {
        this.parallel = parallel;
        this.sgemm = sgemm;
    }

    void forward(float[] x, int xOff, float[] w, int wOff, float[] bias, int biasOff, float[] y, int yOff, ConvGeometry g) {
        throw new UnsupportedOperationException("Conv.forward");
    }

    void backwardData(float[] dy, int dyOff, float[] w, int wOff, float[] bias, int biasOff, float[] dx, int dxOff,
                      ConvGeometry g) {
        throw new UnsupportedOperationException("Conv.backwardData");
    }

    void backwardWeight(float[] x, int xOff, float[] dy, int dyOff, float[] dw, int dwOff, float beta, ConvGeometry g) {
        throw new UnsupportedOperationException("Conv.backwardWeight");
    }
}
