package dev.spikevae.nn;

import dev.spikevae.autograd.Ops;
import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.Rng;
import dev.spikevae.tensor.Tensor;

/** {@code y = x W^T + b} over the last axis (so time-distributed for {@code [T, N, F]}). */
public final class Linear extends Module {
    private final Parameter weight;
    private final Parameter bias;

    public Linear(Backend backend, int in, int out, boolean bias, Rng rng) {
        float bound = Init.defaultBound(in);
        this.weight = addParameter("weight", Init.uniform(backend, rng, bound, out, in));
        this.bias = bias ? addParameter("bias", Init.uniform(backend, rng, bound, out)) : null;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Ops.linear(x, weight.value(), bias == null ? null : bias.value());
    }

    public Parameter weight() {
        return weight;
    }

    public Parameter bias() {
        return bias;
    }
}
