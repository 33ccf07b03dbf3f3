package dev.spikevae.model;

import dev.spikevae.autograd.Ops;
import dev.spikevae.nn.Init;
import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.Rng;
import dev.spikevae.tensor.Tensor;

/**
 * tdLinear (docs/reference.md §1.1): {@code y = x W^T + b} (weight {@code [out, in]}) at every step of {@code [T, N, in]},
 * then tdBN over {@code (T, N)} per feature and LIF.
 */
public final class TdLinear extends TdLayer {
    public TdLinear(Backend backend, int in, int out, Neurons neurons, Rng init) {
        this(backend, in, out, neurons, 1f, init);
    }

    /** With tdBN's {@code alpha} (2 in FSVAE's prior and posterior networks). */
    public TdLinear(Backend backend, int in, int out, Neurons neurons, float bnAlpha, Rng init) {
        super(backend, Init.uniform(backend, init, Init.defaultBound(in), out, in),
                Init.uniform(backend, init, Init.defaultBound(in), out), out, neurons, bnAlpha);
    }

    @Override
    protected double fanOut() {
        return weight().value().dim(0);
    }

    @Override
    protected Tensor applyWeights(Tensor x) {
        return Ops.linear(x, weight().value(), bias().value());
    }
}
