package dev.spikevae.backend.cpu;

import dev.spikevae.tensor.DType;
import dev.spikevae.tensor.MemoryScope;
import dev.spikevae.tensor.Rng;
import dev.spikevae.tensor.Shape;
import dev.spikevae.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A linear layer's products with u8 input spikes ({@code matmul} with a u8 operand): the spike-sparse path
 * ({@link SpikeLinear}) gives bitwise what the dense path (f32 copies and the SGEMM) gives, at every density, over
 * odd shapes and reduction depths that span several of the SGEMM's blocks, for every thread count, with the Vector
 * API kernels and with the scalar ones; the automatic choice follows the density.
 */
class SpikeLinearTest {
    private static final double[] DENSITIES = {0, 0.01, 0.1, 0.5, 1};
    private static final int[] THREADS = {1, 2, 3};
    /** {rows m, inputs k, outputs n}: odd sizes; k = 600 and rows = 530 span three and two blocks of 256. */
    private static final int[][] SHAPES = {{37, 29, 53}, {5, 600, 17}, {530, 64, 9}, {64, 1024, 32}, {3, 7, 300}};

    /** Spikes at a density, mostly ones with a few other byte values (u8 spikes are read as exact floats). */
    private static float[] spikes(Rng rng, int n, double density) {
        return SpikeConvTest.spikes(rng, n, density, true);
    }

    private static float[] signed(Rng rng, int n) {
        return SpikeConvTest.signed(rng, n);
    }

    /** The forward {@code y = x w^T} and the weight gradient {@code dw = dy^T x} through the backend in one mode. */
    private static float[][] run(CpuBackend be, SparseMode mode, int[] shape, double density, long seed) {
        int m = shape[0];
        int k = shape[1];
        int n = shape[2];
        be.setSparseMode(mode);
        Rng r = new Rng(seed);
        try (MemoryScope s = MemoryScope.open()) {
            Tensor xf = be.fromHost(spikes(r, m * k, density), m, k);
            Tensor x = be.empty(Shape.of(m, k), DType.U8);
            be.cast(xf, x);
            Tensor w = be.fromHost(signed(r, n * k), n, k);
            Tensor dy = be.fromHost(signed(r, m * n), m, n);
            Tensor y = be.fromHost(nan(m * n), m, n);
            Tensor dw = be.fromHost(nan(n * k), n, k);
            be.matmul(false, true, 1f, x, w, 0f, y);
            be.matmul(true, false, 1f, dy, x, 0f, dw);
            return new float[][] {y.toHost(), dw.toHost()};
        }
    }

    private static float[] nan(int n) {
        float[] v = new float[n];
        java.util.Arrays.fill(v, Float.NaN);
        return v;
    }

    @Test
    void sparsePathIsBitwiseTheDenseOneForEveryDensityShapeAndThreadCount() {
        CpuBackend[] backends = new CpuBackend[THREADS.length];
        for (int i = 0; i < THREADS.length; i++) {
            backends[i] = new CpuBackend(THREADS[i]);
        }
        long seed = 1;
        for (int[] shape : SHAPES) {
            for (double d : DENSITIES) {
                seed++;
                float[][] dense = run(backends[0], SparseMode.DENSE, shape, d, seed);
                for (CpuBackend be : backends) {
                    float[][] sparse = run(be, SparseMode.SPARSE, shape, d, seed);
                    String what = java.util.Arrays.toString(shape) + " density " + d + ", " + be.threads() + " threads";
                    assertArrayEquals(dense[0], sparse[0], "forward x w^T, " + what);
                    assertArrayEquals(dense[1], sparse[1], "weight gradient dy^T x, " + what);
                }
            }
        }
    }

    /** The scalar kernels' arithmetic (a rounded product, then a rounded sum, one chain) on both paths. */
    @Test
    void scalarKernelsAgreeBitwiseToo() {
        Parallel parallel = new Parallel(3);
        Sgemm dense = new Sgemm(parallel, new SgemmScalarKernel());
        SpikeLinear sparse = new SpikeLinear(parallel, new SpikeScalarKernel());
        Rng r = new Rng(7);
        for (int[] shape : SHAPES) {
            int m = shape[0];
            int k = shape[1];
            int n = shape[2];
            float[] x = spikes(r, m * k, 0.3);
            byte[] xb = new byte[m * k + 3];
            for (int i = 0; i < m * k; i++) {
                xb[3 + i] = (byte) (int) x[i];
            }
            float[] w = signed(r, n * k);
            float[] dy = signed(r, m * n);
            float[] y1 = nan(m * n);
            float[] y2 = nan(m * n + 5);
            dense.gemm(false, true, m, n, k, 1f, x, 0, k, w, 0, k, 0f, y1, 0, n);
            sparse.forward(m, n, k, xb, 3, k, w, 0, k, y2, 5, n);
            assertArrayEquals(y1, java.util.Arrays.copyOfRange(y2, 5, 5 + m * n), "forward " + java.util.Arrays.toString(shape));
            float[] g1 = nan(n * k);
            float[] g2 = nan(n * k);
            dense.gemm(true, false, n, k, m, 1f, dy, 0, n, x, 0, k, 0f, g1, 0, k);
            sparse.weightGradient(n, k, m, dy, 0, n, xb, 3, k, g2, 0, k);
            assertArrayEquals(g1, g2, "weight gradient " + java.util.Arrays.toString(shape));
        }
    }

