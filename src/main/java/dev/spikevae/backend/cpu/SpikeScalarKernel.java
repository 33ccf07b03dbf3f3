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
    public void sumRows(int n, int from, int to, int[] at, float[] v, float[] x, float[] y, int yOff, boolean add) {
        for (int i = 0; i < n; i++) {
            float s = 0f;
            for (int e = from; e < to; e++) {
                s += x[at[e] + i] * v[e];
            }
            y[yOff + i] = add ? s + y[yOff + i] : s;
        }
    }

    @Override
    public int reductionBlock() {
        return Integer.MAX_VALUE;
    }
}
