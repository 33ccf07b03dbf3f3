package dev.spikevae.model;

import dev.spikevae.nn.Module;
import dev.spikevae.nn.Parameter;
import dev.spikevae.nn.TdBatchNorm;
import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.DType;
import dev.spikevae.tensor.LifParams;
import dev.spikevae.tensor.Tensor;

/**
 * A time-distributed weight layer of the reference (tdConv, tdConvTranspose, tdLinear; docs/reference.md §1.1):
 * the weight op applied to the merged {@code T·N} batch, then, for a spiking layer, tdBN and LIF as one
 * fused node. Members carry the reference's names, so a layer registered as {@code encoder.0} has the
 * checkpoint keys {@code encoder.0.weight}, {@code encoder.0.bias} and {@code encoder.0.bn.*}.
 */
public abstract class TdLayer extends Module {
    /** The neurons after the normalisation: their parameters and how their spikes are stored. */
    public record Neurons(LifParams lif, DType spikeType) {
        public Neurons {
            if (lif == null || spikeType == null) {
                throw new IllegalArgumentException("TdLayer.Neurons: lif and spikeType must be set");
            }
        }
    }

    private final Parameter weight;
    private final Parameter bias;
    private final TdBatchNorm bn;
    private final Neurons neurons;
    /** Where operations are counted while evaluation asks for it (null: not counting), and this layer's name there. */
    private OperationCounts counts;
    private String countName;

    /**
     * @param weight   the initial weight (becomes parameter {@code weight})
     * @param bias     the initial bias (parameter {@code bias})
     * @param channels output channels (or features), the size of the tdBN
     * @param neurons  tdBN + LIF after the weight op, or null for a real-valued layer (the last decoder layer)
     */
    protected TdLayer(Backend backend, Tensor weight, Tensor bias, int channels, Neurons neurons) {
        this(backend, weight, bias, channels, neurons, 1f);
    }

    /** As above with tdBN's {@code alpha} (docs/reference.md §2.2: 1 in the backbones, 2 in FSVAE's prior and posterior). */
    protected TdLayer(Backend backend, Tensor weight, Tensor bias, int channels, Neurons neurons, float bnAlpha) {
        this.weight = addParameter("weight", weight);
        this.bias = addParameter("bias", bias);
        this.bn = neurons == null ? null : addModule("bn", new TdBatchNorm(backend, channels, bnAlpha));
        this.neurons = neurons;
    }

    /** The weight op (convolution, transposed convolution or linear map) on a time-major input. */
    protected abstract Tensor applyWeights(Tensor x);

    @Override
    public Tensor forward(Tensor x) {
        Tensor pre = applyWeights(x);
        Tensor out = activate(pre);
        if (counts != null) {
            // spiking input: an addition per input spike and output it reaches, plus the bias of every output
            counts.record(countName, OperationCounts.sum(x) * fanOut() + pre.numel(), 0);
            countNeurons(pre, out);
        }
        return out;
    }

    /**
     * The outputs one input element reaches, as the published count has it: {@code k·k·out / stride²} for a
     * convolution, {@code out·k·k·stride²} for a transposed convolution, {@code out} for a linear map.
     */
    protected abstract double fanOut();

    /** Counts operations into {@code counts} under {@code name} from now on; null stops counting. */
    public final void countOperations(OperationCounts counts, String name) {
        this.counts = counts;
        this.countName = name;
    }

    protected final OperationCounts counts() {
        return counts;
    }

    protected final String countName() {
        return countName;
    }

    /** LIF: an addition per input, a multiplication per step without a spike. */
    protected final void countNeurons(Tensor pre, Tensor out) {
        if (bn != null) {
            counts.record(countName + ".lif", pre.numel(), OperationCounts.zeros(out));
        }
    }

    /** tdBN + LIF on the time-major pre-activation, or the pre-activation itself for a real-valued layer. */
    protected final Tensor activate(Tensor preActivation) {
        if (bn == null) {
            return preActivation;
        }
        return bn.forwardLif(preActivation, neurons.lif(), neurons.spikeType());
    }

    public final Parameter weight() {
        return weight;
    }

    public final Parameter bias() {
        return bias;
    }

    /** The tdBN of a spiking layer, or null. */
    public final TdBatchNorm bn() {
        return bn;
    }

    public final boolean spiking() {
        return bn != null;
    }
}
