package dev.spikevae.nn;

import dev.spikevae.autograd.Ops;
import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.Rng;
import dev.spikevae.tensor.Tensor;

/**
 * Square-kernel transposed convolution (PyTorch {@code ConvTranspose2d}, weight {@code [in, out, k, k]}),
 * applied per time step. Initialisation keeps PyTorch's quirk (docs/reference.md §1.1): fan-in is taken from
 * weight dimension 1, i.e. {@code out * k * k}, for both the weight and the bias bound.
 */
public final class ConvTranspose2d extends Module {
    private final Parameter weight;
    private final Parameter bias;
    private final int stride;
    private final int padding;
    private final int outputPadding;

    public ConvTranspose2d(Backend backend, int in, int out, int kernel, int stride, int padding, int outputPadding,
                           boolean bias, Rng rng) {
        float bound = Init.defaultBound(out * kernel * kernel);
        this.weight = addParameter("weight", Init.uniform(backend, rng, bound, in, out, kernel, kernel));
        this.bias = bias ? addParameter("bias", Init.uniform(backend, rng, bound, out)) : null;
        this.stride = stride;
        this.padding = padding;
        this.outputPadding = outputPadding;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Ops.convTranspose2d(x, weight.value(), bias == null ? null : bias.value(), stride, padding, outputPadding);
    }

    public Parameter weight() {
        return weight;
    }

    public Parameter bias() {
        return bias;
    }
}
