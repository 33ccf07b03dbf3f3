package dev.spikevae.autograd;

import dev.spikevae.backend.cpu.CpuBackend;
import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.Shape;
import dev.spikevae.tensor.Tensor;
import dev.spikevae.tensor.UnaryOp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.function.DoubleBinaryOperator;

/**
 * Every differentiable op in {@link Ops} against a double-precision reference: forward values and
 * central finite differences of the reference (GradCheck). Shapes are odd on purpose (not multiples of
 * vector widths or block sizes).
 */
class OpsGradientTest {
    private static final Backend BE = new CpuBackend(2);

    private static GradCheck gc() {
        return new GradCheck(BE, 11);
    }

    // ---- double references ------------------------------------------------------------------------

    /** Row-major index of {@code out}'s element {@code o} in an operand of shape {@code s} broadcast to {@code out}. */
    static int broadcastIndex(int o, int[] out, int[] s) {
        int idx = 0;
        int stride = 1;
        for (int i = out.length - 1; i >= 0; i--) {
            int coord = o % out[i];
            o /= out[i];
            int si = i - (out.length - s.length);
            if (si >= 0) {
                int d = s[si];
                idx += (d == 1 ? 0 : coord) * stride;
                stride *= d;
            }
        }
        return idx;
    }

    static double[] broadcastBinary(double[] a, int[] as, double[] b, int[] bs, int[] out, DoubleBinaryOperator f) {
        int n = Shape.of(out).numel();
        double[] y = new double[n];
        for (int o = 0; o < n; o++) {
            y[o] = f.applyAsDouble(a[broadcastIndex(o, out, as)], b[broadcastIndex(o, out, bs)]);
        }
        return y;
    }

    // ---- elementwise ------------------------------------------------------------------------------

    @Test
    void broadcastArithmetic() {
        int[][][] cases = {
                {{3, 5, 7}, {3, 5, 7}, {3, 5, 7}},
                {{3, 5, 7}, {7}, {3, 5, 7}},
                {{3, 1, 7}, {5, 1}, {3, 5, 7}},
                {{2, 3, 4, 5}, {3, 1, 1}, {2, 3, 4, 5}},
                {{1}, {4, 3}, {4, 3}},
        };
        for (int[][] c : cases) {
            int[] as = c[0];
            int[] bs = c[1];
            int[] os = c[2];
            gc().check("add " + Shape.of(as) + Shape.of(bs), new int[][] {as, bs}, in -> Ops.add(in[0], in[1]),
                    in -> broadcastBinary(in[0], as, in[1], bs, os, Double::sum));
            gc().check("sub", new int[][] {as, bs}, in -> Ops.sub(in[0], in[1]),
                    in -> broadcastBinary(in[0], as, in[1], bs, os, (x, y) -> x - y));
            gc().check("mul", new int[][] {as, bs}, in -> Ops.mul(in[0], in[1]),
                    in -> broadcastBinary(in[0], as, in[1], bs, os, (x, y) -> x * y));
            gc().inputs(v -> v >= 0 ? v + 0.5f : v - 0.5f).check("div", new int[][] {as, bs},
                    in -> Ops.div(in[0], in[1]), in -> broadcastBinary(in[0], as, in[1], bs, os, (x, y) -> x / y));
        }
    }

    @Test
    void sameTensorTwice() {
        gc().check("x * x", new int[][] {{13}}, in -> Ops.mul(in[0], in[0]), in -> {
            double[] y = new double[in[0].length];
            for (int i = 0; i < y.length; i++) {
                y[i] = in[0][i] * in[0][i];
            }
            return y;
        });
    }

