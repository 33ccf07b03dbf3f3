package dev.spikevae.autograd;

import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.BinaryOp;
import dev.spikevae.tensor.ConvGeometry;
import dev.spikevae.tensor.DType;
import dev.spikevae.tensor.LifParams;
import dev.spikevae.tensor.Rng;
import dev.spikevae.tensor.Shape;
import dev.spikevae.tensor.Tensor;
import dev.spikevae.tensor.UnaryOp;

import java.util.Arrays;

/**
 * Differentiable ops: each allocates its outputs on the inputs' backend (in the current memory scope)
 * and, when a {@link Tape} records and an input requires a gradient, records one node whose backward
 * is built from {@link Backend} ops. Fused ops (convolution + bias, linear + bias, batch norm, LIF,
 * MMD, the spike sampler) are single nodes.
 */
public final class Ops {
    private Ops() {
    }

    // ------------------------------------------------------------------------------------------------
    // recording

    private static Tensor record(String op, Tensor out, Node.Backward backward, Tensor... inputs) {
        Tape tape = Tape.active();
        if (tape != null) {
            for (Tensor in : inputs) {
                if (in != null && in.requiresGrad()) {
                    out.requiresGrad(true);
                    tape.add(new Node(op, inputs, new Tensor[] {out}, backward));
                    break;
                }
            }
        }
        return out;
    }

    private static Tensor[] grads(Tensor... g) {
        return g;
    }

    /** {@code g} summed down to {@code shape} (the adjoint of broadcasting). */
    static Tensor reduceTo(Tensor g, Shape shape) {
        if (g.shape().equals(shape)) {
            return g;
        }
        Tensor out = g.backend().empty(shape);
        g.backend().reduceSum(g, out, 1f, 0f);
        return out;
    }

    // ------------------------------------------------------------------------------------------------
    // elementwise

    public static Tensor add(Tensor a, Tensor b) {
        return binary(BinaryOp.ADD, a, b);
    }

    public static Tensor sub(Tensor a, Tensor b) {
        return binary(BinaryOp.SUB, a, b);
    }

    public static Tensor mul(Tensor a, Tensor b) {
        return binary(BinaryOp.MUL, a, b);
    }

    public static Tensor div(Tensor a, Tensor b) {
        return binary(BinaryOp.DIV, a, b);
    }

    private static Tensor binary(BinaryOp op, Tensor a, Tensor b) {
        Backend be = a.backend();
        Tensor out = be.empty(Shape.broadcast(op.name().toLowerCase(), a.shape(), b.shape()));
        be.binary(op, a, b, out);
        return record(op.name().toLowerCase(), out, (g, needs) -> {
            Tensor go = g[0];
            Tensor ga = null;
            Tensor gb = null;
            switch (op) {
                case ADD -> {
                    ga = needs[0] ? reduceTo(go, a.shape()) : null;
                    gb = needs[1] ? reduceTo(go, b.shape()) : null;
                }
                case SUB -> {
                    ga = needs[0] ? reduceTo(go, a.shape()) : null;
                    if (needs[1]) {
                        gb = reduceTo(go, b.shape());
                        Tensor neg = be.empty(gb.shape());
                        be.affine(gb, -1f, 0f, neg);
                        gb = neg;
                    }
                }
                case MUL -> {
                    if (needs[0]) {
                        Tensor t = be.empty(go.shape());
                        be.binary(BinaryOp.MUL, go, b, t);
                        ga = reduceTo(t, a.shape());
                    }
                    if (needs[1]) {
                        Tensor t = be.empty(go.shape());
                        be.binary(BinaryOp.MUL, go, a, t);
                        gb = reduceTo(t, b.shape());
                    }
                }
                case DIV -> {
                    Tensor q = be.empty(go.shape());
                    be.binary(BinaryOp.DIV, go, b, q); // g / b
                    ga = needs[0] ? reduceTo(q, a.shape()) : null;
                    if (needs[1]) { // -g a / b^2 = -(g / b) * out
                        Tensor t = be.empty(go.shape());
                        be.binary(BinaryOp.MUL, q, out, t);
                        be.affine(t, -1f, 0f, t);
                        gb = reduceTo(t, b.shape());
                    }
                }
                default -> throw new IllegalArgumentException(op + " has no gradient");
            }
            return grads(ga, gb);
        }, a, b);
    }