    @Test
    void resultsAreTheProductsOfTheSpikesAsFloats() {
        // a 2 x 3 case by hand: y = x w^T, dw = dy^T x
        CpuBackend be = new CpuBackend(2);
        be.setSparseMode(SparseMode.SPARSE);
        try (MemoryScope s = MemoryScope.open()) {
            Tensor x = be.empty(Shape.of(2, 3), DType.U8);
            be.copyFromHost(new float[] {1, 0, 2, 0, 1, 1}, 0, x);
            Tensor w = be.fromHost(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
            Tensor y = be.empty(2, 2);
            be.matmul(false, true, 1f, x, w, 0f, y);
            assertArrayEquals(new float[] {7, 16, 5, 11}, y.toHost());
            Tensor dy = be.fromHost(new float[] {1, -1, 0.5f, 2}, 2, 2);
            Tensor dw = be.empty(2, 3);
            be.matmul(true, false, 1f, dy, x, 0f, dw);
            assertArrayEquals(new float[] {1, 0.5f, 2.5f, -1, 2, 0}, dw.toHost());
        }
    }

    @Test
    void automaticModeGivesTheSameBitsAtEveryDensityAndOtherProductsKeepTheirMeaning() {
        CpuBackend be = new CpuBackend(2);
        be.setSparseMode(SparseMode.AUTO);
        for (double d : new double[] {SpikeLinear.MAX_WEIGHT_DENSITY * 0.5, SpikeLinear.MAX_DENSITY * 0.8, 0.6}) {
            float[][] auto = run(be, SparseMode.AUTO, SHAPES[3], d, 99);
            float[][] dense = run(be, SparseMode.DENSE, SHAPES[3], d, 99);
            assertArrayEquals(dense[0], auto[0]);
            assertArrayEquals(dense[1], auto[1]);
        }
        // alpha, beta and a transposed spike operand take the dense path through f32 copies, with the same meaning
        try (MemoryScope s = MemoryScope.open()) {
            Rng r = new Rng(5);
            Tensor xf = be.fromHost(spikes(r, 6 * 4, 0.5), 6, 4);
            Tensor x = be.empty(Shape.of(6, 4), DType.U8);
            be.cast(xf, x);
            Tensor w = be.fromHost(signed(r, 3 * 6), 3, 6);
            Tensor c0 = be.fromHost(signed(r, 3 * 4), 3, 4);
            Tensor c1 = be.fromHost(c0.toHost(), 3, 4);
            be.matmul(false, false, 0.5f, w, x, 0.25f, c0);
            be.matmul(false, false, 0.5f, w, xf, 0.25f, c1);
            assertArrayEquals(c1.toHost(), c0.toHost());
            Tensor bad = be.empty(Shape.of(3, 4), DType.U8);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> be.matmul(false, false, 1f, w, x, 0f, bad));
            assertTrue(e.getMessage().contains("matmul"), e.getMessage());
        }
    }

    @Test
    void spikeBytesAreFoundWordByWord() {
        assertEquals(0L, SpikeLinear.nonZeroBytes(0L));
        assertEquals(0x8080808080808080L, SpikeLinear.nonZeroBytes(0x0101010101010101L));
        assertEquals(0x8000000000000080L, SpikeLinear.nonZeroBytes(0xFF000000000000FFL));
        assertEquals(0x0000800000000000L, SpikeLinear.nonZeroBytes(0x0000800000000000L));
        assertNotEquals(0L, SpikeLinear.nonZeroBytes(0x0000000000800000L));
        for (int b = 1; b < 256; b++) {
            for (int at = 0; at < 8; at++) {
                assertEquals(0x80L << (8 * at), SpikeLinear.nonZeroBytes((long) b << (8 * at)), "byte " + b + " at " + at);
            }
        }
    }
}
