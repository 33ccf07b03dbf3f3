package dev.spikevae.backend.cpu;

import dev.spikevae.tensor.Shape;

/** Broadcast copies, axis permutations and slices along one axis. */
final class Layout {
    private static final int GRAIN = 1 << 15;
    private final Parallel parallel;

    Layout(Parallel parallel) {
        this.parallel = parallel;
    }

    void expand(float[] x, int xo, Shape xs, float[] out, int oo, Shape os) {
        StridedIndex ix = StridedIndex.of(os, StridedIndex.broadcastStrides(xs, os));
        gather(ix, x, xo, out, oo);
    }

    void permute(float[] x, int xo, Shape xs, int[] perm, float[] out, int oo) {
        int r = xs.rank();
        int[] own = xs.strides();
        int[] st = new int[r];
        int[] od = new int[r];
        for (int i = 0; i < r; i++) {
            st[i] = own[perm[i]];
            od[i] = xs.dim(perm[i]);
        }
        gather(StridedIndex.of(Shape.of(od), st), x, xo, out, oo);
    }

    /** out (contiguous, in ix's index space) = x read through operand-0 strides. */
    private void gather(StridedIndex ix, float[] x, int xo, float[] out, int oo) {
        int inner = ix.inner;
        int s = ix.innerStride(0);
        parallel.forRange(ix.rows, Math.max(1, GRAIN / inner), (from, to) -> {
            for (int row = from; row < to; row++) {
                int p = xo + ix.rowOffset(0, row);
                int q = oo + row * inner;
                if (s == 1) {
                    System.arraycopy(x, p, out, q, inner);
                } else {
                    for (int j = 0; j < inner; j++) {
                        out[q + j] = x[p + j * s];
                    }
                }
            }
        });
    }

    void slice(float[] whole, int wo, Shape ws, int axis, int start, float[] part, int po, Shape ps, boolean assign,
               float beta) {
        int outer = ws.size(0, axis);
        int inner = ws.size(axis + 1, ws.rank());
        int wholeLen = ws.dim(axis) * inner;
        int partLen = ps.dim(axis) * inner;
        int skip = start * inner;
        parallel.forRange(outer, Math.max(1, GRAIN / Math.max(1, partLen)), (from, to) -> {
            for (int o = from; o < to; o++) {
                int w = wo + o * wholeLen + skip;
                int p = po + o * partLen;
                if (!assign) {
                    System.arraycopy(whole, w, part, p, partLen);
                } else if (beta == 0f) {
                    System.arraycopy(part, p, whole, w, partLen);
                } else {
                    for (int j = 0; j < partLen; j++) {
                        whole[w + j] = part[p + j] + beta * whole[w + j];
                    }
                }
            }
        });
    }
}