    /** {@code alpha * x + beta}. */
    public static Tensor affine(Tensor x, float alpha, float beta) {
        Backend be = x.backend();
        Tensor out = be.empty(x.shape());
        be.affine(x, alpha, beta, out);
        return record("affine", out, (g, needs) -> {
            Tensor gx = be.empty(x.shape());
            be.affine(g[0], alpha, 0f, gx);
            return grads(gx);
        }, x);
    }

    public static Tensor scale(Tensor x, float alpha) {
        return affine(x, alpha, 0f);
    }

    public static Tensor unary(UnaryOp op, Tensor x, float param) {
        Backend be = x.backend();
        Tensor y = be.empty(x.shape());
        be.unary(op, x, y, param);
        if (op == UnaryOp.STEP) {
            return y; // piecewise constant: no gradient, nothing recorded
        }
        return record(op.name().toLowerCase(), y, (g, needs) -> {
            Tensor gx = be.empty(x.shape());
            be.unaryBackward(op, x, y, g[0], gx, param);
            return grads(gx);
        }, x);
    }

    public static Tensor tanh(Tensor x) {
        return unary(UnaryOp.TANH, x, 0f);
    }

    public static Tensor sigmoid(Tensor x) {
        return unary(UnaryOp.SIGMOID, x, 0f);
    }

    public static Tensor exp(Tensor x) {
        return unary(UnaryOp.EXP, x, 0f);
    }

    public static Tensor log(Tensor x) {
        return unary(UnaryOp.LOG, x, 0f);
    }

    public static Tensor relu(Tensor x) {
        return unary(UnaryOp.RELU, x, 0f);
    }

    public static Tensor leakyRelu(Tensor x, float slope) {
        return unary(UnaryOp.LEAKY_RELU, x, slope);
    }

    public static Tensor square(Tensor x) {
        return unary(UnaryOp.SQUARE, x, 0f);
    }

    public static Tensor sqrt(Tensor x) {
        return unary(UnaryOp.SQRT, x, 0f);
    }

    /** {@code 1[x > threshold]}, not differentiable. */
    public static Tensor step(Tensor x, float threshold) {
        return unary(UnaryOp.STEP, x, threshold);
    }

    // ------------------------------------------------------------------------------------------------
    // reductions and losses

    /** Sum of all elements, shape {@code [1]}. */
    public static Tensor sum(Tensor x) {
        return sumScaled("sum", x, 1f);
    }

    /** Mean of all elements, shape {@code [1]}. */
    public static Tensor mean(Tensor x) {
        return sumScaled("mean", x, 1f / x.numel());
    }

    private static Tensor sumScaled(String name, Tensor x, float alpha) {
        Backend be = x.backend();
        Tensor out = be.empty(Shape.of(1));
        be.reduceSum(x, out, alpha, 0f);
        return record(name, out, (g, needs) -> {
            Tensor gx = be.empty(x.shape());
            be.expand(g[0], gx);
            if (alpha != 1f) {
                be.affine(gx, alpha, 0f, gx);
            }
            return grads(gx);
        }, x);
    }

    /** Sums x down to a shape that broadcasts to it. */
    public static Tensor sumTo(Tensor x, Shape shape) {
        Backend be = x.backend();
        Tensor out = be.empty(shape);
        be.reduceSum(x, out, 1f, 0f);
        return record("sumTo", out, (g, needs) -> {
            Tensor gx = be.empty(x.shape());
            be.expand(g[0], gx);
            return grads(gx);
        }, x);
    }

    /** {@code mean((a - b)^2)} over all elements: PyTorch's {@code mse_loss} with mean reduction. */
    public static Tensor mseLoss(Tensor a, Tensor b) {
        if (!a.shape().equals(b.shape())) {
            throw new IllegalArgumentException("mseLoss: prediction " + a.shape() + " and target " + b.shape() + " differ");
        }
        return mean(square(sub(a, b)));
    }

    // ------------------------------------------------------------------------------------------------
    // layout

