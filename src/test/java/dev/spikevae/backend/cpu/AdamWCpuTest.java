package dev.spikevae.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.spikevae.tensor.AdamWParams;
import dev.spikevae.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AdamWCpuTest {
    private static final CpuBackend[] BACKENDS = {new CpuBackend(1), new CpuBackend(2), new CpuBackend(3)};

    private static float[] random(Random rnd, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (rnd.nextGaussian() * scale);
        }
        return a;
    }

    @Test
    void severalStepsMatchTheFormulaInDouble() {
        Random rnd = new Random(4);
        for (int n : new int[] {1, 7, 17, 33, 1003, 70_001}) {
            AdamWParams base = new AdamWParams(3e-3f, 0.9f, 0.999f, 1e-8f, 1e-3f, 1);
            float[] p0 = random(rnd, n, 1);
            double[] p = new double[n];
            double[] m = new double[n];
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                p[i] = p0[i];
            }
            CpuBackend be = BACKENDS[n % 3];
            Tensor pt = be.fromHost(p0, n);
            Tensor mt = be.zeros(n);
            Tensor vt = be.zeros(n);
            for (int step = 1; step <= 4; step++) {
                float[] g = random(rnd, n, 0.1);
                AdamWParams a = new AdamWParams(base.lr(), base.beta1(), base.beta2(), base.eps(), base.weightDecay(), step);
                be.adamW(pt, be.fromHost(g, n), mt, vt, a);
                double bc1 = 1 - Math.pow(a.beta1(), step);
                double bc2 = 1 - Math.pow(a.beta2(), step);
                for (int i = 0; i < n; i++) {
                    p[i] -= (double) a.lr() * a.weightDecay() * p[i];
                    m[i] = a.beta1() * m[i] + (1 - (double) a.beta1()) * g[i];
                    v[i] = a.beta2() * v[i] + (1 - (double) a.beta2()) * g[i] * g[i];
                    double denom = Math.sqrt(v[i]) / Math.sqrt(bc2) + a.eps();
                    p[i] -= a.lr() / bc1 * m[i] / denom;
                }
            }
            float[] got = pt.toHost();
            float[] gotM = mt.toHost();
            float[] gotV = vt.toHost();
            for (int i = 0; i < n; i++) {
                assertEquals(p[i], got[i], 1e-5 * (1 + Math.abs(p[i])), "p " + i);
                assertEquals(m[i], gotM[i], 1e-6 * (1 + Math.abs(m[i])), "m " + i);
                assertEquals(v[i], gotV[i], 1e-6 * (1e-3 + Math.abs(v[i])), "v " + i);
            }
        }
    }

    @Test
    void firstStepMovesEachWeightByAboutTheLearningRate() {
        // with m, v = 0 the bias-corrected step is lr * g / (|g| + eps) = lr * sign(g)
        CpuBackend be = BACKENDS[0];
        Tensor p = be.fromHost(new float[] {1f, -2f, 0.5f}, 3);
        be.adamW(p, be.fromHost(new float[] {0.3f, -4f, 1e-3f}, 3), be.zeros(3), be.zeros(3),
                new AdamWParams(0.01f, 0.9f, 0.999f, 1e-8f, 0f, 1));
        assertArrayEquals(new float[] {0.99f, -1.99f, 0.49f}, p.toHost(), 1e-5f);
    }

    @Test
    void vectorAndScalarKernelsAgreeExactly() {
        if (!VectorSupport.available()) {
            return;
        }
        Random rnd = new Random(6);
        Parallel pool = new Parallel(2);
        AdamWCpu[] impls = {new AdamWCpu(pool, new AdamWVectorKernel()), new AdamWCpu(pool, new AdamWScalarKernel())};
        int n = 1003;
        float[] p0 = random(rnd, n + 1, 1);
        float[] g = random(rnd, n + 1, 0.1);
        float[] m0 = random(rnd, n + 1, 0.01);
        float[] v0 = random(rnd, n + 1, 0.001);
        for (int i = 0; i < v0.length; i++) {
            v0[i] = Math.abs(v0[i]);
        }
        float[][] out = new float[2][];
        for (int k = 0; k < 2; k++) {
            float[] p = p0.clone();
            float[] m = m0.clone();
            float[] v = v0.clone();
            impls[k].step(p, 1, g, 1, m, 1, v, 1, n, new AdamWParams(1e-3f, 0.9f, 0.99f, 1e-8f, 0.01f, 7));
            out[k] = new float[3 * n + 3];
            System.arraycopy(p, 0, out[k], 0, n + 1);
            System.arraycopy(m, 0, out[k], n + 1, n + 1);
            System.arraycopy(v, 0, out[k], 2 * n + 2, n + 1);
        }
        assertArrayEquals(out[1], out[0], 0f);
    }
}
