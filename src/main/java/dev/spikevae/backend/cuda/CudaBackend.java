package dev.spikevae.backend.cuda;

import dev.spikevae.tensor.AdamWParams;
import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.BinaryOp;
import dev.spikevae.tensor.ConvGeometry;
import dev.spikevae.tensor.DType;
import dev.spikevae.tensor.LifParams;
import dev.spikevae.tensor.Storage;
import dev.spikevae.tensor.Tensor;
import dev.spikevae.tensor.UnaryOp;

import static dev.spikevae.backend.cuda.Addresses.of;

/**
 * The CUDA backend: every op of {@link Backend} as own kernels (src/main/cuda, loaded as PTX through the
 * driver API; GEMM through cuBLAS and f32 convolutions through cuDNN where those loaded), with the same
 * semantics as the CPU backend. Memory comes from a caching allocator; all work runs in order on one
 * stream; each kernel call site reuses its argument buffer. Kernel methods are synchronized, since call
 * sites share those buffers.
 */
public final class CudaBackend extends Backend {
    private final Device device;
    private final DeviceAllocator allocator;
    private final ElementwiseKernels elementwise;
    private final LayoutKernels layout;
    private final CudaGemm gemm;
    private final CudaConv conv;
    private final BatchNormKernels batchNorm;
    private final SpikingKernels spiking;
    private final MmdKernels mmd;
    private final AdamWKernels adamW;

    /**
     * A backend on {@code device} using the vendor libraries the device has loaded; {@code tf32} lets the own SGEMM
     * and cuDNN use TF32 tensor cores where available.
     */
    public CudaBackend(Device device, boolean tf32) {
        this(device, tf32, true);
    }

    /** As {@link #CudaBackend(Device, boolean)}; without {@code vendorLibraries} only the own kernels run. */
    public CudaBackend(Device device, boolean tf32, boolean vendorLibraries) {
        device = ProfilingDevice.wrapIfRequested(device);
        this.device = device;
        this.allocator = new DeviceAllocator(device);
        this.elementwise = new ElementwiseKernels(device);
        this.layout = new LayoutKernels(device, allocator);
        this.gemm = new CudaGemm(device, allocator, tf32, vendorLibraries ? device.vendorGemm() : null);
        this.conv = new CudaConv(device, allocator, gemm, tf32, vendorLibraries ? device.vendorConv() : null);
        this.batchNorm = new BatchNormKernels(device, allocator);
        this.spiking = new SpikingKernels(device);
        this.mmd = new MmdKernels(device, allocator);
        this.adamW = new AdamWKernels(device);
    }

    @Override
    public String name() {
        return "cuda:0";
    }

    @Override
    public String description() {
        return "cuda: " + device.description() + "; " + gemm.description() + "; " + conv.description();
    }

    @Override
    public int threads() {
        return 1;
    }

    /** The device this backend runs on. */
    public Device device() {
        return device;
    }

    /** The caching allocator (for memory figures). */
    public DeviceAllocator allocator() {
        return allocator;
    }

    /** Waits until every submitted kernel has finished (for timing; results are read through host copies anyway). */
    public void synchronize() {
        device.synchronize();
    }

    @Override
    protected synchronized Storage allocate(int n, DType dtype) {
        return new CudaStorage(n, dtype, allocator);
    }

    /** Backend.cast's float to u8: truncated, clamped to 0..255 (NaN gives 0). */
    static byte toU8(float v) {
        return (byte) Math.max(0, Math.min(255, (int) v));
    }

    // memory

    @Override
    protected synchronized void kCopyToHost(Tensor src, float[] dst, int dstOffset) {
        int n = src.numel();
        if (src.dtype() == DType.U8) {
            byte[] b = new byte[n];
            device.copyToHost(of(src), b, 0, n);
            for (int i = 0; i < n; i++) {
                dst[dstOffset + i] = b[i] & 0xFF;
            }
        } else {
            device.copyToHost(of(src), dst, dstOffset, n);
        }
    }