    /** A reshaped view (shares memory). */
    public static Tensor reshape(Tensor x, int... dims) {
        Tensor out = x.view(dims);
        return record("reshape", out, (g, needs) -> grads(g[0].view(x.shape())), x);
    }

    /** x broadcast to {@code shape} (a copy). */
    public static Tensor expand(Tensor x, Shape shape) {
        Backend be = x.backend();
        Tensor out = be.empty(shape);
        be.expand(x, out);
        return record("expand", out, (g, needs) -> grads(reduceTo(g[0], x.shape())), x);
    }

    /** x repeated over a new leading time axis: {@code [T] + x.shape} (direct input encoding). */
    public static Tensor repeatTime(Tensor x, int steps) {
        return expand(x, x.shape().prepend(steps));
    }

    public static Tensor permute(Tensor x, int... perm) {
        Backend be = x.backend();
        int[] d = new int[perm.length];
        for (int i = 0; i < perm.length; i++) {
            if (perm[i] < 0 || perm[i] >= x.rank()) {
                throw new IllegalArgumentException("permute: " + Arrays.toString(perm) + " is not a permutation of the axes of "
                        + x.shape());
            }
            d[i] = x.dim(perm[i]);
        }
        Tensor out = be.empty(Shape.of(d));
        be.permute(x, perm, out);
        int[] inverse = new int[perm.length];
        for (int i = 0; i < perm.length; i++) {
            inverse[perm[i]] = i;
        }
        return record("permute", out, (g, needs) -> {
            Tensor gx = be.empty(x.shape());
            be.permute(g[0], inverse, gx);
            return grads(gx);
        }, x);
    }

    /** {@code x[..., start : start + length, ...]} along {@code axis} (a copy). */
    public static Tensor slice(Tensor x, int axis, int start, int length) {
        Backend be = x.backend();
        if (axis < 0 || axis >= x.rank()) {
            throw new IllegalArgumentException("slice: axis " + axis + " out of range for " + x.shape());
        }
        int[] d = x.shape().dims();
        d[axis] = length;
        Tensor out = be.empty(Shape.of(d));
        be.sliceCopy(x, axis, start, out);
        return record("slice", out, (g, needs) -> {
            Tensor gx = be.zeros(x.shape());
            be.sliceAssign(g[0], axis, start, gx, 0f);
            return grads(gx);
        }, x);
    }

    /** Concatenation along {@code axis}. */
    public static Tensor concat(int axis, Tensor... xs) {
        if (xs.length == 0) {
            throw new IllegalArgumentException("concat: no tensors");
        }
        Backend be = xs[0].backend();
        int[] d = xs[0].shape().dims();
        if (axis < 0 || axis >= d.length) {
            throw new IllegalArgumentException("concat: axis " + axis + " out of range for " + xs[0].shape());
        }
        int total = 0;
        for (Tensor x : xs) {
            total += x.dim(axis);
        }
        d[axis] = total;
        Tensor out = be.empty(Shape.of(d));
        int[] starts = new int[xs.length];
        int at = 0;
        for (int i = 0; i < xs.length; i++) {
            starts[i] = at;
            be.sliceAssign(xs[i], axis, at, out, 0f);
            at += xs[i].dim(axis);
        }
        return record("concat", out, (g, needs) -> {
            Tensor[] gs = new Tensor[xs.length];
            for (int i = 0; i < xs.length; i++) {
                if (needs[i]) {
                    gs[i] = be.empty(xs[i].shape());
                    be.sliceCopy(g[0], axis, starts[i], gs[i]);
                }
            }
            return gs;
        }, xs);
    }

    // ------------------------------------------------------------------------------------------------
    // linear algebra and convolution

