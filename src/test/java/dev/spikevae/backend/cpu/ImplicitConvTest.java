package dev.spikevae.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikevae.tensor.ConvGeometry;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The implicit-GEMM convolutions ({@link Conv} over {@link ConvSources}) against the explicit path they
 * replace, kept here as the reference: per chunk, im2col / gather into stored matrices, a GEMM over them,
 * then scatter / col2im ({@link ConvIm2col}). The packed values and the order of every sum are the same, so
 * the tolerance is zero: results must be bitwise identical, for both SGEMM kernels, float32 and u8
 * operands, and 1, 2 and 3 threads (which also pins thread-count independence). Closeness to the
 * double-precision definitions is {@code ConvTest}'s job. Three exceptions, by design, which sum in another order:
 * the weight gradients that the Vector API path sums as dot products along positions ({@link
 * LaneWeightGradient}) or without the products of padding ({@link TapWeightGradient}), and the transposed
 * pass onto three channels at stride 1 ({@link TransposedToThree}); each must lie within 1e-5 of each element's sum
 * of absolute products (and absolute bias) of the explicit result, and be bitwise the same for every thread count.
 */
class ImplicitConvTest {
    private static final Parallel[] POOLS = {new Parallel(1), new Parallel(2), new Parallel(3)};

    private static List<SgemmKernel> kernels() {
        List<SgemmKernel> k = new ArrayList<>();
        k.add(new SgemmScalarKernel());
        if (VectorSupport.available()) {
            k.add(SgemmVectorKernelFactory.create());
        }
        return k;
    }

