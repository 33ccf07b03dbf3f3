package dev.spikevae.nn;

import dev.spikevae.autograd.Ops;
import dev.spikevae.autograd.Tape;
import dev.spikevae.backend.cpu.CpuBackend;
import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.MemoryScope;
import dev.spikevae.tensor.Philox;
import dev.spikevae.tensor.Rng;
import dev.spikevae.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The golden values of docs/reference.md §11, reproduced through the nn layers and autograd. */
class SpikingLayersTest {
    private static final Backend BE = new CpuBackend(2);
    private static final float[] LIF_X = {0.3f, 0.1f, -0.2f, 0.25f, 0.05f, 0.5f, 0.0f, 0.19f};

    private static float[] lifGradient(float[] seed) {
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor x = BE.fromHost(LIF_X, 8, 1).requiresGrad(true);
            Tensor spikes;
            try (Tape tape = Tape.record()) {
                spikes = new Lif().forward(x);
                assertArrayEquals(new float[] {1, 0, 0, 1, 0, 1, 0, 0}, spikes.toHost());
                tape.backward(spikes, BE.fromHost(seed, 8, 1));
            }
            return x.grad().toHost();
        }
    }

    @Test
    void lifGoldenSpikesAndBothGradientSets() {
        float[] ones = new float[8];
        float[] ramp = new float[8];
        for (int t = 0; t < 8; t++) {
            ones[t] = 1f;
            ramp[t] = t + 1;
        }
        assertArrayEquals(new float[] {0.903424f, 1.287686f, 1.278604f, 0.948438f, 1.0f, 0.0f, 1.25f, 1.0f},
                lifGradient(ones), 1e-5f);
        assertArrayEquals(new float[] {0.780825f, 2.922335f, 4.099268f, 3.742188f, 5.0f, 0.0f, 9.0f, 8.0f},
                lifGradient(ramp), 1e-5f);
    }

    @Test
    void lifGoldenMembrane() {
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor x = BE.fromHost(LIF_X, 8, 1);
            Tensor s = BE.empty(x.shape());
            Tensor u = BE.empty(x.shape());
            BE.lifForward(x, s, u, dev.spikevae.tensor.LifParams.REFERENCE);
            assertArrayEquals(new float[] {0.3f, 0.1f, -0.175f, 0.20625f, 0.05f, 0.5125f, 0.0f, 0.19f}, u.toHost(), 1e-6f);
        }
    }

    @Test
    void readoutCoefficientsGolden() {
        float[] c = MembraneReadout.coefficients(16, 0.8f);
        float[] golden = {0.035184f, 0.043980f, 0.054976f, 0.068719f, 0.085899f, 0.107374f, 0.134218f, 0.167772f,
                0.209715f, 0.262144f, 0.32768f, 0.4096f, 0.512f, 0.64f, 0.8f, 1.0f};
        assertArrayEquals(golden, c, 1e-6f);
        double sum = 0;
        for (float v : c) {
            sum += v;
        }
        assertEquals(4.859263, sum, 1e-5);
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor y = BE.fromHost(new float[16 * 2], 16, 2);
            BE.fill(y, 1f);
            float[] m = new MembraneReadout(BE, 16).forward(y).toHost();
            assertEquals(4.859263f, m[0], 1e-5f);
            assertEquals(4.859263f, m[1], 1e-5f);
        }
    }

    @Test
    void pspGolden() {
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor x = BE.fromHost(new float[] {1, 0, 1, 1, 0, 0, 1, 0}, 8, 1);
            assertArrayEquals(new float[] {0.5f, 0.25f, 0.625f, 0.8125f, 0.40625f, 0.203125f, 0.601562f, 0.300781f},
                    Ops.leakyScan(x, 0.5f, 0.5f).toHost(), 1e-6f);
        }
    }

    @Test
    void tdBatchNormGoldenAndRunningStatistics() {
        try (MemoryScope scope = MemoryScope.open()) {
            // one channel with values 0..5 over (T = 3, N = 2): time-major [T, N, C]
            Tensor x = BE.fromHost(new float[] {0, 1, 2, 3, 4, 5}, 3, 2, 1);
            TdBatchNorm bn = new TdBatchNorm(BE, 1);
            float[] y = bn.forward(x).toHost();
            assertArrayEquals(new float[] {-0.29277f, -0.175662f, -0.058554f, 0.058554f, 0.175662f, 0.29277f}, y, 1e-5f);
            // momentum 0.1; the running variance takes the unbiased estimate 3.5 (biased 2.916667 * 6/5)
            assertEquals(0.25f, bn.runningMean().toHost()[0], 1e-6f);
            assertEquals(0.9f + 0.1f * 3.5f, bn.runningVar().toHost()[0], 1e-6f);
            assertEquals(1f, bn.namedBuffers().get("num_batches_tracked").toHost()[0]);
            bn.eval();
            float[] e = bn.forward(x).toHost();
            double inv = 1 / Math.sqrt(1.25 + 1e-5);
            for (int i = 0; i < 6; i++) {
                assertEquals(0.2 * (i - 0.25) * inv, e[i], 1e-5);
            }
        }
    }

    @Test
    void samplerGoldenRuleAndSurrogateThroughAutograd() {
        try (MemoryScope scope = MemoryScope.open()) {
            Rng rng = new Rng(42, 7);
            long seed = rng.seed();
            long counter = rng.counter();
            float[] r = {0.3f, 0.3f, 0.3f, 0.9f, 0.05f};
            int steps = 16;
            Tensor rate = BE.fromHost(r, 5).requiresGrad(true);
            Tensor z;
            float[] g = new float[steps * 5];
            for (int i = 0; i < g.length; i++) {
                g[i] = 1f + (i % 3);
            }
            try (Tape tape = Tape.record()) {
                z = Ops.bernoulliSpikes(rate, steps, rng, 0.5f);
                tape.backward(z, BE.fromHost(g, steps, 5));
            }
            float[] zs = z.toHost();
            float[] expectGrad = new float[5];
            for (int t = 0; t < steps; t++) {
                for (int i = 0; i < 5; i++) {
                    float u = Philox.uniformAt(seed, counter, (long) t * 5 + i);
                    assertEquals(r[i] > u ? 1f : 0f, zs[t * 5 + i], "spike t=" + t + " i=" + i);
                    if (Math.abs(r[i] - u) < 0.5f) {
                        expectGrad[i] += g[t * 5 + i];
                    }
                }
            }
            assertArrayEquals(expectGrad, rate.grad().toHost(), 1e-6f);
            assertEquals(counter + Philox.uniformBlocks(steps * 5L), rng.counter());
        }
    }
}