    @ParameterizedTest
    @EnumSource(value = UnaryOp.class, names = "STEP", mode = EnumSource.Mode.EXCLUDE)
    void unary(UnaryOp op) {
        float p = op == UnaryOp.LEAKY_RELU ? 0.01f : 0f;
        boolean positive = op == UnaryOp.LOG || op == UnaryOp.SQRT;
        gc().inputs(v -> positive ? Math.abs(v) + 0.2f : (v >= 0 ? v + 0.05f : v - 0.05f)).check(op.name(),
                new int[][] {{3, 37}}, in -> Ops.unary(op, in[0], p), in -> {
                    double[] y = new double[in[0].length];
                    for (int i = 0; i < y.length; i++) {
                        double v = in[0][i];
                        y[i] = switch (op) {
                            case NEG -> -v;
                            case EXP -> Math.exp(v);
                            case LOG -> Math.log(v);
                            case TANH -> Math.tanh(v);
                            case SIGMOID -> 1 / (1 + Math.exp(-v));
                            case RELU -> Math.max(v, 0);
                            case LEAKY_RELU -> v > 0 ? v : p * v;
                            case SQUARE -> v * v;
                            case SQRT -> Math.sqrt(v);
                            case ABS -> Math.abs(v);
                            case STEP -> throw new AssertionError();
                        };
                    }
                    return y;
                });
    }

    @Test
    void affineAndScale() {
        gc().check("affine", new int[][] {{5, 3}}, in -> Ops.affine(in[0], -1.5f, 0.25f), in -> {
            double[] y = new double[in[0].length];
            for (int i = 0; i < y.length; i++) {
                y[i] = -1.5 * in[0][i] + 0.25;
            }
            return y;
        });
    }

    // ---- reductions -------------------------------------------------------------------------------

    @Test
    void sumMeanAndMse() {
        gc().check("sum", new int[][] {{4, 9, 5}}, in -> Ops.sum(in[0]), in -> new double[] {java.util.Arrays.stream(in[0]).sum()});
        gc().check("mean", new int[][] {{4, 9, 5}}, in -> Ops.mean(in[0]),
                in -> new double[] {java.util.Arrays.stream(in[0]).average().orElseThrow()});
        gc().check("mseLoss", new int[][] {{3, 11}, {3, 11}}, in -> Ops.mseLoss(in[0], in[1]), in -> {
            double s = 0;
            for (int i = 0; i < in[0].length; i++) {
                s += (in[0][i] - in[1][i]) * (in[0][i] - in[1][i]);
            }
            return new double[] {s / in[0].length};
        });
    }

    @Test
    void sumToBroadcastShapes() {
        int[][][] cases = {{{6, 5, 7}, {5, 1}}, {{6, 5, 7}, {7}}, {{6, 5, 7}, {6, 1, 1}}, {{2, 3, 4, 5}, {3, 1, 5}},
                {{9, 4}, {1}}};
        for (int[][] c : cases) {
            int[] xs = c[0];
            int[] os = c[1];
            gc().check("sumTo " + Shape.of(os), new int[][] {xs}, in -> Ops.sumTo(in[0], Shape.of(os)), in -> {
                double[] y = new double[Shape.of(os).numel()];
                for (int o = 0; o < in[0].length; o++) {
                    y[broadcastIndex(o, xs, os)] += in[0][o];
                }
                return y;
            });
        }
    }

    // ---- layout -----------------------------------------------------------------------------------

