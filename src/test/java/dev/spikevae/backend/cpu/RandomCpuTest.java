package dev.spikevae.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.spikevae.tensor.Philox;
import dev.spikevae.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RandomCpuTest {
    private static final CpuBackend[] BACKENDS = {new CpuBackend(1), new CpuBackend(2), new CpuBackend(3)};
    private static final long SEED = 0x5eed_1234_abcdL;

    @Test
    void samplerGoldenValuesOfSpec() {
        float[] r = {0.3f, 0.3f, 0.3f, 0.9f};
        float[] u = {0.12f, 0.56f, 0.30f, 0.35f};
        float[] z = {1, 0, 0, 1};
        float[] mask = {1, 1, 1, 0};
        for (int i = 0; i < 4; i++) {
            assertEquals(z[i], RandomCpu.spike(r[i], u[i]));
            assertEquals(mask[i], RandomCpu.spikeSurrogate(r[i], u[i], 0.5f));
        }
        assertEquals(2.5f, RandomCpu.spikeSurrogate(0.3f, 0.35f, 0.2f));
    }

    @Test
    void uniformAndNormalMatchPhiloxForAnyThreadCount() {
        for (int n : new int[] {1, 3, 7, 17, 33, 1003, 50_001}) {
            for (long counter : new long[] {0, 5, (1L << 32) - 1}) {
                float[] wantU = new float[n];
                float[] wantN = new float[n];
                Philox.fillUniform(SEED, counter, 0, n, wantU, 0);
                Philox.fillNormal(SEED, counter, 0, n, wantN, 0);
                for (CpuBackend be : BACKENDS) {
                    Tensor t = be.empty(n);
                    be.uniform(t, SEED, counter);
                    assertArrayEquals(wantU, t.toHost(), 0f);
                    be.normal(t, SEED, counter);
                    assertArrayEquals(wantN, t.toHost(), 0f);
                }
            }
        }
    }

    @Test
    void bernoulliSpikesEndToEnd() {
        Random rnd = new Random(1);
        for (int m : new int[] {1, 7, 33, 1003}) {
            for (int steps : new int[] {1, 16, 40}) {
                float[] rate = new float[m];
                for (int i = 0; i < m; i++) {
                    rate[i] = rnd.nextFloat();
                }
                rate[0] = 0f;
                long counter = 77;
                float[] want = new float[steps * m];
                for (int t = 0; t < steps; t++) {
                    for (int i = 0; i < m; i++) {
                        want[t * m + i] = rate[i] > Philox.uniformAt(SEED, counter, (long) t * m + i) ? 1f : 0f;
                    }
                }
                for (CpuBackend be : BACKENDS) {
                    Tensor s = be.empty(steps, m);
                    be.bernoulliSpikes(be.fromHost(rate, m), s, SEED, counter);
                    assertArrayEquals(want, s.toHost(), 0f, "M " + m + " T " + steps);
                }
            }
        }
    }

    @Test
    void bernoulliBackwardMatchesItsFormulaWithRegeneratedUniforms() {
        // the sampler's surrogate is not the derivative of anything, so check the documented formula
        Random rnd = new Random(2);
        int[][] shapes = {{1, 1}, {16, 7}, {16, 33}, {3, 5003}, {40, 1003}};
        for (int[] shape : shapes) {
            int steps = shape[0];
            int m = shape[1];
            float[] rate = new float[m];
            float[] dRateOld = new float[m];
            float[] dS = new float[steps * m];
            for (int i = 0; i < m; i++) {
                rate[i] = rnd.nextFloat();
                dRateOld[i] = (float) rnd.nextGaussian();
            }
            for (int e = 0; e < dS.length; e++) {
                dS[e] = (float) rnd.nextGaussian();
            }
            float halfWidth = 0.3f;
            long counter = 12;
            for (float beta : new float[] {0f, 1f, 0.5f}) {
                float[] want = new float[m];
                for (int i = 0; i < m; i++) {
                    double sum = 0;
                    for (int t = 0; t < steps; t++) {
                        float u = Philox.uniformAt(SEED, counter, (long) t * m + i);
                        sum += dS[t * m + i] * (Math.abs(rate[i] - u) < halfWidth ? 0.5 / halfWidth : 0);
                    }
                    want[i] = (float) (beta * dRateOld[i] + sum);
                }
                float[][] results = new float[BACKENDS.length][];
                for (int b = 0; b < BACKENDS.length; b++) {
                    CpuBackend be = BACKENDS[b];
                    Tensor dRate = beta == 0f ? be.empty(m) : be.fromHost(dRateOld, m);
                    be.bernoulliSpikesBackward(be.fromHost(dS, steps, m), be.fromHost(rate, m), dRate, SEED, counter,
                            halfWidth, beta);
                    results[b] = dRate.toHost();
                    assertArrayEquals(want, results[b], 1e-4f, "T " + steps + " M " + m + " beta " + beta);
                }
                assertArrayEquals(results[0], results[1], 0f);
                assertArrayEquals(results[0], results[2], 0f);
            }
        }
    }

    @Test
    void pickOneOfKAndItsAdjoint() {
        Random rnd = new Random(4);
        for (int n : new int[] {1, 7, 33, 20_003}) {
            for (int k : new int[] {1, 2, 20}) {
                float[] x = new float[n * k];
                for (int e = 0; e < x.length; e++) {
                    x[e] = (float) rnd.nextGaussian();
                }
                float[] dOut = new float[n];
                for (int i = 0; i < n; i++) {
                    dOut[i] = (float) rnd.nextGaussian();
                }
                long counter = 3;
                float[] want = new float[n];
                float[] wantDx = new float[n * k];
                for (int i = 0; i < n; i++) {
                    int idx = Math.min(k - 1, (int) (Philox.uniformAt(SEED, counter, i) * k));
                    want[i] = x[i * k + idx];
                    wantDx[i * k + idx] = dOut[i];
                }
                for (CpuBackend be : BACKENDS) {
                    Tensor out = be.empty(n);
                    be.pickOneOfK(be.fromHost(x, n, k), out, SEED, counter);
                    assertArrayEquals(want, out.toHost(), 0f);
                    Tensor dx = be.empty(n, k);
                    be.pickOneOfKBackward(be.fromHost(dOut, n), dx, SEED, counter);
                    assertArrayEquals(wantDx, dx.toHost(), 0f);
                }
            }
        }
    }

    @Test
    void pickIndexStaysInRange() {
        assertEquals(0, RandomCpu.pickIndex(0f, 20));
        assertEquals(19, RandomCpu.pickIndex(1f - 0x1p-24f, 20));
        assertEquals(19, RandomCpu.pickIndex(0.95f, 20));
        assertEquals(2, RandomCpu.pickIndex(1f - 0x1p-24f, 3));
        assertEquals(0, RandomCpu.pickIndex(0.99f, 1));
    }

    @Test
    void samplerRejectsBadArguments() {
        CpuBackend be = BACKENDS[0];
        Tensor rate = be.zeros(3);
        Tensor spikes = be.zeros(2, 4);
        assertThrows(IllegalArgumentException.class, () -> be.bernoulliSpikes(rate, spikes, 1, 0));
        assertThrows(IllegalArgumentException.class,
                () -> be.bernoulliSpikesBackward(be.zeros(2, 3), rate, be.zeros(3), 1, 0, 0f, 0f));
    }
}
