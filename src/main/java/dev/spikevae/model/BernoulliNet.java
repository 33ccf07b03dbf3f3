package dev.spikevae.model;

import dev.spikevae.autograd.Ops;
import dev.spikevae.nn.Init;
import dev.spikevae.nn.Module;
import dev.spikevae.nn.Sequential;
import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.DType;
import dev.spikevae.tensor.LifParams;
import dev.spikevae.tensor.Rng;
import dev.spikevae.tensor.Tensor;

/**
 * FSVAE's posterior net f_q or prior net f_p (docs/reference.md §8.2): three spiking tdLinear layers with tdBN
 * α = 2 and LIF, {@code in → 2L → 4L → k·L}, whose k outputs per latent channel ({@code c·k … c·k + k − 1}) are
 * Bernoulli candidates. Published names: {@code layers.0..2.*} and the zero buffer {@code initial_input}
 * ({@code [1, L, 1]}, the latent before the first step).
 */
final class BernoulliNet extends Module {
    static final float BN_ALPHA = 2f;

    private final Sequential layers;
    private final int latent;
    private final int k;

    BernoulliNet(Backend backend, int in, int latent, int k, LifParams lif, Rng init) {
        this.latent = latent;
        this.k = k;
        TdLayer.Neurons neurons = new TdLayer.Neurons(lif, DType.F32);
        this.layers = addModule("layers", new Sequential(
                new TdLinear(backend, in, 2 * latent, neurons, BN_ALPHA, init),
                new TdLinear(backend, 2 * latent, 4 * latent, neurons, BN_ALPHA, init),
                new TdLinear(backend, 4 * latent, k * latent, neurons, BN_ALPHA, init)));
        addBuffer("initial_input", Init.constant(backend, 0f, 1, latent, 1));
    }

    /** Candidate spikes {@code [T', N, L, k]} of a time-major input {@code [T', N, in]}. */
    @Override
    public Tensor forward(Tensor x) {
        Tensor out = layers.forward(x);
        return Ops.reshape(out, x.dim(0), x.dim(1), latent, k);
    }

    int k() {
        return k;
    }
}
