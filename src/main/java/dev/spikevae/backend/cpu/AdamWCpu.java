package dev.spikevae.backend.cpu;

import dev.spikevae.tensor.AdamWParams;

/** Fused AdamW step. STUB: to be implemented. */
final class AdamWCpu {
    private final Parallel parallel;

    AdamWCpu(Parallel parallel) {
        this.parallel = parallel;
    }

    void step(float[] p, int pOff, float[] g, int gOff, float[] m, int mOff, float[] v, int vOff, int n, AdamWParams a) {
        throw new UnsupportedOperationException("AdamWCpu.step");
    }
}
