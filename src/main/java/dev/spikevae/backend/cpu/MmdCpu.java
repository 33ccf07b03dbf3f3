package dev.spikevae.backend.cpu;

/**
 * Biased multi-bandwidth RBF MMD² (docs/reference.md §4) between the rows of x {@code [n, d]} and y
 * {@code [m, d]}, in double. Rows of the stacked {@code Z = [x; y]} are independent units of work: each
 * row's sums run in a fixed order and per-row results are combined in row order, so the result does not
 * depend on the thread count. The base bandwidth is written out and read back by backward, which holds
 * it constant, as the reference detaches it.
 */
final class MmdCpu {
    private final Parallel parallel;

    MmdCpu(Parallel parallel) {
        this.parallel = parallel;
    }

    void forward(float[] x, int xOff, int n, float[] y, int yOff, int m, int d, int kernelNum, float kernelMul,
                 float[] loss, int lOff, float[] bw, int bwOff) {
        int s = n + m;
        double[][] z = stack(x, xOff, n, y, yOff, m, d);
        double[][] dist = new double[s][s];
        double[] rowDistance = new double[s];
        parallel.forRange(s, 8, (from, to) -> {
            for (int i = from; i < to; i++) {
                double sum = 0;
                for (int j = 0; j < s; j++) {
                    double dd = squaredDistance(z[i], z[j]);
                    dist[i][j] = dd;
                    sum += dd;
                }
                rowDistance[i] = sum;
            }
        });
        double total = 0;
        for (double r : rowDistance) {
            total += r;
        }
        // Rounded to the float that is stored for backward, so the loss and its gradient use one bandwidth.
        float base = (float) (total / ((double) s * s - s));
        double[] inverseWidths = inverseBandwidths(base, kernelNum, kernelMul);
        double[] rowLoss = new double[s];
        parallel.forRange(s, 8, (from, to) -> {
            for (int i = from; i < to; i++) {
                double sum = 0;
                for (int j = 0; j < s; j++) {
                    sum += weight(i, j, n, m) * kernel(dist[i][j], inverseWidths);
                }
                rowLoss[i] = sum;
            }
        });
        double value = 0;
        for (double r : rowLoss) {
            value += r;
        }
        loss[lOff] = (float) value;
        bw[bwOff] = base;
    }

    void backward(float[] dLoss, int dlOff, float[] x, int xOff, int n, float[] y, int yOff, int m, int d, float[] bw,
                  int bwOff, int kernelNum, float kernelMul, float[] dx, int dxOff, float[] dy, int dyOff) {
        int s = n + m;
        double[][] z = stack(x, xOff, n, y, yOff, m, d);
        double[] inverseWidths = inverseBandwidths(bw[bwOff], kernelNum, kernelMul);
        double upstream = dLoss[dlOff];
        parallel.forRange(s, 8, (from, to) -> {
            double[] grad = new double[d];
            for (int i = from; i < to; i++) {
                java.util.Arrays.fill(grad, 0);
                for (int j = 0; j < s; j++) {
                    // d/dz_i of w_ij K(D_ij) + w_ji K(D_ji) = 2 w_ij K'(D_ij) * 2 (z_i - z_j), w symmetric
                    double coef = 4 * weight(i, j, n, m) * kernelSlope(squaredDistance(z[i], z[j]), inverseWidths);
                    if (coef != 0) {
                        for (int k = 0; k < d; k++) {
                            grad[k] += coef * (z[i][k] - z[j][k]);
                        }
                    }
                }
                float[] out = i < n ? dx : dy;
                int o = i < n ? dxOff + i * d : dyOff + (i - n) * d;
                for (int k = 0; k < d; k++) {
                    out[o + k] = (float) (upstream * grad[k]);
                }
            }
        });
    }

    /** Weight of pair (i, j) in the loss: the mean of each block, cross blocks subtracted. */
    private static double weight(int i, int j, int n, int m) {
        boolean xi = i < n;
        boolean xj = j < n;
        if (xi && xj) {
            return 1.0 / ((double) n * n);
        }
        if (!xi && !xj) {
            return 1.0 / ((double) m * m);
        }
        return -1.0 / ((double) n * m);
    }

    /** {@code 1 / (base / mul^(num/2) * mul^i)} for each kernel i. */
    static double[] inverseBandwidths(double base, int kernelNum, float kernelMul) {
        double smallest = base / Math.pow(kernelMul, kernelNum / 2);
        double[] inv = new double[kernelNum];
        for (int i = 0; i < kernelNum; i++) {
            inv[i] = 1.0 / (smallest * Math.pow(kernelMul, i));
        }
        return inv;
    }

    private static double kernel(double dist, double[] inverseWidths) {
        double k = 0;
        for (double inv : inverseWidths) {
            k += Math.exp(-dist * inv);
        }
        return k;
    }

    /** dK/dD. */
    private static double kernelSlope(double dist, double[] inverseWidths) {
        double k = 0;
        for (double inv : inverseWidths) {
            k -= inv * Math.exp(-dist * inv);
        }
        return k;
    }

    private static double squaredDistance(double[] a, double[] b) {
        double s = 0;
        for (int k = 0; k < a.length; k++) {
            double diff = a[k] - b[k];
            s += diff * diff;
        }
        return s;
    }

    private static double[][] stack(float[] x, int xOff, int n, float[] y, int yOff, int m, int d) {
        double[][] z = new double[n + m][d];
        for (int i = 0; i < n + m; i++) {
            float[] src = i < n ? x : y;
            int o = i < n ? xOff + i * d : yOff + (i - n) * d;
            for (int k = 0; k < d; k++) {
                z[i][k] = src[o + k];
            }
        }
        return z;
    }
}
