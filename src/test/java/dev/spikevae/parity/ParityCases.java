package dev.spikevae.parity;

import dev.spikevae.tensor.AdamWParams;
import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.BinaryOp;
import dev.spikevae.tensor.ConvGeometry;
import dev.spikevae.tensor.DType;
import dev.spikevae.tensor.LifParams;
import dev.spikevae.tensor.Rng;
import dev.spikevae.tensor.Surrogate;
import dev.spikevae.tensor.UnaryOp;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One parity case per kernel method of {@link Backend} (keyed by its name, e.g. {@code kGemm}): random
 * inputs with odd sizes, the op on the CPU backend and on the backend under test, results compared.
 * Tolerances: 0 (bitwise) where both backends run the same float operations in the same order (the
 * CUDA kernels are compiled without FMA contraction); a few ulps where transcendental functions or
 * double sums meet; more for GEMMs and convolutions, whose summation orders differ. Spikes must be
 * equal: membranes are computed bitwise alike, so no threshold ties arise.
 */
final class ParityCases {
    /** A case: the two backends and a seeded stream for inputs. */
    @FunctionalInterface
    interface Case {
        void run(Backend cpu, Backend gpu, Rng rng);
    }

    static final double GEMM_RTOL = 1e-4;
    static final double GEMM_ATOL = 1e-4;

    private ParityCases() {
    }

    static float[] uniform(Rng rng, int n, float lo, float hi) {
        float[] v = rng.uniformHost(n);
        for (int i = 0; i < n; i++) {
            v[i] = lo + (hi - lo) * v[i];
        }
        return v;
    }

    static float[] spikes(Rng rng, int n) {
        float[] v = rng.uniformHost(n);
        for (int i = 0; i < n; i++) {
            v[i] = v[i] < 0.3f ? 1f : 0f;
        }
        return v;
    }

