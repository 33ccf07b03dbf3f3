package dev.spikevae.backend.cpu;

import dev.spikevae.tensor.ConvGeometry;
import dev.spikevae.tensor.DType;
import dev.spikevae.tensor.MemoryScope;
import dev.spikevae.tensor.Rng;
import dev.spikevae.tensor.Shape;
import dev.spikevae.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The spike-sparse convolutions give bitwise what the dense path gives (the same summation order; skipped zeros
 * add exact zeros), at every density, over odd shapes, for every thread count. Two exceptions, by design, where the
 * dense path sums in another order and the two agree within a stated rounding bound instead: the weight gradients it
 * sums as dot products along positions ({@link LaneWeightGradient}: kernels 3 wide, rows of whole vectors,
 * few taps), and at 16 lanes the transposed pass onto three channels at stride 1 that it computes as a direct
 * convolution ({@link TransposedToThree}: ESVAE's last decoder layer's forward).
 */
class SpikeConvTest {
    private static final double[] DENSITIES = {0, 0.01, 0.1, 0.5, 1};
    private static final int[] THREADS = {1, 2, 3};

    /** Odd shapes: stride 2 and 1, padding, 1 and 3 channels, odd sizes, batches that are no multiple of a chunk. */
    private static final ConvGeometry[] GEOMETRIES = {
        ConvGeometry.conv(37, 3, 9, 7, 6, 3, 2, 1),
        ConvGeometry.conv(5, 1, 11, 11, 4, 3, 1, 1),
        ConvGeometry.conv(300, 4, 4, 4, 8, 3, 1, 1),
        ConvGeometry.conv(3, 40, 5, 5, 17, 3, 2, 1), // k = 360: two reduction blocks of the vector SGEMM
        ConvGeometry.conv(2, 3, 32, 32, 5, 3, 1, 0),
        ConvGeometry.transposed(33, 6, 4, 5, 3, 3, 2, 1, 1),
        ConvGeometry.transposed(7, 300, 2, 2, 5, 3, 2, 1, 1), // 300 channels of spikes: two blocks in backward data
        ConvGeometry.transposed(9, 4, 8, 8, 1, 3, 1, 1, 0),
        ConvGeometry.transposed(3, 4, 24, 24, 2, 3, 1, 1, 0), // 576 positions: an image spans reduction blocks
        // taken by the direct dense kernels (DirectConv) with the Vector API: 32 output channels, rows of 16 outputs
        ConvGeometry.conv(6, 3, 32, 32, 32, 3, 2, 1),
        ConvGeometry.transposed(5, 32, 16, 16, 16, 3, 2, 1, 1),
        // D5-like: spikes onto 3 channels at stride 1, 32 x 32 (at 16 lanes the dense forward is TransposedToThree's)
        ConvGeometry.transposed(3, 8, 32, 32, 3, 3, 1, 1, 0),
    };

