package dev.spikevae.backend.cpu;

/** Batch-norm statistics, apply and backward over [outer, C, inner]. STUB: to be implemented. */
final class BatchNormCpu {
    private final Parallel parallel;

    BatchNormCpu(Parallel parallel) {
        this.parallel = parallel;
    }

    void stats(float[] x, int xOff, int outer, int channels, int inner, float[] mean, int mOff, float[] var, int vOff) {
        throw new UnsupportedOperationException("BatchNormCpu.stats");
    }

    void forward(float[] x, int xOff, int outer, int channels, int inner, float[] mean, int mOff, float[] var, int vOff,
                 float[] gamma, int gOff, float[] beta, int bOff, float scale, float eps, float[] y, int yOff) {
        throw new UnsupportedOperationException("BatchNormCpu.forward");
    }

    void backward(float[] dy, int dyOff, float[] x, int xOff, int outer, int channels, int inner, float[] mean, int mOff,
                  float[] var, int vOff, float[] gamma, int gOff, float scale, float eps, boolean training, float[] dx,
                  int dxOff, float[] dGamma, int dgOff, float[] dBeta, int dbOff) {
        throw new UnsupportedOperationException("BatchNormCpu.backward");
    }
}