    static Map<String, Case> all() {
        Map<String, Case> c = new LinkedHashMap<>();
        c.put("kCopyToHost", (cpu, gpu, rng) -> {
            float[] v = uniform(rng, 1001, -3, 3);
            Pair p = Pair.of(cpu, gpu, v, 7, 11, 13);
            p.assertEqual("f32 round trip");
            Pair b = Pair.empty(cpu, gpu, DType.U8, 1001);
            float[] bytes = uniform(rng, 1001, -10, 300);
            cpu.copyFromHost(bytes, 0, b.cpu());
            gpu.copyFromHost(bytes, 0, b.gpu());
            b.assertEqual("u8 round trip (truncated, clamped)");
        });
        c.put("kCopyFromHost", (cpu, gpu, rng) -> {
            Pair p = Pair.nan(cpu, gpu, 5, 9);
            float[] v = uniform(rng, 60, -1, 1);
            cpu.copyFromHost(v, 15, p.cpu());
            gpu.copyFromHost(v, 15, p.gpu());
            p.assertEqual("copyFromHost at an offset");
        });
        c.put("kCopy", (cpu, gpu, rng) -> {
            Pair a = Pair.of(cpu, gpu, uniform(rng, 99, -1, 1), 9, 11);
            Pair d = Pair.nan(cpu, gpu, 10, 11);
            cpu.copy(a.cpu(), d.cpu().narrow0(1, 9));
            gpu.copy(a.gpu(), d.gpu().narrow0(1, 9));
            d.assertEqual("copy into a view");
        });
        c.put("kCast", (cpu, gpu, rng) -> {
            Pair a = Pair.of(cpu, gpu, uniform(rng, 257, -5, 300), 257);
            Pair b = Pair.empty(cpu, gpu, DType.U8, 257);
            cpu.cast(a.cpu(), b.cpu());
            gpu.cast(a.gpu(), b.gpu());
            b.assertEqual("f32 to u8");
            Pair f = Pair.nan(cpu, gpu, 257);
            cpu.cast(b.cpu(), f.cpu());
            gpu.cast(b.gpu(), f.gpu());
            f.assertEqual("u8 to f32");
        });
        c.put("kFill", (cpu, gpu, rng) -> {
            Pair a = Pair.nan(cpu, gpu, 33);
            cpu.fill(a.cpu().narrow0(3, 20), -2.5f);
            gpu.fill(a.gpu().narrow0(3, 20), -2.5f);
            a.assertEqual("fill f32");
            Pair b = Pair.empty(cpu, gpu, DType.U8, 35);
            cpu.fill(b.cpu(), 0f);
            gpu.fill(b.gpu(), 0f);
            cpu.fill(b.cpu().narrow0(1, 33), 1.7f);
            gpu.fill(b.gpu().narrow0(1, 33), 1.7f);
            b.assertEqual("fill u8");
        });
        c.put("kGemm", gemm(GEMM_RTOL, GEMM_ATOL, 1e-3));
        c.put("kMatmulSpikes", (cpu, gpu, rng) -> {
            // a linear layer on u8 spikes: x w^T and dy^T x (k = 300 spans two of the CPU SGEMM's blocks), then a
            // product with alpha, beta and a transposed spike operand
            int m = 37;
            int k = 300;
            int n = 19;
            Pair x = operand(cpu, gpu, rng, DType.U8, m * k, m, k);
            Pair w = Pair.of(cpu, gpu, uniform(rng, n * k, -1, 1), n, k);
            Pair y = Pair.nan(cpu, gpu, m, n);
            cpu.matmul(false, true, 1f, x.cpu(), w.cpu(), 0f, y.cpu());
            gpu.matmul(false, true, 1f, x.gpu(), w.gpu(), 0f, y.gpu());
            y.assertClose("matmul u8 x w^T", GEMM_RTOL, GEMM_ATOL);
            Pair dy = Pair.of(cpu, gpu, uniform(rng, m * n, -1, 1), m, n);
            Pair dw = Pair.nan(cpu, gpu, n, k);
            cpu.matmul(true, false, 1f, dy.cpu(), x.cpu(), 0f, dw.cpu());
            gpu.matmul(true, false, 1f, dy.gpu(), x.gpu(), 0f, dw.gpu());
            dw.assertClose("matmul dy^T u8 x", GEMM_RTOL, GEMM_ATOL);
            Pair c0 = Pair.of(cpu, gpu, uniform(rng, k * n, -1, 1), k, n);
            cpu.matmul(true, false, 0.5f, x.cpu(), dy.cpu(), 0.25f, c0.cpu());
            gpu.matmul(true, false, 0.5f, x.gpu(), dy.gpu(), 0.25f, c0.gpu());
            c0.assertClose("matmul 0.5 (u8 x)^T dy + 0.25 C", GEMM_RTOL, GEMM_ATOL);
        });
        for (String conv : new String[] {"kConvForward", "kConvBackwardData", "kConvBackwardWeight"}) {
            c.put(conv, (cpu, gpu, rng) -> convCase(conv, cpu, gpu, rng));
        }
        c.put("kConvBackward", (cpu, gpu, rng) -> {
            // both gradients in one op: the convolution cases' geometries and E1's (3 -> 32 channels, 32 x 32 onto
            // 16 x 16), which the CPU backend at 16 lanes makes from one pass over dy; x f32 or u8 spikes, dy f32 or
            // u8; both outputs start as NaN
            ConvGeometry[] geometries = {ConvGeometry.conv(3, 3, 9, 7, 5, 3, 2, 1),
                ConvGeometry.conv(2, 4, 17, 18, 3, 3, 1, 1), ConvGeometry.conv(3, 3, 32, 32, 32, 3, 2, 1)};
            for (ConvGeometry g : geometries) {
                for (DType tx : DType.values()) {
                    for (DType ty : DType.values()) {
                        Pair x = operand(cpu, gpu, rng, tx, g.inputShape().numel(), g.inputShape().dims());
                        Pair dy = operand(cpu, gpu, rng, ty, g.outputShape().numel(), g.outputShape().dims());
                        Pair w = Pair.of(cpu, gpu, uniform(rng, g.weightShape().numel(), -0.5f, 0.5f),
                                g.weightShape().dims());
                        Pair dx = Pair.nan(cpu, gpu, g.inputShape().dims());
                        Pair dw = Pair.nan(cpu, gpu, g.weightShape().dims());
                        cpu.convBackward(x.cpu(), dy.cpu(), w.cpu(), dx.cpu(), dw.cpu(), g);
                        gpu.convBackward(x.gpu(), dy.gpu(), w.gpu(), dx.gpu(), dw.gpu(), g);
                        dx.assertClose("convBackward input gradient, x " + tx + ", dy " + ty + " " + g, GEMM_RTOL,
                                GEMM_ATOL);
                        dw.assertClose("convBackward weight gradient, x " + tx + ", dy " + ty + " " + g, GEMM_RTOL,
                                1e-3);
                    }
                }
            }
        });
        c.put("kUnary", (cpu, gpu, rng) -> {
            for (UnaryOp op : UnaryOp.values()) {
                boolean positive = op == UnaryOp.LOG || op == UnaryOp.SQRT;
                Pair x = Pair.of(cpu, gpu, uniform(rng, 301, positive ? 0.01f : -4f, 4f), 301);
                Pair y = Pair.nan(cpu, gpu, 301);
                cpu.unary(op, x.cpu(), y.cpu(), 0.1f);
                gpu.unary(op, x.gpu(), y.gpu(), 0.1f);
                y.assertClose("unary " + op, 2e-7, 0);
            }
        });
        c.put("kUnaryBackward", (cpu, gpu, rng) -> {
            for (UnaryOp op : UnaryOp.values()) {
                if (op == UnaryOp.STEP) {
                    continue;
                }
                boolean positive = op == UnaryOp.LOG || op == UnaryOp.SQRT;
                Pair x = Pair.of(cpu, gpu, uniform(rng, 301, positive ? 0.01f : -4f, 4f), 301);
                Pair y = Pair.nan(cpu, gpu, 301);
                cpu.unary(op, x.cpu(), y.cpu(), 0.1f);
                gpu.unary(op, x.gpu(), y.gpu(), 0.1f);
                Pair dy = Pair.of(cpu, gpu, uniform(rng, 301, -1, 1), 301);
                Pair dx = Pair.nan(cpu, gpu, 301);
                cpu.unaryBackward(op, x.cpu(), y.cpu(), dy.cpu(), dx.cpu(), 0.1f);
                gpu.unaryBackward(op, x.gpu(), y.gpu(), dy.gpu(), dx.gpu(), 0.1f);
                dx.assertClose("unaryBackward " + op, 1e-6, 0);
            }
        });
        c.put("kBinary", (cpu, gpu, rng) -> {
            for (BinaryOp op : BinaryOp.values()) {
                Pair a = Pair.of(cpu, gpu, uniform(rng, 60, -2, 2), 4, 3, 5);
                Pair b = Pair.of(cpu, gpu, uniform(rng, 3, 0.5f, 2), 3, 1);
                Pair out = Pair.nan(cpu, gpu, 4, 3, 5);
                cpu.binary(op, a.cpu(), b.cpu(), out.cpu());
                gpu.binary(op, a.gpu(), b.gpu(), out.gpu());
                out.assertEqual("binary " + op + " broadcast");
                Pair d = Pair.of(cpu, gpu, uniform(rng, 60, -2, 2), 4, 3, 5);
                cpu.binary(op, a.cpu(), d.cpu(), a.cpu());
                gpu.binary(op, a.gpu(), d.gpu(), a.gpu());
                a.assertEqual("binary " + op + " in place");
            }
        });
        c.put("kAxpby", (cpu, gpu, rng) -> {
            Pair x = Pair.of(cpu, gpu, uniform(rng, 77, -1, 1), 77);
            Pair y = Pair.of(cpu, gpu, uniform(rng, 77, -1, 1), 77);
            cpu.axpby(0.3f, x.cpu(), 1.7f, y.cpu());
            gpu.axpby(0.3f, x.gpu(), 1.7f, y.gpu());
            y.assertEqual("axpby");
            Pair z = Pair.nan(cpu, gpu, 77);
            cpu.axpby(0.3f, x.cpu(), 0f, z.cpu());
            gpu.axpby(0.3f, x.gpu(), 0f, z.gpu());
            z.assertEqual("axpby beta 0 over NaN");
        });
        c.put("kAffine", (cpu, gpu, rng) -> {
            Pair x = Pair.of(cpu, gpu, uniform(rng, 77, -1, 1), 7, 11);
            Pair y = Pair.nan(cpu, gpu, 77);
            cpu.affine(x.cpu(), -0.6f, 0.1f, y.cpu());
            gpu.affine(x.gpu(), -0.6f, 0.1f, y.gpu());
            y.assertEqual("affine");
        });
        c.put("kReduceSum", (cpu, gpu, rng) -> {
            Pair x = Pair.of(cpu, gpu, uniform(rng, 5 * 7 * 300, -1, 1), 5, 7, 300);
            int[][] outs = {{7, 1}, {1}, {5, 1, 300}, {300}, {5, 7, 300}, {5, 7, 1}};
            for (int[] o : outs) {
                Pair out = Pair.of(cpu, gpu, uniform(rng, dev.spikevae.tensor.Shape.of(o).numel(), -1, 1), o);
                cpu.reduceSum(x.cpu(), out.cpu(), 0.5f, 0.25f);
                gpu.reduceSum(x.gpu(), out.gpu(), 0.5f, 0.25f);
                out.assertClose("reduceSum to " + java.util.Arrays.toString(o), 1e-6, 1e-6);
            }
            // a bias gradient: 3 channels of 70,035 terms each over two strided axes, cut into runs of terms on a GPU of
            // 132 SMs (LayoutKernels.partsFor: 4 runs an output), with beta and with beta 0 over NaN
            Pair g = Pair.of(cpu, gpu, uniform(rng, 29 * 3 * 2415, -1, 1), 29, 3, 2415);
            Pair bias = Pair.of(cpu, gpu, uniform(rng, 3, -1, 1), 3, 1);
            cpu.reduceSum(g.cpu(), bias.cpu(), 0.5f, 0.25f);
            gpu.reduceSum(g.gpu(), bias.gpu(), 0.5f, 0.25f);
            bias.assertClose("reduceSum of 3 x 70035 terms to [3, 1]", 1e-6, 1e-6);
            Pair fresh = Pair.nan(cpu, gpu, 3, 1);
            cpu.reduceSum(g.cpu(), fresh.cpu(), 1f, 0f);
            gpu.reduceSum(g.gpu(), fresh.gpu(), 1f, 0f);
            fresh.assertClose("reduceSum of 3 x 70035 terms, beta 0 over NaN", 1e-6, 1e-6);
        });
        c.put("kExpand", (cpu, gpu, rng) -> {
            Pair x = Pair.of(cpu, gpu, uniform(rng, 15, -1, 1), 3, 1, 5);
            Pair out = Pair.nan(cpu, gpu, 4, 3, 2, 5);
            cpu.expand(x.cpu(), out.cpu());
            gpu.expand(x.gpu(), out.gpu());
            out.assertEqual("expand");
        });
        c.put("kPermute", (cpu, gpu, rng) -> {
            Pair x = Pair.of(cpu, gpu, uniform(rng, 2 * 3 * 5 * 7, -1, 1), 2, 3, 5, 7);
            Pair out = Pair.nan(cpu, gpu, 7, 2, 5, 3);
            cpu.permute(x.cpu(), new int[] {3, 0, 2, 1}, out.cpu());
            gpu.permute(x.gpu(), new int[] {3, 0, 2, 1}, out.gpu());
            out.assertEqual("permute");
        });
        c.put("kSliceCopy", (cpu, gpu, rng) -> {
            Pair x = Pair.of(cpu, gpu, uniform(rng, 4 * 9 * 5, -1, 1), 4, 9, 5);
            Pair out = Pair.nan(cpu, gpu, 4, 3, 5);
            cpu.sliceCopy(x.cpu(), 1, 4, out.cpu());
            gpu.sliceCopy(x.gpu(), 1, 4, out.gpu());
            out.assertEqual("sliceCopy");
        });
        c.put("kSliceAssign", (cpu, gpu, rng) -> {
            Pair whole = Pair.of(cpu, gpu, uniform(rng, 4 * 9 * 5, -1, 1), 4, 9, 5);
            Pair part = Pair.of(cpu, gpu, uniform(rng, 4 * 3 * 5, -1, 1), 4, 3, 5);
            cpu.sliceAssign(part.cpu(), 1, 2, whole.cpu(), 0.5f);
            gpu.sliceAssign(part.gpu(), 1, 2, whole.gpu(), 0.5f);
            whole.assertEqual("sliceAssign beta 0.5");
            Pair fresh = Pair.nan(cpu, gpu, 4, 9, 5);
            cpu.sliceAssign(part.cpu(), 1, 6, fresh.cpu(), 0f);
            gpu.sliceAssign(part.gpu(), 1, 6, fresh.gpu(), 0f);
            fresh.assertEqual("sliceAssign beta 0 (the rest stays NaN)");
        });
        c.put("kLeakyScan", (cpu, gpu, rng) -> {
            Pair x = Pair.of(cpu, gpu, uniform(rng, 7 * 33, -1, 1), 7, 33);
            Pair y = Pair.nan(cpu, gpu, 7, 33);
            cpu.leakyScan(x.cpu(), 0.8f, 1f, y.cpu());
            gpu.leakyScan(x.gpu(), 0.8f, 1f, y.gpu());
            y.assertEqual("leakyScan");
        });
        c.put("kLeakyScanBackward", (cpu, gpu, rng) -> {
            Pair dy = Pair.of(cpu, gpu, uniform(rng, 7 * 33, -1, 1), 7, 33);
            cpu.leakyScanBackward(dy.cpu(), 0.5f, 0.5f, dy.cpu());
            gpu.leakyScanBackward(dy.gpu(), 0.5f, 0.5f, dy.gpu());
            dy.assertEqual("leakyScanBackward in place");
        });
        c.put("kBatchNormStats", (cpu, gpu, rng) -> {
            for (int[] s : new int[][] {{13, 5, 17}, {300, 7, 1}, {2, 3, 5000}}) {
                Pair x = Pair.of(cpu, gpu, uniform(rng, s[0] * s[1] * s[2], -1, 3), s);
                Pair mean = Pair.nan(cpu, gpu, s[1]);
                Pair var = Pair.nan(cpu, gpu, s[1]);
                cpu.batchNormStats(x.cpu(), mean.cpu(), var.cpu());
                gpu.batchNormStats(x.gpu(), mean.gpu(), var.gpu());
                mean.assertClose("mean " + java.util.Arrays.toString(s), 1e-6, 1e-7);
                var.assertClose("var " + java.util.Arrays.toString(s), 1e-6, 1e-7);
            }
        });
        c.put("kBatchNormForward", (cpu, gpu, rng) -> {
            Pair x = Pair.of(cpu, gpu, uniform(rng, 13 * 5 * 17, -1, 3), 13, 5, 17);
            Pair mean = Pair.of(cpu, gpu, uniform(rng, 5, -1, 1), 5);
            Pair var = Pair.of(cpu, gpu, uniform(rng, 5, 0.1f, 2), 5);
            Pair gamma = Pair.of(cpu, gpu, uniform(rng, 5, 0.5f, 1.5f), 5);
            Pair beta = Pair.of(cpu, gpu, uniform(rng, 5, -1, 1), 5);
            Pair y = Pair.nan(cpu, gpu, 13, 5, 17);
            cpu.batchNormForward(x.cpu(), mean.cpu(), var.cpu(), gamma.cpu(), beta.cpu(), 0.2f, 1e-5f, y.cpu());
            gpu.batchNormForward(x.gpu(), mean.gpu(), var.gpu(), gamma.gpu(), beta.gpu(), 0.2f, 1e-5f, y.gpu());
            y.assertClose("batchNormForward", 1e-6, 1e-7);
        });
        c.put("kBatchNormBackward", (cpu, gpu, rng) -> {
            for (boolean training : new boolean[] {true, false}) {
                int[] s = {13, 5, 17};
                Pair x = Pair.of(cpu, gpu, uniform(rng, 13 * 5 * 17, -1, 3), s);
                Pair mean = Pair.empty(cpu, gpu, 5);
                Pair var = Pair.empty(cpu, gpu, 5);
                cpu.batchNormStats(x.cpu(), mean.cpu(), var.cpu());
                gpu.batchNormStats(x.gpu(), mean.gpu(), var.gpu());
                Pair gamma = Pair.of(cpu, gpu, uniform(rng, 5, 0.5f, 1.5f), 5);
                Pair dy = Pair.of(cpu, gpu, uniform(rng, 13 * 5 * 17, -1, 1), s);
                Pair dx = Pair.nan(cpu, gpu, s);
                Pair dg = Pair.nan(cpu, gpu, 5);
                Pair db = Pair.nan(cpu, gpu, 5);
                cpu.batchNormBackward(dy.cpu(), x.cpu(), mean.cpu(), var.cpu(), gamma.cpu(), 0.2f, 1e-5f, training, dx.cpu(),
                        dg.cpu(), db.cpu());
                gpu.batchNormBackward(dy.gpu(), x.gpu(), mean.gpu(), var.gpu(), gamma.gpu(), 0.2f, 1e-5f, training, dx.gpu(),
                        dg.gpu(), db.gpu());
                dx.assertClose("dx, training " + training, 1e-5, 1e-6);
                dg.assertClose("dGamma", 1e-5, 1e-6);
                db.assertClose("dBeta", 1e-5, 1e-6);
            }
        });
        c.put("kBatchNormLifForward", (cpu, gpu, rng) -> {
            for (DType spikeType : DType.values()) {
                int t = 3;
                int[] s = {t * 5, 7, 29}; // [T * N, C, H * W], odd sizes
                Pair x = Pair.of(cpu, gpu, uniform(rng, s[0] * s[1] * s[2], -1, 3), s);
                Pair mean = Pair.of(cpu, gpu, uniform(rng, 7, 0, 1), 7);
                Pair var = Pair.of(cpu, gpu, uniform(rng, 7, 0.5f, 2), 7);
                Pair gamma = Pair.of(cpu, gpu, uniform(rng, 7, 0.5f, 1.5f), 7);
                Pair beta = Pair.of(cpu, gpu, uniform(rng, 7, -0.2f, 0.2f), 7);
                Pair spikes = Pair.empty(cpu, gpu, spikeType, s);
                cpu.batchNormLifForward(x.cpu(), t, mean.cpu(), var.cpu(), gamma.cpu(), beta.cpu(), 0.2f, 1e-5f,
                        LifParams.REFERENCE, spikes.cpu());
                gpu.batchNormLifForward(x.gpu(), t, mean.gpu(), var.gpu(), gamma.gpu(), beta.gpu(), 0.2f, 1e-5f,
                        LifParams.REFERENCE, spikes.gpu());
                assertSpikesEqualExceptTies(cpu, x, t, mean, var, gamma, beta, spikes, spikeType + " spikes");
            }
        });
        c.put("kBatchNormLifBackward", (cpu, gpu, rng) -> {
            for (boolean training : new boolean[] {true, false}) {
                int t = 3;
                int[] s = {t * 5, 7, 29};
                Pair x = Pair.of(cpu, gpu, uniform(rng, s[0] * s[1] * s[2], -1, 3), s);
                Pair mean = Pair.empty(cpu, gpu, 7);
                Pair var = Pair.empty(cpu, gpu, 7);
                cpu.batchNormStats(x.cpu(), mean.cpu(), var.cpu());
                gpu.batchNormStats(x.gpu(), mean.gpu(), var.gpu());
                Pair gamma = Pair.of(cpu, gpu, uniform(rng, 7, 0.5f, 1.5f), 7);
                Pair beta = Pair.of(cpu, gpu, uniform(rng, 7, -0.2f, 0.2f), 7);
                Pair ds = Pair.of(cpu, gpu, uniform(rng, s[0] * s[1] * s[2], -1, 1), s);
                Pair dx = Pair.nan(cpu, gpu, s);
                Pair dg = Pair.nan(cpu, gpu, 7);
                Pair db = Pair.nan(cpu, gpu, 7);
                cpu.batchNormLifBackward(ds.cpu(), x.cpu(), t, mean.cpu(), var.cpu(), gamma.cpu(), beta.cpu(), 0.2f, 1e-5f,
                        training, LifParams.REFERENCE, dx.cpu(), dg.cpu(), db.cpu());
                gpu.batchNormLifBackward(ds.gpu(), x.gpu(), t, mean.gpu(), var.gpu(), gamma.gpu(), beta.gpu(), 0.2f, 1e-5f,
                        training, LifParams.REFERENCE, dx.gpu(), dg.gpu(), db.gpu());
                dx.assertClose("batchNormLifBackward dx, training " + training, 1e-4, 1e-5);
                dg.assertClose("dGamma", 1e-4, 1e-5);
                db.assertClose("dBeta", 1e-4, 1e-5);
            }
        });
        c.put("kLifForward", (cpu, gpu, rng) -> {
            for (DType spikeType : DType.values()) {
                Pair x = Pair.of(cpu, gpu, uniform(rng, 9 * 301, -0.3f, 0.6f), 9, 301);
                Pair s = Pair.empty(cpu, gpu, spikeType, 9, 301);
                Pair u = Pair.nan(cpu, gpu, 9, 301);
                LifParams p = new LifParams(0.3f, 0.25f, Surrogate.RECTANGLE, false, 0.5f, false);
                cpu.lifForward(x.cpu(), s.cpu(), u.cpu(), p);
                gpu.lifForward(x.gpu(), s.gpu(), u.gpu(), p);
                u.assertEqual("membrane");
                s.assertEqual(spikeType + " spikes");
            }
        });
        c.put("kLifBackward", (cpu, gpu, rng) -> {
            for (Surrogate sg : Surrogate.values()) {
                for (boolean centred : new boolean[] {false, true}) {
                    for (boolean detach : new boolean[] {false, true}) {
                        LifParams p = new LifParams(0.25f, 0.2f, sg, centred, sg == Surrogate.RECTANGLE ? 0.5f : 2f, detach);
                        Pair x = Pair.of(cpu, gpu, uniform(rng, 9 * 101, -0.3f, 0.6f), 9, 101);
                        Pair s = Pair.empty(cpu, gpu, 9, 101);
                        Pair u = Pair.empty(cpu, gpu, 9, 101);
                        cpu.lifForward(x.cpu(), s.cpu(), u.cpu(), p);
                        gpu.lifForward(x.gpu(), s.gpu(), u.gpu(), p);
                        Pair ds = Pair.of(cpu, gpu, uniform(rng, 9 * 101, -1, 1), 9, 101);
                        Pair dx = Pair.nan(cpu, gpu, 9, 101);
                        cpu.lifBackward(ds.cpu(), u.cpu(), dx.cpu(), p);
                        gpu.lifBackward(ds.gpu(), u.gpu(), dx.gpu(), p);
                        dx.assertClose("lifBackward " + p, sg == Surrogate.RECTANGLE ? 0 : 1e-5, sg == Surrogate.RECTANGLE ? 0
                                : 1e-6);
                    }
                }
            }
        });
        c.put("kUniform", (cpu, gpu, rng) -> {
            Pair u = Pair.nan(cpu, gpu, 1003);
            cpu.uniform(u.cpu(), 0x1234_5678_9ABCL, 77);
            gpu.uniform(u.gpu(), 0x1234_5678_9ABCL, 77);
            u.assertEqual("uniform draw");
        });
        c.put("kNormal", (cpu, gpu, rng) -> {
            Pair u = Pair.nan(cpu, gpu, 1003);
            cpu.normal(u.cpu(), 99, 1L << 33);
            gpu.normal(u.gpu(), 99, 1L << 33);
            u.assertClose("normal draw", 1e-6, 1e-6);
        });
        c.put("kBernoulliSpikes", (cpu, gpu, rng) -> {
            for (DType t : DType.values()) {
                Pair rate = Pair.of(cpu, gpu, uniform(rng, 3 * 37, 0, 1), 3, 37);
                Pair s = Pair.empty(cpu, gpu, t, 7, 3, 37);
                cpu.bernoulliSpikes(rate.cpu(), s.cpu(), 5, 11);
                gpu.bernoulliSpikes(rate.gpu(), s.gpu(), 5, 11);
                s.assertEqual(t + " spikes");
            }
        });
        c.put("kBernoulliSpikesBackward", (cpu, gpu, rng) -> {
            Pair rate = Pair.of(cpu, gpu, uniform(rng, 111, 0, 1), 111);
            Pair ds = Pair.of(cpu, gpu, uniform(rng, 7 * 111, -1, 1), 7, 111);
            Pair dr = Pair.of(cpu, gpu, uniform(rng, 111, -1, 1), 111);
            cpu.bernoulliSpikesBackward(ds.cpu(), rate.cpu(), dr.cpu(), 5, 11, 0.3f, 0.5f);
            gpu.bernoulliSpikesBackward(ds.gpu(), rate.gpu(), dr.gpu(), 5, 11, 0.3f, 0.5f);
            dr.assertEqual("dRate");
        });
        c.put("kPickOneOfK", (cpu, gpu, rng) -> {
            Pair x = Pair.of(cpu, gpu, uniform(rng, 23 * 5, -1, 1), 23, 5);
            Pair out = Pair.nan(cpu, gpu, 23);
            cpu.pickOneOfK(x.cpu(), out.cpu(), 3, 4);
            gpu.pickOneOfK(x.gpu(), out.gpu(), 3, 4);
            out.assertEqual("picks");
        });
        c.put("kPickOneOfKBackward", (cpu, gpu, rng) -> {
            Pair d = Pair.of(cpu, gpu, uniform(rng, 23, -1, 1), 23);
            Pair dx = Pair.nan(cpu, gpu, 23, 5);
            cpu.pickOneOfKBackward(d.cpu(), dx.cpu(), 3, 4);
            gpu.pickOneOfKBackward(d.gpu(), dx.gpu(), 3, 4);
            dx.assertEqual("pick gradient");
        });
        c.put("kMmdForward", (cpu, gpu, rng) -> {
            Pair x = Pair.of(cpu, gpu, uniform(rng, 9 * 13, 0, 1), 9, 13);
            Pair y = Pair.of(cpu, gpu, uniform(rng, 7 * 13, 0, 1), 7, 13);
            Pair loss = Pair.nan(cpu, gpu, 1);
            Pair bw = Pair.nan(cpu, gpu, 1);
            cpu.mmdForward(x.cpu(), y.cpu(), 5, 2f, loss.cpu(), bw.cpu());
            gpu.mmdForward(x.gpu(), y.gpu(), 5, 2f, loss.gpu(), bw.gpu());
            bw.assertEqual("bandwidth");
            loss.assertClose("MMD^2", 1e-5, 1e-7);
        });
        c.put("kMmdBackward", (cpu, gpu, rng) -> {
            Pair x = Pair.of(cpu, gpu, uniform(rng, 9 * 13, 0, 1), 9, 13);
            Pair y = Pair.of(cpu, gpu, uniform(rng, 7 * 13, 0, 1), 7, 13);
            Pair bw = Pair.of(cpu, gpu, new float[] {2.1f}, 1);
            Pair dl = Pair.of(cpu, gpu, new float[] {0.7f}, 1);
            Pair dx = Pair.nan(cpu, gpu, 9, 13);
            Pair dy = Pair.nan(cpu, gpu, 7, 13);
            cpu.mmdBackward(dl.cpu(), x.cpu(), y.cpu(), bw.cpu(), 5, 2f, dx.cpu(), dy.cpu());
            gpu.mmdBackward(dl.gpu(), x.gpu(), y.gpu(), bw.gpu(), 5, 2f, dx.gpu(), dy.gpu());
            dx.assertClose("dx", 1e-5, 1e-8);
            dy.assertClose("dy", 1e-5, 1e-8);
        });
        c.put("kAdamW", (cpu, gpu, rng) -> {
            Pair p = Pair.of(cpu, gpu, uniform(rng, 1001, -1, 1), 1001);
            Pair g = Pair.of(cpu, gpu, uniform(rng, 1001, -1, 1), 1001);
            Pair m = Pair.of(cpu, gpu, uniform(rng, 1001, -0.1f, 0.1f), 1001);
            Pair v = Pair.of(cpu, gpu, uniform(rng, 1001, 0, 0.01f), 1001);
            AdamWParams a = new AdamWParams(3e-3f, 0.9f, 0.999f, 1e-8f, 1e-3f, 7);
            cpu.adamW(p.cpu(), g.cpu(), m.cpu(), v.cpu(), a);
            gpu.adamW(p.gpu(), g.gpu(), m.gpu(), v.gpu(), a);
            m.assertEqual("m");
            v.assertEqual("v");
            p.assertEqual("param");
        });
        return c;
    }