    static float[] spikes(Rng rng, int n, double density, boolean wide) {
        float[] u = rng.uniformHost(n);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = u[i] < density ? (wide && i % 7 == 0 ? (i % 3 == 0 ? 200f : 2f) : 1f) : 0f;
        }
        return v;
    }

    static float[] signed(Rng rng, int n) {
        float[] v = rng.uniformHost(n);
        for (int i = 0; i < n; i++) {
            v[i] = 2 * v[i] - 1;
        }
        return v;
    }

    private static Tensor u8(CpuBackend be, float[] v, Shape shape) {
        Tensor f = be.fromHost(v, shape.dims());
        Tensor u = be.empty(shape, DType.U8);
        be.cast(f, u);
        return u;
    }

    /** Forward, backward data and both weight gradients (beta 0, 1 and 0.5) on one backend in one mode. */
    private static float[][] run(CpuBackend be, SparseMode mode, ConvGeometry g, double density, long seed, boolean wide) {
        be.setSparseMode(mode);
        Rng r = new Rng(seed);
        try (MemoryScope s = MemoryScope.open()) {
            Tensor x = u8(be, spikes(r, g.inputShape().numel(), density, wide), g.inputShape());
            Tensor dyb = u8(be, spikes(r, g.outputShape().numel(), density, wide), g.outputShape());
            Tensor xf = be.fromHost(signed(r, g.inputShape().numel()), g.inputShape().dims());
            Tensor dyf = be.fromHost(signed(r, g.outputShape().numel()), g.outputShape().dims());
            Tensor w = be.fromHost(signed(r, g.weightShape().numel()), g.weightShape().dims());
            Tensor bOut = be.fromHost(signed(r, g.outChannels()), g.outChannels());
            Tensor bIn = be.fromHost(signed(r, g.inChannels()), g.inChannels());
            float[] dwInit = signed(r, g.weightShape().numel());
            Tensor y = be.empty(g.outputShape());
            be.convForward(x, w, bOut, y, g);
            Tensor y0 = be.empty(g.outputShape());
            be.convForward(x, w, null, y0, g);
            Tensor dx = be.empty(g.inputShape());
            be.convBackwardData(dyb, w, bIn, dx, g);
            Tensor dx0 = be.empty(g.inputShape());
            be.convBackwardData(dyb, w, null, dx0, g);
            float[][] out = new float[15][];
            out[0] = y.toHost();
            out[1] = y0.toHost();
            out[2] = dx.toHost();
            out[3] = dx0.toHost();
            float[] betas = {0f, 1f, 0.5f};
            for (int i = 0; i < betas.length; i++) {
                Tensor dwa = be.fromHost(dwInit, g.weightShape().dims());
                be.convBackwardWeight(x, dyf, dwa, betas[i], g); // spikes in, a float gradient: a convolution's
                Tensor dwb = be.fromHost(dwInit, g.weightShape().dims());
                be.convBackwardWeight(xf, dyb, dwb, betas[i], g); // spikes out: a transposed convolution's
                out[4 + 2 * i] = dwa.toHost();
                out[5 + 2 * i] = dwb.toHost();
            }
            // the weight gradients' sums of absolute products (the scale of their rounding), and the starting dw
            Tensor dwAbs = be.empty(g.weightShape());
            be.convBackwardWeight(x, be.fromHost(abs(dyf.toHost()), g.outputShape().dims()), dwAbs, 0f, g);
            out[10] = dwAbs.toHost();
            be.convBackwardWeight(be.fromHost(abs(xf.toHost()), g.inputShape().dims()), dyb, dwAbs, 0f, g);
            out[11] = dwAbs.toHost();
            out[12] = dwInit;
            // backward data's sums of absolute products and bias (dy's spikes are not negative)
            Tensor wAbs = be.fromHost(abs(w.toHost()), g.weightShape().dims());
            Tensor dxAbs = be.empty(g.inputShape());
            be.convBackwardData(dyb, wAbs, be.fromHost(abs(bIn.toHost()), g.inChannels()), dxAbs, g);
            out[13] = dxAbs.toHost();
            be.convBackwardData(dyb, wAbs, null, dxAbs, g);
            out[14] = dxAbs.toHost();
            return out;
        } finally {
            be.setSparseMode(SparseMode.AUTO);
        }
    }

    private static final String[] NAMES = {"forward", "forward without bias", "backward data", "backward data without bias",
        "weight (x spikes) beta 0", "weight (dy spikes) beta 0", "weight (x spikes) beta 1", "weight (dy spikes) beta 1",
        "weight (x spikes) beta 0.5", "weight (dy spikes) beta 0.5"};

    private static float[] abs(float[] v) {
        float[] a = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            a[i] = Math.abs(v[i]);
        }
        return a;
    }

    /**
     * Output i of {@link #run} (0-9) of the sparse path against the dense one: bitwise, but where the dense path sums
     * in another order, the weight gradients in lanes or without the products of padding ({@link TapWeightGradient})
     * and the transposed pass onto three channels as a direct convolution ({@link TransposedToThree}), which must agree
     * within 1e-5 of the element's sum of absolute products (plus its beta dw, or its absolute bias).
     */
    private static void assertMatches(float[][] dense, float[][] sparse, int i, ConvGeometry g, String label) {
        boolean lanes = VectorSupport.available() && (LaneWeightGradient.fits(g) || Conv.tapWeights(g)) && i >= 4;
        boolean three = VectorSupport.available() && TransposedToThree.fits(g) && (i == 2 || i == 3);
        if (!lanes && !three) {
            assertArrayEquals(dense[i], sparse[i], label);
            return;
        }
        float beta = three || i < 6 ? 0f : i < 8 ? 1f : 0.5f;
        float[] absSum = three ? dense[11 + i] : dense[i % 2 == 0 ? 10 : 11];
        for (int j = 0; j < dense[i].length; j++) {
            double bound = 1e-5 * (absSum[j] + (beta == 0f ? 0f : Math.abs(beta * dense[12][j]))) + 1e-30;
            assertTrue(Math.abs(dense[i][j] - sparse[i][j]) <= bound, label + ": element " + j + " is " + sparse[i][j]
                    + ", the dense path's " + dense[i][j] + " (bound " + bound + ")");
        }
    }

    @Test
    void sparseEqualsDenseBitwiseAtEveryDensityAndThreadCount() {
        CpuBackend[] backends = new CpuBackend[THREADS.length];
        for (int i = 0; i < THREADS.length; i++) {
            backends[i] = new CpuBackend(THREADS[i]);
        }
        long seed = 11;
        for (ConvGeometry g : GEOMETRIES) {
            for (double density : DENSITIES) {
                seed++;
                float[][] dense = run(backends[0], SparseMode.DENSE, g, density, seed, false);
                for (CpuBackend be : backends) {
                    float[][] sparse = run(be, SparseMode.SPARSE, g, density, seed, false);
                    for (int i = 0; i < NAMES.length; i++) {
                        assertMatches(dense, sparse, i, g, NAMES[i] + ", density " + density + ", " + be.threads()
                                + " threads, " + g);
                    }
                }
            }
        }
    }

    /** u8 operands above one (not spikes, but u8 all the same) are multiplied in as their unsigned values. */
    @Test
    void valuesAboveOneMatchTheDensePath() {
        CpuBackend be = new CpuBackend(2);
        for (ConvGeometry g : GEOMETRIES) {
            float[][] dense = run(be, SparseMode.DENSE, g, 0.3, 99, true);
            float[][] sparse = run(be, SparseMode.SPARSE, g, 0.3, 99, true);
            for (int i = 0; i < NAMES.length; i++) {
                assertMatches(dense, sparse, i, g, NAMES[i] + ", " + g);
            }
        }
    }

    /** The automatic choice gives the same bits as either forced path (it only decides the speed). */
    @Test
    void automaticChoiceGivesTheSameResults() {
        CpuBackend be = new CpuBackend(2);
        ConvGeometry g = GEOMETRIES[0];
        for (double density : new double[] {0.02, 0.9}) {
            float[][] dense = run(be, SparseMode.DENSE, g, density, 5, false);
            float[][] auto = run(be, SparseMode.AUTO, g, density, 5, false);
            for (int i = 0; i < NAMES.length; i++) {
                assertArrayEquals(dense[i], auto[i], NAMES[i] + ", density " + density);
            }
        }
        assertNotEquals(0f, dense0(be, g)[0], "the case computes something");
    }

    private static float[] dense0(CpuBackend be, ConvGeometry g) {
        float[][] out = run(be, SparseMode.DENSE, g, 0.5, 5, false);
        float max = 0;
        for (float v : out[0]) {
            max = Math.max(max, Math.abs(v));
        }
        return new float[] {max};
    }

    @Test
    void densityIsExactForSmallOperandsAndSampledForLargeOnes() {
        byte[] b = new byte[1000];
        for (int i = 0; i < 1000; i += 4) {
            b[i] = 1;
        }
        assertEquals(0.25, SpikeConv.density(b, 0, 1000), 0);
        assertEquals(0.0, SpikeConv.density(b, 0, 0), 0);
        byte[] big = new byte[1 << 20];
        for (int i = 0; i < big.length; i += 10) {
            big[i] = (byte) 255;
        }
        assertEquals(0.1, SpikeConv.density(big, 0, big.length), 0.01);
        byte[] planes = new byte[1 << 20]; // the first of every four 256-byte planes fires everywhere
        for (int i = 0; i < planes.length; i++) {
            planes[i] = (byte) ((i >> 8) % 4 == 0 ? 1 : 0);
        }
        assertEquals(0.25, SpikeConv.density(planes, 0, planes.length), 0.05);
    }

    /** The threshold rule: none for short rows, proportional up to a full row, flat beyond. */
    @Test
    void thresholdFollowsTheRowLength() {
        for (boolean weight : new boolean[] {false, true}) {
            double limit = weight ? SpikeConv.MAX_WEIGHT_DENSITY : SpikeConv.MAX_DENSITY;
            assertEquals(0.0, SpikeConv.maxDensity(27, weight), 0, "a three-channel last layer's 27-float rows stay dense");
            assertEquals(limit / 2, SpikeConv.maxDensity(SpikeConv.FULL_ROW / 2, weight), 1e-12);
            assertEquals(limit, SpikeConv.maxDensity(SpikeConv.FULL_ROW, weight), 0);
            assertEquals(limit, SpikeConv.maxDensity(1152, weight), 0);
        }
        assertTrue(SpikeConv.MAX_WEIGHT_DENSITY > SpikeConv.MAX_DENSITY, "weight gradients stay sparse longer");
        ConvGeometry e2 = ConvGeometry.conv(1, 32, 16, 16, 64, 3, 2, 1);
        assertEquals(64, SpikeConv.forwardRow(e2));
        assertEquals(288, SpikeConv.backwardDataRow(e2));
        // transposed forward passes (backward data): only with enough spike channels to outweigh the sparse col2im
        ConvGeometry d4 = ConvGeometry.transposed(1, 32, 16, 16, 32, 3, 2, 1, 1);
        ConvGeometry d3 = ConvGeometry.transposed(1, 64, 8, 8, 32, 3, 2, 1, 1);
        ConvGeometry d2 = ConvGeometry.transposed(1, 128, 4, 4, 64, 3, 2, 1, 1);
        assertEquals(0.0, SpikeConv.backwardDataMaxDensity(d4), 0, "D4: 32 spike channels stay dense");
        assertEquals(0.0, SpikeConv.backwardDataMaxDensity(d3), 0, "D3: 64 spike channels stay dense");
        assertEquals(SpikeConv.MAX_DENSITY, SpikeConv.backwardDataMaxDensity(d2), 0, "D2: 128 spike channels");
    }

    @Test
    void probeCountsTheSpikeOperand() {
        CpuBackend be = new CpuBackend(1);
        ConvGeometry g = ConvGeometry.conv(2, 1, 4, 4, 2, 3, 1, 1);
        long[] seen = new long[2];
        be.setSpikeDensityProbe((pass, geo, operand, type, nonZero, total) -> {
            assertEquals("forward", pass);
            assertEquals(DType.U8, type);
            seen[0] += nonZero;
            seen[1] += total;
        });
        try (MemoryScope s = MemoryScope.open()) {
            float[] v = new float[32];
            v[3] = 1;
            v[17] = 1;
            v[30] = 1;
            Tensor x = u8(be, v, g.inputShape());
            Tensor w = be.fromHost(new float[g.weightShape().numel()], g.weightShape().dims());
            be.convForward(x, w, null, be.empty(g.outputShape()), g);
        }
        assertEquals(3, seen[0]);
        assertEquals(32, seen[1]);
    }
}
