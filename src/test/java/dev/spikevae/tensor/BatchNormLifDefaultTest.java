package dev.spikevae.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikevae.backend.cpu.CpuBackend;
import org.junit.jupiter.api.Test;

/**
 * The portable definition of the fused batch-norm + LIF ops (Backend's default, through full-size
 * temporaries: what a backend without its own kernel runs) gives the CPU backend's blocked kernels'
 * bits, in place and not; and the fused ops check their arguments.
 */
class BatchNormLifDefaultTest {
    private static final CpuBackend CPU = new CpuBackend(2);
    private static final Backend PORTABLE = new Delegating(CPU);

    private static float[][] run(Backend be, boolean u8, boolean inPlace, boolean training) {
        int t = 4;
        int n = 3;
        int c = 5;
        int hw = 37;
        Rng rng = new Rng(8);
        float[] xs = rng.uniformHost(t * n * c * hw);
        for (int i = 0; i < xs.length; i++) {
            xs[i] = 3f * xs[i] - 1f;
        }
        float[] gs = rng.uniformHost(xs.length);
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor x = be.fromHost(xs, t * n, c, hw);
            Tensor mean = be.empty(c);
            Tensor var = be.empty(c);
            be.batchNormStats(x, mean, var);
            Tensor gamma = be.fromHost(rng.uniformHost(c), c);
            Tensor beta = be.fromHost(rng.uniformHost(c), c);
            Tensor spikes = be.empty(Shape.of(t, n, c, hw), u8 ? DType.U8 : DType.F32);
            be.batchNormLifForward(x, t, mean, var, gamma, beta, 0.2f, 1e-5f, LifParams.REFERENCE, spikes);
            Tensor ds = be.fromHost(gs, t * n, c, hw);
            Tensor dx = inPlace ? ds : be.empty(t * n, c, hw);
            Tensor dGamma = be.empty(c);
            Tensor dBeta = be.empty(c);
            be.batchNormLifBackward(ds, x, t, mean, var, gamma, beta, 0.2f, 1e-5f, training, LifParams.REFERENCE, dx,
                    dGamma, dBeta);
            return new float[][] {spikes.toHost(), dx.toHost(), dGamma.toHost(), dBeta.toHost()};
        }
    }

    @Test
    void portableDefinitionMatchesTheCpuKernels() {
        for (boolean u8 : new boolean[] {false, true}) {
            for (boolean inPlace : new boolean[] {false, true}) {
                for (boolean training : new boolean[] {false, true}) {
                    float[][] want = run(CPU, u8, inPlace, training);
                    float[][] got = run(PORTABLE, u8, inPlace, training);
                    String what = (u8 ? "u8" : "f32") + (inPlace ? " in place" : "") + (training ? " training" : " eval");
                    for (int k = 0; k < want.length; k++) {
                        assertArrayEquals(want[k], got[k], what + ", output " + k);
                    }
                }
            }
        }
    }

    @Test
    void argumentsAreChecked() {
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor x = CPU.zeros(6, 2, 3);
            Tensor c = CPU.zeros(2);
            Tensor s = CPU.empty(6, 2, 3);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> CPU.batchNormLifForward(x, 4, c, c, c, c, 1f, 1e-5f, LifParams.REFERENCE, s));
            assertTrue(e.getMessage().contains("4 time steps"), e.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> CPU.batchNormLifForward(x, 2, CPU.zeros(3), c, c, c, 1f, 1e-5f, LifParams.REFERENCE, s));
            Tensor big = CPU.zeros(72);
            Tensor dx = big.narrow0(1, 36).view(6, 2, 3);
            Tensor ds = big.narrow0(0, 36).view(6, 2, 3);
            e = assertThrows(IllegalArgumentException.class, () -> CPU.batchNormLifBackward(ds, x, 2, c, c, c, c, 1f,
                    1e-5f, true, LifParams.REFERENCE, dx, CPU.zeros(2), CPU.zeros(2)));
            assertTrue(e.getMessage().contains("overlaps"), e.getMessage());
        }
    }

    /**
     * Every kernel from the CPU backend except the fused batch-norm + LIF ones, which keep Backend's
     * portable definition. (The kernels are reached through the Backend type, where they are visible to
     * this package.)
     */
    private static final class Delegating extends Backend {
        private final Backend cpu;

        Delegating(Backend cpu) {
            this.cpu = cpu;
        }

        @Override
        public String name() {
            return "portable-cpu";
        }

        @Override
        public String description() {
            return "the CPU backend without its fused batch-norm + LIF kernels";
        }

        @Override
        public int threads() {
            return cpu.threads();
        }

        @Override
        protected Storage allocate(int n, DType dtype) {
            return cpu.allocate(n, dtype);
        }

        @Override
        protected void kCast(Tensor src, Tensor dst) {
            cpu.kCast(src, dst);
        }

        @Override
        protected void kCopyToHost(Tensor src, float[] dst, int dstOffset) {
            cpu.kCopyToHost(src, dst, dstOffset);
        }

        @Override
        protected void kCopyFromHost(float[] src, int srcOffset, Tensor dst) {
            cpu.kCopyFromHost(src, srcOffset, dst);
        }

        @Override
        protected void kCopy(Tensor src, Tensor dst) {
            cpu.kCopy(src, dst);
        }

        @Override
        protected void kFill(Tensor t, float value) {
            cpu.kFill(t, value);
        }

        @Override
        protected void kGemm(boolean transA, boolean transB, int m, int n, int k, float alpha, Tensor a, int offA, int lda, Tensor b, int offB, int ldb, float beta, Tensor c, int offC, int ldc, int batch, int strideA, int strideB, int strideC) {
            cpu.kGemm(transA, transB, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, c, offC, ldc, batch, strideA, strideB, strideC);
        }

        @Override
        protected void kConvForward(Tensor x, Tensor w, Tensor bias, Tensor y, ConvGeometry g) {
            cpu.kConvForward(x, w, bias, y, g);
        }

        @Override
        protected void kConvBackwardData(Tensor dy, Tensor w, Tensor bias, Tensor dx, ConvGeometry g) {
            cpu.kConvBackwardData(dy, w, bias, dx, g);
        }

        @Override
        protected void kConvBackwardWeight(Tensor x, Tensor dy, Tensor dw, float beta, ConvGeometry g) {
            cpu.kConvBackwardWeight(x, dy, dw, beta, g);
        }

        @Override
        protected void kUnary(UnaryOp op, Tensor x, Tensor y, float param) {
            cpu.kUnary(op, x, y, param);
        }

        @Override
        protected void kUnaryBackward(UnaryOp op, Tensor x, Tensor y, Tensor dy, Tensor dx, float param) {
            cpu.kUnaryBackward(op, x, y, dy, dx, param);
        }

        @Override
        protected void kBinary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
            cpu.kBinary(op, a, b, out);
        }

        @Override
        protected void kAxpby(float alpha, Tensor x, float beta, Tensor y) {
            cpu.kAxpby(alpha, x, beta, y);
        }

        @Override
        protected void kAffine(Tensor x, float alpha, float beta, Tensor y) {
            cpu.kAffine(x, alpha, beta, y);
        }

        @Override
        protected void kReduceSum(Tensor x, Tensor out, float alpha, float beta) {
            cpu.kReduceSum(x, out, alpha, beta);
        }

        @Override
        protected void kExpand(Tensor x, Tensor out) {
            cpu.kExpand(x, out);
        }

        @Override
        protected void kPermute(Tensor x, int[] perm, Tensor out) {
            cpu.kPermute(x, perm, out);
        }

        @Override
        protected void kSliceCopy(Tensor src, int axis, int start, Tensor dst) {
            cpu.kSliceCopy(src, axis, start, dst);
        }

        @Override
        protected void kSliceAssign(Tensor src, int axis, int start, Tensor dst, float beta) {
            cpu.kSliceAssign(src, axis, start, dst, beta);
        }

        @Override
        protected void kLeakyScan(Tensor x, float decay, float gain, Tensor y) {
            cpu.kLeakyScan(x, decay, gain, y);
        }

        @Override
        protected void kLeakyScanBackward(Tensor dy, float decay, float gain, Tensor dx) {
            cpu.kLeakyScanBackward(dy, decay, gain, dx);
        }

        @Override
        protected void kBatchNormStats(Tensor x, Tensor mean, Tensor var) {
            cpu.kBatchNormStats(x, mean, var);
        }

        @Override
        protected void kBatchNormForward(Tensor x, Tensor mean, Tensor var, Tensor gamma, Tensor beta, float scale, float eps, Tensor y) {
            cpu.kBatchNormForward(x, mean, var, gamma, beta, scale, eps, y);
        }

        @Override
        protected void kBatchNormBackward(Tensor dy, Tensor x, Tensor mean, Tensor var, Tensor gamma, float scale, float eps, boolean training, Tensor dx, Tensor dGamma, Tensor dBeta) {
            cpu.kBatchNormBackward(dy, x, mean, var, gamma, scale, eps, training, dx, dGamma, dBeta);
        }

        @Override
        protected void kLifForward(Tensor x, Tensor spikes, Tensor membrane, LifParams p) {
            cpu.kLifForward(x, spikes, membrane, p);
        }

        @Override
        protected void kLifBackward(Tensor dSpikes, Tensor membrane, Tensor dx, LifParams p) {
            cpu.kLifBackward(dSpikes, membrane, dx, p);
        }

        @Override
        protected void kUniform(Tensor out, long seed, long counter) {
            cpu.kUniform(out, seed, counter);
        }

        @Override
        protected void kNormal(Tensor out, long seed, long counter) {
            cpu.kNormal(out, seed, counter);
        }

        @Override
        protected void kBernoulliSpikes(Tensor rate, Tensor spikes, long seed, long counter) {
            cpu.kBernoulliSpikes(rate, spikes, seed, counter);
        }

        @Override
        protected void kBernoulliSpikesBackward(Tensor dSpikes, Tensor rate, Tensor dRate, long seed, long counter, float halfWidth, float beta) {
            cpu.kBernoulliSpikesBackward(dSpikes, rate, dRate, seed, counter, halfWidth, beta);
        }

        @Override
        protected void kPickOneOfK(Tensor x, Tensor out, long seed, long counter) {
            cpu.kPickOneOfK(x, out, seed, counter);
        }

        @Override
        protected void kPickOneOfKBackward(Tensor dOut, Tensor dx, long seed, long counter) {
            cpu.kPickOneOfKBackward(dOut, dx, seed, counter);
        }

        @Override
        protected void kMmdForward(Tensor x, Tensor y, int kernelNum, float kernelMul, Tensor loss, Tensor bandwidth) {
            cpu.kMmdForward(x, y, kernelNum, kernelMul, loss, bandwidth);
        }

        @Override
        protected void kMmdBackward(Tensor dLoss, Tensor x, Tensor y, Tensor bandwidth, int kernelNum, float kernelMul, Tensor dx, Tensor dy) {
            cpu.kMmdBackward(dLoss, x, y, bandwidth, kernelNum, kernelMul, dx, dy);
        }

        @Override
        protected void kAdamW(Tensor param, Tensor grad, Tensor m, Tensor v, AdamWParams p) {
            cpu.kAdamW(param, grad, m, v, p);
        }
    }
}
