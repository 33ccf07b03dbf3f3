package dev.spikevae.backend.cpu;

/** {@link SpikeKernel} in plain Java: the arithmetic of {@link SgemmScalarKernel} (no fused multiply-add). */
final class SpikeScalarKernel implements SpikeKernel {

    @Override
    public void axpy(int n, float v, float[] x, int xOff, float[] y, int yOff) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] += x[xOff + i] * v;
        }
    }

    @Override
    public void add(int n, float[] x, int xOff, float[] y, int yOff) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] = x[xOff + i] + y[yOff + i];
        }
    }

    @Override
    public int reductionBlock() {
        return Integer.MAX_VALUE;
    }
}