    /** {@code op(a) op(b)} for matrices. */
    public static Tensor matmul(Tensor a, Tensor b, boolean transA, boolean transB) {
        Backend be = a.backend();
        if (a.rank() != 2 || b.rank() != 2) {
            throw new IllegalArgumentException("matmul: matrices expected, got " + a.shape() + " and " + b.shape());
        }
        int m = transA ? a.dim(1) : a.dim(0);
        int n = transB ? b.dim(0) : b.dim(1);
        Tensor c = be.empty(Shape.of(m, n));
        be.matmul(transA, transB, 1f, a, b, 0f, c);
        return record("matmul", c, (g, needs) -> {
            Tensor gc = g[0];
            Tensor ga = null;
            Tensor gb = null;
            if (needs[0]) {
                ga = be.empty(a.shape());
                if (!transA) {
                    be.matmul(false, !transB, 1f, gc, b, 0f, ga); // dC op(B)^T
                } else {
                    be.matmul(transB, true, 1f, b, gc, 0f, ga); // op(B) dC^T
                }
            }
            if (needs[1]) {
                gb = be.empty(b.shape());
                if (!transB) {
                    be.matmul(!transA, false, 1f, a, gc, 0f, gb); // op(A)^T dC
                } else {
                    be.matmul(true, transA, 1f, gc, a, 0f, gb); // dC^T op(A)
                }
            }
            return grads(ga, gb);
        }, a, b);
    }

    /** {@code y = x w^T + bias} over the last axis of x {@code [..., in]}; w {@code [out, in]}; bias {@code [out]} or null. */
    public static Tensor linear(Tensor x, Tensor w, Tensor bias) {
        Backend be = x.backend();
        int in = w.dim(1);
        int outF = w.dim(0);
        if (x.rank() < 1 || x.dim(-1) != in || w.rank() != 2 || (bias != null && !bias.shape().equals(Shape.of(outF)))) {
            throw new IllegalArgumentException("linear: input " + x.shape() + ", weight " + w.shape() + ", bias "
                    + (bias == null ? "none" : bias.shape()) + " do not fit (expects [..., in], [out, in], [out])");
        }
        int rows = x.numel() / in;
        Tensor x2 = x.view(rows, in);
        Tensor y2 = be.empty(Shape.of(rows, outF));
        be.matmul(false, true, 1f, x2, w, 0f, y2); // x may be u8 spikes: the backend reads them as they are
        if (bias != null) {
            be.binary(BinaryOp.ADD, y2, bias, y2);
        }
        int[] d = x.shape().dims();
        d[d.length - 1] = outF;
        Tensor y = y2.view(d);
        return record("linear", y, (g, needs) -> {
            Tensor g2 = g[0].view(rows, outF);
            Tensor gx = null;
            Tensor gw = null;
            Tensor gbias = null;
            if (needs[0]) {
                gx = be.empty(x.shape());
                be.matmul(false, false, 1f, g2, w, 0f, gx.view(rows, in));
            }
            if (needs[1]) {
                gw = be.empty(w.shape());
                be.matmul(true, false, 1f, g2, x2, 0f, gw);
            }
            if (bias != null && needs[2]) {
                gbias = be.empty(bias.shape());
                be.reduceSum(g2, gbias, 1f, 0f);
            }
            return grads(gx, gw, gbias);
        }, x, w, bias);
    }

    /** u8 spikes as f32 values; the gradient passes through unchanged. */
    public static Tensor toFloat(Tensor x) {
        if (x.dtype() == DType.F32) {
            return x;
        }
        Tensor f = x.backend().empty(x.shape());
        x.backend().cast(x, f);
        return record("toFloat", f, (g, needs) -> grads(g[0]), x);
    }

    /** Merges leading axes of a time-distributed input {@code [T, N, C, H, W]} into one batch axis. */
    private static Tensor asBatch4(String op, Tensor x) {
        if (x.rank() == 4) {
            return x;
        }
        if (x.rank() == 5) {
            return x.view(x.dim(0) * x.dim(1), x.dim(2), x.dim(3), x.dim(4));
        }
        throw new IllegalArgumentException(op + ": expects [B, C, H, W] or time-major [T, N, C, H, W], got " + x.shape());
    }

    private static int[] unmerge(Tensor x, Shape y4) {
        if (x.rank() == 4) {
            return y4.dims();
        }
        return new int[] {x.dim(0), x.dim(1), y4.dim(1), y4.dim(2), y4.dim(3)};
    }

