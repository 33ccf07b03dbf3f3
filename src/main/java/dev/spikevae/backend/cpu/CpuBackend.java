package dev.spikevae.backend.cpu;

import dev.spikevae.tensor.AdamWParams;
import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.BackendOptions;
import dev.spikevae.tensor.BinaryOp;
import dev.spikevae.tensor.ConvGeometry;
import dev.spikevae.tensor.DType;
import dev.spikevae.tensor.LifParams;
import dev.spikevae.tensor.Storage;
import dev.spikevae.tensor.Tensor;
import dev.spikevae.tensor.UnaryOp;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;

/**
 * The pure-Java backend: Vector API kernels (scalar ones when the module is absent) on a fixed thread
 * pool. Each op family lives in its own class; this class only unwraps tensors into arrays and offsets.
 */
public final class CpuBackend extends Backend {
    private final Parallel parallel;
    private final CpuPool pool;
    private final Sgemm sgemm;
    private final Conv conv;
    private final SpikeConv spikeConv;
    private final SpikeLinear spikeLinear;
    private volatile SparseMode sparseMode = initialSparseMode();
    private volatile SpikeDensityProbe densityProbe;
    /** Set while {@link #kMatmulSpikes} runs its dense fallback through {@link #kGemm}, which then counts nothing. */
    private boolean linearProbeMuted;
    private final Elementwise elementwise;
    private final Reduce reduce;
    private final Layout layout;
    private final LifCpu lif;
    private final RandomCpu random;
    private final BatchNormCpu batchNorm;
    private final BatchNormLifCpu batchNormLif;
    private final MmdCpu mmd;
    private final AdamWCpu adamW;

    /** A backend of {@code threads} worker threads, with the default options otherwise. */
    public CpuBackend(int threads) {
        this(threads, BackendOptions.defaults().debugMemory());
    }

    /** A backend of {@code threads} worker threads; {@code debugMemory} fills fresh arrays with NaN / 0x7F. */
    public CpuBackend(int threads, boolean debugMemory) {
        this(threads, debugMemory, 0);
    }

    /**
     * The same with the Vector API SGEMM's register block of {@code sgemmRows} rows (4, 6 or 8; 0: the machine's
     * choice, see {@code spikevae.sgemm.mr}), for benchmarks that compare the two in one process; every result is
     * the same with either.
     */
    public CpuBackend(int threads, boolean debugMemory, int sgemmRows) {
        VectorSupport.warnOnceIfScalar();
        this.parallel = new Parallel(threads);
        this.pool = new CpuPool(Long.getLong("spikevae.poolBytes", defaultTensorBudget()), debugMemory);
        this.sgemm = new Sgemm(parallel, sgemmRows);
        this.conv = new Conv(parallel, sgemm);
        this.spikeConv = new SpikeConv(parallel);
        this.spikeLinear = new SpikeLinear(parallel,
                VectorSupport.available() ? SpikeVectorKernel.create() : new SpikeScalarKernel());
        this.elementwise = new Elementwise(parallel);
        this.reduce = new Reduce(parallel);
        this.layout = new Layout(parallel);
        this.lif = new LifCpu(parallel);
        this.random = new RandomCpu(parallel);
        this.batchNorm = new BatchNormCpu(parallel);
        this.batchNormLif = new BatchNormLifCpu(parallel, lif.kernel(), batchNorm);
        this.mmd = new MmdCpu(parallel);
        this.adamW = new AdamWCpu(parallel);
    }

