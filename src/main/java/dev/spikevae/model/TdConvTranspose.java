package dev.spikevae.model;

import dev.spikevae.autograd.Ops;
import dev.spikevae.nn.Init;
import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.Rng;
import dev.spikevae.tensor.Tensor;

/**
 * tdConvTranspose (docs/reference.md §1.1): a square-kernel transposed convolution with bias (weight
 * {@code [in, out, k, k]}, output size {@code (in - 1)·stride - 2·padding + k + outputPadding}) at every time
 * step, then tdBN + LIF unless the layer is real-valued. Initialisation keeps PyTorch's quirk of taking
 * the fan-in from weight dimension 1: {@code out·k·k}.
 */
public final class TdConvTranspose extends TdLayer {
    private final int stride;
    private final int padding;
    private final int outputPadding;

    public TdConvTranspose(Backend backend, int in, int out, int kernel, int stride, int padding, int outputPadding,
                           Neurons neurons, Rng init) {
        super(backend, Init.uniform(backend, init, Init.defaultBound(out * kernel * kernel), in, out, kernel, kernel),
                Init.uniform(backend, init, Init.defaultBound(out * kernel * kernel), out), out, neurons);
        this.stride = stride;
        this.padding = padding;
        this.outputPadding = outputPadding;
    }

    @Override
    protected double fanOut() {
        Tensor w = weight().value(); // [in, out, k, k]
        return (double) w.dim(1) * w.dim(2) * w.dim(3) * stride * stride;
    }

    @Override
    protected Tensor applyWeights(Tensor x) {
        return Ops.convTranspose2d(x, weight().value(), bias().value(), stride, padding, outputPadding);
    }
}
