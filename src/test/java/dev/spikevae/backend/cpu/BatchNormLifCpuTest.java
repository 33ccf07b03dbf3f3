package dev.spikevae.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikevae.tensor.LifParams;
import dev.spikevae.tensor.Surrogate;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The blocked batch-norm + LIF kernels against the two ops they fuse (batch-norm apply, then LIF; LIF
 * backward, then batch-norm backward), bit for bit: vector and scalar kernels, 1..3 threads, shapes whose
 * neurons span several blocks with channel boundaries inside blocks, spans shorter and longer than a
 * vector, and the backward both in place and into separate memory.
 */
class BatchNormLifCpuTest {
    /**
     * {steps, samples, channels, inner}: neurons per step = samples * channels * inner. Spans of 256 and 1024 (which
     * divide the kernel's block of 1024 neurons) take the norm's statistics span by span inside the blocks: one chunk
     * of rows, several chunks of several rows (16 x 5 rows of 2048 values), a span as long as a block; spans of 16
     * also divide the block but keep the norm's own pass (shorter than the fused sums' minimum).
     */
    private static final int[][] SHAPES = {{1, 2, 3, 1}, {3, 5, 7, 1}, {4, 3, 5, 67}, {2, 2, 9, 121}, {16, 2, 4, 256},
        {3, 1, 2600, 1}, {3, 2, 5, 16}, {16, 5, 8, 256}, {2, 3, 3, 1024}};
    private static final LifParams[] PARAMS = {LifParams.REFERENCE,
        LifParams.REFERENCE.withSurrogate(Surrogate.ATAN, 2f).withDetachReset(true),
        LifParams.REFERENCE.withSurrogate(Surrogate.SIGMOID, 4f)};

    private static float[] random(Random rnd, int n, double scale, double shift) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (rnd.nextGaussian() * scale + shift);
        }
        return a;
    }

    /** What the fused kernels must reproduce: the unfused CPU kernels with full-size intermediates. */
    private record Reference(float[] spikes, float[] dx, float[] dGamma, float[] dBeta) {
    }

    private static Reference reference(Parallel parallel, LifKernel kernel, BatchNormCpu bn, int[] shape, float[] x,
                                       float[] ds, float[] mean, float[] var, float[] gamma, float[] beta, float scale,
                                       boolean training, LifParams p) {
        int steps = shape[0];
        int outer = shape[0] * shape[1];
        int c = shape[2];
        int inner = shape[3];
        int n = x.length;
        float[] y = new float[n];
        bn.forward(x, 0, outer, c, inner, mean, 0, var, 0, gamma, 0, beta, 0, scale, 1e-5f, y, 0);
        float[] s = new float[n];
        float[] u = new float[n];
        LifCpu lif = new LifCpu(parallel, kernel);
        lif.forward(y, 0, s, 0, u, 0, steps, n / steps, p);
        float[] gy = new float[n];
        lif.backward(ds, 0, u, 0, gy, 0, steps, n / steps, p);
        float[] dx = new float[n];
        float[] dGamma = new float[c];
        float[] dBeta = new float[c];
        bn.backward(gy, 0, x, 0, outer, c, inner, mean, 0, var, 0, gamma, 0, scale, 1e-5f, training, dx, 0, dGamma, 0,
                dBeta, 0);
        return new Reference(s, dx, dGamma, dBeta);
    }

    @Test
    void sameBitsAsBatchNormThenLif() {
        Random rnd = new Random(5);
        LifKernel[] kernels = VectorSupport.available() ? new LifKernel[] {new LifVectorKernel(), new LifScalarKernel()}
                : new LifKernel[] {new LifScalarKernel()};
        for (int[] shape : SHAPES) {
            int n = shape[0] * shape[1] * shape[2] * shape[3];
            int c = shape[2];
            float[] x = random(rnd, n, 1.5, 0.3);
            float[] ds = random(rnd, n, 1.0, 0.0);
            float[] mean = random(rnd, c, 0.2, 0.3);
            float[] var = random(rnd, c, 0.3, 2.0);
            for (int i = 0; i < c; i++) {
                var[i] = Math.abs(var[i]);
            }
            float[] gamma = random(rnd, c, 0.5, 1.0);
            float[] beta = random(rnd, c, 0.1, 0.05);
            for (LifParams p : PARAMS) {
                for (boolean training : new boolean[] {true, false}) {
                    for (LifKernel kernel : kernels) {
                        for (int threads = 1; threads <= 3; threads++) {
                            check(new Parallel(threads), kernel, shape, x, ds, mean, var, gamma, beta, training, p);
                        }
                    }
                }
            }
        }
    }

    private static void check(Parallel parallel, LifKernel kernel, int[] shape, float[] x, float[] ds, float[] mean,
                              float[] var, float[] gamma, float[] beta, boolean training, LifParams p) {
        BatchNormSpans spans = kernel instanceof LifScalarKernel ? new BatchNormScalarSpans() : new BatchNormVectorSpans();
        BatchNormCpu bn = new BatchNormCpu(parallel, spans);
        BatchNormLifCpu fused = new BatchNormLifCpu(parallel, kernel, bn);
        float scale = 0.2f;
        Reference want = reference(parallel, kernel, bn, shape, x, ds, mean, var, gamma, beta, scale, training, p);
        int steps = shape[0];
        int outer = shape[0] * shape[1];
        int c = shape[2];
        int inner = shape[3];
        int n = x.length;
        String what = kernel.name() + " " + java.util.Arrays.toString(shape) + " " + p + (training ? " training" : " eval")
                + " on " + parallel.threads() + " threads";
        float sum = 0;
        for (float v : want.spikes()) {
            sum += v;
        }
        assertTrue(sum > 0 && (sum < n || n < 8), "some but not all neurons fire: " + what);

        // forward, f32 and u8 spikes, at an offset
        float[] sF = new float[n + 3];
        fused.forward(x, 0, outer, c, inner, steps, mean, 0, var, 0, gamma, 0, beta, 0, scale, 1e-5f, p, sF, null, 3);
        assertArrayEquals(want.spikes(), java.util.Arrays.copyOfRange(sF, 3, n + 3), what);
        byte[] sB = new byte[n];
        fused.forward(x, 0, outer, c, inner, steps, mean, 0, var, 0, gamma, 0, beta, 0, scale, 1e-5f, p, null, sB, 0);
        for (int i = 0; i < n; i++) {
            assertTrue(sB[i] == (byte) want.spikes()[i], what + ": u8 spike " + i);
        }

        // backward into separate memory: ds untouched
        float[] dsCopy = ds.clone();
        float[] dx = new float[n];
        float[] dGamma = new float[c];
        float[] dBeta = new float[c];
        fused.backward(dsCopy, 0, x, 0, outer, c, inner, steps, mean, 0, var, 0, gamma, 0, beta, 0, scale, 1e-5f,
                training, p, dx, 0, dGamma, 0, dBeta, 0);
        assertArrayEquals(ds, dsCopy, what + ": the spike gradient is only read");
        assertArrayEquals(want.dx(), dx, what);
        assertArrayEquals(want.dGamma(), dGamma, what);
        assertArrayEquals(want.dBeta(), dBeta, what);

        // backward in place over the spike gradient
        float[] inPlace = ds.clone();
        fused.backward(inPlace, 0, x, 0, outer, c, inner, steps, mean, 0, var, 0, gamma, 0, beta, 0, scale, 1e-5f,
                training, p, inPlace, 0, dGamma, 0, dBeta, 0);
        assertArrayEquals(want.dx(), inPlace, what + " in place");
        assertArrayEquals(want.dGamma(), dGamma, what + " in place");
    }
}