    /**
     * 2-D convolution with square kernel (PyTorch {@code Conv2d}, dilation 1, one group) of
     * {@code [B, C, H, W]} or, time-distributed, {@code [T, N, C, H, W]}; w {@code [out, in, k, k]}.
     */
    public static Tensor conv2d(Tensor x, Tensor w, Tensor bias, int stride, int padding) {
        Backend be = x.backend();
        Tensor x4 = asBatch4("conv2d", x);
        if (w.rank() != 4 || w.dim(2) != w.dim(3) || w.dim(1) != x4.dim(1)) {
            throw new IllegalArgumentException("conv2d: weight " + w.shape() + " does not fit input " + x.shape()
                    + " (expects [out, in, k, k] with in = " + x4.dim(1) + ")");
        }
        ConvGeometry geo = ConvGeometry.conv(x4.dim(0), x4.dim(1), x4.dim(2), x4.dim(3), w.dim(0), w.dim(2), stride,
                padding);
        Tensor y4 = be.empty(geo.outputShape());
        be.convForward(x4, w, bias, y4, geo);
        Tensor y = y4.view(unmerge(x, y4.shape()));
        return record("conv2d", y, (g, needs) -> {
            Tensor g4 = g[0].view(geo.outputShape());
            Tensor gx = null;
            Tensor gw = null;
            Tensor gb = null;
            if (needs[0]) {
                gx = be.empty(x.shape());
            }
            if (needs[1]) {
                gw = be.empty(w.shape());
            }
            if (needs[0] && needs[1]) {
                be.convBackward(x4, g4, w, gx.view(geo.inputShape()), gw, geo);
            } else if (needs[0]) {
                be.convBackwardData(g4, w, null, gx.view(geo.inputShape()), geo);
            } else if (needs[1]) {
                be.convBackwardWeight(x4, g4, gw, 0f, geo);
            }
            if (bias != null && needs[2]) {
                gb = channelSum(g4);
            }
            return grads(gx, gw, gb);
        }, x, w, bias);
    }

    /**
     * Transposed 2-D convolution (PyTorch {@code ConvTranspose2d}): w {@code [in, out, k, k]}, output size
     * {@code (in - 1) * stride - 2 * padding + k + outputPadding}.
     */
    public static Tensor convTranspose2d(Tensor x, Tensor w, Tensor bias, int stride, int padding, int outputPadding) {
        Backend be = x.backend();
        Tensor x4 = asBatch4("convTranspose2d", x);
        if (w.rank() != 4 || w.dim(2) != w.dim(3) || w.dim(0) != x4.dim(1)) {
            throw new IllegalArgumentException("convTranspose2d: weight " + w.shape() + " does not fit input " + x.shape()
                    + " (expects [in, out, k, k] with in = " + x4.dim(1) + ")");
        }
        ConvGeometry geo = ConvGeometry.transposed(x4.dim(0), x4.dim(1), x4.dim(2), x4.dim(3), w.dim(1), w.dim(2), stride,
                padding, outputPadding);
        Tensor y4 = be.empty(geo.inputShape());
        be.convBackwardData(x4, w, bias, y4, geo);
        Tensor y = y4.view(unmerge(x, y4.shape()));
        return record("convTranspose2d", y, (g, needs) -> {
            Tensor g4 = g[0].view(geo.inputShape());
            Tensor gx = null;
            Tensor gw = null;
            Tensor gb = null;
            if (needs[0]) {
                gx = be.empty(x.shape());
                be.convForward(g4, w, null, gx.view(geo.outputShape()), geo);
            }
            if (needs[1]) {
                gw = be.empty(w.shape());
                be.convBackwardWeight(g4, x4, gw, 0f, geo);
            }
            if (bias != null && needs[2]) {
                gb = channelSum(g4);
            }
            return grads(gx, gw, gb);
        }, x, w, bias);
    }

    /** Per-channel sums of {@code [B, C, H, W]} as {@code [C]}. */
    private static Tensor channelSum(Tensor g4) {
        Backend be = g4.backend();
        Tensor out = be.empty(Shape.of(g4.dim(1), 1));
        be.reduceSum(g4.view(g4.dim(0), g4.dim(1), g4.dim(2) * g4.dim(3)), out, 1f, 0f);
        return out.view(g4.dim(1));
    }

    // ------------------------------------------------------------------------------------------------
    // normalisation

