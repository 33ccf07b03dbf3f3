package dev.spikevae.backend.cpu;

import dev.spikevae.tensor.AdamWParams;

/** Fused AdamW step (PyTorch's {@code torch.optim.AdamW} arithmetic), elementwise and parallel for large tensors. */
final class AdamWCpu {
    private static final int GRAIN = 1 << 15;

    private final Parallel parallel;
    private final AdamWKernel kernel;

    AdamWCpu(Parallel parallel) {
        this(parallel, VectorSupport.available() ? new AdamWVectorKernel() : new AdamWScalarKernel());
    }

    AdamWCpu(Parallel parallel, AdamWKernel kernel) {
        this.parallel = parallel;
        this.kernel = kernel;
    }

    void step(float[] p, int pOff, float[] g, int gOff, float[] m, int mOff, float[] v, int vOff, int n, AdamWParams a) {
        AdamWConstants c = AdamWConstants.of(a);
        parallel.forRange(n, GRAIN, (from, to) -> kernel.step(p, pOff, g, gOff, m, mOff, v, vOff, from, to, c));
    }
}
