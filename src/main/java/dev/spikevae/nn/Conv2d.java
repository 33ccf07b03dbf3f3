package dev.spikevae.nn;

import dev.spikevae.autograd.Ops;
import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.Rng;
import dev.spikevae.tensor.Tensor;

/** Square-kernel 2-D convolution, applied per time step to {@code [T, N, C, H, W]} (or to {@code [B, C, H, W]}). */
public final class Conv2d extends Module {
    private final Parameter weight;
    private final Parameter bias;
    private final int stride;
    private final int padding;

    public Conv2d(Backend backend, int in, int out, int kernel, int stride, int padding, boolean bias, Rng rng) {
        float bound = Init.defaultBound(in * kernel * kernel);
        this.weight = addParameter("weight", Init.uniform(backend, rng, bound, out, in, kernel, kernel));
        this.bias = bias ? addParameter("bias", Init.uniform(backend, rng, bound, out)) : null;
        this.stride = stride;
        this.padding = padding;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Ops.conv2d(x, weight.value(), bias == null ? null : bias.value(), stride, padding);
    }

    public Parameter weight() {
        return weight;
    }

    public Parameter bias() {
        return bias;
    }
}
