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

    public TdConv(Backend backend, int in, int out, int kernel, int stride, int padding, Neurons neurons, Rng init) {
        super(backend, Init.uniform(backend, init, Init.defaultBound(in * kernel * kernel), out, in, kernel, kernel),
                Init.uniform(backend, init, Init.defaultBound(in * kernel * kernel), out), out, neurons);
        this.stride = stride;
        this.padding = padding;
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
        return activate(Ops.repeatTime(applyWeights(images), steps));
    }
}
