package dev.spikevae.nn;

import dev.spikevae.autograd.Ops;
import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.DType;
import dev.spikevae.tensor.LifParams;
import dev.spikevae.tensor.Tensor;

/**
 * Batch normalisation with statistics over every axis but the channel axis, {@code y = gamma * scale *
 * xhat + beta}; running statistics with momentum (the variance updated with its unbiased estimate),
 * used in evaluation mode. Buffers are named as PyTorch names them.
 */
public class BatchNorm extends Module {
    private final Parameter weight;
    private final Parameter bias;
    private final Tensor runningMean;
    private final Tensor runningVar;
    private final Tensor batchesTracked;
    private final int channelAxis;
    private final float scale;
    private final float eps;
    private final float momentum;

    public BatchNorm(Backend backend, int channels, int channelAxis, float scale, float eps, float momentum) {
        if (channels <= 0 || channelAxis < 0 || !(eps > 0f) || !(momentum >= 0f && momentum <= 1f)) {
            throw new IllegalArgumentException("BatchNorm: channels " + channels + ", channel axis " + channelAxis + ", eps "
                    + eps + ", momentum " + momentum);
        }
        this.weight = addParameter("weight", Init.constant(backend, 1f, channels));
        this.bias = addParameter("bias", Init.constant(backend, 0f, channels));
        this.runningMean = addBuffer("running_mean", Init.constant(backend, 0f, channels));
        this.runningVar = addBuffer("running_var", Init.constant(backend, 1f, channels));
        this.batchesTracked = addBuffer("num_batches_tracked", Init.constant(backend, 0f, 1));
        this.channelAxis = channelAxis;
        this.scale = scale;
        this.eps = eps;
        this.momentum = momentum;
    }

    /** PyTorch's {@code BatchNorm2d} / {@code BatchNorm1d} over {@code [N, C, ...]}: channel axis 1, scale 1. */
    public static BatchNorm standard(Backend backend, int channels) {
        return new BatchNorm(backend, channels, 1, 1f, 1e-5f, 0.1f);
    }

    @Override
    public Tensor forward(Tensor x) {
        beforeForward(x);
        return Ops.batchNorm(x, channelAxis, weight.value(), bias.value(), runningMean, runningVar, isTraining(), momentum,
                scale, eps);
    }

    /**
     * This normalisation followed by LIF neurons, as one fused node that recomputes its intermediates in
     * backward ({@link Ops#batchNormLif}): the same spikes and gradients as {@code lif.forward(forward(x))}
     * with half the activation memory.
     */
    public Tensor forwardLif(Tensor x, LifParams lif) {
        return forwardLif(x, lif, DType.F32);
    }

    /** {@link #forwardLif(Tensor, LifParams)} with the spikes stored as {@code spikeType} (u8: a quarter of the memory). */
    public Tensor forwardLif(Tensor x, LifParams lif, DType spikeType) {
        beforeForward(x);
        return Ops.batchNormLif(x, channelAxis, weight.value(), bias.value(), runningMean, runningVar, isTraining(),
                momentum, scale, eps, lif, spikeType);
    }

    private void beforeForward(Tensor x) {
        if (x.rank() <= channelAxis || x.dim(channelAxis) != weight.numel()) {
            throw new IllegalArgumentException(getClass().getSimpleName() + "(" + weight.numel() + "): input " + x.shape()
                    + " has no channel axis " + channelAxis + " of that size");
        }
        if (isTraining()) {
            batchesTracked.backend().affine(batchesTracked, 1f, 1f, batchesTracked);
        }
    }

    public Parameter weight() {
        return weight;
    }

    public Parameter bias() {
        return bias;
    }

    public Tensor runningMean() {
        return runningMean;
    }

    public Tensor runningVar() {
        return runningVar;
    }

    public float scale() {
        return scale;
    }
}
