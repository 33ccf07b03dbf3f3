package dev.spikevae.backend.cpu;

import dev.spikevae.tensor.Shape;

/** Broadcast copies, permutations and slices. STUB. */
final class Layout {
    private final Parallel parallel;

    Layout(Parallel parallel) {
        this.parallel = parallel;
    }

    void expand(float[] x, int xo, Shape xs, float[] out, int oo, Shape os) {
        throw new UnsupportedOperationException();
    }

    void permute(float[] x, int xo, Shape xs, int[] perm, float[] out, int oo) {
        throw new UnsupportedOperationException();
    }

    /** whole[.., start:start+part.dim(axis), ..] to part (assign false) or part into it (assign true, beta). */
    void slice(float[] whole, int wo, Shape ws, int axis, int start, float[] part, int po, Shape ps, boolean assign,
               float beta) {
        throw new UnsupportedOperationException();
    }
}