    /** Odd shapes: strides 1 and 2, padding, output padding, 1 and 3 channels, batches not a multiple of the chunk. */
    private static ConvGeometry[] geometries() {
        return new ConvGeometry[] {
            ConvGeometry.conv(5, 3, 32, 32, 8, 3, 2, 1),              // E1-like: 3 channels, stride 2, 16x16 output
            ConvGeometry.conv(7, 1, 40, 40, 4, 3, 1, 1),              // 1 channel, 40x40: 2 images a chunk, 7 images
            ConvGeometry.conv(3, 2, 9, 11, 3, 5, 2, 2),               // kernel 5, padding 2, odd sizes
            // 2x2 outputs, one chunk (at 16 lanes the weight gradient without the products of padding,
            // TapWeightGradient: 6 channels, a run shorter than a vector)
            ConvGeometry.conv(9, 6, 4, 4, 5, 3, 2, 1),
            ConvGeometry.conv(2, 2, 4, 4, 300, 3, 2, 1),              // more output channels than one kc-block
            ConvGeometry.conv(1, 3, 6, 6, 4, 3, 1, 1),                // a lone image
            ConvGeometry.transposed(5, 4, 16, 16, 3, 3, 2, 1, 1),     // D4-like, output padding 1
            ConvGeometry.transposed(3, 8, 32, 32, 3, 3, 1, 1, 0),     // D5-like: 3 output channels, stride 1
            ConvGeometry.transposed(4, 3, 5, 7, 1, 3, 2, 1, 1),       // 1 output channel, odd sizes, output padding
            ConvGeometry.transposed(3, 260, 2, 2, 2, 3, 2, 1, 1),     // more input channels than one kc-block
            // geometries the direct convolutions take (DirectConv: output rows of whole vectors, of 8 floats and of
            // 16, output channels of whole register blocks), as the ESVAE layers they stand for and in odd variants
            ConvGeometry.conv(6, 3, 32, 32, 32, 3, 2, 1),             // E1: 3 channels to 32, stride 2
            ConvGeometry.transposed(3, 32, 16, 16, 32, 3, 2, 1, 1),   // D4: k = 288, past one kc-block
            ConvGeometry.transposed(5, 32, 32, 32, 3, 3, 1, 1, 0),    // D5: stride 1, 3 output channels
            ConvGeometry.conv(3, 2, 35, 63, 20, 5, 2, 2),             // kernel 5, 20 channels (not whole panels)
            ConvGeometry.conv(2, 1, 8, 96, 64, 3, 3, 0),              // stride 3, no padding, 64 channels
            // rows of outputs shorter than a vector: runs of 4 or 2, images grouped to fill panels
            ConvGeometry.conv(6, 16, 8, 8, 20, 3, 2, 1),              // E3-like: 4x4 outputs, one panel an image
            ConvGeometry.conv(9, 8, 4, 4, 24, 3, 2, 1),               // E4-like: 2x2 outputs, 9 images (a part group)
            ConvGeometry.conv(5, 4, 6, 8, 7, 3, 2, 1),                // 3x4 outputs: panels straddle images
            ConvGeometry.transposed(7, 12, 4, 4, 10, 3, 2, 1, 1),     // D2-like: the transposed pass on 4x4 rows
            ConvGeometry.conv(7, 8, 32, 32, 20, 3, 1, 1),             // 2 weight groups, cut into parts per thread
            // the direct weight gradient's copies of rows of outputs: one vector a row, and rows of 10 (a vector and
            // a tail shorter than one, copied as a whole vector) that reduction blocks cut in two
            ConvGeometry.conv(5, 6, 16, 16, 32, 3, 2, 1),             // E2-like: 8x8 outputs
            ConvGeometry.transposed(4, 32, 8, 8, 5, 3, 2, 1, 1),      // D3-like: its weight gradient on 8x8 rows
            ConvGeometry.conv(4, 3, 10, 10, 32, 3, 1, 1),             // 10x10 outputs, 100 positions an image
            // the direct weight gradient's output gradient transposed 8 x 8 in vectors (more positions than one
            // channel block's lines keep in the first-level cache), with a last position past the whole eights
            ConvGeometry.conv(3, 2, 23, 23, 16, 3, 1, 1),             // 23x23 outputs, 529 positions an image
            // the direct forward's panels of 4 output channels (DirectConv.channelPanels): 6 + 6 + 4 (one row unused)
            // and a lone panel of 4 for 2 channels
            ConvGeometry.conv(4, 5, 16, 16, 15, 3, 1, 1),
            ConvGeometry.conv(3, 4, 8, 16, 2, 3, 1, 1),
            // E2 itself: 288 taps on rows of 8 outputs (the direct weight gradient takes it at 8 lanes, as whole
            // vectors, and at 16, as half vectors; the transposed pass adds its rows of 8 unrolled at 16 lanes)
            ConvGeometry.conv(3, 32, 16, 16, 32, 3, 2, 1),
            // the direct weight gradient on wide weights over rows of a quarter or half of a vector (four or two runs
            // a vector in its tap rows): E3-like, 4x4 outputs and 128 channels (a quarter at 16 lanes, a half at 8),
            // and 4x2 outputs, 64 channels (a quarter at 8 lanes; the GEMM path at 16; with 2x2 outputs, E4's, it
            // would be TapWeightGradient's)
            ConvGeometry.conv(5, 16, 8, 8, 128, 3, 2, 1),
            ConvGeometry.conv(9, 8, 8, 4, 64, 3, 2, 1),
            // the passes on planes of 16 (a vector at 16 lanes): the transposed pass's 45 taps, so panels of rows and
            // channels of taps do not line up, and 7 images (four at a time, then three); the forward's panels from
            // the planes, four images a vector, one partial panel
            ConvGeometry.conv(7, 5, 4, 4, 16, 3, 2, 1),
            // D5-like: a transposed convolution onto 3 channels at stride 1, 32 x 32 (at 16 lanes the direct
            // convolution of TransposedToThree: 7 channels of dy, so 63 taps; 5 images, four to a task and one)
            ConvGeometry.transposed(5, 7, 32, 32, 3, 3, 1, 1, 0),
            // E1-like: 3 channels at stride 2, 32 x 32 -> 16 x 16, 6 output channels (the weight gradient of the lanes
            // path at stride 2 along rows: at 16 lanes a block of 8 channels of which 2 are repeats, at 8 two of 3)
            ConvGeometry.conv(5, 3, 32, 32, 6, 3, 2, 1),
            // E4-like (TapWeightGradient): 40 channels, so vector gathers and a tail at 16 lanes, and for 3 threads an
            // empty part; then a 1 x 1 image whose kernel offsets but the middle one read only padding (20 channels:
            // gathers and a tail at 8 lanes)
            ConvGeometry.conv(5, 40, 4, 4, 24, 3, 2, 1),
            ConvGeometry.conv(3, 20, 1, 1, 6, 3, 1, 1),
        };
    }

