package dev.spikevae.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.spikevae.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BatchNormCpuTest {
    private static final CpuBackend[] BACKENDS = {new CpuBackend(1), new CpuBackend(2), new CpuBackend(3)};
    private static final int[][] SHAPES = {{1, 1, 1}, {6, 1, 1}, {7, 3, 1}, {33, 17, 1}, {5, 4, 3}, {4, 3, 16},
        {3, 2, 33}, {9, 5, 64}, {40, 64, 1}, {64, 3, 1000}};

    @Test
    void tdBnGoldenValuesOfSpec() {
        float[] x = {0, 1, 2, 3, 4, 5};
        float[] want = {-0.29277f, -0.175662f, -0.058554f, 0.058554f, 0.175662f, 0.29277f};
        for (CpuBackend be : BACKENDS) {
            Tensor xt = be.fromHost(x, 6, 1, 1);
            Tensor mean = be.empty(1);
            Tensor var = be.empty(1);
            be.batchNormStats(xt, mean, var);
            assertEquals(2.5f, mean.item(), 1e-7f);
            assertEquals(2.916667f, var.item(), 1e-6f);
            Tensor y = be.empty(6, 1, 1);
            be.batchNormForward(xt, mean, var, be.fromHost(new float[] {1f}, 1), be.fromHost(new float[] {0f}, 1), 0.2f,
                    1e-5f, y);
            assertArrayEquals(want, y.toHost(), 1e-6f);
        }
    }

    private static float[] random(Random rnd, int n, double scale, double shift) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (rnd.nextGaussian() * scale + shift);
        }
        return a;
    }

    /** sum w * y of the batch norm in double; mean/var from x when given null. */
    private static double loss(double[] x, int outer, int channels, int inner, double[] meanIn, double[] varIn,
                               double[] gamma, double[] beta, double scale, double eps, double[] w) {
        double loss = 0;
        for (int c = 0; c < channels; c++) {
            double mean;
            double var;
            if (meanIn == null) {
                double s = 0;
                for (int o = 0; o < outer; o++) {
                    for (int j = 0; j < inner; j++) {
                        s += x[(o * channels + c) * inner + j];
                    }
                }
                mean = s / (outer * inner);
                double q = 0;
                for (int o = 0; o < outer; o++) {
                    for (int j = 0; j < inner; j++) {
                        double d = x[(o * channels + c) * inner + j] - mean;
                        q += d * d;
                    }
                }
                var = q / (outer * inner);
            } else {
                mean = meanIn[c];
                var = varIn[c];
            }
            for (int o = 0; o < outer; o++) {
                for (int j = 0; j < inner; j++) {
                    int e = (o * channels + c) * inner + j;
                    double y = gamma[c] * scale * (x[e] - mean) / Math.sqrt(var + eps) + beta[c];
                    loss += w[e] * y;
                }
            }
        }
        return loss;
    }

    private static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }

    @Test
    void statsForwardAndBackwardMatchDoublePrecisionAndFiniteDifferences() {
        Random rnd = new Random(21);
        float scale = 0.4f;
        float eps = 1e-5f;
        for (int[] s : SHAPES) {
            int outer = s[0];
            int channels = s[1];
            int inner = s[2];
            int n = outer * channels * inner;
            float[] x = random(rnd, n, 1.5, 0.7);
            float[] dy = random(rnd, n, 1, 0);
            float[] gamma = random(rnd, channels, 0.5, 1);
            float[] beta = random(rnd, channels, 0.5, 0);
            float[] runMean = random(rnd, channels, 0.3, 0.5);
            float[] runVar = random(rnd, channels, 0.1, 1.5);
            double[] xd = toDouble(x);
            double[] w = toDouble(dy);
            double[] gd = toDouble(gamma);
            double[] bd = toDouble(beta);
            CpuBackend be = BACKENDS[rnd.nextInt(BACKENDS.length)];
            Tensor xt = be.fromHost(x, outer, channels, inner);
            Tensor mean = be.empty(channels);
            Tensor var = be.empty(channels);
            be.batchNormStats(xt, mean, var);
            float[] meanH = mean.toHost();
            float[] varH = var.toHost();
            for (int c = 0; c < channels; c++) {
                double sum = 0;
                double sq = 0;
                for (int o = 0; o < outer; o++) {
                    for (int j = 0; j < inner; j++) {
                        sum += xd[(o * channels + c) * inner + j];
                    }
                }
                double m = sum / (outer * inner);
                for (int o = 0; o < outer; o++) {
                    for (int j = 0; j < inner; j++) {
                        double d = xd[(o * channels + c) * inner + j] - m;
                        sq += d * d;
                    }
                }
                assertEquals(m, meanH[c], 1e-6 * (1 + Math.abs(m)));
                assertEquals(sq / (outer * inner), varH[c], 1e-5 * (1 + sq / (outer * inner)));
            }
            Tensor y = be.empty(outer, channels, inner);
            be.batchNormForward(xt, mean, var, be.fromHost(gamma, channels), be.fromHost(beta, channels), scale, eps, y);
            float[] yH = y.toHost();
            for (int e = 0; e < n; e++) {
                int c = (e / inner) % channels;
                double want = gd[c] * scale * (xd[e] - meanH[c]) / Math.sqrt(varH[c] + (double) eps) + bd[c];
                assertEquals(want, yH[e], 1e-5 * (1 + Math.abs(want)));
            }
            for (boolean training : new boolean[] {true, false}) {
                Tensor dx = be.empty(outer, channels, inner);
                Tensor dGamma = be.empty(channels);
                Tensor dBeta = be.empty(channels);
                Tensor useMean = training ? mean : be.fromHost(runMean, channels);
                Tensor useVar = training ? var : be.fromHost(runVar, channels);
                be.batchNormBackward(be.fromHost(dy, outer, channels, inner), xt, useMean, useVar,
                        be.fromHost(gamma, channels), scale, eps, training, dx, dGamma, dBeta);
                double[] fixedMean = training ? null : toDouble(runMean);
                double[] fixedVar = training ? null : toDouble(runVar);
                float[] dxH = dx.toHost();
                double h = 1e-5;
                // every element of small tensors, a sample of large ones
                int stride = Math.max(1, n / 97);
                for (int e = 0; e < n; e += stride) {
                    double keep = xd[e];
                    xd[e] = keep + h;
                    double lp = loss(xd, outer, channels, inner, fixedMean, fixedVar, gd, bd, scale, eps, w);
                    xd[e] = keep - h;
                    double lm = loss(xd, outer, channels, inner, fixedMean, fixedVar, gd, bd, scale, eps, w);
                    xd[e] = keep;
                    double fd = (lp - lm) / (2 * h);
                    assertEquals(fd, dxH[e], 2e-4 * (1 + Math.abs(fd)),
                            "dx at " + e + " of " + outer + "x" + channels + "x" + inner + " training " + training);
                }
                float[] dgH = dGamma.toHost();
                float[] dbH = dBeta.toHost();
                for (int c = 0; c < channels; c++) {
                    double[] gp = gd.clone();
                    double[] gm = gd.clone();
                    gp[c] += h;
                    gm[c] -= h;
                    double fd = (loss(xd, outer, channels, inner, fixedMean, fixedVar, gp, bd, scale, eps, w)
                            - loss(xd, outer, channels, inner, fixedMean, fixedVar, gm, bd, scale, eps, w)) / (2 * h);
                    assertEquals(fd, dgH[c], 2e-4 * (1 + Math.abs(fd)), "dGamma " + c + " training " + training);
                    double[] bp = bd.clone();
                    double[] bm = bd.clone();
                    bp[c] += h;
                    bm[c] -= h;
                    fd = (loss(xd, outer, channels, inner, fixedMean, fixedVar, gd, bp, scale, eps, w)
                            - loss(xd, outer, channels, inner, fixedMean, fixedVar, gd, bm, scale, eps, w)) / (2 * h);
                    assertEquals(fd, dbH[c], 2e-4 * (1 + Math.abs(fd)), "dBeta " + c + " training " + training);
                }
            }
        }
    }

    @Test
    void statisticsAndParameterGradientsDoNotDependOnThreadCount() {
        Random rnd = new Random(8);
        for (int[] s : new int[][] {{512, 8, 64}, {2000, 37, 1}, {300, 5, 7}}) {
            int n = s[0] * s[1] * s[2];
            float[] x = random(rnd, n, 2, 3);
            float[] dy = random(rnd, n, 1, 0);
            float[] gamma = random(rnd, s[1], 0.5, 1);
            float[][] results = new float[BACKENDS.length][];
            for (int b = 0; b < BACKENDS.length; b++) {
                CpuBackend be = BACKENDS[b];
                Tensor xt = be.fromHost(x, s);
                Tensor mean = be.empty(s[1]);
                Tensor var = be.empty(s[1]);
                be.batchNormStats(xt, mean, var);
                Tensor dx = be.empty(s);
                Tensor dGamma = be.empty(s[1]);
                Tensor dBeta = be.empty(s[1]);
                be.batchNormBackward(be.fromHost(dy, s), xt, mean, var, be.fromHost(gamma, s[1]), 0.2f, 1e-5f, true, dx,
                        dGamma, dBeta);
                float[] all = new float[4 * s[1] + n];
                System.arraycopy(mean.toHost(), 0, all, 0, s[1]);
                System.arraycopy(var.toHost(), 0, all, s[1], s[1]);
                System.arraycopy(dGamma.toHost(), 0, all, 2 * s[1], s[1]);
                System.arraycopy(dBeta.toHost(), 0, all, 3 * s[1], s[1]);
                System.arraycopy(dx.toHost(), 0, all, 4 * s[1], n);
                results[b] = all;
            }
            assertArrayEquals(results[0], results[1], 0f);
            assertArrayEquals(results[0], results[2], 0f);
        }
    }

    @Test
    void vectorAndScalarSpansAgree() {
        if (!VectorSupport.available()) {
            return;
        }
        Parallel pool = new Parallel(2);
        BatchNormCpu vector = new BatchNormCpu(pool, new BatchNormVectorSpans());
        BatchNormCpu scalar = new BatchNormCpu(pool, new BatchNormScalarSpans());
        Random rnd = new Random(12);
        for (int[] s : SHAPES) {
            int n = s[0] * s[1] * s[2];
            int ch = s[1];
            float[] x = random(rnd, n + 2, 1, 0.3);
            float[] dy = random(rnd, n + 2, 1, 0);
            float[] gamma = random(rnd, ch, 0.5, 1);
            float[] beta = random(rnd, ch, 0.5, 0);
            float[][] mean = new float[2][ch];
            float[][] var = new float[2][ch];
            float[][] y = new float[2][n];
            float[][] dx = new float[2][n];
            float[][] dg = new float[2][ch];
            float[][] db = new float[2][ch];
            BatchNormCpu[] impls = {vector, scalar};
            for (int k = 0; k < 2; k++) {
                impls[k].stats(x, 2, s[0], ch, s[2], mean[k], 0, var[k], 0);
            }
            for (int k = 0; k < 2; k++) {
                impls[k].forward(x, 2, s[0], ch, s[2], mean[1], 0, var[1], 0, gamma, 0, beta, 0, 0.2f, 1e-5f, y[k], 0);
                impls[k].backward(dy, 2, x, 2, s[0], ch, s[2], mean[1], 0, var[1], 0, gamma, 0, 0.2f, 1e-5f, true, dx[k], 0,
                        dg[k], 0, db[k], 0);
            }
            assertArrayEquals(mean[1], mean[0], 1e-6f);
            assertArrayEquals(var[1], var[0], 1e-5f);
            assertArrayEquals(y[1], y[0], 1e-6f);
            assertArrayEquals(dx[1], dx[0], 1e-5f);
            assertArrayEquals(dg[1], dg[0], 1e-3f);
            assertArrayEquals(db[1], db[0], 1e-3f);
        }
    }

    /**
     * The vector spans' sums are bit for bit the sums of a stated order, on every JVM: two float accumulators per lane
     * over pairs of vectors, added lane by lane, their lanes then added from lane 0 up in float, the tail in double.
     * {@code reduceLanes(ADD)} would leave the lanes' order to the JVM (Java 25 adds them in a tree, 17 in order), and
     * a training run would give other figures on another release (the {@code java-25} test run in pom.xml). On 25 the
     * order even changed within a run, once the JIT compiler took over from the interpreter's lane-by-lane loop: hence
     * the many rounds, which hold the sums to the order before and after the spans are compiled.
     */
    @Test
    void vectorSpansSumInAStatedOrderOnEveryJvm() {
        if (!VectorSupport.available()) {
            return;
        }
        int lanes = VectorSupport.floatLanes();
        BatchNormSpans spans = new BatchNormVectorSpans();
        Random rnd = new Random(5);
        for (int round = 0; round < 400; round++) {
            checkSpanSums(spans, lanes, rnd);
        }
    }

    private static void checkSpanSums(BatchNormSpans spans, int lanes, Random rnd) {
        for (int n = 0; n <= 6 * lanes + 3; n++) {
            float[] x = random(rnd, n + 3, Math.pow(10, rnd.nextInt(5) - 2), 0.1);
            float[] dy = random(rnd, n + 5, 1, 0);
            float mean = (float) rnd.nextGaussian();
            float[][] acc = new float[3][2 * lanes];
            int i = 0;
            for (; i + 2 * lanes <= n; i += 2 * lanes) {
                for (int l = 0; l < 2 * lanes; l++) {
                    float d = x[3 + i + l] - mean;
                    acc[0][l] += x[3 + i + l];
                    acc[1][l] = Math.fma(d, d, acc[1][l]);
                    acc[2][l] = Math.fma(d, dy[5 + i + l], acc[2][l]);
                }
            }
            double[] want = new double[3];
            for (int k = 0; k < 3 && i > 0; k++) {
                float lanesSum = acc[k][0] + acc[k][lanes];
                for (int l = 1; l < lanes; l++) {
                    lanesSum += acc[k][l] + acc[k][lanes + l];
                }
                want[k] = lanesSum;
            }
            for (; i < n; i++) {
                float d = x[3 + i] - mean;
                want[0] += x[3 + i];
                want[1] += d * d;
                want[2] += dy[5 + i] * d;
            }
            assertEquals(want[0], spans.sum(x, 3, n), 0, "sum, n = " + n);
            assertEquals(want[1], spans.sumSquaredDeviation(x, 3, n, mean), 0, "sum of squares, n = " + n);
            assertEquals(want[2], spans.sumProductDeviation(dy, 5, x, 3, n, mean), 0, "sum of products, n = " + n);
        }
    }
}