    /**
     * Batch normalisation over every axis but {@code channelAxis}: {@code y = gamma * scale * xhat + beta}.
     * In training mode it normalises with the batch mean and biased variance and updates the running
     * statistics in place ({@code r = (1 - momentum) r + momentum * stat}, the variance unbiased by
     * {@code n / (n - 1)}); otherwise it uses the running statistics. tdBN is {@code scale = alpha * V_th}.
     */
    public static Tensor batchNorm(Tensor x, int channelAxis, Tensor gamma, Tensor beta, Tensor runningMean,
                                   Tensor runningVar, boolean training, float momentum, float scale, float eps) {
        Backend be = x.backend();
        Tensor[] stats = new Tensor[2];
        Tensor y = batchNormStatsAndApply(x, channelAxis, gamma, beta, runningMean, runningVar, training, momentum, scale,
                eps, stats);
        Tensor mean = stats[0];
        Tensor var = stats[1];
        Shape x3 = bnView(x, channelAxis);
        return record("batchNorm", y, (g, needs) -> {
            Tensor gx = be.empty(x.shape());
            Tensor gg = be.empty(gamma.shape());
            Tensor gbeta = be.empty(beta.shape());
            be.batchNormBackward(g[0].view(x3), x.view(x3), mean, var, gamma, scale, eps, training, gx.view(x3), gg, gbeta);
            return grads(gx, gg, gbeta);
        }, x, gamma, beta);
    }

    /**
     * The forward of batch norm (nothing recorded): statistics (batch or running) into {@code stats},
     * the running statistics updated in training mode, and the normalised output.
     */
    private static Tensor batchNormStatsAndApply(Tensor x, int channelAxis, Tensor gamma, Tensor beta, Tensor runningMean,
                                                 Tensor runningVar, boolean training, float momentum, float scale,
                                                 float eps, Tensor[] stats) {
        Backend be = x.backend();
        statistics(x, channelAxis, runningMean, runningVar, training, momentum, stats);
        Tensor y = be.empty(x.shape());
        be.batchNormForward(x.view(bnView(x, channelAxis)), stats[0], stats[1], gamma, beta, scale, eps,
                y.view(bnView(x, channelAxis)));
        return y;
    }

    /**
     * The statistics batch norm normalises with, into {@code stats}: the batch mean and biased variance
     * in training mode, which also updates the running statistics, else the running ones.
     */
    private static void statistics(Tensor x, int channelAxis, Tensor runningMean, Tensor runningVar, boolean training,
                                       float momentum, Tensor[] stats) {
        Backend be = x.backend();
        if (channelAxis < 0 || channelAxis >= x.rank()) {
            throw new IllegalArgumentException("batchNorm: channel axis " + channelAxis + " out of range for " + x.shape());
        }
        int c = x.dim(channelAxis);
        Tensor x3 = x.view(bnView(x, channelAxis));
        Tensor mean;
        Tensor var;
        if (training) {
            long n = (long) x3.dim(0) * x3.dim(2);
            if (n < 2) {
                throw new IllegalArgumentException("batchNorm: training needs more than one value per channel, got "
                        + x.shape() + " with channel axis " + channelAxis);
            }
            mean = be.empty(Shape.of(c));
            var = be.empty(Shape.of(c));
            be.batchNormStats(x3, mean, var);
            if (runningMean != null) {
                be.axpby(momentum, mean, 1f - momentum, runningMean);
                be.axpby((float) (momentum * (double) n / (n - 1)), var, 1f - momentum, runningVar);
            }
        } else {
            if (runningMean == null || runningVar == null) {
                throw new IllegalArgumentException("batchNorm: evaluation mode needs running statistics");
            }
            mean = runningMean;
            var = runningVar;
        }
        stats[0] = mean;
        stats[1] = var;
    }