    private static float[] random(Random rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = rnd.nextFloat() * 2f - 1f;
        }
        return v;
    }

    private static byte[] spikes(Random rnd, int n) {
        byte[] v = new byte[n];
        for (int i = 0; i < n; i++) {
            v[i] = (byte) (rnd.nextFloat() < 0.3f ? 1 : 0);
        }
        return v;
    }

    private static float[] widen(byte[] b) {
        float[] f = new float[b.length];
        for (int i = 0; i < b.length; i++) {
            f[i] = b[i] & 0xFF;
        }
        return f;
    }

    /** Operands start 3 elements into their arrays, as views of a pooled array do. */
    private static ConvOperand operand(float[] v) {
        float[] a = new float[v.length + 3];
        System.arraycopy(v, 0, a, 3, v.length);
        return ConvOperand.of(a, 3);
    }

    private static ConvOperand operand(byte[] v) {
        byte[] a = new byte[v.length + 3];
        System.arraycopy(v, 0, a, 3, v.length);
        return ConvOperand.of(a, 3);
    }

    // ---------------------------------------------------------------------------------------------
    // The explicit path: im2col + GEMM + scatter, gather + GEMM + col2im, per chunk of Conv.chunkImages

    private static float[] explicitForward(Sgemm sg, float[] x, float[] w, float[] bias, ConvGeometry g) {
        int positions = g.outH() * g.outW();
        int kSize = g.inChannels() * g.kH() * g.kW();
        int inImage = g.inChannels() * g.inH() * g.inW();
        int outImage = g.outChannels() * positions;
        int[] map = ConvIm2col.sourceMap(g);
        float[] y = new float[g.batch() * outImage];
        int chunk = Conv.chunkImages(g);
        for (int b0 = 0; b0 < g.batch(); b0 += chunk) {
            int images = Math.min(chunk, g.batch() - b0);
            int columns = images * positions;
            float[] col = new float[kSize * columns];
            float[] out = new float[g.outChannels() * columns];
            ExplicitIm2col.im2col(x, b0 * inImage, images, g, map, col, columns);
            sg.gemmSerial(false, false, g.outChannels(), columns, kSize, 1f, w, 0, kSize, col, 0, columns, 0f, out, 0,
                    columns);
            ConvIm2col.scatter(out, images, g.outChannels(), positions, bias, 0, y, b0 * outImage);
        }
        return y;
    }

    private static float[] explicitBackwardData(Sgemm sg, float[] dy, float[] w, float[] bias, ConvGeometry g) {
        int positions = g.outH() * g.outW();
        int kSize = g.inChannels() * g.kH() * g.kW();
        int inImage = g.inChannels() * g.inH() * g.inW();
        int outImage = g.outChannels() * positions;
        int[] map = ConvIm2col.sourceMap(g);
        float[] dx = new float[g.batch() * inImage];
        int chunk = Conv.chunkImages(g);
        for (int b0 = 0; b0 < g.batch(); b0 += chunk) {
            int images = Math.min(chunk, g.batch() - b0);
            int columns = images * positions;
            float[] col = new float[kSize * columns];
            float[] grad = new float[g.outChannels() * columns];
            ExplicitIm2col.gather(dy, b0 * outImage, images, g.outChannels(), positions, grad);
            sg.gemmSerial(true, false, kSize, columns, g.outChannels(), 1f, w, 0, kSize, grad, 0, columns, 0f, col, 0,
                    columns);
            ConvIm2col.col2im(col, columns, images, g, map, bias, 0, dx, b0 * inImage);
        }
        return dx;
    }

    /** With Conv's reduction: chunk GEMMs accumulated per group, groups added in order, then beta. */
    private static float[] explicitBackwardWeight(Sgemm sg, float[] x, float[] dy, float[] start, float beta,
                                                  ConvGeometry g) {
        int positions = g.outH() * g.outW();
        int kSize = g.inChannels() * g.kH() * g.kW();
        int weightSize = g.outChannels() * kSize;
        int inImage = g.inChannels() * g.inH() * g.inW();
        int outImage = g.outChannels() * positions;
        int[] map = ConvIm2col.sourceMap(g);
        int chunk = Conv.chunkImages(g);
        int chunks = (g.batch() + chunk - 1) / chunk;
        int groups = Conv.weightGroups(g);
        float[] dw = start.clone();
        float[] partials = new float[groups * weightSize];
        for (int group = 0; group < groups; group++) {
            int first = groups == 1 ? 0 : group * chunks / groups;
            int end = groups == 1 ? chunks : (group + 1) * chunks / groups;
            for (int t = first; t < end; t++) {
                int b0 = t * chunk;
                int images = Math.min(chunk, g.batch() - b0);
                int columns = images * positions;
                float[] col = new float[kSize * columns];
                float[] grad = new float[g.outChannels() * columns];
                ExplicitIm2col.im2col(x, b0 * inImage, images, g, map, col, columns);
                ExplicitIm2col.gather(dy, b0 * outImage, images, g.outChannels(), positions, grad);
                if (groups == 1) {
                    sg.gemmSerial(false, true, g.outChannels(), kSize, columns, 1f, grad, 0, columns, col, 0, columns,
                            t == 0 ? beta : 1f, dw, 0, kSize);
                } else {
                    sg.gemmSerial(false, true, g.outChannels(), kSize, columns, 1f, grad, 0, columns, col, 0, columns,
                            t == first ? 0f : 1f, partials, group * weightSize, kSize);
                }
            }
        }
        if (groups > 1) {
            for (int i = 0; i < weightSize; i++) {
                float sum = partials[i];
                for (int group = 1; group < groups; group++) {
                    sum += partials[group * weightSize + i];
                }
                dw[i] = beta == 0f ? sum : beta * dw[i] + sum;
            }
        }
        return dw;
    }

    // ---------------------------------------------------------------------------------------------

    private static void checkAll(SgemmKernel kernel, ConvGeometry g, boolean u8, Random rnd) {
        String label = kernel.description() + (u8 ? ", u8 operands, " : ", f32, ") + g;
        Sgemm reference = new Sgemm(POOLS[0], kernel);
        float[] w = random(rnd, g.weightShape().numel());
        float[] bias = random(rnd, g.outChannels());
        float[] biasT = random(rnd, g.inChannels());
        byte[] xb = spikes(rnd, g.inputShape().numel());
        byte[] dyb = spikes(rnd, g.outputShape().numel());
        float[] x = u8 ? widen(xb) : random(rnd, g.inputShape().numel());
        float[] dy = u8 ? widen(dyb) : random(rnd, g.outputShape().numel());
        float[] dwStart = random(rnd, w.length);
        float[] y = explicitForward(reference, x, w, bias, g);
        float[] dx = explicitBackwardData(reference, dy, w, biasT, g);
        float[] dxNoBias = explicitBackwardData(reference, dy, w, null, g);
        float[] dw = explicitBackwardWeight(reference, x, dy, new float[w.length], 0f, g);
        float[] dwBeta = explicitBackwardWeight(reference, x, dy, dwStart, 0.5f, g);
        boolean lanes = kernel instanceof SgemmVectorKernel && (LaneWeightGradient.fits(g) || Conv.tapWeights(g));
        // the scale of the weight gradient's rounding: each element's sum of absolute products (and of 0.5 dwStart)
        float[] absSum = lanes ? explicitBackwardWeight(reference, abs(x), abs(dy), new float[w.length], 0f, g) : null;
        float[][] lanesResult = new float[2][];
        boolean three = kernel instanceof SgemmVectorKernel && TransposedToThree.fits(g);
        float[] absDx = three ? explicitBackwardData(reference, abs(dy), abs(w), abs(biasT), g) : null;
        float[] absDxNoBias = three ? explicitBackwardData(reference, abs(dy), abs(w), null, g) : null;
        float[][] threeResult = new float[2][];
        for (Parallel pool : POOLS) {
            Conv conv = new Conv(pool, new Sgemm(pool, kernel));
            String at = label + ", " + pool.threads() + " threads: ";
            ConvOperand xo = u8 ? operand(xb) : operand(x);
            ConvOperand dyo = u8 ? operand(dyb) : operand(dy);
            float[] got = new float[y.length + 2];
            conv.forward(xo, w, 0, bias, 0, got, 2, g);
            assertArrayEquals(y, java.util.Arrays.copyOfRange(got, 2, got.length), at + "forward");
            got = new float[dx.length + 2];
            java.util.Arrays.fill(got, Float.NaN); // dx is overwritten, whatever it held
            conv.backwardData(dyo, w, 0, biasT, 0, got, 2, g);
            checkResult(dx, java.util.Arrays.copyOfRange(got, 2, got.length), three, absDx, null, threeResult, 0,
                    at + "backwardData");
            conv.backwardData(dyo, w, 0, null, 0, got, 2, g);
            checkResult(dxNoBias, java.util.Arrays.copyOfRange(got, 2, got.length), three, absDxNoBias, null,
                    threeResult, 1, at + "backwardData, no bias");
            got = new float[w.length];
            java.util.Arrays.fill(got, Float.NaN);
            conv.backwardWeight(xo, dyo, got, 0, 0f, g);
            checkResult(dw, got, lanes, absSum, null, lanesResult, 0, at + "backwardWeight");
            got = dwStart.clone();
            conv.backwardWeight(xo, dyo, got, 0, 0.5f, g);
            checkResult(dwBeta, got, lanes, absSum, dwStart, lanesResult, 1, at + "backwardWeight, beta 0.5");
        }
    }

    /**
     * A result against the explicit one: bitwise, or for a path that sums in another order ({@code reordered}) within
     * 1e-5 of each element's sum of absolute products and bias (plus 0.5 |dwStart|) and bitwise what the first thread
     * count gave ({@code first[slot]}).
     */
    private static void checkResult(float[] expect, float[] got, boolean reordered, float[] absSum, float[] start,
                                    float[][] first, int slot, String label) {
        if (!reordered) {
            assertArrayEquals(expect, got, label);
            return;
        }
        for (int i = 0; i < expect.length; i++) {
            double bound = 1e-5 * (absSum[i] + (start == null ? 0 : 0.5 * Math.abs(start[i]))) + 1e-30;
            assertTrue(Math.abs(expect[i] - got[i]) <= bound, label + ": element " + i + " is " + got[i]
                    + ", explicitly " + expect[i] + " (bound " + bound + ")");
        }
        if (first[slot] == null) {
            first[slot] = got.clone();
        } else {
            assertArrayEquals(first[slot], got, label + ": not the first thread count's bits");
        }
    }

    private static float[] abs(float[] v) {
        float[] a = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            a[i] = Math.abs(v[i]);
        }
        return a;
    }

    @Test
    void implicitGemmIsBitwiseTheExplicitPathForEveryKernelAndThreadCount() {
        Random rnd = new Random(11);
        List<SgemmKernel> kernels = kernels();
        for (ConvGeometry g : geometries()) {
            for (SgemmKernel kernel : kernels) {
                checkAll(kernel, g, false, rnd);
                checkAll(kernel, g, true, rnd);
            }
        }
    }

    @Test
    void rowsFallIntoPanelsOfTheRegisterBlock() {
        if (DirectConv.PANEL_ROWS == 8) {
            // the 8-row register block (16 lanes): panels of 8, a remainder in one panel of 4, 6 or 8
            assertArrayEquals(new int[] {8, 8, 8, 8}, DirectConv.channelPanels(32));
            assertArrayEquals(new int[] {8, 8, 8, 4}, DirectConv.channelPanels(27));
            assertArrayEquals(new int[] {8, 8, 8, 8, 8, 6}, DirectConv.channelPanels(45));
            assertArrayEquals(new int[] {4}, DirectConv.channelPanels(1));
            assertArrayEquals(new int[] {8}, DirectConv.channelPanels(7));
            assertArrayEquals(new int[] {8, 6}, DirectConv.channelPanels(13));
            for (int rows = 1; rows <= 300; rows++) {
                int sum = 0;
                for (int h : DirectConv.channelPanels(rows)) {
                    sum += h;
                }
                assertTrue(sum >= rows && sum - rows < 4, rows + " rows: panels of " + sum);
            }
            return;
        }
        if (DirectConv.MR == 4) {
            // the 4-row register block (Java 25 on AVX2, or spikevae.sgemm.mr=4): panels of 4 only
            assertArrayEquals(new int[] {4, 4, 4, 4, 4, 4, 4, 4}, DirectConv.channelPanels(32));
            assertArrayEquals(new int[] {4, 4, 4, 4, 4, 4, 4}, DirectConv.channelPanels(27));
            assertArrayEquals(new int[] {4}, DirectConv.channelPanels(1));
            assertArrayEquals(new int[] {4, 4}, DirectConv.channelPanels(5));
            for (int rows = 1; rows <= 300; rows++) {
                assertEquals((rows + 3) / 4, DirectConv.channelPanels(rows).length, rows + " rows");
            }
            return;
        }
        // 32 channels: four panels of 6 and two of 4 (no row computed in vain); remainders of 3 and 4 in one panel of
        // 4; remainders of 1 and 5 in a last panel of 6, as the 6-row kernel alone
        assertArrayEquals(new int[] {6, 6, 6, 6, 4, 4}, DirectConv.channelPanels(32));
        assertArrayEquals(new int[] {4, 4}, DirectConv.channelPanels(8));
        assertArrayEquals(new int[] {4}, DirectConv.channelPanels(2));
        assertArrayEquals(new int[] {4}, DirectConv.channelPanels(3));
        assertArrayEquals(new int[] {6, 6, 4}, DirectConv.channelPanels(15));
        assertArrayEquals(new int[] {6, 6, 6}, DirectConv.channelPanels(18));
        assertArrayEquals(new int[] {6, 6}, DirectConv.channelPanels(7));
        assertArrayEquals(new int[] {6, 6}, DirectConv.channelPanels(11));
        for (int rows = 1; rows <= 300; rows++) {
            int sum = 0;
            for (int h : DirectConv.channelPanels(rows)) {
                sum += h;
            }
            assertTrue(sum >= rows && sum - rows < 6, rows + " rows: panels of " + sum);
        }
    }

    @Test
    void theGeometriesCoverTheCasesTheyClaim() {
        ConvGeometry[] g = geometries();
        assertTrue(Conv.chunkImages(g[1]) < g[1].batch() && g[1].batch() % Conv.chunkImages(g[1]) != 0,
                "several chunks, the last one partial");
        assertTrue(g[4].outChannels() > 256, "a GEMM depth beyond one kc-block (kc 256 by default)");
        assertTrue(g[9].outChannels() > 256, "a transposed GEMM depth beyond one kc-block");
        assertTrue(Conv.weightGroups(g[1]) > 1 && Conv.weightGroups(g[4]) == 1, "both weight-gradient reductions");
        assertTrue(Conv.weightGroups(g[19]) == 2 && g[19].inChannels() * 9 > 2 * 16 && g[19].outChannels() % 16 != 0,
                "GEMM weight-gradient groups (20 channels: not the direct path's), cut into parts of whole panels");
        if (VectorSupport.available()) {
            for (int i = 10; i < 20; i++) {
                assertTrue(DirectConv.forwardFits(g[i]), "the direct forward takes " + g[i]);
            }
            assertTrue(DirectConv.weightFits(g[10]) && DirectConv.weightFits(g[12]) && DirectConv.weightFits(g[14]),
                    "the direct weight gradient takes E1, D5 and the 64-channel case");
            assertTrue(g[11].inChannels() * 9 > SgemmVectorKernel.KC, "a direct forward past one kc-block");
            for (int i = 20; i < 23; i++) {
                assertTrue(DirectConv.weightFits(g[i]), "the direct weight gradient takes " + g[i]);
            }
            for (int i = 24; i < 26; i++) {
                assertTrue(DirectConv.forwardFits(g[i]), "the direct forward takes " + g[i]);
            }
            assertTrue(g[26].inChannels() * 9 > 64 && DirectConv.weightFits(g[26]) && DirectConv.dataFits(g[26]),
                    "the direct weight gradient and transposed pass take E2's 288 taps on rows of 8");
            assertTrue(g[22].outH() * g[22].outW() % SgemmVectorKernel.KC != 0 && g[22].outW() % 8 != 0,
                    "rows of outputs with a tail shorter than a vector, cut by reduction blocks");
            if (VectorSupport.floatLanes() == 16) {
                assertTrue(DirectConv.planesFit(g[29]) && DirectConv.planesFit(g[16]) && g[29].inChannels() * 9 % 6 != 0,
                        "the transposed pass in whole planes, with panels that straddle channels");
                assertTrue(DirectConv.planesFit(g[15]) && DirectConv.planesFit(g[18]),
                        "the transposed pass in planes of four vectors (8 x 8), as a convolution's and a transposed one's");
                assertTrue(DirectConv.planesFit(g[20]) && DirectConv.planesFit(g[21]) && DirectConv.planesFit(g[26]),
                        "the transposed pass in planes of 16 rows (16 x 16), E2-like, D3-like and E2 itself");
                assertTrue(DirectConv.planesFit(g[11]) && DirectConv.planesFit(g[6]) && g[6].inChannels() * 9 % 8 != 0,
                        "the transposed pass on 32 x 32 planes of two-vector rows: D4, and D4-like with 3 channels, "
                                + "panels of 8 rows straddling them");
                assertTrue(g[12].outH() * g[12].outW() % (2 * 16) == 0
                                && DirectConv.panelStride(g[12].outChannels()) > g[12].outChannels() * 2 * 16,
                        "D5's transposed pass packs f32 images into panels a vector more than 4 KiB apart");
                assertTrue(g[16].outH() * g[16].outW() == 4 && g[16].batch() % 8 == 1 && g[29].batch() < 8,
                        "the forward's panels from planes four images a vector, the last panel one image or partial");
            }
            int n = g.length;
            int lanes = VectorSupport.floatLanes();
            // gathers and a scalar tail: 40 channels at 16 lanes, 20 at 8
            ConvGeometry tail = lanes == 16 ? g[n - 2] : g[n - 1];
            assertTrue(Conv.tapWeights(g[3]) && Conv.tapWeights(g[n - 2]) && Conv.tapWeights(g[n - 1])
                            && tail.inChannels() > 2 * lanes && tail.inChannels() % lanes != 0
                            && g[n - 1].outH() * g[n - 1].outW() == 1,
                    "the weight gradient without padding's products: short runs, gathers and a tail, 1 x 1 images");
            if (lanes == 8) {
                assertTrue(DirectConv.weightFits(g[28]) && !Conv.tapWeights(g[28]) && 4 * g[28].outW() == lanes,
                        "the direct weight gradient on rows of a quarter of a vector");
            }
            for (int i = 15; i < 19; i++) {
                assertTrue(g[i].outW() < VectorSupport.floatLanes() && DirectConv.dataFits(g[i]),
                        "the direct passes take rows shorter than a vector: " + g[i]);
            }
        }
    }
}