    @Test
    void reshapeExpandPermuteSliceConcat() {
        gc().check("reshape", new int[][] {{4, 6}}, in -> Ops.square(Ops.reshape(in[0], 3, -1)), in -> {
            double[] y = new double[in[0].length];
            for (int i = 0; i < y.length; i++) {
                y[i] = in[0][i] * in[0][i];
            }
            return y;
        });
        int[] os = {5, 3, 4};
        gc().check("repeatTime", new int[][] {{3, 4}}, in -> Ops.repeatTime(in[0], 5), in -> {
            double[] y = new double[60];
            for (int o = 0; o < 60; o++) {
                y[o] = in[0][broadcastIndex(o, os, new int[] {3, 4})];
            }
            return y;
        });
        int[] xs = {2, 3, 5, 7};
        int[] perm = {3, 1, 0, 2};
        gc().check("permute", new int[][] {xs}, in -> Ops.permute(in[0], perm), in -> {
            double[] y = new double[in[0].length];
            int[] od = {7, 3, 2, 5};
            int[] c = new int[4];
            for (int o = 0; o < y.length; o++) {
                int rem = o;
                for (int i = 3; i >= 0; i--) {
                    c[i] = rem % od[i];
                    rem /= od[i];
                }
                int[] src = new int[4];
                for (int i = 0; i < 4; i++) {
                    src[perm[i]] = c[i];
                }
                y[o] = in[0][((src[0] * 3 + src[1]) * 5 + src[2]) * 7 + src[3]];
            }
            return y;
        });
        gc().check("slice", new int[][] {{4, 9, 3}}, in -> Ops.slice(in[0], 1, 2, 5), in -> {
            double[] y = new double[4 * 5 * 3];
            for (int a = 0; a < 4; a++) {
                for (int b = 0; b < 5; b++) {
                    for (int c = 0; c < 3; c++) {
                        y[(a * 5 + b) * 3 + c] = in[0][(a * 9 + b + 2) * 3 + c];
                    }
                }
            }
            return y;
        });
        gc().check("concat", new int[][] {{3, 2, 4}, {3, 5, 4}}, in -> Ops.concat(1, in[0], in[1]), in -> {
            double[] y = new double[3 * 7 * 4];
            for (int a = 0; a < 3; a++) {
                for (int b = 0; b < 7; b++) {
                    for (int c = 0; c < 4; c++) {
                        y[(a * 7 + b) * 4 + c] = b < 2 ? in[0][(a * 2 + b) * 4 + c] : in[1][(a * 5 + b - 2) * 4 + c];
                    }
                }
            }
            return y;
        });
    }

    // ---- linear algebra ---------------------------------------------------------------------------

