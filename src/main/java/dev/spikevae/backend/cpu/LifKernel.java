package dev.spikevae.backend.cpu;

import dev.spikevae.tensor.LifParams;

/**
 * One implementation (vector or scalar) of the fused LIF recurrences over a range of neurons
 * {@code [from, to)} of a time-major {@code [steps, neurons]} layout. Neurons are independent, so
 * {@link LifCpu} splits the neuron axis over threads and each call walks all time steps of its range.
 */
interface LifKernel {

    /** Writes membranes and, unless {@code s} is null, spikes as 1f / 0f. */
    void forward(float[] x, int xOff, float[] s, int sOff, float[] u, int uOff, int steps, int neurons, int from, int to,
                 LifParams p);

    void backward(float[] ds, int dsOff, float[] u, int uOff, float[] dx, int dxOff, int steps, int neurons, int from,
                  int to, LifParams p);

    /** Ranges starting at multiples of this run entirely in the kernel's fastest blocks (except the last). */
    int alignment();

    String name();
}
