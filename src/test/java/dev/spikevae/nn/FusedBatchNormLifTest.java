package dev.spikevae.nn;

import dev.spikevae.autograd.Ops;
import dev.spikevae.autograd.Tape;
import dev.spikevae.backend.cpu.CpuBackend;
import dev.spikevae.tensor.LifParams;
import dev.spikevae.tensor.MemoryScope;
import dev.spikevae.tensor.Rng;
import dev.spikevae.tensor.Surrogate;
import dev.spikevae.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fused tdBN + LIF node gives exactly what tdBN then LIF give, holding less memory. */
class FusedBatchNormLifTest {
    private static final CpuBackend BE = new CpuBackend(2);

    private record Outcome(float[] spikes, float[] dx, float[] dGamma, float[] dBeta, float[] runningVar, long pooledAfterForward) {
    }

    private static Outcome run(boolean fused, boolean training, LifParams lif) {
        return run(fused, training, lif, false);
    }

    /**
     * With {@code viaLoss} the spike gradient comes from a loss {@code sum(spikes * g)} inside the graph, so
     * the fused backward may write over it; otherwise it is supplied to backward and must stay intact.
     */
    private static Outcome run(boolean fused, boolean training, LifParams lif, boolean viaLoss) {
        int t = 5;
        int n = 3;
        int c = 7;
        int hw = 11;
        Rng rng = new Rng(21);
        float[] xs = rng.uniformHost(t * n * c * hw);
        for (int i = 0; i < xs.length; i++) {
            xs[i] = 2.4f * xs[i] - 1f;
        }
        float[] gs = rng.uniformHost(xs.length);
        TdBatchNorm bn = new TdBatchNorm(BE, c);
        BE.copyFromHost(rng.uniformHost(c), 0, bn.weight().value());
        BE.copyFromHost(rng.uniformHost(c), 0, bn.bias().value());
        bn.train(training);
        Tensor x = BE.persistentFromHost(xs, t, n, c, hw).requiresGrad(true);
        try (MemoryScope scope = MemoryScope.open(); Tape tape = Tape.record()) {
            long before = BE.pooledBytes();
            Tensor s = fused ? bn.forwardLif(x, lif) : new Lif(lif).forward(bn.forward(x));
            long pooled = BE.pooledBytes() - before;
            Tensor g = BE.fromHost(gs, t, n, c, hw);
            if (viaLoss) {
                tape.backward(Ops.sum(Ops.mul(s, g)));
            } else {
                tape.backward(s, g);
                assertArrayEquals(gs, g.toHost(), "a supplied gradient is never overwritten");
            }
            return new Outcome(s.toHost(), x.grad().toHost(), bn.weight().grad().toHost(), bn.bias().grad().toHost(),
                    bn.runningVar().toHost(), pooled);
        }
    }

    @Test
    void sameSpikesAndGradientsAsTheComposition() {
        LifParams[] variants = {LifParams.REFERENCE, LifParams.REFERENCE.withSurrogate(Surrogate.ATAN, 2f).withDetachReset(true)};
        for (LifParams lif : variants) {
            for (boolean training : new boolean[] {true, false}) {
                Outcome a = run(false, training, lif);
                Outcome b = run(true, training, lif);
                Outcome c = run(true, training, lif, true);
                String what = lif + (training ? " training" : " eval");
                float spikes = 0;
                for (float v : a.spikes()) {
                    spikes += v;
                }
                assertTrue(spikes > 0 && spikes < a.spikes().length, "some but not all neurons fire: " + what);
                assertArrayEquals(a.spikes(), b.spikes(), what);
                assertArrayEquals(a.dx(), b.dx(), what);
                assertArrayEquals(a.dGamma(), b.dGamma(), what);
                assertArrayEquals(a.dBeta(), b.dBeta(), what);
                assertArrayEquals(a.runningVar(), b.runningVar(), what);
                assertArrayEquals(a.dx(), c.dx(), what + ", gradient written over the spike gradient");
                assertArrayEquals(a.dGamma(), c.dGamma(), what + ", gradient written over the spike gradient");
            }
        }
    }

    @Test
    void forwardReturnsTheIntermediatesAtOnce() {
        // Pool balance over the forward: the unfused pair keeps three tensors of x's size (normalised input,
        // spikes, membrane), the fused node one (the spikes) and takes no other.
        int origin;
        try (MemoryScope s = MemoryScope.open()) {
            origin = BE.empty(1).storage().origin();
        }
        int bytes = 4 * (origin + 5 * 3 * 7 * 11); // an array of x's size: the floats before the tensor's origin, x
        run(false, true, LifParams.REFERENCE); // leaves enough arrays of this size in the pool for both runs
        long unfused = run(false, true, LifParams.REFERENCE).pooledAfterForward();
        long fused = run(true, true, LifParams.REFERENCE).pooledAfterForward();
        assertEquals(2L * bytes, fused - unfused, "normalised input and membrane never take memory of x's size");
    }
}
