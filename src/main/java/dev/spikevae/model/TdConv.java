package dev.spikevae.model;

import dev.spikevae.autograd.Ops;
import dev.spikevae.nn.Init;
import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.Rng;
import dev.spikevae.tensor.Tensor;

/**
 * tdConv (docs/reference.md §1.1): a square-kernel convolution with bias (weight {@code [out, in, k, k]}) applied at
 * every time step of {@code [T, N, C, H, W]}, then tdBN + LIF. PyTorch's default initialisation, fan-in
 * {@code in·k·k}.
 */
public final class TdConv extends TdLayer {
    private final int stride;
    private final int padding;
    private final int kernel;
    private final int outChannels;
    /** Whether the first layer's real-valued input is counted as multiply-accumulates (ESVAE), or by its sum. */
    private boolean countInputAsMacs = true;

    public TdConv(Backend backend, int in, int out, int kernel, int stride, int padding, Neurons neurons, Rng init) {
        super(backend, Init.uniform(backend, init, Init.defaultBound(in * kernel * kernel), out, in, kernel, kernel),
                Init.uniform(backend, init, Init.defaultBound(in * kernel * kernel), out), out, neurons);
        this.stride = stride;
        this.padding = padding;
        this.kernel = kernel;
        this.outChannels = out;
    }

    @Override
    protected double fanOut() {
        return (double) kernel * kernel * outChannels / (stride * stride);
    }

    /**
     * How {@link #forwardRepeated} is counted: as multiply-accumulates of the real-valued input (true), or, as the
     * published count does for ESVAE-large, whose first convolution is not marked as such, like a spiking input.
     */
    public void countInputAsMacs(boolean macs) {
        this.countInputAsMacs = macs;
    }

    @Override
    protected Tensor applyWeights(Tensor x) {
        return Ops.conv2d(x, weight().value(), bias().value(), stride, padding);
    }

    /**
     * The layer on a static input {@code [N, C, H, W]} repeated over {@code steps} steps (direct encoding),
     * giving what {@code forward(repeatTime(images, steps))} gives with one convolution per image instead
     * of {@code steps}: the convolution commutes with the repetition, and the repeated pre-activation then
     * goes through the fused tdBN + LIF, so tdBN sees the same {@code T·N·H·W} values per channel (and
     * updates its running variance with the same {@code n / (n - 1)}) as the reference.
     */
    public Tensor forwardRepeated(Tensor images, int steps) {
        if (images.rank() != 4) {
            throw new IllegalArgumentException("TdConv.forwardRepeated: images must be [N, C, H, W], got " + images.shape());
        }
        Tensor pre = Ops.repeatTime(applyWeights(images), steps);
        Tensor out = activate(pre);
        if (counts() != null) {
            double inputs = (double) images.numel() * steps;
            if (countInputAsMacs) {
                // the published count: multiply-accumulates, and "bias" additions sized by the input (its quirk)
                double macs = inputs * fanOut();
                counts().record(countName(), macs + inputs, macs);
            } else {
                counts().record(countName(), OperationCounts.sum(images) * steps * fanOut() + pre.numel(), 0);
            }
            countNeurons(pre, out);
        }
        return out;
    }
}