    /**
     * Batch norm followed by LIF as one node that keeps only x (and the per-channel statistics) for
     * backward. The normalised input and the membranes never exist at full size: the backend computes
     * them block by block in forward (only the spikes are written) and recomputes them in backward, which
     * writes dL/dx over the incoming spike gradient when the tape says nothing else reads it. A tdBN+LIF
     * block thus holds two tensors of x's size across the step (x and the spikes) instead of four. Same
     * values and gradients as {@code lif(batchNorm(x, ...), p)}. x is time-major; the channel axis is not
     * the time axis 0.
     */
    public static Tensor batchNormLif(Tensor x, int channelAxis, Tensor gamma, Tensor beta, Tensor runningMean,
                                      Tensor runningVar, boolean training, float momentum, float scale, float eps,
                                      LifParams p, DType spikeType) {
        Backend be = x.backend();
        if (channelAxis == 0) {
            throw new IllegalArgumentException("batchNormLif: the channel axis of " + x.shape()
                    + " is the time axis 0; LIF runs over axis 0, so channels must come after it");
        }
        Tensor[] stats = new Tensor[2];
        statistics(x, channelAxis, runningMean, runningVar, training, momentum, stats);
        Tensor mean = stats[0];
        Tensor var = stats[1];
        Shape x3 = bnView(x, channelAxis);
        int steps = x.dim(0);
        Tensor spikes = be.empty(x.shape(), spikeType);
        be.batchNormLifForward(x.view(x3), steps, mean, var, gamma, beta, scale, eps, p, spikes);
        return record("batchNormLif", spikes, (g, needs) -> {
            Tensor gx = Tape.mayOverwrite(g[0]) ? g[0] : be.empty(x.shape());
            Tensor gg = be.empty(gamma.shape());
            Tensor gb = be.empty(beta.shape());
            be.batchNormLifBackward(g[0].view(x3), x.view(x3), steps, mean, var, gamma, beta, scale, eps, training, p,
                    gx.view(x3), gg, gb);
            return grads(gx, gg, gb);
        }, x, gamma, beta);
    }

    private static Shape bnView(Tensor x, int channelAxis) {
        return Shape.of(x.shape().size(0, channelAxis), x.dim(channelAxis), x.shape().size(channelAxis + 1, x.rank()));
    }

    // ------------------------------------------------------------------------------------------------
    // spiking

    /** Fused multi-step LIF over axis 0 of x {@code [T, ...]}: returns the spikes (f32). */
    public static Tensor lif(Tensor x, LifParams p) {
        return lif(x, p, DType.F32);
    }

    /** Fused multi-step LIF with the spikes stored as {@code spikeType} (u8: a quarter of the memory). */
    public static Tensor lif(Tensor x, LifParams p, DType spikeType) {
        Backend be = x.backend();
        Tensor spikes = be.empty(x.shape(), spikeType);
        Tensor membrane = be.empty(x.shape());
        be.lifForward(x, spikes, membrane, p);
        record("lif", spikes, (g, needs) -> {
            Tensor gx = be.empty(x.shape());
            be.lifBackward(g[0], membrane, gx, p);
            return grads(gx);
        }, x);
        if (!spikes.requiresGrad()) {
            membrane.release(); // nothing recorded (evaluation): no backward will read it
        }
        return spikes;
    }

    /** {@code y_t = decay * y_{t-1} + gain * x_t} over axis 0 (PSP is decay 1/2, gain 1/2). */
    public static Tensor leakyScan(Tensor x, float decay, float gain) {
        Backend be = x.backend();
        Tensor y = be.empty(x.shape());
        be.leakyScan(x, decay, gain, y);
        return record("leakyScan", y, (g, needs) -> {
            Tensor gx = be.empty(x.shape());
            be.leakyScanBackward(g[0], decay, gain, gx);
            return grads(gx);
        }, x);
    }

    /** {@code sum_t coef_t * y_t} over axis 0 of y {@code [T, ...]}; coef {@code [T]} is a constant. */
    public static Tensor weightedTimeSum(Tensor y, Tensor coef) {
        Backend be = y.backend();
        int steps = y.dim(0);
        if (!coef.shape().equals(Shape.of(steps))) {
            throw new IllegalArgumentException("weightedTimeSum: coefficients " + coef.shape() + " do not match T = " + steps
                    + " of " + y.shape());
        }
        int m = y.numel() / steps;
        int[] d = Arrays.copyOfRange(y.shape().dims(), 1, y.rank());
        Tensor out = be.empty(Shape.of(d));
        be.gemm(false, false, 1, m, steps, 1f, coef, 0, steps, y, 0, m, 0f, out, 0, m, 1, 0, 0, 0);
        return record("weightedTimeSum", out, (g, needs) -> {
            Tensor gy = be.empty(y.shape());
            be.gemm(false, false, steps, m, 1, 1f, coef, 0, 1, g[0], 0, m, 0f, gy, 0, m, 1, 0, 0, 0);
            return grads(gy, null);
        }, y, coef);
    }