    @Override
    protected synchronized void kCopyFromHost(float[] src, int srcOffset, Tensor dst) {
        int n = dst.numel();
        if (dst.dtype() == DType.U8) {
            byte[] b = new byte[n];
            for (int i = 0; i < n; i++) {
                b[i] = toU8(src[srcOffset + i]);
            }
            device.copyToDevice(b, 0, of(dst), n);
        } else {
            device.copyToDevice(src, srcOffset, of(dst), n);
        }
    }

    @Override
    protected synchronized void kCopy(Tensor src, Tensor dst) {
        device.copyOnDevice(of(src), of(dst), (long) src.numel() * src.dtype().bytes());
    }

    @Override
    protected synchronized void kCast(Tensor src, Tensor dst) {
        if (src.dtype() == dst.dtype()) {
            kCopy(src, dst);
        } else {
            elementwise.cast(src, dst);
        }
    }

    @Override
    protected synchronized void kFill(Tensor t, float value) {
        if (t.dtype() == DType.U8) {
            device.fill8(of(t), toU8(value), t.numel());
        } else {
            device.fill32(of(t), Float.floatToRawIntBits(value), t.numel());
        }
    }

    // GEMM and convolution

    @Override
    protected synchronized void kGemm(boolean transA, boolean transB, int m, int n, int k, float alpha, Tensor a, int offA,
                                      int lda, Tensor b, int offB, int ldb, float beta, Tensor c, int offC, int ldc,
                                      int batch, int strideA, int strideB, int strideC) {
        gemm.gemm(transA, transB, m, n, k, alpha, of(a) + 4L * offA, lda, strideA, of(b) + 4L * offB, ldb, strideB, beta,
                of(c) + 4L * offC, ldc, strideC, batch);
    }

    @Override
    protected synchronized void kConvForward(Tensor x, Tensor w, Tensor bias, Tensor y, ConvGeometry g) {
        conv.forward(x, w, bias, y, g);
    }

    @Override
    protected synchronized void kConvBackwardData(Tensor dy, Tensor w, Tensor bias, Tensor dx, ConvGeometry g) {
        conv.backwardData(dy, w, bias, dx, g);
    }

    @Override
    protected synchronized void kConvBackwardWeight(Tensor x, Tensor dy, Tensor dw, float beta, ConvGeometry g) {
        conv.backwardWeight(x, dy, dw, beta, g);
    }

    // elementwise, reductions, layout

    @Override
    protected synchronized void kUnary(UnaryOp op, Tensor x, Tensor y, float param) {
        elementwise.unary(op, x, y, param);
    }

    @Override
    protected synchronized void kUnaryBackward(UnaryOp op, Tensor x, Tensor y, Tensor dy, Tensor dx, float param) {
        elementwise.unaryBackward(op, x, y, dy, dx, param);
    }