    static double[] matmulRef(double[] a, double[] b, int m, int n, int k, boolean ta, boolean tb) {
        double[] c = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    s += (ta ? a[p * m + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * n + j]);
                }
                c[i * n + j] = s;
            }
        }
        return c;
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3})
    void matmul(int transposes) {
        boolean ta = (transposes & 1) != 0;
        boolean tb = (transposes & 2) != 0;
        int m = 7;
        int n = 9;
        int k = 13;
        int[] as = ta ? new int[] {k, m} : new int[] {m, k};
        int[] bs = tb ? new int[] {n, k} : new int[] {k, n};
        gc().check("matmul ta=" + ta + " tb=" + tb, new int[][] {as, bs}, in -> Ops.matmul(in[0], in[1], ta, tb),
                in -> matmulRef(in[0], in[1], m, n, k, ta, tb));
    }

    @Test
    void linearOverTimeMajorInput() {
        int t = 3;
        int nb = 5;
        int inF = 11;
        int outF = 6;
        gc().check("linear", new int[][] {{t, nb, inF}, {outF, inF}, {outF}}, in -> Ops.linear(in[0], in[1], in[2]), in -> {
            double[] y = matmulRef(in[0], in[1], t * nb, outF, inF, false, true);
            for (int r = 0; r < t * nb; r++) {
                for (int o = 0; o < outF; o++) {
                    y[r * outF + o] += in[2][o];
                }
            }
            return y;
        });
    }

    /** Direct double convolution: x [B, C, H, W], w [O, C, k, k]. */
    static double[] convRef(double[] x, double[] w, double[] bias, int b, int c, int h, int wd, int o, int k, int s, int p) {
        int oh = (h + 2 * p - k) / s + 1;
        int ow = (wd + 2 * p - k) / s + 1;
        double[] y = new double[b * o * oh * ow];
        for (int n = 0; n < b; n++) {
            for (int oc = 0; oc < o; oc++) {
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        double acc = bias == null ? 0 : bias[oc];
                        for (int ic = 0; ic < c; ic++) {
                            for (int ki = 0; ki < k; ki++) {
                                for (int kj = 0; kj < k; kj++) {
                                    int yi = i * s - p + ki;
                                    int xj = j * s - p + kj;
                                    if (yi >= 0 && yi < h && xj >= 0 && xj < wd) {
                                        acc += x[((n * c + ic) * h + yi) * wd + xj] * w[((oc * c + ic) * k + ki) * k + kj];
                                    }
                                }
                            }
                        }
                        y[((n * o + oc) * oh + i) * ow + j] = acc;
                    }
                }
            }
        }
        return y;
    }

    /** Direct double transposed convolution: x [B, C, H, W], w [C, O, k, k] (PyTorch layout). */
    static double[] convTransposeRef(double[] x, double[] w, double[] bias, int b, int c, int h, int wd, int o, int k, int s,
                                     int p, int op) {
        int oh = (h - 1) * s - 2 * p + k + op;
        int ow = (wd - 1) * s - 2 * p + k + op;
        double[] y = new double[b * o * oh * ow];
        for (int n = 0; n < b; n++) {
            for (int oc = 0; oc < o; oc++) {
                for (int i = 0; i < oh * ow; i++) {
                    y[(n * o + oc) * oh * ow + i] = bias == null ? 0 : bias[oc];
                }
            }
            for (int ic = 0; ic < c; ic++) {
                for (int i = 0; i < h; i++) {
                    for (int j = 0; j < wd; j++) {
                        double v = x[((n * c + ic) * h + i) * wd + j];
                        for (int oc = 0; oc < o; oc++) {
                            for (int ki = 0; ki < k; ki++) {
                                for (int kj = 0; kj < k; kj++) {
                                    int yi = i * s - p + ki;
                                    int yj = j * s - p + kj;
                                    if (yi >= 0 && yi < oh && yj >= 0 && yj < ow) {
                                        y[((n * o + oc) * oh + yi) * ow + yj] += v * w[((ic * o + oc) * k + ki) * k + kj];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return y;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void conv2dTimeDistributed(int stride) {
        int t = 2;
        int nb = 2;
        int c = 3;
        int h = 7;
        int w = 5;
        int o = 4;
        gc().check("conv2d stride " + stride, new int[][] {{t, nb, c, h, w}, {o, c, 3, 3}, {o}},
                in -> Ops.conv2d(in[0], in[1], in[2], stride, 1),
                in -> convRef(in[0], in[1], in[2], t * nb, c, h, w, o, 3, stride, 1));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void convTranspose2d(int outputPadding) {
        int b = 3;
        int c = 5;
        int h = 4;
        int w = 3;
        int o = 2;
        gc().check("convTranspose2d op " + outputPadding, new int[][] {{b, c, h, w}, {c, o, 3, 3}, {o}},
                in -> Ops.convTranspose2d(in[0], in[1], in[2], 2, 1, outputPadding),
                in -> convTransposeRef(in[0], in[1], in[2], b, c, h, w, o, 3, 2, 1, outputPadding));
        gc().check("convTranspose2d stride 1", new int[][] {{b, c, h, w}, {c, o, 3, 3}, {o}},
                in -> Ops.convTranspose2d(in[0], in[1], in[2], 1, 1, 0),
                in -> convTransposeRef(in[0], in[1], in[2], b, c, h, w, o, 3, 1, 1, 0));
    }

    /** Random shapes, seeded: GEMMs whose k crosses the packing block (256) and odd convolution geometries. */
    @Test
    void randomShapes() {
        dev.spikevae.tensor.Rng dice = new dev.spikevae.tensor.Rng(77);
        for (int trial = 0; trial < 3; trial++) {
            float[] u = dice.uniformHost(12);
            int m = 1 + (int) (u[0] * 40);
            int n = 1 + (int) (u[1] * 70);
            int k = 200 + (int) (u[2] * 120);
            boolean ta = u[3] < 0.5f;
            boolean tb = u[4] < 0.5f;
            int[] as = ta ? new int[] {k, m} : new int[] {m, k};
            int[] bs = tb ? new int[] {n, k} : new int[] {k, n};
            gc().check("matmul " + m + "x" + n + "x" + k, new int[][] {as, bs}, in -> Ops.matmul(in[0], in[1], ta, tb),
                    in -> matmulRef(in[0], in[1], m, n, k, ta, tb));
            int b = 1 + (int) (u[5] * 5);
            int c = 1 + (int) (u[6] * 6);
            int o = 1 + (int) (u[7] * 7);
            int h = 3 + (int) (u[8] * 7);
            int w = 3 + (int) (u[9] * 7);
            int stride = u[10] < 0.5f ? 1 : 2;
            int outputPadding = stride == 2 && u[11] < 0.5f ? 1 : 0;
            gc().check("conv2d " + b + "x" + c + "x" + h + "x" + w + " -> " + o + " s" + stride,
                    new int[][] {{b, c, h, w}, {o, c, 3, 3}, {o}}, in -> Ops.conv2d(in[0], in[1], in[2], stride, 1),
                    in -> convRef(in[0], in[1], in[2], b, c, h, w, o, 3, stride, 1));
            gc().check("convTranspose2d " + b + "x" + c + "x" + h + "x" + w + " -> " + o + " s" + stride + " op"
                            + outputPadding, new int[][] {{b, c, h, w}, {c, o, 3, 3}, {o}},
                    in -> Ops.convTranspose2d(in[0], in[1], in[2], stride, 1, outputPadding),
                    in -> convTransposeRef(in[0], in[1], in[2], b, c, h, w, o, 3, stride, 1, outputPadding));
        }
    }

    // ---- normalisation, time filters, MMD ----------------------------------------------------------

    static double[] batchNormRef(double[] x, double[] gamma, double[] beta, int outer, int ch, int inner, double scale,
                                 double[] fixedMean, double[] fixedVar) {
        double[] y = new double[x.length];
        for (int c = 0; c < ch; c++) {
            double mean;
            double var;
            if (fixedMean != null) {
                mean = fixedMean[c];
                var = fixedVar[c];
            } else {
                double s = 0;
                for (int o = 0; o < outer; o++) {
                    for (int i = 0; i < inner; i++) {
                        s += x[(o * ch + c) * inner + i];
                    }
                }
                mean = s / (outer * inner);
                double v = 0;
                for (int o = 0; o < outer; o++) {
                    for (int i = 0; i < inner; i++) {
                        double d = x[(o * ch + c) * inner + i] - mean;
                        v += d * d;
                    }
                }
                var = v / (outer * inner);
            }
            double inv = 1 / Math.sqrt(var + 1e-5);
            for (int o = 0; o < outer; o++) {
                for (int i = 0; i < inner; i++) {
                    int j = (o * ch + c) * inner + i;
                    y[j] = gamma[c] * scale * (x[j] - mean) * inv + beta[c];
                }
            }
        }
        return y;
    }

    @Test
    void batchNormTrainingAndEval() {
        int t = 3;
        int nb = 2;
        int ch = 5;
        int hw = 3;
        float scale = 0.2f;
        gc().tolerances(1e-4, 5e-4).check("batchNorm train", new int[][] {{t, nb, ch, hw}, {ch}, {ch}},
                in -> Ops.batchNorm(in[0], 2, in[1], in[2], null, null, true, 0.1f, scale, 1e-5f),
                in -> batchNormRef(in[0], in[1], in[2], t * nb, ch, hw, scale, null, null));
        double[] rm = {0.1, -0.2, 0.3, 0.0, 0.05};
        double[] rv = {1.5, 0.5, 2.0, 1.0, 0.8};
        float[] rmf = new float[ch];
        float[] rvf = new float[ch];
        for (int c = 0; c < ch; c++) {
            rmf[c] = (float) rm[c];
            rvf[c] = (float) rv[c];
        }
        Tensor runningMean = BE.persistentFromHost(rmf, ch);
        Tensor runningVar = BE.persistentFromHost(rvf, ch);
        gc().check("batchNorm eval", new int[][] {{t, nb, ch, hw}, {ch}, {ch}},
                in -> Ops.batchNorm(in[0], 2, in[1], in[2], runningMean, runningVar, false, 0.1f, scale, 1e-5f),
                in -> batchNormRef(in[0], in[1], in[2], t * nb, ch, hw, scale, rm, rv));
    }

    @Test
    void leakyScanAndWeightedTimeSum() {
        int steps = 6;
        int m = 7;
        gc().check("leakyScan", new int[][] {{steps, m}}, in -> Ops.leakyScan(in[0], 0.5f, 0.5f), in -> {
            double[] y = new double[steps * m];
            for (int i = 0; i < m; i++) {
                double s = 0;
                for (int t = 0; t < steps; t++) {
                    s = 0.5 * s + 0.5 * in[0][t * m + i];
                    y[t * m + i] = s;
                }
            }
            return y;
        });
        float[] coef = dev.spikevae.nn.MembraneReadout.coefficients(steps, 0.8f);
        Tensor c = BE.persistentFromHost(coef, steps);
        gc().check("weightedTimeSum", new int[][] {{steps, 3, m}}, in -> Ops.weightedTimeSum(in[0], c), in -> {
            double[] y = new double[3 * m];
            for (int t = 0; t < steps; t++) {
                for (int i = 0; i < 3 * m; i++) {
                    y[i] += coef[t] * in[0][t * 3 * m + i];
                }
            }
            return y;
        });
    }

    /** The reference MMD with the bandwidth taken from the first (unperturbed) call, as it is detached. */
    static final class MmdRef {
        private double bandwidth = Double.NaN;
        private final int n;
        private final int m;
        private final int d;

        MmdRef(int n, int m, int d) {
            this.n = n;
            this.m = m;
            this.d = d;
        }

        double[] apply(double[] x, double[] y) {
            int s = n + m;
            double[][] z = new double[s][d];
            for (int i = 0; i < n; i++) {
                System.arraycopy(x, i * d, z[i], 0, d);
            }
            for (int i = 0; i < m; i++) {
                System.arraycopy(y, i * d, z[n + i], 0, d);
            }
            double[][] dist = new double[s][s];
            double total = 0;
            for (int i = 0; i < s; i++) {
                for (int j = 0; j < s; j++) {
                    double acc = 0;
                    for (int f = 0; f < d; f++) {
                        double diff = z[i][f] - z[j][f];
                        acc += diff * diff;
                    }
                    dist[i][j] = acc;
                    total += acc;
                }
            }
            if (Double.isNaN(bandwidth)) {
                bandwidth = total / ((double) s * s - s);
            }
            double xx = 0;
            double yy = 0;
            double xy = 0;
            for (int i = 0; i < s; i++) {
                for (int j = 0; j < s; j++) {
                    double k = 0;
                    for (int q = 0; q < 5; q++) {
                        k += Math.exp(-dist[i][j] / (bandwidth / 4 * Math.pow(2, q)));
                    }
                    if (i < n && j < n) {
                        xx += k;
                    } else if (i >= n && j >= n) {
                        yy += k;
                    } else {
                        xy += k;
                    }
                }
            }
            return new double[] {xx / ((double) n * n) + yy / ((double) m * m) - xy / ((double) n * m)};
        }
    }

    @Test
    void mmdWithDetachedBandwidth() {
        MmdRef ref = new MmdRef(6, 6, 9);
        gc().inputs(v -> 0.5f + 0.5f * v).tolerances(1e-5, 5e-4).check("mmd", new int[][] {{6, 9}, {6, 9}},
                in -> Ops.mmd(in[0], in[1], 5, 2f), in -> ref.apply(in[0], in[1]));
        MmdRef uneven = new MmdRef(4, 7, 3);
        gc().inputs(v -> 0.5f + 0.5f * v).tolerances(1e-5, 5e-4).check("mmd n != m", new int[][] {{4, 3}, {7, 3}},
                in -> Ops.mmd(in[0], in[1], 5, 2f), in -> uneven.apply(in[0], in[1]));
    }
}