    /**
     * Cases beyond the op set: the own SGEMM on TF32 tensor cores ({@code kGemm} again). TF32 keeps 10 mantissa
     * bits of each operand, so each product is off by up to 2^-10 relative; over k random terms in [-1, 1] the
     * error grows like sqrt(k): about 5e-4 (one standard deviation) for k = 20 or 29 and 2e-3 for k = 300. The
     * worst elements come out at 3 to 4 of those (1.6e-3 and 8.7e-3 on the emulated device); the tolerances
     * are 10 or more, since tensor cores add in their own order. A wrong tile or a missing barrier is off by
     * 0.1 and more.
     */
    static Map<String, Case> tensorCoreCases() {
        Map<String, Case> c = new LinkedHashMap<>();
        c.put("kGemm:tf32", gemm(1e-3, 5e-3, 2.5e-2));
        return c;
    }

    /** Batched GEMM, every transpose, odd sizes, alpha and beta; then 300 x 300 x 300 over a NaN output. */
    static Case gemm(double rtol, double atol, double bigAtol) {
        return (cpu, gpu, rng) -> {
            int m = 37;
            int n = 53;
            int k = 29;
            int batch = 3;
            for (int t = 0; t < 4; t++) {
                boolean ta = (t & 1) != 0;
                boolean tb = (t & 2) != 0;
                Pair a = Pair.of(cpu, gpu, uniform(rng, batch * m * k + 5, -1, 1), batch * m * k + 5);
                Pair b = Pair.of(cpu, gpu, uniform(rng, batch * k * n + 7, -1, 1), batch * k * n + 7);
                float[] c0 = uniform(rng, batch * m * n, -1, 1);
                Pair cc = Pair.of(cpu, gpu, c0, batch * m * n);
                int lda = ta ? m : k;
                int ldb = tb ? k : n;
                cpu.gemm(ta, tb, m, n, k, 0.7f, a.cpu(), 5, lda, b.cpu(), 7, ldb, 0.3f, cc.cpu(), 0, n, batch, m * k, k * n, m * n);
                gpu.gemm(ta, tb, m, n, k, 0.7f, a.gpu(), 5, lda, b.gpu(), 7, ldb, 0.3f, cc.gpu(), 0, n, batch, m * k, k * n, m * n);
                cc.assertClose("gemm transA " + ta + ", transB " + tb, rtol, atol);
            }
            Pair big = Pair.of(cpu, gpu, uniform(rng, 300 * 300, -1, 1), 300, 300);
            Pair out = Pair.nan(cpu, gpu, 300, 300);
            cpu.matmul(false, true, 1f, big.cpu(), big.cpu(), 0f, out.cpu());
            gpu.matmul(false, true, 1f, big.gpu(), big.gpu(), 0f, out.gpu());
            out.assertClose("300 x 300 x 300, beta 0 over NaN", rtol, bigAtol);
            // 12 x 22 = 264 tiles of 128 x 128: enough for a GPU of 132 SMs to take the big tiles; k spans 3 k-tiles
            int wm = 1536;
            int wn = 2816;
            int wk = 20;
            Pair wa = Pair.of(cpu, gpu, uniform(rng, wk * wm, -1, 1), wk, wm);
            Pair wb = Pair.of(cpu, gpu, uniform(rng, wk * wn, -1, 1), wk, wn);
            Pair wide = Pair.nan(cpu, gpu, wm, wn);
            cpu.matmul(true, false, 1f, wa.cpu(), wb.cpu(), 0f, wide.cpu());
            gpu.matmul(true, false, 1f, wa.gpu(), wb.gpu(), 0f, wide.gpu());
            wide.assertClose("1536 x 2816 x 20, A transposed", rtol, atol);
            // one tile of 64 x 64 and a deep k: split along k on a GPU of 132 SMs (CudaGemm.splitsFor), into 3 slices of
            // 1025 and a last one of 1022, in every layout, with beta, and with beta 0 over NaN; a sum of 4097 terms takes
            // the tolerance of the 300-deep product (TF32's 10-bit products drift with the depth)
            int sk = 4097;
            for (int t = 0; t < 4; t++) {
                boolean ta = (t & 1) != 0;
                boolean tb = (t & 2) != 0;
                Pair a = Pair.of(cpu, gpu, uniform(rng, m * sk, -1, 1), m * sk);
                Pair b = Pair.of(cpu, gpu, uniform(rng, sk * n, -1, 1), sk * n);
                Pair cc = Pair.of(cpu, gpu, uniform(rng, m * (n + 2), -1, 1), m * (n + 2));
                int lda = ta ? m : sk;
                int ldb = tb ? sk : n;
                cpu.gemm(ta, tb, m, n, sk, 0.7f, a.cpu(), 0, lda, b.cpu(), 0, ldb, 0.3f, cc.cpu(), 0, n + 2, 1, 0, 0, 0);
                gpu.gemm(ta, tb, m, n, sk, 0.7f, a.gpu(), 0, lda, b.gpu(), 0, ldb, 0.3f, cc.gpu(), 0, n + 2, 1, 0, 0, 0);
                cc.assertClose("gemm split along k = " + sk + ", transA " + ta + ", transB " + tb, rtol, bigAtol);
            }
            Pair da = Pair.of(cpu, gpu, uniform(rng, 9 * sk, -1, 1), 9, sk);
            Pair db = Pair.of(cpu, gpu, uniform(rng, 5 * sk, -1, 1), 5, sk);
            Pair deep = Pair.nan(cpu, gpu, 9, 5);
            cpu.matmul(false, true, 1f, da.cpu(), db.cpu(), 0f, deep.cpu());
            gpu.matmul(false, true, 1f, da.gpu(), db.gpu(), 0f, deep.gpu());
            deep.assertClose("9 x 5 x " + sk + " split along k, beta 0 over NaN", rtol, bigAtol);
        };
    }

