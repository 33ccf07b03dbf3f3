package dev.spikevae.model;

import dev.spikevae.autograd.Ops;
import dev.spikevae.nn.Init;
import dev.spikevae.nn.Module;
import dev.spikevae.nn.Sequential;
import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.DType;
import dev.spikevae.tensor.LifParams;
import dev.spikevae.tensor.Rng;
import dev.spikevae.tensor.Shape;
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

    /**
     * Passes over a growing prefix that compute only what changes from one pass to the next; a pass gives the same
     * spikes, and moves the running statistics the same way, as {@link #forward} over the whole prefix:
     *
     * <ul>
     *   <li>the first layer's weight op of a step depends only on that step's input, so it runs once per step (its
     *       rows of the GEMM are those the whole-prefix GEMM would give: each row of C is computed alone, in a fixed
     *       k order);</li>
     *   <li>in evaluation mode tdBN uses the running statistics, so a step's spikes in every layer depend only on the
     *       steps up to it and every layer's weight op runs once per step; tdBN + LIF (element-wise) still run over
     *       the whole prefix, from the first step;</li>
     *   <li>in training mode tdBN normalises with the statistics of the whole prefix, which change with every step,
     *       so the second and third layers run over the whole prefix on every pass, as published.</li>
     * </ul>
     *
     * The buffers are allocated in the scope open at construction.
     */
    final class Prefix {
        private final int n;
        private final Tensor inputs;
        private final Tensor[] pre = new Tensor[3];
        private final int[] done = new int[3];
        private final boolean frozen;
        private int length;

        /** Room for {@code capacity} steps of {@code n} samples. */
        Prefix(int capacity, int n) {
            Backend be = layer(0).weight().value().backend();
            this.n = n;
            this.inputs = be.empty(Shape.of(capacity, n, layer(0).weight().value().dim(1)));
            for (int i = 0; i < 3; i++) {
                pre[i] = be.empty(Shape.of(capacity, n, layer(i).weight().value().dim(0)));
            }
            this.frozen = !isTraining();
        }

        /** Steps appended so far. */
        int length() {
            return length;
        }

        /** Appends the input of the next step, {@code [1, n, in]}. */
        void append(Tensor step) {
            if (step.rank() != 3 || step.dim(0) != 1 || step.dim(1) != n || step.dim(2) != inputs.dim(2)) {
                throw new IllegalArgumentException("BernoulliNet.Prefix: expected a step [1, " + n + ", " + inputs.dim(2)
                        + "], got " + step.shape());
            }
            if (length == inputs.dim(0)) {
                throw new IllegalStateException("BernoulliNet.Prefix: all " + length + " steps are used");
            }
            step.backend().copy(step, inputs.narrow0(length, 1));
            length++;
        }

        /** A pass over the whole prefix: the candidates {@code [1, n, L, k]} of its last step. */
        Tensor last() {
            if (length == 0) {
                throw new IllegalStateException("BernoulliNet.Prefix: no step appended");
            }
            Tensor h = inputs.narrow0(0, length);
            for (int i = 0; i < 3; i++) {
                TdLinear layer = layer(i);
                Tensor preActivation;
                if (i == 0 || frozen) {
                    if (done[i] < length) {
                        Tensor rows = layer.applyWeights(h.narrow0(done[i], length - done[i]));
                        rows.backend().copy(rows, pre[i].narrow0(done[i], length - done[i]));
                        done[i] = length;
                    }
                    preActivation = pre[i].narrow0(0, length);
                } else {
                    preActivation = layer.applyWeights(h);
                }
                h = layer.activate(preActivation);
            }
            return Ops.reshape(h.narrow0(length - 1, 1), 1, n, latent, k);
        }
    }

    /** Layer {@code i} (0, 1, 2) of the net. */
    TdLinear layer(int i) {
        return (TdLinear) layers.get(i);
    }

    int latent() {
        return latent;
    }
}
