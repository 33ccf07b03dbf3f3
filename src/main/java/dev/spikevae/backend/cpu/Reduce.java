package dev.spikevae.backend.cpu;

import dev.spikevae.tensor.Shape;

/** Sums over broadcast axes. STUB. */
final class Reduce {
    private final Parallel parallel;

    Reduce(Parallel parallel) {
        this.parallel = parallel;
    }

    void sum(float[] x, int xo, Shape xs, float[] out, int oo, Shape os, float alpha, float beta) {
        throw new UnsupportedOperationException();
    }
}
