package dev.spikevae.tensor;

import java.util.Arrays;

/**
 * The op set of spikevae: a short list of coarse ops that every backend (CPU, CUDA) implements with the
 * same semantics. Each public op checks its arguments here, once for all backends, and then calls the
 * backend's kernel ({@code k...} methods). Ops write into outputs the caller allocated, so the same op
 * serves forward passes, gradient accumulation and in-place updates; {@code dev.spikevae.autograd.Ops}
 * is the allocating, differentiable layer on top.
 *
 * <p>Conventions: tensors are dense float32 unless an op says it takes {@link DType#U8} spikes; spiking
 * tensors are time-major ({@code [T, ...]}); an op's
 * outputs must not alias its inputs unless the op says so; a {@code beta} argument means
 * {@code out = beta * out + result} (beta 0 overwrites, ignoring what was there, NaN included).
 * Wrong shapes, tensors of another backend and bad arguments raise {@link IllegalArgumentException}s
 * that name the op and the shapes.
 */
public abstract class Backend {

    /** A short name: {@code cpu} or {@code cuda:0}. */
    public abstract String name();

    /** The kind of backend, as {@code --device} names it: the name up to a colon ({@code cuda:0} is {@code cuda}). */
    public final String kind() {
        String n = name();
        int colon = n.indexOf(':');
        return colon < 0 ? n : n.substring(0, colon);
    }

    /** A line for {@code doctor}: what this backend is running on and with which kernels. */
    public abstract String description();

    /** Worker threads (CPU) or streams (GPU) used by kernels. */
    public abstract int threads();

    // ------------------------------------------------------------------------------------------------
    // Memory

    /** Allocates uninitialised storage for {@code n} elements (the backend's pool may recycle memory). */
    protected abstract Storage allocate(int n, DType dtype);

    /** A new float tensor with unspecified contents, owned by the current {@link MemoryScope} if one is open. */
    public final Tensor empty(Shape shape) {
        return empty(shape, DType.F32);
    }

    /** A new tensor of {@code dtype} with unspecified contents, owned by the current scope if one is open. */
    public final Tensor empty(Shape shape, DType dtype) {
        Storage s = allocate(shape.numel(), dtype);
        MemoryScope.register(s);
        return new Tensor(this, shape, s, s.origin());
    }

    public final Tensor empty(int... dims) {
        return empty(Shape.of(dims));
    }

    /**
     * A zero tensor owned by no scope, whatever scope is open: for parameters, gradients of leaves,
     * optimizer state and running statistics, which live across steps.
     */
    public final Tensor persistentZeros(Shape shape) {
        Storage s = allocate(shape.numel(), DType.F32);
        Tensor t = new Tensor(this, shape, s, s.origin());
        fill(t, 0f);
        return t;
    }

    /** A copy of host data owned by no scope (see {@link #persistentZeros}). */
    public final Tensor persistentFromHost(float[] data, int... dims) {
        Shape shape = Shape.of(dims);
        if (data.length != shape.numel()) {
            throw new IllegalArgumentException("persistentFromHost: " + data.length + " values do not fill shape " + shape);
        }
        Storage s = allocate(shape.numel(), DType.F32);
        Tensor t = new Tensor(this, shape, s, s.origin());
        copyFromHost(data, 0, t);
        return t;
    }

    public final Tensor zeros(Shape shape) {
        Tensor t = empty(shape);
        fill(t, 0f);
        return t;
    }

    public final Tensor zeros(int... dims) {
        return zeros(Shape.of(dims));
    }

    /** A tensor holding a copy of {@code data} (an explicit host-to-device transfer). */
    public final Tensor fromHost(float[] data, int... dims) {
        Shape shape = Shape.of(dims);
        if (data.length != shape.numel()) {
            throw new IllegalArgumentException("fromHost: " + data.length + " values do not fill shape " + shape);
        }
        Tensor t = empty(shape);
        copyFromHost(data, 0, t);
        return t;
    }

    public final Tensor scalar(float value) {
        return fromHost(new float[] {value});
    }

    /** Copies src to the host as floats (u8 elements become 0..255). */
    public final void copyToHost(Tensor src, float[] dst, int dstOffset) {
        ownAnyType("copyToHost", src);
        if (dstOffset < 0 || (long) dstOffset + src.numel() > dst.length) {
            throw new IllegalArgumentException("copyToHost: " + src.numel() + " values of " + src.shape()
                    + " do not fit a host array of " + dst.length + " at offset " + dstOffset);
        }
        kCopyToHost(src, dst, dstOffset);
    }

    /** Copies host floats into dst; into a u8 tensor each value is truncated to an integer in 0..255. */
    public final void copyFromHost(float[] src, int srcOffset, Tensor dst) {
        ownAnyType("copyFromHost", dst);
        if (srcOffset < 0 || (long) srcOffset + dst.numel() > src.length) {
            throw new IllegalArgumentException("copyFromHost: a host array of " + src.length + " at offset " + srcOffset
                    + " does not hold " + dst.numel() + " values for " + dst.shape());
        }
        kCopyFromHost(src, srcOffset, dst);
    }

    /** {@code dst = src}, element for element, of one dtype (the shapes may differ, the sizes may not). */
    public final void copy(Tensor src, Tensor dst) {
        ownAnyType("copy", src, dst);
        sameSize("copy", src, dst);
        if (src.dtype() != dst.dtype()) {
            throw new IllegalArgumentException("copy: source " + src + " and destination " + dst
                    + " differ in dtype; use cast");
        }
        kCopy(src, dst);
    }