    /**
     * Bytes that live and pooled tensors may take together before pooled arrays of lengths not in use
     * are left to the collector: the old generation (where arrays this large live; the whole heap if the
     * collector has no fixed one) less an eighth of it, at most 128 MB, for the other long-lived objects
     * (kernel scratch, modules). {@code -Dspikevae.poolBytes} sets it.
     */
    static long defaultTensorBudget() {
        long space = Runtime.getRuntime().maxMemory();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            String name = pool.getName();
            long max = pool.getUsage() == null ? -1 : pool.getUsage().getMax();
            if (pool.getType() == MemoryType.HEAP && (name.contains("Old") || name.contains("Tenured")) && max > 0) {
                space = Math.min(space, max);
            }
        }
        return space - Math.min(128L << 20, space / 8);
    }

    /** The thread count from {@code SPIKEVAE_THREADS} / {@code -Dspikevae.threads}, else the core count. */
    public static int defaultThreads() {
        String v = System.getProperty("spikevae.threads", System.getenv("SPIKEVAE_THREADS"));
        if (v != null && !v.isBlank()) {
            try {
                int n = Integer.parseInt(v.trim());
                if (n >= 1) {
                    return n;
                }
            } catch (NumberFormatException ignored) {
                // fall through to the error below
            }
            throw new IllegalArgumentException("SPIKEVAE_THREADS / spikevae.threads must be a positive integer, got '" + v + "'");
        }
        return Runtime.getRuntime().availableProcessors();
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public String description() {
        return "cpu: " + parallel.threads() + " threads, "
                + (VectorSupport.available() ? "Vector API kernels (" + 32 * VectorSupport.floatLanes() + "-bit vectors)"
                : "scalar kernels (" + VectorSupport.reason() + ")") + "; " + sgemm.description();
    }

    /** Whether the Vector API kernels run (else the scalar ones). */
    public boolean vectorKernels() {
        return VectorSupport.available();
    }

    @Override
    public int threads() {
        return parallel.threads();
    }

    /** The thread pool, for kernels and benchmarks in this package. */
    Parallel parallel() {
        return parallel;
    }

    /** Bytes held by the recycling pool. */
    public long pooledBytes() {
        return pool.pooledBytes();
    }

    /**
     * Bytes of tensors allocated and not yet released: persistent ones included, and unscoped ones left
     * to the garbage collector without {@link Tensor#release()} until the end.
     */
    public long liveBytes() {
        return pool.liveBytes();
    }

    /** The most {@link #liveBytes()} there were at once since the last {@link #resetPeakLiveBytes()}. */
    public long peakLiveBytes() {
        return pool.peakLiveBytes();
    }

    /** Starts a new peak measurement for {@link #peakLiveBytes()} from the bytes live now. */
    public void resetPeakLiveBytes() {
        pool.resetPeak();
    }

    /** The float array of an f32 tensor. */
    static float[] data(Tensor t) {
        return ((CpuStorage) t.storage()).floats;
    }

    /** The byte array of a u8 tensor. */
    static byte[] bytes(Tensor t) {
        return ((CpuStorage) t.storage()).bytes;
    }

    private static ConvOperand operand(Tensor t) {
        return t.dtype() == DType.U8 ? ConvOperand.of(bytes(t), t.offset()) : ConvOperand.of(data(t), t.offset());
    }

    @Override
    protected Storage allocate(int n, DType dtype) {
        return dtype == DType.U8 ? CpuStorage.of(pool.takeBytes(n + CpuStorage.BYTE_ORIGIN), pool)
                : CpuStorage.of(pool.takeFloats(n + CpuStorage.FLOAT_ORIGIN), pool);
    }

    /** Float to u8 as {@link Backend#cast} defines it: truncated, clamped to 0..255. */
    private static byte toU8(float v) {
        return (byte) Math.max(0, Math.min(255, (int) v));
    }

    // memory

    @Override
    protected void kCopyToHost(Tensor src, float[] dst, int dstOffset) {
        if (src.dtype() == DType.U8) {
            byte[] b = bytes(src);
            for (int i = 0, o = src.offset(); i < src.numel(); i++) {
                dst[dstOffset + i] = b[o + i] & 0xFF;
            }
        } else {
            System.arraycopy(data(src), src.offset(), dst, dstOffset, src.numel());
        }
    }

    @Override
    protected void kCopyFromHost(float[] src, int srcOffset, Tensor dst) {
        if (dst.dtype() == DType.U8) {
            byte[] b = bytes(dst);
            for (int i = 0, o = dst.offset(); i < dst.numel(); i++) {
                b[o + i] = toU8(src[srcOffset + i]);
            }
        } else {
            System.arraycopy(src, srcOffset, data(dst), dst.offset(), dst.numel());
        }
    }

    @Override
    protected void kCopy(Tensor src, Tensor dst) {
        if (src.dtype() == DType.U8) {
            System.arraycopy(bytes(src), src.offset(), bytes(dst), dst.offset(), src.numel());
        } else {
            System.arraycopy(data(src), src.offset(), data(dst), dst.offset(), src.numel());
        }
    }

    @Override
    protected void kCast(Tensor src, Tensor dst) {
        if (src.dtype() == dst.dtype()) {
            kCopy(src, dst);
            return;
        }
        int n = src.numel();
        int so = src.offset();
        int dOff = dst.offset();
        if (src.dtype() == DType.U8) {
            byte[] b = bytes(src);
            float[] f = data(dst);
            parallel.forRange(n, 1 << 16, (from, to) -> {
                for (int i = from; i < to; i++) {
                    f[dOff + i] = b[so + i] & 0xFF;
                }
            });
        } else {
            float[] f = data(src);
            byte[] b = bytes(dst);
            parallel.forRange(n, 1 << 16, (from, to) -> {
                for (int i = from; i < to; i++) {
                    b[dOff + i] = toU8(f[so + i]);
                }
            });
        }
    }

    @Override
    protected void kFill(Tensor t, float value) {
        if (t.dtype() == DType.U8) {
            java.util.Arrays.fill(bytes(t), t.offset(), t.offset() + t.numel(), toU8(value));
        } else {
            java.util.Arrays.fill(data(t), t.offset(), t.offset() + t.numel(), value);
        }
    }

    // GEMM and convolution

    @Override
    protected void kGemm(boolean transA, boolean transB, int m, int n, int k, float alpha, Tensor a, int offA, int lda,
                         Tensor b, int offB, int ldb, float beta, Tensor c, int offC, int ldc, int batch, int strideA,
                         int strideB, int strideC) {
        float[] ad = data(a);
        float[] bd = data(b);
        float[] cd = data(c);
        SpikeDensityProbe p = densityProbe;
        if (p != null && !linearProbeMuted && !transA && transB && batch == 1) {
            long nonZero = 0;
            for (int i = 0; i < m; i++) {
                int row = a.offset() + offA + i * lda;
                for (int j = 0; j < k; j++) {
                    nonZero += ad[row + j] != 0f ? 1 : 0;
                }
            }
            p.linear(m, n, k, DType.F32, nonZero, (long) m * k);
        }
        for (int i = 0; i < batch; i++) {
            sgemm.gemm(transA, transB, m, n, k, alpha, ad, a.offset() + offA + i * strideA, lda,
                    bd, b.offset() + offB + i * strideB, ldb, beta, cd, c.offset() + offC + i * strideC, ldc);
        }
    }

    /**
     * A linear layer's products with its input spikes, {@code x w^T} (A u8) and {@code dy^T x} (B u8), at alpha 1 and
     * beta 0 take {@link SpikeLinear} when the spikes are sparse enough ({@link SpikeLinear#MAX_DENSITY}, {@link
     * SpikeLinear#MAX_WEIGHT_DENSITY}); the same bits as the dense path. Anything else goes through f32 copies and the
     * SGEMM.
     */
    @Override
    protected void kMatmulSpikes(boolean transA, boolean transB, int m, int n, int k, float alpha, Tensor a, Tensor b,
                                 float beta, Tensor c) {
        SpikeDensityProbe p = densityProbe;
        if (p != null && a.dtype() == DType.U8 && !transA && transB) {
            p.linear(m, n, k, DType.U8, nonZero(a), (long) m * k);
        }
        boolean plain = alpha == 1f && beta == 0f && k > 0;
        if (plain && a.dtype() == DType.U8 && b.dtype() == DType.F32 && !transA && transB
                && sparse(a, SpikeLinear.MAX_DENSITY)) {
            spikeLinear.forward(m, n, k, bytes(a), a.offset(), a.dim(1), data(b), b.offset(), b.dim(1), data(c),
                    c.offset(), n);
            return;
        }
        if (plain && a.dtype() == DType.F32 && b.dtype() == DType.U8 && transA && !transB
                && sparse(b, SpikeLinear.MAX_WEIGHT_DENSITY)) {
            spikeLinear.weightGradient(m, n, k, data(a), a.offset(), a.dim(1), bytes(b), b.offset(), b.dim(1), data(c),
                    c.offset(), n);
            return;
        }
        // dense: through f32 copies and kGemm, whose probe is muted meanwhile (it would count the input a second time)
        linearProbeMuted = true;
        try {
            super.kMatmulSpikes(transA, transB, m, n, k, alpha, a, b, beta, c);
        } finally {
            linearProbeMuted = false;
        }
    }

    /** The non-zero elements of a whole tensor, u8 or f32 (for the density probe). */
    private static long nonZero(Tensor t) {
        long ones = 0;
        int end = t.offset() + t.numel();
        if (t.dtype() == DType.U8) {
            byte[] b = bytes(t);
            for (int i = t.offset(); i < end; i++) {
                ones += b[i] != 0 ? 1 : 0;
            }
        } else {
            float[] f = data(t);
            for (int i = t.offset(); i < end; i++) {
                ones += f[i] != 0f ? 1 : 0;
            }
        }
        return ones;
    }

    /** {@code -Dspikevae.sparse=auto|dense|sparse} (default auto), for comparing whole runs. */
    static SparseMode initialSparseMode() {
        String v = System.getProperty("spikevae.sparse", "auto").trim();
        try {
            return SparseMode.valueOf(v.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("spikevae.sparse must be auto, dense or sparse, got '" + v + "'");
        }
    }

    /**
     * Whether dense convolutions use the direct kernels where they apply (default true, or {@code
     * -Dspikevae.conv.direct=false}); off, they all run as implicit GEMMs. The results are the same bits either way,
     * but for the weight gradients of kernels 3 wide on few taps, which the direct path sums along positions (within
     * rounding): this is for benchmarks. Returns whether this backend has the direct kernels (the Vector API ones
     * only).
     */
    public boolean setDirectConvolutions(boolean on) {
        conv.setDirect(on);
        return conv.hasDirect();
    }

    /** How convolutions with u8 spike operands are computed (default {@link SparseMode#AUTO}). */
    public void setSparseMode(SparseMode mode) {
        this.sparseMode = java.util.Objects.requireNonNull(mode, "mode");
    }

    public SparseMode sparseMode() {
        return sparseMode;
    }

    /** Installs (or, with null, removes) a probe that sees the density of every convolution's spike operand. */
    public void setSpikeDensityProbe(SpikeDensityProbe probe) {
        this.densityProbe = probe;
    }

    /** Whether the spike-sparse path takes a pass whose spike operand is u8 tensor t, up to density {@code max}. */
    private boolean sparse(Tensor t, double max) {
        return switch (sparseMode) {
            case DENSE -> false;
            case SPARSE -> true;
            case AUTO -> max > 0 && SpikeConv.density(bytes(t), t.offset(), t.numel()) <= max;
        };
    }

    private void probe(String pass, ConvGeometry g, String operand, Tensor t) {
        SpikeDensityProbe p = densityProbe;
        if (p == null) {
            return;
        }
        p.record(pass, g, operand, t.dtype(), nonZero(t), t.numel());
    }

    @Override
    protected void kConvForward(Tensor x, Tensor w, Tensor bias, Tensor y, ConvGeometry g) {
        probe("forward", g, "x", x);
        if (x.dtype() == DType.U8 && sparse(x, SpikeConv.maxDensity(SpikeConv.forwardRow(g), false))) {
            spikeConv.forward(bytes(x), x.offset(), data(w), w.offset(), bias == null ? null : data(bias),
                    bias == null ? 0 : bias.offset(), data(y), y.offset(), g);
            return;
        }
        conv.forward(operand(x), data(w), w.offset(), bias == null ? null : data(bias),
                bias == null ? 0 : bias.offset(), data(y), y.offset(), g);
    }

    @Override
    protected void kConvBackwardData(Tensor dy, Tensor w, Tensor bias, Tensor dx, ConvGeometry g) {
        probe("backwardData", g, "dy", dy);
        if (dy.dtype() == DType.U8 && sparse(dy, SpikeConv.backwardDataMaxDensity(g))) {
            spikeConv.backwardData(bytes(dy), dy.offset(), data(w), w.offset(), bias == null ? null : data(bias),
                    bias == null ? 0 : bias.offset(), data(dx), dx.offset(), g);
            return;
        }
        conv.backwardData(operand(dy), data(w), w.offset(), bias == null ? null : data(bias),
                bias == null ? 0 : bias.offset(), data(dx), dx.offset(), g);
    }

    /**
     * Both gradients from one pass over dy where {@link Conv#backwardBoth} has a kernel for them (f32 operands, E1's
     * geometry at 16 lanes); elsewhere the two ops in turn, as the spike-sparse paths choose for them.
     */
    @Override
    protected void kConvBackward(Tensor x, Tensor dy, Tensor w, Tensor dx, Tensor dw, ConvGeometry g) {
        if (x.dtype() == DType.F32 && dy.dtype() == DType.F32 && conv.backwardBoth(operand(x), operand(dy), data(w),
                w.offset(), data(dx), dx.offset(), data(dw), dw.offset(), g)) {
            // recorded as the two ops record them (f32 operands: the weight gradient's is x)
            probe("backwardData", g, "dy", dy);
            probe("backwardWeight", g, "x", x);
            return;
        }
        super.kConvBackward(x, dy, w, dx, dw, g);
    }

    @Override
    protected void kConvBackwardWeight(Tensor x, Tensor dy, Tensor dw, float beta, ConvGeometry g) {
        if (densityProbe != null) {
            probe("backwardWeight", g, x.dtype() == DType.U8 || dy.dtype() != DType.U8 ? "x" : "dy",
                    x.dtype() == DType.U8 || dy.dtype() != DType.U8 ? x : dy);
        }
        boolean parallelEnough = sparseMode == SparseMode.SPARSE || spikeConv.weightGradientParallel(g);
        if (x.dtype() == DType.U8 && dy.dtype() == DType.F32 && parallelEnough
                && sparse(x, SpikeConv.maxDensity(SpikeConv.forwardRow(g), true))) {
            spikeConv.backwardWeightSpikeInput(bytes(x), x.offset(), data(dy), dy.offset(), data(dw), dw.offset(), beta,
                    g);
            return;
        }
        if (dy.dtype() == DType.U8 && x.dtype() == DType.F32 && parallelEnough
                && sparse(dy, SpikeConv.maxDensity(SpikeConv.backwardDataRow(g), true))) {
            spikeConv.backwardWeightSpikeGradient(data(x), x.offset(), bytes(dy), dy.offset(), data(dw), dw.offset(),
                    beta, g);
            return;
        }
        conv.backwardWeight(operand(x), operand(dy), data(dw), dw.offset(), beta, g);
    }

    // elementwise, reductions, layout

    @Override
    protected void kUnary(UnaryOp op, Tensor x, Tensor y, float param) {
        elementwise.unary(op, data(x), x.offset(), data(y), y.offset(), x.numel(), param);
    }

    @Override
    protected void kUnaryBackward(UnaryOp op, Tensor x, Tensor y, Tensor dy, Tensor dx, float param) {
        elementwise.unaryBackward(op, data(x), x.offset(), data(y), y.offset(), data(dy), dy.offset(), data(dx),
                dx.offset(), x.numel(), param);
    }

    @Override
    protected void kBinary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        elementwise.binary(op, data(a), a.offset(), a.shape(), data(b), b.offset(), b.shape(), data(out), out.offset(),
                out.shape());
    }

    @Override
    protected void kAxpby(float alpha, Tensor x, float beta, Tensor y) {
        elementwise.axpby(alpha, data(x), x.offset(), beta, data(y), y.offset(), x.numel());
    }

    @Override
    protected void kAffine(Tensor x, float alpha, float beta, Tensor y) {
        elementwise.affine(data(x), x.offset(), alpha, beta, data(y), y.offset(), x.numel());
    }

    @Override
    protected void kReduceSum(Tensor x, Tensor out, float alpha, float beta) {
        reduce.sum(data(x), x.offset(), x.shape(), data(out), out.offset(), out.shape(), alpha, beta);
    }

    @Override
    protected void kExpand(Tensor x, Tensor out) {
        layout.expand(data(x), x.offset(), x.shape(), data(out), out.offset(), out.shape());
    }

    @Override
    protected void kPermute(Tensor x, int[] perm, Tensor out) {
        layout.permute(data(x), x.offset(), x.shape(), perm, data(out), out.offset());
    }

    @Override
    protected void kSliceCopy(Tensor src, int axis, int start, Tensor dst) {
        layout.slice(data(src), src.offset(), src.shape(), axis, start, data(dst), dst.offset(), dst.shape(), false, 0f);
    }

    @Override
    protected void kSliceAssign(Tensor src, int axis, int start, Tensor dst, float beta) {
        layout.slice(data(dst), dst.offset(), dst.shape(), axis, start, data(src), src.offset(), src.shape(), true, beta);
    }

    @Override
    protected void kLeakyScan(Tensor x, float decay, float gain, Tensor y) {
        elementwise.leakyScan(data(x), x.offset(), data(y), y.offset(), x.dim(0), x.numel() / x.dim(0), decay, gain);
    }

    @Override
    protected void kLeakyScanBackward(Tensor dy, float decay, float gain, Tensor dx) {
        elementwise.leakyScanBackward(data(dy), dy.offset(), data(dx), dx.offset(), dy.dim(0), dy.numel() / dy.dim(0),
                decay, gain);
    }

    // batch norm

    @Override
    protected void kBatchNormStats(Tensor x, Tensor mean, Tensor var) {
        batchNorm.stats(data(x), x.offset(), x.dim(0), x.dim(1), x.dim(2), data(mean), mean.offset(), data(var),
                var.offset());
    }

    @Override
    protected void kBatchNormForward(Tensor x, Tensor mean, Tensor var, Tensor gamma, Tensor beta, float scale, float eps,
                                     Tensor y) {
        batchNorm.forward(data(x), x.offset(), x.dim(0), x.dim(1), x.dim(2), data(mean), mean.offset(), data(var),
                var.offset(), data(gamma), gamma.offset(), data(beta), beta.offset(), scale, eps, data(y), y.offset());
    }

    @Override
    protected void kBatchNormBackward(Tensor dy, Tensor x, Tensor mean, Tensor var, Tensor gamma, float scale, float eps,
                                      boolean training, Tensor dx, Tensor dGamma, Tensor dBeta) {
        batchNorm.backward(data(dy), dy.offset(), data(x), x.offset(), x.dim(0), x.dim(1), x.dim(2), data(mean),
                mean.offset(), data(var), var.offset(), data(gamma), gamma.offset(), scale, eps, training, data(dx),
                dx.offset(), data(dGamma), dGamma.offset(), data(dBeta), dBeta.offset());
    }

    @Override
    protected void kBatchNormLifForward(Tensor x, int steps, Tensor mean, Tensor var, Tensor gamma, Tensor beta,
                                        float scale, float eps, LifParams p, Tensor spikes) {
        boolean u8 = spikes.dtype() == DType.U8;
        batchNormLif.forward(data(x), x.offset(), x.dim(0), x.dim(1), x.dim(2), steps, data(mean), mean.offset(),
                data(var), var.offset(), data(gamma), gamma.offset(), data(beta), beta.offset(), scale, eps, p,
                u8 ? null : data(spikes), u8 ? bytes(spikes) : null, spikes.offset());
    }

    @Override
    protected void kBatchNormLifBackward(Tensor dSpikes, Tensor x, int steps, Tensor mean, Tensor var, Tensor gamma,
                                         Tensor beta, float scale, float eps, boolean training, LifParams p, Tensor dx,
                                         Tensor dGamma, Tensor dBeta) {
        batchNormLif.backward(data(dSpikes), dSpikes.offset(), data(x), x.offset(), x.dim(0), x.dim(1), x.dim(2), steps,
                data(mean), mean.offset(), data(var), var.offset(), data(gamma), gamma.offset(), data(beta),
                beta.offset(), scale, eps, training, p, data(dx), dx.offset(), data(dGamma), dGamma.offset(),
                data(dBeta), dBeta.offset());
    }

    // spiking

    @Override
    protected void kLifForward(Tensor x, Tensor spikes, Tensor membrane, LifParams p) {
        if (spikes.dtype() == DType.U8) {
            lif.forwardToBytes(data(x), x.offset(), bytes(spikes), spikes.offset(), data(membrane), membrane.offset(),
                    x.dim(0), x.numel() / x.dim(0), p);
            return;
        }
        lif.forward(data(x), x.offset(), data(spikes), spikes.offset(), data(membrane), membrane.offset(), x.dim(0),
                x.numel() / x.dim(0), p);
    }

    @Override
    protected void kLifBackward(Tensor dSpikes, Tensor membrane, Tensor dx, LifParams p) {
        lif.backward(data(dSpikes), dSpikes.offset(), data(membrane), membrane.offset(), data(dx), dx.offset(),
                membrane.dim(0), membrane.numel() / membrane.dim(0), p);
    }

    @Override
    protected void kUniform(Tensor out, long seed, long counter) {
        random.uniform(data(out), out.offset(), out.numel(), seed, counter);
    }

    @Override
    protected void kNormal(Tensor out, long seed, long counter) {
        random.normal(data(out), out.offset(), out.numel(), seed, counter);
    }

    @Override
    protected void kBernoulliSpikes(Tensor rate, Tensor spikes, long seed, long counter) {
        if (spikes.dtype() == DType.U8) {
            random.bernoulliSpikesToBytes(data(rate), rate.offset(), bytes(spikes), spikes.offset(), spikes.dim(0),
                    rate.numel(), seed, counter);
            return;
        }
        random.bernoulliSpikes(data(rate), rate.offset(), data(spikes), spikes.offset(), spikes.dim(0), rate.numel(), seed,
                counter);
    }

    @Override
    protected void kBernoulliSpikesBackward(Tensor dSpikes, Tensor rate, Tensor dRate, long seed, long counter,
                                            float halfWidth, float beta) {
        random.bernoulliSpikesBackward(data(dSpikes), dSpikes.offset(), data(rate), rate.offset(), data(dRate),
                dRate.offset(), dSpikes.dim(0), rate.numel(), seed, counter, halfWidth, beta);
    }

    @Override
    protected void kPickOneOfK(Tensor x, Tensor out, long seed, long counter) {
        random.pickOneOfK(data(x), x.offset(), data(out), out.offset(), out.numel(), x.dim(-1), seed, counter);
    }

    @Override
    protected void kPickOneOfKBackward(Tensor dOut, Tensor dx, long seed, long counter) {
        random.pickOneOfKBackward(data(dOut), dOut.offset(), data(dx), dx.offset(), dOut.numel(), dx.dim(-1), seed,
                counter);
    }

    // MMD and optimiser

    @Override
    protected void kMmdForward(Tensor x, Tensor y, int kernelNum, float kernelMul, Tensor loss, Tensor bandwidth) {
        mmd.forward(data(x), x.offset(), x.dim(0), data(y), y.offset(), y.dim(0), x.dim(1), kernelNum, kernelMul,
                data(loss), loss.offset(), data(bandwidth), bandwidth.offset());
    }

    @Override
    protected void kMmdBackward(Tensor dLoss, Tensor x, Tensor y, Tensor bandwidth, int kernelNum, float kernelMul,
                                Tensor dx, Tensor dy) {
        mmd.backward(data(dLoss), dLoss.offset(), data(x), x.offset(), x.dim(0), data(y), y.offset(), y.dim(0), x.dim(1),
                data(bandwidth), bandwidth.offset(), kernelNum, kernelMul, data(dx), dx.offset(), data(dy), dy.offset());
    }

    @Override
    protected void kAdamW(Tensor param, Tensor grad, Tensor m, Tensor v, AdamWParams p) {
        adamW.step(data(param), param.offset(), data(grad), grad.offset(), data(m), m.offset(), data(v), v.offset(),
                param.numel(), p);
    }
}
