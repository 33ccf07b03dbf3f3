package dev.spikevae.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.spikevae.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MmdCpuTest {
    private static final CpuBackend[] BACKENDS = {new CpuBackend(1), new CpuBackend(2), new CpuBackend(3)};

    @Test
    void goldenValuesOfSpec() {
        float[] x = {0.1f, 0.9f, 0.5f, 0.3f, 0.2f, 0.7f, 0.6f, 0.4f, 0.0f};
        float[] y = {0.5f, 0.5f, 0.5f, 0.9f, 0.1f, 0.2f, 0.2f, 0.8f, 0.6f};
        for (CpuBackend be : BACKENDS) {
            Tensor loss = be.empty(1);
            Tensor bw = be.empty(1);
            be.mmdForward(be.fromHost(x, 3, 3), be.fromHost(y, 3, 3), 5, 2f, loss, bw);
            assertEquals(0.857717f, loss.item(), 1e-6f);
            assertEquals(0.129f, bw.item() / 4, 5e-4f);
        }
    }

    /** The loss in double with a given base bandwidth (null: computed from the data, as forward does). */
    private static double naiveLoss(double[][] x, double[][] y, int num, double mul, Double fixedBase) {
        int n = x.length;
        int m = y.length;
        double[][] z = new double[n + m][];
        System.arraycopy(x, 0, z, 0, n);
        System.arraycopy(y, 0, z, n, m);
        int s = n + m;
        double[][] dist = new double[s][s];
        double total = 0;
        for (int i = 0; i < s; i++) {
            for (int j = 0; j < s; j++) {
                double q = 0;
                for (int k = 0; k < z[i].length; k++) {
                    q += (z[i][k] - z[j][k]) * (z[i][k] - z[j][k]);
                }
                dist[i][j] = q;
                total += q;
            }
        }
        double base = fixedBase != null ? fixedBase : total / (s * (double) s - s);
        double[] sums = new double[4];
        for (int i = 0; i < s; i++) {
            for (int j = 0; j < s; j++) {
                double k = 0;
                for (int b = 0; b < num; b++) {
                    k += Math.exp(-dist[i][j] / (base / Math.pow(mul, num / 2) * Math.pow(mul, b)));
                }
                sums[(i < n ? 0 : 2) + (j < n ? 0 : 1)] += k;
            }
        }
        return sums[0] / (n * (double) n) + sums[3] / (m * (double) m) - sums[1] / (n * (double) m)
                - sums[2] / (m * (double) n);
    }

    private static double[][] rows(float[] a, int r, int d) {
        double[][] out = new double[r][d];
        for (int i = 0; i < r; i++) {
            for (int k = 0; k < d; k++) {
                out[i][k] = a[i * d + k];
            }
        }
        return out;
    }

    @Test
    void forwardAndBackwardMatchDoublePrecisionAndFiniteDifferences() {
        Random rnd = new Random(31);
        int[][] shapes = {{1, 1, 1}, {2, 3, 1}, {3, 3, 3}, {7, 5, 17}, {16, 16, 32}, {1, 9, 4}};
        for (int[] sh : shapes) {
            int n = sh[0];
            int m = sh[1];
            int d = sh[2];
            float[] x = new float[n * d];
            float[] y = new float[m * d];
            for (int i = 0; i < x.length; i++) {
                x[i] = rnd.nextFloat();
            }
            for (int i = 0; i < y.length; i++) {
                y[i] = rnd.nextFloat();
            }
            int num = 5;
            float mul = 2f;
            CpuBackend be = BACKENDS[rnd.nextInt(BACKENDS.length)];
            Tensor xt = be.fromHost(x, n, d);
            Tensor yt = be.fromHost(y, m, d);
            Tensor loss = be.empty(1);
            Tensor bw = be.empty(1);
            be.mmdForward(xt, yt, num, mul, loss, bw);
            double[][] xd = rows(x, n, d);
            double[][] yd = rows(y, m, d);
            double want = naiveLoss(xd, yd, num, mul, null);
            assertEquals(want, loss.item(), 1e-6 * (1 + Math.abs(want)));
            double base = bw.item();
            float upstream = 0.7f;
            Tensor dx = be.empty(n, d);
            Tensor dy = be.empty(m, d);
            be.mmdBackward(be.fromHost(new float[] {upstream}, 1), xt, yt, bw, num, mul, dx, dy);
            float[] dxH = dx.toHost();
            float[] dyH = dy.toHost();
            double h = 1e-6;
            for (int side = 0; side < 2; side++) {
                double[][] a = side == 0 ? xd : yd;
                float[] got = side == 0 ? dxH : dyH;
                for (int i = 0; i < a.length; i++) {
                    for (int k = 0; k < d; k++) {
                        double keep = a[i][k];
                        a[i][k] = keep + h;
                        double lp = naiveLoss(xd, yd, num, mul, base);
                        a[i][k] = keep - h;
                        double lm = naiveLoss(xd, yd, num, mul, base);
                        a[i][k] = keep;
                        double fd = upstream * (lp - lm) / (2 * h);
                        assertEquals(fd, got[i * d + k], 1e-5 * (1 + Math.abs(fd)), "side " + side + " row " + i + " k " + k);
                    }
                }
            }
        }
    }

    @Test
    void resultsDoNotDependOnThreadCount() {
        Random rnd = new Random(2);
        int n = 64;
        int d = 33;
        float[] x = new float[n * d];
        float[] y = new float[n * d];
        for (int i = 0; i < x.length; i++) {
            x[i] = rnd.nextFloat();
            y[i] = rnd.nextFloat();
        }
        float[][] results = new float[BACKENDS.length][];
        for (int b = 0; b < BACKENDS.length; b++) {
            CpuBackend be = BACKENDS[b];
            Tensor xt = be.fromHost(x, n, d);
            Tensor yt = be.fromHost(y, n, d);
            Tensor loss = be.empty(1);
            Tensor bw = be.empty(1);
            be.mmdForward(xt, yt, 5, 2f, loss, bw);
            Tensor dx = be.empty(n, d);
            Tensor dy = be.empty(n, d);
            be.mmdBackward(be.fromHost(new float[] {1f}, 1), xt, yt, bw, 5, 2f, dx, dy);
            float[] all = new float[2 + 2 * n * d];
            all[0] = loss.item();
            all[1] = bw.item();
            System.arraycopy(dx.toHost(), 0, all, 2, n * d);
            System.arraycopy(dy.toHost(), 0, all, 2 + n * d, n * d);
            results[b] = all;
        }
        assertArrayEquals(results[0], results[1], 0f);
        assertArrayEquals(results[0], results[2], 0f);
    }
}