    private static void convCase(String op, Backend cpu, Backend gpu, Rng rng) {
        ConvGeometry[] geometries = {ConvGeometry.conv(3, 3, 9, 7, 5, 3, 2, 1), ConvGeometry.conv(2, 4, 17, 18, 3, 3, 1, 1),
            ConvGeometry.transposed(3, 6, 4, 4, 5, 3, 2, 1, 1)};
        for (ConvGeometry g : geometries) {
            for (DType t : DType.values()) {
                int nx = g.inputShape().numel();
                int ny = g.outputShape().numel();
                int nw = g.weightShape().numel();
                Pair w = Pair.of(cpu, gpu, uniform(rng, nw, -0.5f, 0.5f), g.weightShape().dims());
                switch (op) {
                    case "kConvForward" -> {
                        Pair x = operand(cpu, gpu, rng, t, nx, g.inputShape().dims());
                        Pair bias = Pair.of(cpu, gpu, uniform(rng, g.outChannels(), -1, 1), g.outChannels());
                        Pair y = Pair.nan(cpu, gpu, g.outputShape().dims());
                        cpu.convForward(x.cpu(), w.cpu(), bias.cpu(), y.cpu(), g);
                        gpu.convForward(x.gpu(), w.gpu(), bias.gpu(), y.gpu(), g);
                        y.assertClose("convForward " + t + " " + g, GEMM_RTOL, GEMM_ATOL);
                    }
                    case "kConvBackwardData" -> {
                        Pair dy = operand(cpu, gpu, rng, t, ny, g.outputShape().dims());
                        Pair bias = Pair.of(cpu, gpu, uniform(rng, g.inChannels(), -1, 1), g.inChannels());
                        Pair dx = Pair.nan(cpu, gpu, g.inputShape().dims());
                        cpu.convBackwardData(dy.cpu(), w.cpu(), bias.cpu(), dx.cpu(), g);
                        gpu.convBackwardData(dy.gpu(), w.gpu(), bias.gpu(), dx.gpu(), g);
                        dx.assertClose("convBackwardData " + t + " " + g, GEMM_RTOL, GEMM_ATOL);
                    }
                    default -> {
                        Pair x = operand(cpu, gpu, rng, t, nx, g.inputShape().dims());
                        Pair dy = Pair.of(cpu, gpu, uniform(rng, ny, -1, 1), g.outputShape().dims());
                        Pair dw = Pair.of(cpu, gpu, uniform(rng, nw, -1, 1), g.weightShape().dims());
                        cpu.convBackwardWeight(x.cpu(), dy.cpu(), dw.cpu(), 0.5f, g);
                        gpu.convBackwardWeight(x.gpu(), dy.gpu(), dw.gpu(), 0.5f, g);
                        dw.assertClose("convBackwardWeight " + t + " " + g, GEMM_RTOL, 1e-3);
                    }
                }
            }
        }
    }

