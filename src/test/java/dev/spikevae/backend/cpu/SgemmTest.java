package dev.spikevae.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.Tensor;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SgemmTest {
    private static final CpuBackend ONE = new CpuBackend(1);
    private static final CpuBackend TWO = new CpuBackend(2);
    private static final CpuBackend THREE = new CpuBackend(3);

    /** Shapes (m, n, k) that put each odd size in each role, with edge tiles in both directions. */
    private static final int[][] SHAPES = {
        {1, 1, 1}, {2, 3, 7}, {7, 15, 17}, {17, 33, 31}, {31, 17, 63}, {33, 65, 15}, {63, 7, 100},
        {65, 129, 3}, {100, 257, 2}, {129, 2, 257}, {257, 31, 65}, {3, 100, 129}, {15, 63, 33}, {1, 257, 1},
        {257, 1, 17}, {40, 64, 1}, {9, 33, 300},
    };

    /** One GEMM problem laid out in host arrays with offsets and padded leading dimensions. */
    private record Problem(boolean transA, boolean transB, int m, int n, int k, float alpha, float beta,
                           float[] a, int offA, int lda, float[] b, int offB, int ldb, float[] c, int offC, int ldc) {

        static Problem random(Random rnd, boolean transA, boolean transB, int m, int n, int k, float alpha, float beta,
                              int offset, int pad) {
            int lda = (transA ? m : k) + pad;
            int ldb = (transB ? k : n) + pad;
            int ldc = n + pad;
            float[] a = randomArray(rnd, offset + (transA ? k : m) * Math.max(1, lda) + 3);
            float[] b = randomArray(rnd, offset + (transB ? n : k) * Math.max(1, ldb) + 3);
            float[] c = randomArray(rnd, offset + m * ldc + 3);
            if (beta == 0f) {
                // beta 0 must overwrite whatever C held, NaN included: fill only the matrix itself.
                for (int i = 0; i < m; i++) {
                    Arrays.fill(c, offset + i * ldc, offset + i * ldc + n, Float.NaN);
                }
            }
            return new Problem(transA, transB, m, n, k, alpha, beta, a, offset, Math.max(1, lda), b, offset,
                    Math.max(1, ldb), c, offset, ldc);
        }

        double aAt(int i, int p) {
            return transA ? a[offA + p * lda + i] : a[offA + i * lda + p];
        }

        double bAt(int p, int j) {
            return transB ? b[offB + j * ldb + p] : b[offB + p * ldb + j];
        }

        /** Runs the problem through the backend's public gemm and returns the whole C array afterwards. */
        float[] runOn(Backend backend) {
            Tensor ta = backend.fromHost(a, a.length);
            Tensor tb = backend.fromHost(b, b.length);
            Tensor tc = backend.fromHost(c, c.length);
            backend.gemm(transA, transB, m, n, k, alpha, ta, offA, lda, tb, offB, ldb, beta, tc, offC, ldc, 1, 0, 0, 0);
            return tc.toHost();
        }

        float[] runOn(Sgemm sgemm) {
            float[] out = c.clone();
            sgemm.gemm(transA, transB, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, out, offC, ldc);
            return out;
        }

        /** Checks C against a double-precision reference and that nothing outside C changed. */
        void check(float[] got, String label) {
            for (int idx = 0; idx < c.length; idx++) {
                int rel = idx - offC;
                boolean inside = rel >= 0 && rel / ldc < m && rel % ldc < n;
                if (!inside && Float.compare(got[idx], c[idx]) != 0) {
                    fail(label + ": element " + idx + " outside C changed from " + c[idx] + " to " + got[idx]);
                }
            }
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double sum = 0;
                    double scale = 0;
                    for (int p = 0; p < k; p++) {
                        double prod = aAt(i, p) * bAt(p, j);
                        sum += prod;
                        scale += Math.abs(prod);
                    }
                    double old = c[offC + i * ldc + j];
                    double expect = alpha * sum + (beta == 0f ? 0 : beta * old);
                    double bound = 1e-5 * (Math.abs(alpha) * scale + (beta == 0f ? 0 : Math.abs(beta * old))) + 1e-30;
                    double actual = got[offC + i * ldc + j];
                    if (!(Math.abs(actual - expect) <= bound)) {
                        fail(label + ": C[" + i + "][" + j + "] = " + actual + ", expected " + expect + " (bound " + bound
                                + ")");
                    }
                }
            }
        }

        String label() {
            return "m " + m + " n " + n + " k " + k + " transA " + transA + " transB " + transB + " alpha " + alpha
                    + " beta " + beta + " ld pad " + (ldc - n) + " offset " + offC;
        }
    }

    private static float[] randomArray(Random rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = rnd.nextFloat() * 2f - 1f;
        }
        return x;
    }

    @Test
    void matchesDoubleReferenceForAllTransposesAndOddShapes() {
        Random rnd = new Random(42);
        float[] betas = {0f, 1f, 0.5f};
        int variant = 0;
        for (int[] s : SHAPES) {
            for (int t = 0; t < 4; t++) {
                float beta = betas[variant % 3];
                float alpha = variant % 2 == 0 ? 1f : -1.75f;
                int offset = variant % 4 == 0 ? 0 : 5;
                int pad = variant % 3 == 1 ? 0 : 3;
                variant++;
                Problem p = Problem.random(rnd, (t & 1) != 0, (t & 2) != 0, s[0], s[1], s[2], alpha, beta, offset, pad);
                p.check(p.runOn(ONE), p.label());
                p.check(p.runOn(TWO), p.label() + " (2 threads)");
            }
        }
    }

    @Test
    void kZeroScalesCByBeta() {
        Random rnd = new Random(7);
        for (float beta : new float[] {0f, 1f, 0.5f}) {
            Problem p = Problem.random(rnd, false, true, 17, 33, 0, 2f, beta, 3, 2);
            float[] got = p.runOn(TWO);
            p.check(got, p.label());
            for (int i = 0; i < p.m(); i++) {
                for (int j = 0; j < p.n(); j++) {
                    float old = p.c()[p.offC() + i * p.ldc() + j];
                    assertEquals(beta == 0f ? 0f : beta * old, got[p.offC() + i * p.ldc() + j], 0f);
                }
            }
        }
    }

    @Test
    void largeProblemsMatchTheReferenceOnSeveralThreads() {
        Random rnd = new Random(11);
        // Big enough to be split over the pool, with edge tiles at the end of both dimensions.
        Problem p = Problem.random(rnd, true, false, 201, 263, 70, 0.75f, 0.5f, 1, 1);
        p.check(p.runOn(THREE), p.label() + " (3 threads)");
        Problem q = Problem.random(rnd, false, true, 1000, 20, 120, 1f, 0f, 0, 0);
        q.check(q.runOn(TWO), q.label() + " (2 threads, thin C)");
    }

    @Test
    void resultIsBitwiseIdenticalForAnyThreadCount() {
        Random rnd = new Random(3);
        for (int t = 0; t < 4; t++) {
            Problem p = Problem.random(rnd, (t & 1) != 0, (t & 2) != 0, 300, 300, 300, 1.5f, t % 2 == 0 ? 0f : 0.5f, 2, 1);
            float[] one = p.runOn(ONE);
            assertArrayEquals(one, p.runOn(TWO), p.label() + ": 2 threads differ from 1");
            assertArrayEquals(one, p.runOn(THREE), p.label() + ": 3 threads differ from 1");
        }
        Problem thin = Problem.random(rnd, false, false, 999, 40, 300, 1f, 0f, 0, 0);
        float[] one = thin.runOn(ONE);
        assertArrayEquals(one, thin.runOn(TWO), thin.label() + ": 2 threads differ from 1");
        assertArrayEquals(one, thin.runOn(THREE), thin.label() + ": 3 threads differ from 1");
    }

    @Test
    void batchedStridesGoThroughEveryMatrix() {
        Random rnd = new Random(5);
        int batch = 3;
        int m = 9;
        int n = 35;
        int k = 13;
        int lda = k + 1;
        int ldb = n + 2;
        int ldc = n + 3;
        int strideA = m * lda + 4;
        int strideB = k * ldb + 1;
        int strideC = m * ldc + 2;
        float[] a = randomArray(rnd, 2 + batch * strideA);
        float[] b = randomArray(rnd, 2 + batch * strideB);
        float[] c = randomArray(rnd, 2 + batch * strideC);
        Tensor ta = TWO.fromHost(a, a.length);
        Tensor tb = TWO.fromHost(b, b.length);
        Tensor tc = TWO.fromHost(c, c.length);
        TWO.gemm(false, false, m, n, k, 2f, ta, 2, lda, tb, 2, ldb, 1f, tc, 2, ldc, batch, strideA, strideB, strideC);
        float[] got = tc.toHost();
        for (int bi = 0; bi < batch; bi++) {
            Problem p = new Problem(false, false, m, n, k, 2f, 1f, a, 2 + bi * strideA, lda, b, 2 + bi * strideB, ldb,
                    Arrays.copyOfRange(c, 2 + bi * strideC, 2 + bi * strideC + m * ldc), 0, ldc);
            p.check(Arrays.copyOfRange(got, 2 + bi * strideC, 2 + bi * strideC + m * ldc), "batch entry " + bi);
        }
    }

    @Test
    void scalarKernelMatchesReferenceAndVectorKernel() {
        Sgemm scalar = new Sgemm(new Parallel(2), new SgemmScalarKernel());
        Random rnd = new Random(9);
        int variant = 0;
        for (int[] s : SHAPES) {
            for (int t = 0; t < 4; t++) {
                float beta = variant % 3 == 0 ? 0f : 0.5f;
                Problem p = Problem.random(rnd, (t & 1) != 0, (t & 2) != 0, s[0], s[1], s[2], 1.25f, beta, variant % 2, 2);
                variant++;
                float[] fromScalar = p.runOn(scalar);
                p.check(fromScalar, p.label() + " (scalar kernel)");
                float[] fromBackend = p.runOn(TWO);
                for (int i = 0; i < fromScalar.length; i++) {
                    float tolerance = 1e-5f * Math.max(1f, Math.abs(fromScalar[i]));
                    assertTrue(Math.abs(fromScalar[i] - fromBackend[i]) <= tolerance,
                            p.label() + ": scalar and backend kernels differ at " + i);
                }
            }
        }
        Problem big = Problem.random(rnd, true, true, 150, 140, 130, 1f, 0f, 0, 0);
        float[] one = big.runOn(new Sgemm(new Parallel(1), new SgemmScalarKernel()));
        big.check(one, big.label() + " (scalar kernel)");
        assertArrayEquals(one, big.runOn(new Sgemm(new Parallel(3), new SgemmScalarKernel())),
                "scalar kernel: 3 threads differ from 1");
    }

    @Test
    void registerBlockRowsFollowTheVectorWidthAndJavaReleaseUnlessAsked() {
        assertEquals(6, SgemmVectorKernel.rowsFor(8, 0, 17), "AVX2: 12 accumulators fit its 16 registers");
        assertEquals(4, SgemmVectorKernel.rowsFor(8, 0, 25), "AVX2 on Java 25: its C2 spills the 6-row block");
        assertEquals(8, SgemmVectorKernel.rowsFor(16, 0, 17), "AVX-512");
        assertEquals(8, SgemmVectorKernel.rowsFor(16, 0, 25), "AVX-512 on Java 25");
        assertEquals(8, SgemmVectorKernel.rowsFor(8, 8, 25));
        assertEquals(6, SgemmVectorKernel.rowsFor(16, 6, 17));
        assertEquals(6, SgemmVectorKernel.rowsFor(8, 6, 25));
        assertEquals(4, SgemmVectorKernel.rowsFor(8, 4, 17));
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> SgemmVectorKernel.rowsFor(8, 7, 17));
        assertTrue(e.getMessage().contains("spikevae.sgemm.mr must be 4, 6 or 8, got 7"), e.getMessage());
    }

    @Test
    void theRowReadKernelGivesThePackedKernelsBits() {
        // DirectConv's weight gradient reads A as rows (microKernelRows); each of its blocks must be the packed block
        Random rnd = new Random(7);
        int nr = SgemmVectorKernel.NR;
        for (int mr : new int[] {4, 6}) {
            for (int kc : new int[] {1, 27, 300}) {
                int lda = kc + 5;
                float[] rows = new float[mr * lda];
                float[] packed = new float[kc * mr];
                float[] b = new float[kc * nr];
                for (int i = 0; i < rows.length; i++) {
                    rows[i] = (float) rnd.nextGaussian();
                }
                for (int i = 0; i < b.length; i++) {
                    b[i] = (float) rnd.nextGaussian();
                }
                for (int r = 0; r < mr; r++) {
                    for (int p = 0; p < kc; p++) {
                        packed[p * mr + r] = rows[r * lda + p];
                    }
                }
                float[] fromRows = new float[mr * nr];
                float[] fromPanel = new float[mr * nr];
                SgemmVectorKernel.microKernelRows(mr, kc, rows, 0, lda, b, 0, fromRows);
                SgemmVectorKernel.microKernel(mr, kc, packed, 0, b, 0, fromPanel);
                assertArrayEquals(fromPanel, fromRows, mr + " rows, k " + kc);
                // and a value the block must hold: row mr-1, column nr-1, summed in double
                double want = 0;
                for (int p = 0; p < kc; p++) {
                    want += (double) rows[(mr - 1) * lda + p] * b[p * nr + nr - 1];
                }
                assertEquals(want, fromRows[mr * nr - 1], 1e-4 * Math.max(1, Math.abs(want)) + 1e-3);
            }
        }
    }

    @Test
    void splitUsesEveryThreadAndRespectsBlockCounts() {
        assertArrayEquals(new int[] {1, 2}, Sgemm.split(2, 64, 16, 512, 512));
        assertArrayEquals(new int[] {2, 1}, Sgemm.split(2, 125, 1, 1000, 20));
        int[] odd = Sgemm.split(3, 38, 10, 300, 300);
        assertEquals(3, odd[0] * odd[1]);
    }
}