    /**
     * ESVAE's reparameterisable Poisson sampler: spikes {@code [T] + rate.shape} with
     * {@code z_t = 1[rate > u_t]}, u fresh uniforms from {@code rng}; the gradient is the surrogate
     * {@code sum_t g_t * 1[|rate - u_t| < halfWidth] / (2 halfWidth)} (reference: halfWidth 0.5).
     */
    public static Tensor bernoulliSpikes(Tensor rate, int steps, Rng rng, float halfWidth) {
        return bernoulliSpikes(rate, steps, rng, halfWidth, DType.F32);
    }

    /** The sampler with the spikes stored as {@code spikeType}. */
    public static Tensor bernoulliSpikes(Tensor rate, int steps, Rng rng, float halfWidth, DType spikeType) {
        Backend be = rate.backend();
        Tensor spikes = be.empty(rate.shape().prepend(steps), spikeType);
        long seed = rng.seed();
        long counter = rng.reserveUniform(spikes.numel());
        be.bernoulliSpikes(rate, spikes, seed, counter);
        return record("bernoulliSpikes", spikes, (g, needs) -> {
            Tensor gr = be.empty(rate.shape());
            be.bernoulliSpikesBackward(g[0], rate, gr, seed, counter, halfWidth, 0f);
            return grads(gr);
        }, rate);
    }

    /** FSVAE's sampler: of the k candidates on the last axis of x, one picked uniformly at random. */
    public static Tensor pickOneOfK(Tensor x, Rng rng) {
        long count = 1;
        for (int i = 0; i < x.rank() - 1; i++) {
            count *= x.dim(i);
        }
        return pickOneOfK(x, rng.seed(), rng.reserveUniform(count));
    }

    /**
     * {@link #pickOneOfK(Tensor, Rng)} with the uniforms at {@code (seed, counter)}, reserved by the caller: the same
     * pair picks the same candidates again (FSVAE re-selects its no-grad picks in the gradient pass).
     */
    public static Tensor pickOneOfK(Tensor x, long seed, long counter) {
        Backend be = x.backend();
        int[] d = Arrays.copyOf(x.shape().dims(), x.rank() - 1);
        Tensor out = be.empty(Shape.of(d));
        be.pickOneOfK(x, out, seed, counter);
        return record("pickOneOfK", out, (g, needs) -> {
            Tensor gx = be.empty(x.shape());
            be.pickOneOfKBackward(g[0], gx, seed, counter);
            return grads(gx);
        }, x);
    }

    /** Biased multi-bandwidth RBF MMD² between the rows of x and y (docs/reference.md §4), shape {@code [1]}. */
    public static Tensor mmd(Tensor x, Tensor y, int kernelNum, float kernelMul) {
        Backend be = x.backend();
        Tensor loss = be.empty(Shape.of(1));
        Tensor bandwidth = be.empty(Shape.of(1));
        be.mmdForward(x, y, kernelNum, kernelMul, loss, bandwidth);
        return record("mmd", loss, (g, needs) -> {
            Tensor gx = be.empty(x.shape());
            Tensor gy = be.empty(y.shape());
            be.mmdBackward(g[0], x, y, bandwidth, kernelNum, kernelMul, gx, gy);
            return grads(gx, gy);
        }, x, y);
    }

    // ------------------------------------------------------------------------------------------------
    // random creators (never differentiable)

    public static Tensor randn(Backend be, Rng rng, int... dims) {
        Tensor t = be.empty(Shape.of(dims));
        be.normal(t, rng.seed(), rng.reserveNormal(t.numel()));
        return t;
    }

    public static Tensor rand(Backend be, Rng rng, int... dims) {
        Tensor t = be.empty(Shape.of(dims));
        be.uniform(t, rng.seed(), rng.reserveUniform(t.numel()));
        return t;
    }
}