    @Override
    protected synchronized void kBinary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        elementwise.binary(op, a, b, out);
    }

    @Override
    protected synchronized void kAxpby(float alpha, Tensor x, float beta, Tensor y) {
        elementwise.axpby(alpha, x, beta, y);
    }

    @Override
    protected synchronized void kAffine(Tensor x, float alpha, float beta, Tensor y) {
        elementwise.affine(x, alpha, beta, y);
    }

    @Override
    protected synchronized void kReduceSum(Tensor x, Tensor out, float alpha, float beta) {
        layout.reduceSum(x, out, alpha, beta);
    }

    @Override
    protected synchronized void kExpand(Tensor x, Tensor out) {
        layout.expand(x, out);
    }

    @Override
    protected synchronized void kPermute(Tensor x, int[] perm, Tensor out) {
        layout.permute(x, perm, out);
    }

    @Override
    protected synchronized void kSliceCopy(Tensor src, int axis, int start, Tensor dst) {
        layout.slice(src, dst, axis, start, false, 0f);
    }

    @Override
    protected synchronized void kSliceAssign(Tensor src, int axis, int start, Tensor dst, float beta) {
        layout.slice(dst, src, axis, start, true, beta);
    }

    @Override
    protected synchronized void kLeakyScan(Tensor x, float decay, float gain, Tensor y) {
        elementwise.leakyScan(x, decay, gain, y);
    }

    @Override
    protected synchronized void kLeakyScanBackward(Tensor dy, float decay, float gain, Tensor dx) {
        elementwise.leakyScanBackward(dy, decay, gain, dx);
    }

    // batch norm

    @Override
    protected synchronized void kBatchNormStats(Tensor x, Tensor mean, Tensor var) {
        batchNorm.stats(x, mean, var);
    }

    @Override
    protected synchronized void kBatchNormForward(Tensor x, Tensor mean, Tensor var, Tensor gamma, Tensor beta,
                                                  float scale, float eps, Tensor y) {
        batchNorm.forward(x, mean, var, gamma, beta, scale, eps, y);
    }

    @Override
    protected synchronized void kBatchNormBackward(Tensor dy, Tensor x, Tensor mean, Tensor var, Tensor gamma,
                                                   float scale, float eps, boolean training, Tensor dx, Tensor dGamma,
                                                   Tensor dBeta) {
        batchNorm.backward(dy, x, mean, var, gamma, scale, eps, training, dx, dGamma, dBeta);
    }

    // spiking

    @Override
    protected synchronized void kLifForward(Tensor x, Tensor spikes, Tensor membrane, LifParams p) {
        spiking.lifForward(x, spikes, membrane, p);
    }

    @Override
    protected synchronized void kLifBackward(Tensor dSpikes, Tensor membrane, Tensor dx, LifParams p) {
        spiking.lifBackward(dSpikes, membrane, dx, p);
    }

    @Override
    protected synchronized void kUniform(Tensor out, long seed, long counter) {
        spiking.uniform(out, seed, counter);
    }

    @Override
    protected synchronized void kNormal(Tensor out, long seed, long counter) {
        spiking.normal(out, seed, counter);
    }

    @Override
    protected synchronized void kBernoulliSpikes(Tensor rate, Tensor spikes, long seed, long counter) {
        spiking.bernoulli(rate, spikes, seed, counter);
    }

    @Override
    protected synchronized void kBernoulliSpikesBackward(Tensor dSpikes, Tensor rate, Tensor dRate, long seed,
                                                         long counter, float halfWidth, float beta) {
        spiking.bernoulliBackward(dSpikes, rate, dRate, seed, counter, halfWidth, beta);
    }

    @Override
    protected synchronized void kPickOneOfK(Tensor x, Tensor out, long seed, long counter) {
        spiking.pick(x, out, seed, counter);
    }

    @Override
    protected synchronized void kPickOneOfKBackward(Tensor dOut, Tensor dx, long seed, long counter) {
        spiking.pickBackward(dOut, dx, seed, counter);
    }

    // MMD and optimiser

    @Override
    protected synchronized void kMmdForward(Tensor x, Tensor y, int kernelNum, float kernelMul, Tensor loss,
                                            Tensor bandwidth) {
        mmd.forward(x, y, kernelNum, kernelMul, loss, bandwidth);
    }

    @Override
    protected synchronized void kMmdBackward(Tensor dLoss, Tensor x, Tensor y, Tensor bandwidth, int kernelNum,
                                             float kernelMul, Tensor dx, Tensor dy) {
        mmd.backward(dLoss, x, y, bandwidth, kernelNum, kernelMul, dx, dy);
    }

    @Override
    protected synchronized void kAdamW(Tensor param, Tensor grad, Tensor m, Tensor v, AdamWParams p) {
        adamW.step(param, grad, m, v, p);
    }
}