    /**
     * Spikes must agree except at threshold ties: where the two backends' batch-norm outputs differ by an ulp
     * (different summation or rsqrt), a membrane within 1e-4 of the threshold may fire on one side only. The
     * membranes are recomputed on the CPU with the unfused ops to find those places.
     */
    private static void assertSpikesEqualExceptTies(Backend cpu, Pair x, int steps, Pair mean, Pair var, Pair gamma,
                                                    Pair beta, Pair spikes, String what) {
        dev.spikevae.tensor.Tensor y = cpu.empty(x.cpu().shape());
        cpu.batchNormForward(x.cpu(), mean.cpu(), var.cpu(), gamma.cpu(), beta.cpu(), 0.2f, 1e-5f, y);
        dev.spikevae.tensor.Tensor yt = y.view(steps, -1);
        dev.spikevae.tensor.Tensor u = cpu.empty(yt.shape());
        cpu.lifForward(yt, cpu.empty(yt.shape()), u, LifParams.REFERENCE);
        float[] membrane = u.toHost();
        float[] a = spikes.cpu().toHost();
        float[] b = spikes.gpu().toHost();
        int ties = 0;
        for (int i = 0; i < a.length; i++) {
            if (a[i] != b[i]) {
                if (Math.abs(membrane[i] - LifParams.REFERENCE.threshold()) >= 1e-4f) {
                    org.junit.jupiter.api.Assertions.fail(what + ": spike " + i + " differs (cpu " + a[i] + ", other " + b[i]
                            + ") with membrane " + membrane[i] + ", not a threshold tie");
                }
                ties++;
            }
        }
        org.junit.jupiter.api.Assertions.assertTrue(ties <= a.length / 1000, what + ": " + ties + " threshold ties");
    }

    /** An f32 operand, or u8 spikes. */
    private static Pair operand(Backend cpu, Backend gpu, Rng rng, DType t, int n, int... dims) {
        if (t == DType.F32) {
            return Pair.of(cpu, gpu, uniform(rng, n, -1, 1), dims);
        }
        Pair p = Pair.empty(cpu, gpu, DType.U8, dims);
        float[] s = spikes(rng, n);
        cpu.copyFromHost(s, 0, p.cpu());
        gpu.copyFromHost(s, 0, p.gpu());
        return p;
    }
}
