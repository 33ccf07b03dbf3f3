package dev.spikevae.backend.cpu;

import dev.spikevae.tensor.LifParams;

/** Fused multi-step LIF. STUB: to be implemented. */
final class LifCpu {
    private final Parallel parallel;

    LifCpu(Parallel parallel) {
        this.parallel = parallel;
    }

    /** x, spikes, u: [T, M] at their offsets. */
    void forward(float[] x, int xOff, float[] s, int sOff, float[] u, int uOff, int steps, int neurons, LifParams p) {
        throw new UnsupportedOperationException("LifCpu.forward");
    }

    void backward(float[] ds, int dsOff, float[] u, int uOff, float[] dx, int dxOff, int steps, int neurons, LifParams p) {
        throw new UnsupportedOperationException("LifCpu.backward");
    }
}
