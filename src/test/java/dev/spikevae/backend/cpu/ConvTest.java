package dev.spikevae.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.ConvGeometry;
import dev.spikevae.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ConvTest {
    private static final CpuBackend ONE = new CpuBackend(1);
    private static final CpuBackend TWO = new CpuBackend(2);
    private static final CpuBackend THREE = new CpuBackend(3);

    /** Values with their scale: the sum of |terms| that made each one, the yardstick of float rounding. */
    private record Reference(double[] value, double[] scale) {
    }

    // ---------------------------------------------------------------------------------------------
    // Direct double-precision definitions (no im2col)

    /** Conv2d: y[b,co,oh,ow] = bias[co] + sum x[b,ci,oh*s-p+kh,ow*s-p+kw] w[co,ci,kh,kw]. */
    private static Reference convDirect(double[] x, double[] w, double[] bias, ConvGeometry g) {
        double[] y = new double[g.outputShape().numel()];
        double[] scale = new double[y.length];
        for (int b = 0; b < g.batch(); b++) {
            for (int co = 0; co < g.outChannels(); co++) {
                for (int oh = 0; oh < g.outH(); oh++) {
                    for (int ow = 0; ow < g.outW(); ow++) {
                        double sum = bias == null ? 0 : bias[co];
                        double abs = Math.abs(sum);
                        for (int ci = 0; ci < g.inChannels(); ci++) {
                            for (int kh = 0; kh < g.kH(); kh++) {
                                int ih = oh * g.strideH() - g.padH() + kh;
                                for (int kw = 0; kw < g.kW(); kw++) {
                                    int iw = ow * g.strideW() - g.padW() + kw;
                                    if (ih < 0 || ih >= g.inH() || iw < 0 || iw >= g.inW()) {
                                        continue;
                                    }
                                    double t = x[((b * g.inChannels() + ci) * g.inH() + ih) * g.inW() + iw]
                                            * w[((co * g.inChannels() + ci) * g.kH() + kh) * g.kW() + kw];
                                    sum += t;
                                    abs += Math.abs(t);
                                }
                            }
                        }
                        int idx = ((b * g.outChannels() + co) * g.outH() + oh) * g.outW() + ow;
                        y[idx] = sum;
                        scale[idx] = abs;
                    }
                }
            }
        }
        return new Reference(y, scale);
    }

    /**
     * PyTorch's ConvTranspose2d, written as its own definition: each input element scatters
     * {@code x[b,ci,ih,iw] w[ci,co,kh,kw]} onto output {@code (ih*s-p+kh, iw*s-p+kw)}. In the geometry's
     * terms (the convolution it is the adjoint of) x is {@code [batch, outChannels, outH, outW]}, the
     * result {@code [batch, inChannels, inH, inW]} and w {@code [outChannels, inChannels, k, k]}.
     */
    private static Reference transposedDirect(double[] x, double[] w, double[] bias, ConvGeometry g) {
        int inT = g.outChannels();
        int outT = g.inChannels();
        double[] y = new double[g.inputShape().numel()];
        double[] scale = new double[y.length];
        for (int b = 0; b < g.batch(); b++) {
            for (int co = 0; co < outT; co++) {
                for (int i = 0; i < g.inH() * g.inW(); i++) {
                    int idx = (b * outT + co) * g.inH() * g.inW() + i;
                    y[idx] = bias == null ? 0 : bias[co];
                    scale[idx] = Math.abs(y[idx]);
                }
            }
            for (int ci = 0; ci < inT; ci++) {
                for (int ih = 0; ih < g.outH(); ih++) {
                    for (int iw = 0; iw < g.outW(); iw++) {
                        double xv = x[((b * inT + ci) * g.outH() + ih) * g.outW() + iw];
                        for (int co = 0; co < outT; co++) {
                            for (int kh = 0; kh < g.kH(); kh++) {
                                int oh = ih * g.strideH() - g.padH() + kh;
                                for (int kw = 0; kw < g.kW(); kw++) {
                                    int ow = iw * g.strideW() - g.padW() + kw;
                                    if (oh < 0 || oh >= g.inH() || ow < 0 || ow >= g.inW()) {
                                        continue;
                                    }
                                    double t = xv * w[((ci * outT + co) * g.kH() + kh) * g.kW() + kw];
                                    int idx = ((b * outT + co) * g.inH() + oh) * g.inW() + ow;
                                    y[idx] += t;
                                    scale[idx] += Math.abs(t);
                                }
                            }
                        }
                    }
                }
            }
        }
        return new Reference(y, scale);
    }

    /** dw[co,ci,kh,kw] = sum over batch and positions of dy[b,co,oh,ow] x[b,ci,ih,iw]. */
    private static Reference weightGradientDirect(double[] x, double[] dy, ConvGeometry g) {
        double[] dw = new double[g.weightShape().numel()];
        double[] scale = new double[dw.length];
        for (int co = 0; co < g.outChannels(); co++) {
            for (int ci = 0; ci < g.inChannels(); ci++) {
                for (int kh = 0; kh < g.kH(); kh++) {
                    for (int kw = 0; kw < g.kW(); kw++) {
                        double sum = 0;
                        double abs = 0;
                        for (int b = 0; b < g.batch(); b++) {
                            for (int oh = 0; oh < g.outH(); oh++) {
                                int ih = oh * g.strideH() - g.padH() + kh;
                                for (int ow = 0; ow < g.outW(); ow++) {
                                    int iw = ow * g.strideW() - g.padW() + kw;
                                    if (ih < 0 || ih >= g.inH() || iw < 0 || iw >= g.inW()) {
                                        continue;
                                    }
                                    double t = dy[((b * g.outChannels() + co) * g.outH() + oh) * g.outW() + ow]
                                            * x[((b * g.inChannels() + ci) * g.inH() + ih) * g.inW() + iw];
                                    sum += t;
                                    abs += Math.abs(t);
                                }
                            }
                        }
                        int idx = ((co * g.inChannels() + ci) * g.kH() + kh) * g.kW() + kw;
                        dw[idx] = sum;
                        scale[idx] = abs;
                    }
                }
            }
        }
        return new Reference(dw, scale);
    }

    // ---------------------------------------------------------------------------------------------
    // Helpers

    private static float[] random(Random rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = rnd.nextFloat() * 2f - 1f;
        }
        return v;
    }

    private static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }

    private static void assertClose(Reference expect, float[] actual, double relative, String label) {
        if (expect.value().length != actual.length) {
            fail(label + ": " + actual.length + " values, expected " + expect.value().length);
        }
        for (int i = 0; i < actual.length; i++) {
            double bound = relative * expect.scale()[i] + 1e-30;
            if (!(Math.abs(actual[i] - expect.value()[i]) <= bound)) {
                fail(label + ": element " + i + " is " + actual[i] + ", expected " + expect.value()[i] + " (bound " + bound
                        + ")");
            }
        }
    }

    private static float[] forward(Backend be, float[] x, float[] w, float[] bias, ConvGeometry g) {
        Tensor y = be.empty(g.outputShape());
        be.convForward(be.fromHost(x, g.inputShape().dims()), be.fromHost(w, g.weightShape().dims()),
                bias == null ? null : be.fromHost(bias, bias.length), y, g);
        return y.toHost();
    }

    private static float[] backwardData(Backend be, float[] dy, float[] w, float[] bias, ConvGeometry g) {
        Tensor dx = be.empty(g.inputShape());
        be.convBackwardData(be.fromHost(dy, g.outputShape().dims()), be.fromHost(w, g.weightShape().dims()),
                bias == null ? null : be.fromHost(bias, bias.length), dx, g);
        return dx.toHost();
    }

    private static float[] backwardWeight(Backend be, float[] x, float[] dy, float[] dwStart, float beta, ConvGeometry g) {
        Tensor dw = dwStart == null ? be.empty(g.weightShape()) : be.fromHost(dwStart, g.weightShape().dims());
        be.convBackwardWeight(be.fromHost(x, g.inputShape().dims()), be.fromHost(dy, g.outputShape().dims()), dw, beta, g);
        return dw.toHost();
    }

    /** Conv2d geometries: strides 1..3, padding 0..3, kernels 1..7, odd channels and image sizes. */
    private static ConvGeometry[] convGeometries() {
        return new ConvGeometry[] {
            ConvGeometry.conv(3, 3, 5, 7, 5, 3, 1, 1),
            ConvGeometry.conv(4, 5, 5, 7, 3, 3, 2, 1),
            ConvGeometry.conv(2, 3, 7, 5, 4, 3, 2, 0),
            ConvGeometry.conv(3, 7, 5, 7, 9, 1, 1, 0),
            ConvGeometry.conv(2, 2, 6, 6, 3, 1, 2, 0),
            ConvGeometry.conv(5, 3, 3, 3, 7, 3, 1, 0),      // 1x1 output
            ConvGeometry.conv(2, 130, 4, 4, 70, 3, 2, 1),   // many channels, 2x2 output
            ConvGeometry.conv(250, 3, 5, 7, 5, 3, 1, 1),    // several chunks, the last one partial
            ConvGeometry.conv(2, 1, 32, 32, 4, 3, 2, 1),
            // Outputs at least ConvIm2col.ROW_COPY_MIN wide take the row-by-row path:
            ConvGeometry.conv(2, 2, 23, 50, 3, 5, 3, 2),    // kernel 5, stride 3, padding 2, 8x17 output
            ConvGeometry.conv(2, 3, 4, 20, 2, 1, 1, 0),     // kernel 1: whole rows copied at once
            ConvGeometry.conv(2, 2, 5, 18, 3, 3, 1, 2),     // padding 2: tap rows wholly in the padding
            ConvGeometry.conv(2, 2, 3, 33, 3, 3, 2, 1),     // odd width, stride 2, 2x17 output
            ConvGeometry.conv(2, 2, 6, 19, 3, 7, 1, 3),     // kernel wider than tall, 6x19 output
        };
    }

    // ---------------------------------------------------------------------------------------------
    // Tests

    @Test
    void weightGroupsAreTakenLargestFirst() {
        // E2 at batch 512: chunks of 28 images, 19 chunks in 8 groups of two or three (the last one partial)
        ConvGeometry g = ConvGeometry.conv(512, 32, 16, 16, 64, 3, 2, 1);
        int chunk = Conv.chunkImages(g);
        int chunks = (g.batch() + chunk - 1) / chunk;
        int groups = Conv.weightGroups(g);
        assertTrue(groups == 8 && chunks % groups != 0, "groups of unequal size: " + chunks + " chunks, " + groups);
        int[] order = Conv.groupOrder(g);
        boolean[] seen = new boolean[groups];
        int last = Integer.MAX_VALUE;
        int lastGroup = -1;
        for (int group : order) {
            assertTrue(!seen[group], "group " + group + " twice");
            seen[group] = true;
            int from = group * chunks / groups * chunk;
            int images = Math.min(g.batch(), (group + 1) * chunks / groups * chunk) - from;
            assertTrue(images < last || (images == last && group > lastGroup),
                    "order " + java.util.Arrays.toString(order));
            last = images;
            lastGroup = group;
        }
        assertTrue(order[0] != 0, "a larger group than the first goes first: " + java.util.Arrays.toString(order));
    }

    @Test
    void forwardMatchesDirectConvolution() {
        Random rnd = new Random(1);
        for (ConvGeometry g : convGeometries()) {
            float[] x = random(rnd, g.inputShape().numel());
            float[] w = random(rnd, g.weightShape().numel());
            float[] bias = random(rnd, g.outChannels());
            Reference expect = convDirect(toDouble(x), toDouble(w), toDouble(bias), g);
            assertClose(expect, forward(ONE, x, w, bias, g), 1e-5, "forward " + g);
            assertClose(expect, forward(TWO, x, w, bias, g), 1e-5, "forward (2 threads) " + g);
            Reference noBias = convDirect(toDouble(x), toDouble(w), null, g);
            assertClose(noBias, forward(THREE, x, w, null, g), 1e-5, "forward without bias (3 threads) " + g);
        }
    }

    @Test
    void backwardDataAndWeightMatchDirectSums() {
        Random rnd = new Random(2);
        for (ConvGeometry g : convGeometries()) {
            float[] x = random(rnd, g.inputShape().numel());
            float[] w = random(rnd, g.weightShape().numel());
            float[] dy = random(rnd, g.outputShape().numel());
            Reference dx = transposedDirect(toDouble(dy), toDouble(w), null, g);
            assertClose(dx, backwardData(TWO, dy, w, null, g), 1e-5, "backwardData " + g);
            Reference dw = weightGradientDirect(toDouble(x), toDouble(dy), g);
            assertClose(dw, backwardWeight(TWO, x, dy, null, 0f, g), 1e-5, "backwardWeight " + g);
            assertClose(dw, backwardWeight(ONE, x, dy, null, 0f, g), 1e-5, "backwardWeight (1 thread) " + g);
        }
    }

    @Test
    void transposedConvolutionMatchesPyTorchDefinition() {
        Random rnd = new Random(3);
        ConvGeometry[] geometries = {
            ConvGeometry.transposed(3, 5, 4, 5, 3, 3, 2, 1, 1),
            ConvGeometry.transposed(2, 3, 5, 7, 4, 3, 2, 1, 0),
            ConvGeometry.transposed(2, 4, 3, 3, 5, 3, 1, 1, 0),
            ConvGeometry.transposed(3, 6, 2, 2, 3, 3, 2, 0, 1),
            ConvGeometry.transposed(2, 7, 3, 5, 2, 1, 2, 0, 1),
            ConvGeometry.transposed(130, 3, 4, 4, 2, 3, 2, 1, 1),
            ConvGeometry.transposed(2, 3, 5, 17, 2, 3, 2, 1, 1),   // 17 wide: col2im row by row, with bias
            ConvGeometry.transposed(2, 3, 4, 16, 2, 5, 1, 2, 0),   // kernel 5, padding 2, stride 1
        };
        for (ConvGeometry g : geometries) {
            // In ConvTranspose2d terms: input x_t [B, outChannels, outH, outW], weight [outChannels, inChannels, k, k].
            float[] xt = random(rnd, g.outputShape().numel());
            float[] w = random(rnd, g.weightShape().numel());
            float[] bias = random(rnd, g.inChannels());
            Reference expect = transposedDirect(toDouble(xt), toDouble(w), toDouble(bias), g);
            assertClose(expect, backwardData(ONE, xt, w, bias, g), 1e-5, "transposed forward " + g);
            assertClose(expect, backwardData(THREE, xt, w, bias, g), 1e-5, "transposed forward (3 threads) " + g);
        }
    }

    @Test
    void gradientsMatchCentralFiniteDifferences() {
        Random rnd = new Random(4);
        ConvGeometry[] geometries = {
            ConvGeometry.conv(2, 3, 5, 7, 4, 3, 2, 1),
            ConvGeometry.conv(2, 2, 4, 5, 3, 3, 1, 1),
            ConvGeometry.conv(3, 3, 5, 5, 2, 1, 2, 0),
            ConvGeometry.transposed(2, 3, 3, 4, 2, 3, 2, 1, 1),
        };
        double h = 1e-3;
        for (ConvGeometry g : geometries) {
            float[] x = random(rnd, g.inputShape().numel());
            float[] w = random(rnd, g.weightShape().numel());
            float[] r = random(rnd, g.outputShape().numel());
            double[] xd = toDouble(x);
            double[] wd = toDouble(w);
            double[] rd = toDouble(r);
            // loss = sum(conv(x, w) * R), so dL/dy = R.
            float[] dx = backwardData(TWO, r, w, null, g);
            for (int i = 0; i < xd.length; i++) {
                double keep = xd[i];
                xd[i] = keep + h;
                double up = loss(convDirect(xd, wd, null, g).value(), rd);
                xd[i] = keep - h;
                double down = loss(convDirect(xd, wd, null, g).value(), rd);
                xd[i] = keep;
                checkGradient((up - down) / (2 * h), dx[i], "dx[" + i + "] " + g);
            }
            float[] dw = backwardWeight(TWO, x, r, null, 0f, g);
            for (int i = 0; i < wd.length; i++) {
                double keep = wd[i];
                wd[i] = keep + h;
                double up = loss(convDirect(xd, wd, null, g).value(), rd);
                wd[i] = keep - h;
                double down = loss(convDirect(xd, wd, null, g).value(), rd);
                wd[i] = keep;
                checkGradient((up - down) / (2 * h), dw[i], "dw[" + i + "] " + g);
            }
        }
    }

    private static double loss(double[] y, double[] r) {
        double s = 0;
        for (int i = 0; i < y.length; i++) {
            s += y[i] * r[i];
        }
        return s;
    }

    private static void checkGradient(double numeric, float analytic, String label) {
        double bound = 1e-4 * Math.max(1.0, Math.abs(numeric));
        assertTrue(Math.abs(analytic - numeric) <= bound, label + ": analytic " + analytic + ", numeric " + numeric);
    }

    /** beta start + grad, with the scale |beta start| + grad's. */
    private static Reference withBeta(Reference grad, float[] start, float beta) {
        double[] expect = new double[start.length];
        double[] scale = new double[start.length];
        for (int i = 0; i < start.length; i++) {
            expect[i] = beta * start[i] + grad.value()[i];
            scale[i] = Math.abs(beta * start[i]) + grad.scale()[i];
        }
        return new Reference(expect, scale);
    }

    @Test
    void backwardWeightAccumulatesWithBeta() {
        Random rnd = new Random(5);
        ConvGeometry small = ConvGeometry.conv(3, 3, 5, 7, 4, 3, 2, 1);
        ConvGeometry chunked = ConvGeometry.conv(600, 2, 5, 5, 3, 3, 1, 1);
        for (ConvGeometry g : new ConvGeometry[] {small, chunked}) {
            float[] x = random(rnd, g.inputShape().numel());
            float[] dy = random(rnd, g.outputShape().numel());
            float[] start = random(rnd, g.weightShape().numel());
            Reference grad = weightGradientDirect(toDouble(x), toDouble(dy), g);
            for (float beta : new float[] {1f, 0.5f}) {
                assertClose(withBeta(grad, start, beta), backwardWeight(TWO, x, dy, start, beta, g), 1e-5,
                        "backwardWeight beta " + beta + " " + g);
            }
        }
    }

    /**
     * The weight gradient summed as dot products along positions ({@link LaneWeightGradient}, with the
     * Vector API): within 1e-5 of each element's sum of absolute products of the double-precision sums, with beta,
     * and bitwise the same for 1, 2 and 3 threads. Output channels not a multiple of 3, several chunks and groups, a
     * lone image (one group cut into parts per thread), 64 channels, stride 2 down the rows, no padding; stride 2 along
     * the rows (at 16 lanes the 8-channel kernel, at 8 lanes a 3-channel one on phases 17 wide, E1's). At 16
     * lanes dy whose channels fill blocks of 8 (8, 32, 64) is read where it lies, one image a call or several; 4, 5, 7
     * and 12 channels take the regrouped copy.
     */
    @Test
    void laneWeightGradientMatchesDirectSumsForEveryThreadCount() {
        Random rnd = new Random(7);
        ConvGeometry[] geometries = {
            ConvGeometry.transposed(9, 32, 32, 32, 3, 3, 1, 1, 0),     // D5: 32 channels (11 blocks of 3), 1024 positions
            ConvGeometry.conv(70, 1, 8, 16, 4, 3, 1, 1),               // 70 images: several chunks and groups
            ConvGeometry.conv(1, 2, 8, 16, 64, 3, 1, 1),               // a lone image, 64 channels
            ConvGeometry.conv(3, 1, 12, 18, 5, 3, 1, 0),               // no padding, 5 channels
            new ConvGeometry(4, 3, 9, 16, 7, 3, 3, 2, 1, 1, 1, 5, 16), // stride 2 down the rows, 1 along them
            ConvGeometry.conv(5, 3, 32, 32, 32, 3, 2, 1),              // E1: stride 2 along rows
            ConvGeometry.conv(3, 2, 33, 33, 12, 3, 2, 0),              // stride 2, no padding, 12 channels (a part block)
            ConvGeometry.conv(2, 1, 31, 63, 8, 3, 2, 1),               // stride 2, odd rows, 32 outputs (16 lanes)
            ConvGeometry.conv(3, 2, 32, 32, 12, 3, 1, 1),              // an image a call, 12 channels (a part block)
        };
        for (ConvGeometry g : geometries) {
            // at 8 lanes stride 2 along rows takes it on staged rows of E1's phase width (17) only
            boolean lanes = g.strideW() == 1 || VectorSupport.floatLanes() >= 16
                    || (g.inW() + 2 * g.padW() + 1) / 2 == 17;
            if (VectorSupport.available()) {
                assertEquals(lanes, LaneWeightGradient.fits(g), "whether the lanes path takes " + g);
            }
            float[] x = random(rnd, g.inputShape().numel());
            float[] dy = random(rnd, g.outputShape().numel());
            float[] start = random(rnd, g.weightShape().numel());
            Reference grad = weightGradientDirect(toDouble(x), toDouble(dy), g);
            float[] dw1 = backwardWeight(ONE, x, dy, null, 0f, g);
            assertClose(grad, dw1, 1e-5, "backwardWeight " + g);
            assertArrayEquals(dw1, backwardWeight(TWO, x, dy, null, 0f, g), "2 threads differ from 1: " + g);
            assertArrayEquals(dw1, backwardWeight(THREE, x, dy, null, 0f, g), "3 threads differ from 1: " + g);
            for (float beta : new float[] {1f, 0.5f}) {
                float[] got = backwardWeight(TWO, x, dy, start, beta, g);
                assertClose(withBeta(grad, start, beta), got, 1e-5, "backwardWeight beta " + beta + " " + g);
                assertArrayEquals(backwardWeight(THREE, x, dy, start, beta, g), got, "beta " + beta + ", 3 threads "
                        + "differ from 2: " + g);
            }
        }
    }

    @Test
    void resultsAreBitwiseIdenticalForAnyThreadCount() {
        Random rnd = new Random(6);
        ConvGeometry g = ConvGeometry.conv(600, 3, 6, 5, 7, 3, 1, 1);
        assertTrue(Conv.chunkImages(g) < g.batch() && Conv.weightGroups(g) > 2,
                "the test geometry must span several chunks and reduction groups");
        float[] x = random(rnd, g.inputShape().numel());
        float[] w = random(rnd, g.weightShape().numel());
        float[] dy = random(rnd, g.outputShape().numel());
        float[] bias = random(rnd, g.outChannels());
        float[] dw1 = backwardWeight(ONE, x, dy, null, 0f, g);
        assertArrayEquals(dw1, backwardWeight(TWO, x, dy, null, 0f, g), "backwardWeight: 2 threads differ from 1");
        assertArrayEquals(dw1, backwardWeight(THREE, x, dy, null, 0f, g), "backwardWeight: 3 threads differ from 1");
        float[] y1 = forward(ONE, x, w, bias, g);
        assertArrayEquals(y1, forward(TWO, x, w, bias, g), "forward: 2 threads differ from 1");
        assertArrayEquals(y1, forward(THREE, x, w, bias, g), "forward: 3 threads differ from 1");
        float[] dx1 = backwardData(ONE, dy, w, null, g);
        assertArrayEquals(dx1, backwardData(TWO, dy, w, null, g), "backwardData: 2 threads differ from 1");
        assertArrayEquals(dx1, backwardData(THREE, dy, w, null, g), "backwardData: 3 threads differ from 1");
    }
}
