package dev.spikevae.backend.cpu;

/** Multi-bandwidth RBF MMD² forward and backward. STUB: to be implemented. */
final class MmdCpu {
    private final Parallel parallel;

    MmdCpu(Parallel parallel) {
        this.parallel = parallel;
    }

    void forward(float[] x, int xOff, int n, float[] y, int yOff, int m, int d, int kernelNum, float kernelMul,
                 float[] loss, int lOff, float[] bw, int bwOff) {
        throw new UnsupportedOperationException("MmdCpu.forward");
    }

    void backward(float[] dLoss, int dlOff, float[] x, int xOff, int n, float[] y, int yOff, int m, int d, float[] bw,
                  int bwOff, int kernelNum, float kernelMul, float[] dx, int dxOff, float[] dy, int dyOff) {
        throw new UnsupportedOperationException("MmdCpu.backward");
    }
}
