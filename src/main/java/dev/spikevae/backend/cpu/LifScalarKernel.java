package dev.spikevae.backend.cpu;

import dev.spikevae.tensor.LifParams;
import dev.spikevae.tensor.Surrogate;

/**
 * The LIF recurrences in plain Java. The arithmetic is written operation for operation like
 * {@link LifVectorKernel}'s, so the two agree bit for bit on spikes, membranes and rectangle gradients
 * (the smooth surrogates differ only by the last bits of {@code exp}). The vector kernel also uses the
 * static range methods for its tail neurons.
 */
final class LifScalarKernel implements LifKernel {
    /**
     * Neurons advanced together through time: the per-neuron state of a block stays in L1 while each time
     * step reads a contiguous run of every array.
     */
    private static final int BLOCK = 512;

    @Override
    public void forward(float[] x, int xOff, float[] s, int sOff, float[] u, int uOff, int steps, int neurons, int from,
                        int to, LifParams p) {
        forwardRange(x, xOff, s, sOff, u, uOff, steps, neurons, from, to, p);
    }

    @Override
    public void backwardStrided(float[] ds, int dsOff, int dsStride, float[] u, int uOff, int uStride, float[] dx,
                                int dxOff, int dxStride, int steps, int count, LifParams p) {
        backwardRange(ds, dsOff, dsStride, u, uOff, uStride, dx, dxOff, dxStride, steps, count, p);
    }

    @Override
    public void normalizedMembranes(float[] x, int xOff, int xStride, float[] mean, float[] scale, float[] shift,
                                    float[] u, int uOff, int uStride, int steps, int count, LifParams p) {
        normalizedRange(x, xOff, xStride, mean, scale, shift, u, uOff, uStride, steps, 0, count, p);
    }

    @Override
    public int alignment() {
        return 1;
    }

    @Override
    public String name() {
        return "scalar";
    }

    static void forwardRange(float[] x, int xOff, float[] s, int sOff, float[] u, int uOff, int steps, int neurons,
                             int from, int to, LifParams p) {
        float decay = p.decay();
        float threshold = p.threshold();
        // carry[j] = decay * u_{t-1} * (1 - o_{t-1}), the part of u_t that does not come from x_t
        float[] carry = new float[Math.min(BLOCK, Math.max(0, to - from))];
        for (int b = from; b < to; b += BLOCK) {
            int e = Math.min(to, b + BLOCK);
            java.util.Arrays.fill(carry, 0f);
            for (int t = 0; t < steps; t++) {
                int row = t * neurons;
                for (int i = b; i < e; i++) {
                    float ut = carry[i - b] + x[xOff + row + i];
                    boolean spike = ut > threshold;
                    u[uOff + row + i] = ut;
                    if (s != null) {
                        s[sOff + row + i] = spike ? 1f : 0f;
                    }
                    carry[i - b] = spike ? 0f : ut * decay;
                }
            }
        }
    }

    /** Backward over neurons {@code [0, count)} of arrays with their own row strides; dx may be ds. */
    static void backwardRange(float[] ds, int dsOff, int dsStride, float[] u, int uOff, int uStride, float[] dx,
                              int dxOff, int dxStride, int steps, int count, LifParams p) {
        float decay = p.decay();
        float threshold = p.threshold();
        float resetGain = p.detachReset() ? 0f : decay;
        Surrogate kind = p.surrogate();
        float centre = p.centre();
        float width = p.width();
        // g[j] = dL/du_{t+1} while step t is processed
        float[] g = new float[Math.min(BLOCK, Math.max(0, count))];
        for (int b = 0; b < count; b += BLOCK) {
            int e = Math.min(count, b + BLOCK);
            java.util.Arrays.fill(g, 0f);
            for (int t = steps - 1; t >= 0; t--) {
                int dsRow = dsOff + t * dsStride;
                int uRow = uOff + t * uStride;
                int dxRow = dxOff + t * dxStride;
                for (int i = b; i < e; i++) {
                    float ut = u[uRow + i];
                    float next = g[i - b];
                    float dSpike = ds[dsRow + i] - ut * resetGain * next;
                    float leak = ut > threshold ? 0f : next * decay;
                    float gu = surrogateTimes(kind, dSpike, ut - centre, width) + leak;
                    dx[dxRow + i] = gu;
                    g[i - b] = gu;
                }
            }
        }
    }

    /**
     * Membranes of neurons {@code [from, to)} driven by {@code (x - mean) * scale + shift}, operation for
     * operation batch norm's apply followed by {@link #forwardRange}.
     */
    static void normalizedRange(float[] x, int xOff, int xStride, float[] mean, float[] scale, float[] shift, float[] u,
                                int uOff, int uStride, int steps, int from, int to, LifParams p) {
        float decay = p.decay();
        float threshold = p.threshold();
        float[] carry = new float[Math.min(BLOCK, Math.max(0, to - from))];
        for (int b = from; b < to; b += BLOCK) {
            int e = Math.min(to, b + BLOCK);
            java.util.Arrays.fill(carry, 0f);
            for (int t = 0; t < steps; t++) {
                int xRow = xOff + t * xStride;
                int uRow = uOff + t * uStride;
                for (int i = b; i < e; i++) {
                    float y = (x[xRow + i] - mean[i]) * scale[i] + shift[i];
                    float ut = carry[i - b] + y;
                    u[uRow + i] = ut;
                    carry[i - b] = ut > threshold ? 0f : ut * decay;
                }
            }
        }
    }

    /**
     * {@code grad * surrogate'(v)}, v = u - centre, in the vector kernel's operation order. The rectangle
     * zeroes the product instead of multiplying by 0, so an infinite incoming gradient outside the window
     * gives 0 (as in both kernels), not NaN.
     */
    static float surrogateTimes(Surrogate kind, float grad, float v, float width) {
        switch (kind) {
            case RECTANGLE:
                return Math.abs(v) < width ? grad * (0.5f / width) : 0f;
            case SIGMOID: {
                float sig = 1f / ((float) Math.exp(v * -width) + 1f);
                return grad * (sig * width * (1f - sig));
            }
            case ATAN: {
                float z = v * ((float) (Math.PI / 2) * width);
                return grad * ((width / 2f) / (z * z + 1f));
            }
            default:
                throw new IllegalArgumentException("unknown surrogate " + kind);
        }
    }
}
