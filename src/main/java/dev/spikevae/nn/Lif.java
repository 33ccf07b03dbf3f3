package dev.spikevae.nn;

import dev.spikevae.autograd.Ops;
import dev.spikevae.tensor.DType;
import dev.spikevae.tensor.LifParams;
import dev.spikevae.tensor.Tensor;

/** Multi-step leaky integrate-and-fire neurons over axis 0 of a time-major input (docs/reference.md §2.1). */
public final class Lif extends Module {
    private final LifParams params;
    private final DType spikeType;

    /** The reference neuron: decay 0.25, V_th 0.2, rectangle surrogate |u| &lt; 0.5, reset gradient kept. */
    public Lif() {
        this(LifParams.REFERENCE);
    }

    public Lif(LifParams params) {
        this(params, DType.F32);
    }

    /** Neurons whose output spikes are stored as {@code spikeType} (u8: a quarter of the memory). */
    public Lif(LifParams params, DType spikeType) {
        this.params = params;
        this.spikeType = spikeType;
    }

    public LifParams params() {
        return params;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Ops.lif(x, params, spikeType);
    }
}
