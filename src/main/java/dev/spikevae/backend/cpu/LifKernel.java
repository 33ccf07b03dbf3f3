package dev.spikevae.backend.cpu;

import dev.spikevae.tensor.LifParams;

/**
 * One implementation (vector or scalar) of the fused LIF recurrences over a range of neurons
 * {@code [from, to)} of a time-major {@code [steps, neurons]} layout. Neurons are independent, so
 * {@link LifCpu} splits the neuron axis over threads and each call walks all time steps of its range.
 *
 * <p>The strided methods take each array with its own row stride (elements from one time step to the
 * next) and handle neurons {@code [0, count)} from the given offsets: the fused batch-norm + LIF kernels
 * keep the membranes of a block of neurons in a small scratch array while the other operands are full
 * tensors.
 */
interface LifKernel {

    /** Writes membranes and, unless {@code s} is null, spikes as 1f / 0f. */
    void forward(float[] x, int xOff, float[] s, int sOff, float[] u, int uOff, int steps, int neurons, int from, int to,
                 LifParams p);

    /** The input gradient from the spike gradient and the membranes; {@code dx} may be {@code ds} itself. */
    default void backward(float[] ds, int dsOff, float[] u, int uOff, float[] dx, int dxOff, int steps, int neurons,
                          int from, int to, LifParams p) {
        backwardStrided(ds, dsOff + from, neurons, u, uOff + from, neurons, dx, dxOff + from, neurons, steps, to - from, p);
    }

    /** {@link #backward} on arrays with their own row strides, for neurons {@code [0, count)}; dx may be ds. */
    void backwardStrided(float[] ds, int dsOff, int dsStride, float[] u, int uOff, int uStride, float[] dx, int dxOff,
                         int dxStride, int steps, int count, LifParams p);

    /**
     * The membranes of LIF neurons driven by a per-neuron affine map of x, {@code y = (x - mean) * scale +
     * shift} (batch norm with its coefficients spread per neuron, arrays from index 0), for neurons
     * {@code [0, count)}: the same values, bit for bit, as batch norm's output fed to {@link #forward}.
     */
    void normalizedMembranes(float[] x, int xOff, int xStride, float[] mean, float[] scale, float[] shift, float[] u,
                             int uOff, int uStride, int steps, int count, LifParams p);

    /**
     * The spikes {@code u > threshold} of {@code count} membranes at {@code u[uOff]}: 1f / 0f into {@code sF} or 1 / 0
     * into the u8 {@code sB} (exactly one non-null), from {@code sOff}.
     */
    default void spikes(float[] u, int uOff, float threshold, float[] sF, byte[] sB, int sOff, int count) {
        if (sB != null) {
            for (int i = 0; i < count; i++) {
                sB[sOff + i] = u[uOff + i] > threshold ? (byte) 1 : (byte) 0;
            }
        } else {
            for (int i = 0; i < count; i++) {
                sF[sOff + i] = u[uOff + i] > threshold ? 1f : 0f;
            }
        }
    }

    /** Ranges starting at multiples of this run entirely in the kernel's fastest blocks (except the last). */
    int alignment();

    String name();
}
