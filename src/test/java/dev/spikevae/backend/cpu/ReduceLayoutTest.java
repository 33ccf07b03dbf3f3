package dev.spikevae.backend.cpu;

import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.BinaryOp;
import dev.spikevae.tensor.MemoryScope;
import dev.spikevae.tensor.Rng;
import dev.spikevae.tensor.Shape;
import dev.spikevae.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Reductions and broadcasts: exact against naive loops, and bitwise independent of the thread count. */
class ReduceLayoutTest {
    private static final Backend[] BACKENDS = {new CpuBackend(1), new CpuBackend(2), new CpuBackend(3)};

    private static float[] reduce(Backend be, float[] x, int[] xs, int[] os) {
        try (MemoryScope s = MemoryScope.open()) {
            Tensor out = be.empty(Shape.of(os));
            be.reduceSum(be.fromHost(x, xs), out, 0.5f, 0f);
            return out.toHost();
        }
    }

    @Test
    void reductionsAreThreadCountIndependentAndAccurate() {
        int[][][] cases = {{{3, 70001}, {1}}, {{257, 1031}, {1031}}, {{257, 1031}, {257, 1}}, {{16, 33, 40}, {33, 1}},
                {{5, 6, 7, 8}, {6, 1, 8}}, {{100000}, {1}},
            {{900, 3, 37}, {3, 1}}, {{40, 32, 1030}, {32, 1}}};
        Rng rng = new Rng(9);
        for (int[][] c : cases) {
            int n = Shape.of(c[0]).numel();
            float[] x = rng.uniformHost(n);
            float[] first = reduce(BACKENDS[0], x, c[0], c[1]);
            for (Backend be : BACKENDS) {
                assertArrayEquals(first, reduce(be, x, c[0], c[1]), "threads " + be.threads() + " for " + Shape.of(c[0]));
            }
            // naive double check
            double[] want = new double[first.length];
            int[] xs = c[0];
            int[] os = c[1];
            for (int o = 0; o < n; o++) {
                int rem = o;
                int idx = 0;
                int stride = 1;
                for (int i = xs.length - 1; i >= 0; i--) {
                    int coord = rem % xs[i];
                    rem /= xs[i];
                    int si = i - (xs.length - os.length);
                    if (si >= 0) {
                        idx += (os[si] == 1 ? 0 : coord) * stride;
                        stride *= os[si];
                    }
                }
                want[idx] += 0.5 * x[o];
            }
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], first[i], 1e-6 * Math.max(1, Math.abs(want[i])));
            }
        }
    }

    @Test
    void broadcastBinaryMatchesNaive() {
        Backend be = BACKENDS[1];
        try (MemoryScope s = MemoryScope.open()) {
            float[] a = new Rng(1).uniformHost(4 * 3 * 5);
            float[] b = new Rng(2).uniformHost(3);
            Tensor out = be.empty(4, 3, 5);
            be.binary(BinaryOp.MUL, be.fromHost(a, 4, 3, 5), be.fromHost(b, 3, 1), out);
            float[] got = out.toHost();
            for (int i = 0; i < 60; i++) {
                assertEquals(a[i] * b[(i / 5) % 3], got[i]);
            }
            Tensor e = be.empty(2, 3, 5);
            be.expand(be.fromHost(b, 3, 1), e);
            assertEquals(b[2], e.toHost()[15 + 2 * 5 + 4]);
        }
    }
}