    /**
     * {@code dst = src} converted to dst's dtype: u8 to f32 exactly; f32 to u8 truncated to an integer in
     * 0..255 (meant for spikes, which are 0 or 1).
     */
    public final void cast(Tensor src, Tensor dst) {
        ownAnyType("cast", src, dst);
        sameSize("cast", src, dst);
        kCast(src, dst);
    }

    /** Sets every element to {@code value} (truncated to 0..255 for a u8 tensor). */
    public final void fill(Tensor t, float value) {
        ownAnyType("fill", t);
        kFill(t, value);
    }

    protected abstract void kCast(Tensor src, Tensor dst);

    protected abstract void kCopyToHost(Tensor src, float[] dst, int dstOffset);

    protected abstract void kCopyFromHost(float[] src, int srcOffset, Tensor dst);

    protected abstract void kCopy(Tensor src, Tensor dst);

    protected abstract void kFill(Tensor t, float value);

    // ------------------------------------------------------------------------------------------------
    // GEMM

    /**
     * Batched SGEMM on row-major matrices: for each {@code i < batch},
     * {@code C_i = alpha * op(A_i) op(B_i) + beta * C_i}, where {@code op(A_i)} is {@code m x k},
     * {@code op(B_i)} is {@code k x n}, {@code C_i} is {@code m x n}; {@code X_i} starts at element
     * {@code offX + i * strideX} of tensor {@code x} and has leading dimension {@code ldx} (row stride).
     */
    public final void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                           Tensor a, int offA, int lda, Tensor b, int offB, int ldb, float beta,
                           Tensor c, int offC, int ldc, int batch, int strideA, int strideB, int strideC) {
        own("gemm", a, b, c);
        if (m < 0 || n < 0 || k < 0 || batch < 0) {
            throw new IllegalArgumentException("gemm: negative size m " + m + ", n " + n + ", k " + k + ", batch " + batch);
        }
        int aRows = transA ? k : m;
        int aCols = transA ? m : k;
        int bRows = transB ? n : k;
        int bCols = transB ? k : n;
        checkMatrix("gemm", "A", a, offA, lda, aRows, aCols, batch, strideA, m, n, k);
        checkMatrix("gemm", "B", b, offB, ldb, bRows, bCols, batch, strideB, m, n, k);
        checkMatrix("gemm", "C", c, offC, ldc, m, n, batch, strideC, m, n, k);
        if (m == 0 || n == 0 || batch == 0) {
            return;
        }
        kGemm(transA, transB, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, c, offC, ldc, batch, strideA, strideB,
                strideC);
    }

    /**
     * A single GEMM on whole tensors viewed as matrices: {@code C = alpha op(A) op(B) + beta C}. A or B (or both) may
     * be u8 spikes, their elements taken as exact floats (a linear layer's input spikes, in its forward {@code x w^T}
     * and weight gradient {@code dy^T x}); C is f32.
     */
    public final void matmul(boolean transA, boolean transB, float alpha, Tensor a, Tensor b, float beta, Tensor c) {
        if (a.rank() != 2 || b.rank() != 2 || c.rank() != 2) {
            throw new IllegalArgumentException("matmul: matrices expected, got A " + a.shape() + ", B " + b.shape()
                    + ", C " + c.shape());
        }
        int m = transA ? a.dim(1) : a.dim(0);
        int k = transA ? a.dim(0) : a.dim(1);
        int kb = transB ? b.dim(1) : b.dim(0);
        int n = transB ? b.dim(0) : b.dim(1);
        if (k != kb || c.dim(0) != m || c.dim(1) != n) {
            throw new IllegalArgumentException("matmul: op(A) " + m + "x" + k + " times op(B) " + kb + "x" + n
                    + " does not give C " + c.shape() + " (A " + a.shape() + (transA ? "^T" : "") + ", B " + b.shape()
                    + (transB ? "^T" : "") + ")");
        }
        if (a.dtype() == DType.U8 || b.dtype() == DType.U8) {
            own("matmul", c);
            ownAnyType("matmul", a, b);
            if (m > 0 && n > 0) {
                kMatmulSpikes(transA, transB, m, n, k, alpha, a, b, beta, c);
            }
            return;
        }
        gemm(transA, transB, m, n, k, alpha, a, 0, a.dim(1), b, 0, b.dim(1), beta, c, 0, n, 1, 0, 0, 0);
    }

    /**
     * {@link #matmul} with a u8 operand: through transient f32 copies of the u8 operands and {@link #kGemm}; the CPU
     * backend overrides it with a path that visits only the spikes that fired.
     */
    protected void kMatmulSpikes(boolean transA, boolean transB, int m, int n, int k, float alpha, Tensor a, Tensor b,
                                 float beta, Tensor c) {
        Tensor af = a.dtype() == DType.F32 ? a : empty(a.shape());
        Tensor bf = b.dtype() == DType.F32 ? b : empty(b.shape());
        try {
            if (af != a) {
                kCast(a, af);
            }
            if (bf != b) {
                kCast(b, bf);
            }
            kGemm(transA, transB, m, n, k, alpha, af, 0, a.dim(1), bf, 0, b.dim(1), beta, c, 0, n, 1, 0, 0, 0);
        } finally {
            if (af != a) {
                af.release();
            }
            if (bf != b) {
                bf.release();
            }
        }
    }

    private static void checkMatrix(String op, String which, Tensor t, int off, int ld, int rows, int cols, int batch,
                                    int stride, int m, int n, int k) {
        if (ld < Math.max(1, cols) || off < 0 || stride < 0) {
            throw new IllegalArgumentException(op + ": " + which + " (" + rows + "x" + cols + ") has leading dimension "
                    + ld + ", offset " + off + ", batch stride " + stride + " (m " + m + ", n " + n + ", k " + k + ")");
        }
        if (rows == 0 || cols == 0 || batch == 0) {
            return;
        }
        long last = off + (long) (batch - 1) * stride + (long) (rows - 1) * ld + cols;
        if (last > t.numel()) {
            throw new IllegalArgumentException(op + ": " + which + " (" + batch + " x " + rows + "x" + cols + ", ld " + ld
                    + ", offset " + off + ", stride " + stride + ") reaches element " + last + " of tensor " + t.shape()
                    + " (m " + m + ", n " + n + ", k " + k + ")");
        }
    }

    protected abstract void kGemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                                  Tensor a, int offA, int lda, Tensor b, int offB, int ldb, float beta,
                                  Tensor c, int offC, int ldc, int batch, int strideA, int strideB, int strideC);

    // ------------------------------------------------------------------------------------------------
    // Convolution (Conv2d; ConvTranspose2d is the adjoint pair, see ConvGeometry.transposed)

    /**
     * {@code y = conv(x, w) + bias}; x {@code g.inputShape()} (f32 or u8 spikes), w {@code g.weightShape()},
     * y {@code g.outputShape()}, bias {@code [outC]} or null.
     */
    public final void convForward(Tensor x, Tensor w, Tensor bias, Tensor y, ConvGeometry g) {
        own("convForward", w, y);
        ownAnyType("convForward", x);
        expect("convForward", "input", x, g.inputShape(), g);
        expect("convForward", "weight", w, g.weightShape(), g);
        expect("convForward", "output", y, g.outputShape(), g);
        if (bias != null) {
            own("convForward", bias);
            expect("convForward", "bias", bias, Shape.of(g.outChannels()), g);
        }
        kConvForward(x, w, bias, y, g);
    }

    /**
     * {@code dx = conv^T(dy, w) + bias}: the gradient of {@link #convForward} with respect to its input,
     * which is also the forward pass of a transposed convolution (then {@code bias}, over dx's channels,
     * is that layer's bias; null for a plain gradient). dy may be u8 spikes (a transposed convolution's input).
     */
    public final void convBackwardData(Tensor dy, Tensor w, Tensor bias, Tensor dx, ConvGeometry g) {
        own("convBackwardData", w, dx);
        ownAnyType("convBackwardData", dy);
        expect("convBackwardData", "output gradient", dy, g.outputShape(), g);
        expect("convBackwardData", "weight", w, g.weightShape(), g);
        expect("convBackwardData", "input gradient", dx, g.inputShape(), g);
        if (bias != null) {
            own("convBackwardData", bias);
            expect("convBackwardData", "bias", bias, Shape.of(g.inChannels()), g);
        }
        kConvBackwardData(dy, w, bias, dx, g);
    }

    /**
     * {@code dw = beta * dw + sum over the batch of dy (x) im2col(x)}: the weight gradient of
     * {@link #convForward}. x and dy may be u8 spikes (the input of a convolution or of a transposed one).
     */
    public final void convBackwardWeight(Tensor x, Tensor dy, Tensor dw, float beta, ConvGeometry g) {
        own("convBackwardWeight", dw);
        ownAnyType("convBackwardWeight", x, dy);
        expect("convBackwardWeight", "input", x, g.inputShape(), g);
        expect("convBackwardWeight", "output gradient", dy, g.outputShape(), g);
        expect("convBackwardWeight", "weight gradient", dw, g.weightShape(), g);
        kConvBackwardWeight(x, dy, dw, beta, g);
    }

    /**
     * Both gradients of {@link #convForward} in one op (PyTorch's {@code convolution_backward} with both outputs):
     * {@code dx = conv^T(dy, w)} and {@code dw = sum over the batch of dy (x) im2col(x)}, the values of {@code
     * convBackwardData(dy, w, null, dx, g)} and {@code convBackwardWeight(x, dy, dw, 0, g)}. A backend may make them
     * from one read of dy. x and dy may be u8 spikes, as for those two ops.
     */
    public final void convBackward(Tensor x, Tensor dy, Tensor w, Tensor dx, Tensor dw, ConvGeometry g) {
        own("convBackward", w, dx, dw);
        ownAnyType("convBackward", x, dy);
        expect("convBackward", "input", x, g.inputShape(), g);
        expect("convBackward", "output gradient", dy, g.outputShape(), g);
        expect("convBackward", "weight", w, g.weightShape(), g);
        expect("convBackward", "input gradient", dx, g.inputShape(), g);
        expect("convBackward", "weight gradient", dw, g.weightShape(), g);
        kConvBackward(x, dy, w, dx, dw, g);
    }

    protected abstract void kConvForward(Tensor x, Tensor w, Tensor bias, Tensor y, ConvGeometry g);

    protected abstract void kConvBackwardData(Tensor dy, Tensor w, Tensor bias, Tensor dx, ConvGeometry g);

    protected abstract void kConvBackwardWeight(Tensor x, Tensor dy, Tensor dw, float beta, ConvGeometry g);

    /** The two ops in turn; backends override it where one pass over dy makes both (the CPU backend, for some). */
    protected void kConvBackward(Tensor x, Tensor dy, Tensor w, Tensor dx, Tensor dw, ConvGeometry g) {
        kConvBackwardData(dy, w, null, dx, g);
        kConvBackwardWeight(x, dy, dw, 0f, g);
    }

    // ------------------------------------------------------------------------------------------------
    // Elementwise, broadcast, reductions, layout

    /** {@code y = f(x; param)}; x and y have the same size and may be the same tensor. */
    public final void unary(UnaryOp op, Tensor x, Tensor y, float param) {
        own("unary " + op, x, y);
        sameSize("unary " + op, x, y);
        kUnary(op, x, y, param);
    }

    /**
     * {@code dx = dy * f'(x)}, given x and the forward output y (each op reads whichever it needs). STEP
     * has no gradient and is rejected. dx may alias dy.
     */
    public final void unaryBackward(UnaryOp op, Tensor x, Tensor y, Tensor dy, Tensor dx, float param) {
        if (op == UnaryOp.STEP) {
            throw new IllegalArgumentException("unaryBackward: STEP has no gradient");
        }
        own("unaryBackward " + op, x, y, dy, dx);
        sameSize("unaryBackward " + op, x, y);
        sameSize("unaryBackward " + op, x, dy);
        sameSize("unaryBackward " + op, x, dx);
        kUnaryBackward(op, x, y, dy, dx, param);
    }

    /** {@code out = a op b}, a and b broadcast (NumPy rules) to out's shape. out may alias a or b if it has their shape. */
    public final void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        own("binary " + op, a, b, out);
        Shape s = Shape.broadcast("binary " + op, a.shape(), b.shape());
        if (!s.equals(out.shape())) {
            throw new IllegalArgumentException("binary " + op + ": " + a.shape() + " and " + b.shape() + " broadcast to "
                    + s + ", not to the output " + out.shape());
        }
        kBinary(op, a, b, out);
    }

    /** {@code y = alpha * x + beta * y} (same size). */
    public final void axpby(float alpha, Tensor x, float beta, Tensor y) {
        own("axpby", x, y);
        sameSize("axpby", x, y);
        kAxpby(alpha, x, beta, y);
    }

    /** {@code y = alpha * x + beta} (same size; y may be x). */
    public final void affine(Tensor x, float alpha, float beta, Tensor y) {
        own("affine", x, y);
        sameSize("affine", x, y);
        kAffine(x, alpha, beta, y);
    }

    /**
     * {@code out = beta * out + alpha * sum(x)} over the axes along which out broadcasts to x (out's shape
     * must broadcast to x's). The summation order is fixed, so results do not depend on thread counts.
     */
    public final void reduceSum(Tensor x, Tensor out, float alpha, float beta) {
        own("reduceSum", x, out);
        if (!out.shape().broadcastsTo(x.shape())) {
            throw new IllegalArgumentException("reduceSum: output " + out.shape() + " does not broadcast to input " + x.shape());
        }
        kReduceSum(x, out, alpha, beta);
    }

    /** {@code out = x} broadcast to out's shape. */
    public final void expand(Tensor x, Tensor out) {
        own("expand", x, out);
        if (!x.shape().broadcastsTo(out.shape())) {
            throw new IllegalArgumentException("expand: " + x.shape() + " does not broadcast to " + out.shape());
        }
        kExpand(x, out);
    }

    /** {@code out = x} with axes permuted: out axis i is x axis {@code perm[i]}. */
    public final void permute(Tensor x, int[] perm, Tensor out) {
        own("permute", x, out);
        int r = x.rank();
        boolean[] seen = new boolean[r];
        boolean ok = perm.length == r && out.rank() == r;
        for (int i = 0; ok && i < r; i++) {
            ok = perm[i] >= 0 && perm[i] < r && !seen[perm[i]] && out.dim(i) == x.dim(perm[i]);
            if (ok) {
                seen[perm[i]] = true;
            }
        }
        if (!ok) {
            throw new IllegalArgumentException("permute: " + Arrays.toString(perm) + " does not take " + x.shape() + " to "
                    + out.shape());
        }
        kPermute(x, perm.clone(), out);
    }

    /** {@code dst = src[..., start : start + dst.dim(axis), ...]} along {@code axis}. */
    public final void sliceCopy(Tensor src, int axis, int start, Tensor dst) {
        own("sliceCopy", src, dst);
        checkSlice("sliceCopy", src.shape(), dst.shape(), axis, start);
        kSliceCopy(src, axis, start, dst);
    }

    /** {@code dst[..., start : start + src.dim(axis), ...] = src + beta * (that region)} along {@code axis}. */
    public final void sliceAssign(Tensor src, int axis, int start, Tensor dst, float beta) {
        own("sliceAssign", src, dst);
        checkSlice("sliceAssign", dst.shape(), src.shape(), axis, start);
        kSliceAssign(src, axis, start, dst, beta);
    }

    private static void checkSlice(String op, Shape whole, Shape part, int axis, int start) {
        boolean ok = whole.rank() == part.rank() && axis >= 0 && axis < whole.rank() && start >= 0
                && start + part.dim(axis) <= whole.dim(axis);
        for (int i = 0; ok && i < whole.rank(); i++) {
            ok = i == axis || whole.dim(i) == part.dim(i);
        }
        if (!ok) {
            throw new IllegalArgumentException(op + ": part " + part + " at " + start + " along axis " + axis
                    + " does not fit " + whole);
        }
    }

    protected abstract void kUnary(UnaryOp op, Tensor x, Tensor y, float param);

    protected abstract void kUnaryBackward(UnaryOp op, Tensor x, Tensor y, Tensor dy, Tensor dx, float param);

    protected abstract void kBinary(BinaryOp op, Tensor a, Tensor b, Tensor out);

    protected abstract void kAxpby(float alpha, Tensor x, float beta, Tensor y);

    protected abstract void kAffine(Tensor x, float alpha, float beta, Tensor y);

    protected abstract void kReduceSum(Tensor x, Tensor out, float alpha, float beta);

    protected abstract void kExpand(Tensor x, Tensor out);

    protected abstract void kPermute(Tensor x, int[] perm, Tensor out);

    protected abstract void kSliceCopy(Tensor src, int axis, int start, Tensor dst);

    protected abstract void kSliceAssign(Tensor src, int axis, int start, Tensor dst, float beta);

    // ------------------------------------------------------------------------------------------------
    // Time filters

    /**
     * A first-order linear filter over time: {@code y_t = decay * y_{t-1} + gain * x_t}, {@code y_{-1} = 0},
     * x and y {@code [T, ...]}. PSP is decay 1/2, gain 1/2; the membrane readout is the last step of decay 0.8, gain 1.
     */
    public final void leakyScan(Tensor x, float decay, float gain, Tensor y) {
        own("leakyScan", x, y);
        timeMajor("leakyScan", x);
        sameShape("leakyScan", x, y);
        kLeakyScan(x, decay, gain, y);
    }

    /** The adjoint of {@link #leakyScan}: {@code a_t = dy_t + decay * a_{t+1}}, {@code dx_t = gain * a_t}. */
    public final void leakyScanBackward(Tensor dy, float decay, float gain, Tensor dx) {
        own("leakyScanBackward", dy, dx);
        timeMajor("leakyScanBackward", dy);
        sameShape("leakyScanBackward", dy, dx);
        kLeakyScanBackward(dy, decay, gain, dx);
    }

    protected abstract void kLeakyScan(Tensor x, float decay, float gain, Tensor y);

    protected abstract void kLeakyScanBackward(Tensor dy, float decay, float gain, Tensor dx);

    // ------------------------------------------------------------------------------------------------
    // Batch normalisation over [outer, C, inner] (tdBN: outer = T*N, inner = H*W; linear: inner = 1)

    /** Per-channel mean and biased variance of x viewed as {@code [outer, C, inner]}, over outer and inner. */
    public final void batchNormStats(Tensor x, Tensor mean, Tensor var) {
        own("batchNormStats", x, mean, var);
        bn3("batchNormStats", x);
        expect("batchNormStats", "mean", mean, Shape.of(x.dim(1)), null);
        expect("batchNormStats", "var", var, Shape.of(x.dim(1)), null);
        kBatchNormStats(x, mean, var);
    }

    /** {@code y = gamma * scale * (x - mean) / sqrt(var + eps) + beta}, per channel of x {@code [outer, C, inner]}. */
    public final void batchNormForward(Tensor x, Tensor mean, Tensor var, Tensor gamma, Tensor beta, float scale, float eps,
                                       Tensor y) {
        own("batchNormForward", x, mean, var, gamma, beta, y);
        bn3("batchNormForward", x);
        Shape c = Shape.of(x.dim(1));
        expect("batchNormForward", "mean", mean, c, null);
        expect("batchNormForward", "var", var, c, null);
        expect("batchNormForward", "gamma", gamma, c, null);
        expect("batchNormForward", "beta", beta, c, null);
        sameSize("batchNormForward", x, y);
        kBatchNormForward(x, mean, var, gamma, beta, scale, eps, y);
    }

    /**
     * Gradients of {@link #batchNormForward}. In training mode mean and var are the batch statistics of x
     * and their dependence on x is differentiated; otherwise they are constants (running statistics).
     * dGamma and dBeta are overwritten.
     */
    public final void batchNormBackward(Tensor dy, Tensor x, Tensor mean, Tensor var, Tensor gamma, float scale, float eps,
                                        boolean training, Tensor dx, Tensor dGamma, Tensor dBeta) {
        own("batchNormBackward", dy, x, mean, var, gamma, dx, dGamma, dBeta);
        bn3("batchNormBackward", x);
        Shape c = Shape.of(x.dim(1));
        sameSize("batchNormBackward", x, dy);
        sameSize("batchNormBackward", x, dx);
        expect("batchNormBackward", "mean", mean, c, null);
        expect("batchNormBackward", "var", var, c, null);
        expect("batchNormBackward", "gamma", gamma, c, null);
        expect("batchNormBackward", "dGamma", dGamma, c, null);
        expect("batchNormBackward", "dBeta", dBeta, c, null);
        kBatchNormBackward(dy, x, mean, var, gamma, scale, eps, training, dx, dGamma, dBeta);
    }

    /**
     * {@link #batchNormForward} followed by {@link #lifForward}, returning only the spikes (f32 or u8, x's
     * size): x is viewed as {@code [outer, C, inner]} for the norm and, being time-major with
     * {@code outer} a multiple of {@code steps}, as {@code [steps, numel / steps]} for LIF. A backend may
     * run it block by block so that neither the normalised input nor the membranes exist at full size;
     * the spikes are bitwise those of the two ops in sequence.
     */
    public final void batchNormLifForward(Tensor x, int steps, Tensor mean, Tensor var, Tensor gamma, Tensor beta,
                                          float scale, float eps, LifParams p, Tensor spikes) {
        own("batchNormLifForward", x, mean, var, gamma, beta);
        ownAnyType("batchNormLifForward", spikes);
        bnLif3("batchNormLifForward", x, steps);
        Shape c = Shape.of(x.dim(1));
        expect("batchNormLifForward", "mean", mean, c, null);
        expect("batchNormLifForward", "var", var, c, null);
        expect("batchNormLifForward", "gamma", gamma, c, null);
        expect("batchNormLifForward", "beta", beta, c, null);
        sameSize("batchNormLifForward", x, spikes);
        kBatchNormLifForward(x, steps, mean, var, gamma, beta, scale, eps, p, spikes);
    }

    /**
     * Gradients of {@link #batchNormLifForward} from the spike gradient (the normalised input and the
     * membranes are recomputed from x), as {@link #lifBackward} followed by {@link #batchNormBackward}.
     * {@code dx} may be {@code dSpikes} itself (same memory and offset): the spike gradient is then
     * overwritten, and no tensor of x's size is needed besides the operands.
     */
    public final void batchNormLifBackward(Tensor dSpikes, Tensor x, int steps, Tensor mean, Tensor var, Tensor gamma,
                                           Tensor beta, float scale, float eps, boolean training, LifParams p, Tensor dx,
                                           Tensor dGamma, Tensor dBeta) {
        own("batchNormLifBackward", dSpikes, x, mean, var, gamma, beta, dx, dGamma, dBeta);
        bnLif3("batchNormLifBackward", x, steps);
        Shape c = Shape.of(x.dim(1));
        sameSize("batchNormLifBackward", x, dSpikes);
        sameSize("batchNormLifBackward", x, dx);
        expect("batchNormLifBackward", "mean", mean, c, null);
        expect("batchNormLifBackward", "var", var, c, null);
        expect("batchNormLifBackward", "gamma", gamma, c, null);
        expect("batchNormLifBackward", "beta", beta, c, null);
        expect("batchNormLifBackward", "dGamma", dGamma, c, null);
        expect("batchNormLifBackward", "dBeta", dBeta, c, null);
        if (dx.isSameMemory(dSpikes) && dx.offset() != dSpikes.offset()) {
            throw new IllegalArgumentException("batchNormLifBackward: dx overlaps dSpikes at another offset; pass the same "
                    + "tensor to work in place, or separate memory");
        }
        kBatchNormLifBackward(dSpikes, x, steps, mean, var, gamma, beta, scale, eps, training, p, dx, dGamma, dBeta);
    }

    private static void bnLif3(String op, Tensor x, int steps) {
        bn3(op, x);
        if (steps < 1 || x.dim(0) % steps != 0) {
            throw new IllegalArgumentException(op + ": " + steps + " time steps do not divide the leading axis of " + x.shape()
                    + " (x must be time-major, viewed as [T * rest, C, inner])");
        }
    }

    /** The two ops in sequence, through full-size temporaries; backends override it with a fused kernel. */
    protected void kBatchNormLifForward(Tensor x, int steps, Tensor mean, Tensor var, Tensor gamma, Tensor beta,
                                        float scale, float eps, LifParams p, Tensor spikes) {
        Tensor y = empty(x.shape());
        batchNormForward(x, mean, var, gamma, beta, scale, eps, y);
        Tensor yt = y.view(steps, -1);
        Tensor u = empty(yt.shape());
        lifForward(yt, spikes.view(yt.shape()), u, p);
        u.release();
        y.release();
    }

    /** The two backward ops in sequence, through full-size temporaries; backends override it with a fused kernel. */
    protected void kBatchNormLifBackward(Tensor dSpikes, Tensor x, int steps, Tensor mean, Tensor var, Tensor gamma,
                                         Tensor beta, float scale, float eps, boolean training, LifParams p, Tensor dx,
                                         Tensor dGamma, Tensor dBeta) {
        Tensor y = empty(x.shape());
        batchNormForward(x, mean, var, gamma, beta, scale, eps, y);
        Tensor yt = y.view(steps, -1);
        Tensor u = empty(yt.shape());
        Tensor s = empty(yt.shape(), DType.U8);
        lifForward(yt, s, u, p);
        s.release();
        lifBackward(dSpikes.view(yt.shape()), u, yt, p); // y is dead: it takes dL/dy
        u.release();
        batchNormBackward(y, x, mean, var, gamma, scale, eps, training, dx.view(x.shape()), dGamma, dBeta);
        y.release();
    }

    private static void bn3(String op, Tensor x) {
        if (x.rank() != 3) {
            throw new IllegalArgumentException(op + ": expects x viewed as [outer, C, inner], got " + x.shape());
        }
    }

    protected abstract void kBatchNormStats(Tensor x, Tensor mean, Tensor var);

    protected abstract void kBatchNormForward(Tensor x, Tensor mean, Tensor var, Tensor gamma, Tensor beta, float scale,
                                              float eps, Tensor y);

    protected abstract void kBatchNormBackward(Tensor dy, Tensor x, Tensor mean, Tensor var, Tensor gamma, float scale,
                                               float eps, boolean training, Tensor dx, Tensor dGamma, Tensor dBeta);

    // ------------------------------------------------------------------------------------------------
    // Spiking

    /**
     * Fused multi-step LIF over T (axis 0): x {@code [T, ...]} in, spikes (f32 or u8) and the pre-spike
     * membrane {@code u_t} (what backward needs) out, all of x's shape.
     */
    public final void lifForward(Tensor x, Tensor spikes, Tensor membrane, LifParams p) {
        own("lifForward", x, membrane);
        ownAnyType("lifForward", spikes);
        timeMajor("lifForward", x);
        sameShape("lifForward", x, spikes);
        sameShape("lifForward", x, membrane);
        kLifForward(x, spikes, membrane, p);
    }

    /** Input gradient of {@link #lifForward} from the spike gradient and the saved membrane (spikes are recomputed). */
    public final void lifBackward(Tensor dSpikes, Tensor membrane, Tensor dx, LifParams p) {
        own("lifBackward", dSpikes, membrane, dx);
        timeMajor("lifBackward", membrane);
        sameShape("lifBackward", membrane, dSpikes);
        sameShape("lifBackward", membrane, dx);
        kLifBackward(dSpikes, membrane, dx, p);
    }

    /** Uniform [0, 1) values of the Philox stream {@code (seed, counter)} (layout in {@link Philox}). */
    public final void uniform(Tensor out, long seed, long counter) {
        own("uniform", out);
        kUniform(out, seed, counter);
    }

    /** Standard normal values of the Philox stream {@code (seed, counter)}. */
    public final void normal(Tensor out, long seed, long counter) {
        own("normal", out);
        kNormal(out, seed, counter);
    }

    /**
     * ESVAE's reparameterisable Poisson (per-step Bernoulli) sampler: rate {@code [...]} in [0, 1],
     * spikes {@code [T, ...]} (f32 or u8) with {@code z_t = 1[rate > u_t]}, u the uniform stream
     * {@code (seed, counter)} read in the spikes' row-major order.
     */
    public final void bernoulliSpikes(Tensor rate, Tensor spikes, long seed, long counter) {
        own("bernoulliSpikes", rate);
        ownAnyType("bernoulliSpikes", spikes);
        checkTimeExpanded("bernoulliSpikes", rate, spikes);
        kBernoulliSpikes(rate, spikes, seed, counter);
    }

    /**
     * Surrogate gradient of {@link #bernoulliSpikes}: {@code dRate = beta * dRate + sum_t dSpikes_t * 1[|rate - u_t| < halfWidth] / (2 halfWidth)}
     * with the same uniforms, regenerated from the stream (reference: halfWidth 0.5, height 1).
     */
    public final void bernoulliSpikesBackward(Tensor dSpikes, Tensor rate, Tensor dRate, long seed, long counter,
                                              float halfWidth, float beta) {
        own("bernoulliSpikesBackward", dSpikes, rate, dRate);
        checkTimeExpanded("bernoulliSpikesBackward", rate, dSpikes);
        sameShape("bernoulliSpikesBackward", rate, dRate);
        if (!(halfWidth > 0f)) {
            throw new IllegalArgumentException("bernoulliSpikesBackward: half width must be positive, got " + halfWidth);
        }
        kBernoulliSpikesBackward(dSpikes, rate, dRate, seed, counter, halfWidth, beta);
    }

    /**
     * FSVAE's sampler: x {@code [..., k]} (k candidate spikes per latent), out {@code [...]} = the candidate
     * at index {@code floor(u_i * k)}, u the uniform stream {@code (seed, counter)} in out's order.
     */
    public final void pickOneOfK(Tensor x, Tensor out, long seed, long counter) {
        own("pickOneOfK", x, out);
        checkPick("pickOneOfK", x, out);
        kPickOneOfK(x, out, seed, counter);
    }

    /** The adjoint of {@link #pickOneOfK}: dx = 0 except at the picked candidates, which get dOut. */
    public final void pickOneOfKBackward(Tensor dOut, Tensor dx, long seed, long counter) {
        own("pickOneOfKBackward", dOut, dx);
        checkPick("pickOneOfKBackward", dx, dOut);
        kPickOneOfKBackward(dOut, dx, seed, counter);
    }

    private static void checkPick(String op, Tensor x, Tensor out) {
        boolean ok = x.rank() == out.rank() + 1 && x.dim(-1) > 0;
        for (int i = 0; ok && i < out.rank(); i++) {
            ok = x.dim(i) == out.dim(i);
        }
        if (!ok) {
            throw new IllegalArgumentException(op + ": candidates " + x.shape() + " must be the picks " + out.shape()
                    + " with one more trailing axis (k)");
        }
    }

    private static void checkTimeExpanded(String op, Tensor rate, Tensor spikes) {
        if (spikes.rank() != rate.rank() + 1 || !spikes.shape().equals(rate.shape().prepend(spikes.dim(0)))) {
            throw new IllegalArgumentException(op + ": spikes " + spikes.shape() + " must be [T] + rate " + rate.shape());
        }
    }

    protected abstract void kLifForward(Tensor x, Tensor spikes, Tensor membrane, LifParams p);

    protected abstract void kLifBackward(Tensor dSpikes, Tensor membrane, Tensor dx, LifParams p);

    protected abstract void kUniform(Tensor out, long seed, long counter);

    protected abstract void kNormal(Tensor out, long seed, long counter);

    protected abstract void kBernoulliSpikes(Tensor rate, Tensor spikes, long seed, long counter);

    protected abstract void kBernoulliSpikesBackward(Tensor dSpikes, Tensor rate, Tensor dRate, long seed, long counter,
                                                     float halfWidth, float beta);

    protected abstract void kPickOneOfK(Tensor x, Tensor out, long seed, long counter);

    protected abstract void kPickOneOfKBackward(Tensor dOut, Tensor dx, long seed, long counter);

    // ------------------------------------------------------------------------------------------------
    // MMD and optimiser

    /**
     * Biased MMD² between the rows of x {@code [n, d]} and y {@code [m, d]} with the reference's
     * multi-bandwidth RBF kernel (docs/reference.md §4): {@code b = sum D / (s^2 - s)} over the stacked
     * {@code s = n + m} rows, bandwidths {@code b / mul^(num/2) * mul^i}, i &lt; num. Writes the loss
     * {@code [1]} and the base bandwidth b {@code [1]} (kept for backward; no gradient flows through it).
     */
    public final void mmdForward(Tensor x, Tensor y, int kernelNum, float kernelMul, Tensor loss, Tensor bandwidth) {
        own("mmdForward", x, y, loss, bandwidth);
        checkMmd("mmdForward", x, y, kernelNum, kernelMul);
        expect("mmdForward", "loss", loss, Shape.of(1), null);
        expect("mmdForward", "bandwidth", bandwidth, Shape.of(1), null);
        kMmdForward(x, y, kernelNum, kernelMul, loss, bandwidth);
    }

    /** Gradients of {@link #mmdForward} for x and y, scaled by dLoss {@code [1]}, the bandwidth held fixed. */
    public final void mmdBackward(Tensor dLoss, Tensor x, Tensor y, Tensor bandwidth, int kernelNum, float kernelMul,
                                  Tensor dx, Tensor dy) {
        own("mmdBackward", dLoss, x, y, bandwidth, dx, dy);
        checkMmd("mmdBackward", x, y, kernelNum, kernelMul);
        expect("mmdBackward", "dLoss", dLoss, Shape.of(1), null);
        expect("mmdBackward", "bandwidth", bandwidth, Shape.of(1), null);
        sameShape("mmdBackward", x, dx);
        sameShape("mmdBackward", y, dy);
        kMmdBackward(dLoss, x, y, bandwidth, kernelNum, kernelMul, dx, dy);
    }

    private static void checkMmd(String op, Tensor x, Tensor y, int kernelNum, float kernelMul) {
        if (x.rank() != 2 || y.rank() != 2 || x.dim(1) != y.dim(1) || x.dim(0) + y.dim(0) < 2) {
            throw new IllegalArgumentException(op + ": expects x [n, d] and y [m, d] with n + m >= 2, got " + x.shape()
                    + " and " + y.shape());
        }
        if (kernelNum < 1 || !(kernelMul > 0f)) {
            throw new IllegalArgumentException(op + ": kernel count " + kernelNum + " and multiplier " + kernelMul
                    + " must be positive");
        }
    }

    protected abstract void kMmdForward(Tensor x, Tensor y, int kernelNum, float kernelMul, Tensor loss, Tensor bandwidth);

    protected abstract void kMmdBackward(Tensor dLoss, Tensor x, Tensor y, Tensor bandwidth, int kernelNum,
                                         float kernelMul, Tensor dx, Tensor dy);

    /** One fused AdamW step on a parameter, its gradient and its moment buffers (all the same shape), in place. */
    public final void adamW(Tensor param, Tensor grad, Tensor m, Tensor v, AdamWParams p) {
        own("adamW", param, grad, m, v);
        sameShape("adamW", param, grad);
        sameShape("adamW", param, m);
        sameShape("adamW", param, v);
        kAdamW(param, grad, m, v, p);
    }

    protected abstract void kAdamW(Tensor param, Tensor grad, Tensor m, Tensor v, AdamWParams p);

    // ------------------------------------------------------------------------------------------------
    // Argument checks shared by every backend

    /** Fails unless every tensor lives on this backend, is live and is float32. */
    protected final void own(String op, Tensor... ts) {
        ownAnyType(op, ts);
        for (Tensor t : ts) {
            if (t.dtype() != DType.F32) {
                throw new IllegalArgumentException(op + ": " + t + " is " + t.dtype() + " where f32 is needed (cast it)");
            }
        }
    }

    /** Fails unless every tensor lives on this backend and is live (any dtype). */
    protected final void ownAnyType(String op, Tensor... ts) {
        for (Tensor t : ts) {
            if (t == null) {
                throw new IllegalArgumentException(op + ": a required tensor is null");
            }
            if (t.backend() != this) {
                StringBuilder sb = new StringBuilder(op).append(": tensors on different devices:");
                for (Tensor u : ts) {
                    sb.append(' ').append(u == null ? "null" : u.shape() + "@" + u.backend().name());
                }
                throw new IllegalArgumentException(sb.append(" (this backend is ").append(name()).append(')').toString());
            }
            t.storage();
        }
    }

    private static void expect(String op, String what, Tensor t, Shape shape, ConvGeometry g) {
        if (!t.shape().equals(shape)) {
            throw new IllegalArgumentException(op + ": " + what + " has shape " + t.shape() + ", expected " + shape
                    + (g == null ? "" : " for " + g));
        }
    }

    private static void sameSize(String op, Tensor a, Tensor b) {
        if (a.numel() != b.numel()) {
            throw new IllegalArgumentException(op + ": shapes " + a.shape() + " and " + b.shape() + " differ in size");
        }
    }

    private static void sameShape(String op, Tensor a, Tensor b) {
        if (!a.shape().equals(b.shape())) {
            throw new IllegalArgumentException(op + ": shapes " + a.shape() + " and " + b.shape() + " differ");
        }
    }

    private static void timeMajor(String op, Tensor x) {
        if (x.rank() < 1 || x.dim(0) < 1) {
            throw new IllegalArgumentException(op + ": expects a time-major tensor [T, ...] with T >= 1, got " + x.shape());
        }
    }
}
