package dev.spikevae.backend.cpu;

/** Philox draws, the Bernoulli spike sampler and the one-of-k pick. STUB: to be implemented. */
final class RandomCpu {
    private final Parallel parallel;

    RandomCpu(Parallel parallel) {
        this.parallel = parallel;
    }

    void uniform(float[] out, int off, int n, long seed, long counter) {
        throw new UnsupportedOperationException("RandomCpu.uniform");
    }

    void normal(float[] out, int off, int n, long seed, long counter) {
        throw new UnsupportedOperationException("RandomCpu.normal");
    }

    /** rate [M], spikes [T, M]. */
    void bernoulliSpikes(float[] rate, int rOff, float[] spikes, int sOff, int steps, int m, long seed, long counter) {
        throw new UnsupportedOperationException("RandomCpu.bernoulliSpikes");
    }

    void bernoulliSpikesBackward(float[] ds, int dsOff, float[] rate, int rOff, float[] dr, int drOff, int steps, int m,
                                 long seed, long counter, float halfWidth, float beta) {
        throw new UnsupportedOperationException("RandomCpu.bernoulliSpikesBackward");
    }

    /** x [n, k], out [n]. */
    void pickOneOfK(float[] x, int xOff, float[] out, int oOff, int n, int k, long seed, long counter) {
        throw new UnsupportedOperationException("RandomCpu.pickOneOfK");
    }

    void pickOneOfKBackward(float[] dOut, int doOff, float[] dx, int dxOff, int n, int k, long seed, long counter) {
        throw new UnsupportedOperationException("RandomCpu.pickOneOfKBackward");
    }
}
