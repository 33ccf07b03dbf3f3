package dev.spikevae.model;

import dev.spikevae.autograd.Ops;
import dev.spikevae.nn.MembraneReadout;
import dev.spikevae.nn.Module;
import dev.spikevae.nn.Sequential;
import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.DType;
import dev.spikevae.tensor.LifParams;
import dev.spikevae.tensor.Rng;
import dev.spikevae.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * The spiking encoder and decoder that ESVAE, FSVAE and the spiking autoencoder share (docs/reference.md §1.2, §1.3,
 * §8.1): stride-2 tdConv stages down to 2×2, a tdLinear to L latent spikes ({@code x_e}), a tdLinear back, tdConvT
 * stages up to the image, a real-valued last tdConvT read out as the final membrane of a 0.8-decay integrator, then
 * tanh. The members are registered under the published names ({@code encoder.*}, {@code before_latent_layer},
 * {@code decoder_input}, {@code decoder.*}, {@code final_layer.*}, {@code membrane_output_layer}); a subclass adds
 * its latent machinery after them.
 *
 * <p>Spiking tensors are time-major ({@code [T, N, ...]}); every layer is one op over the merged {@code T·N} batch.
 */
public abstract class SpikingBackbone extends Module {
    /** Spatial size at the bottleneck: every stage halves the image down to 2×2. */
    static final int BOTTLENECK = 2;

    private final Backend backend;
    private final int inChannels;
    private final int imageSize;
    private final int latent;
    private final int timesteps;
    private final List<TdConv> encoderLayers = new ArrayList<>();
    private final TdLinear beforeLatent;
    private final TdLinear decoderInput;
    /** decoder.* then final_layer.*, applied in this order. */
    private final List<TdLayer> decoderLayers = new ArrayList<>();
    private final MembraneReadout readout;
    private final int bottleneckChannels;

    /**
     * Members are created (and their initial values drawn from {@code init}) in the published order.
     *
     * @param imageSize 32 (four stages) or 64 (five stages, the "large" networks)
     * @param spikeType storage of the hidden spike tensors; the latent spikes are always f32 (small, read by reductions)
     */
    protected SpikingBackbone(Backend backend, int inChannels, int imageSize, int latent, int timesteps, LifParams lif,
                              DType spikeType, Rng init) {
        if (backend == null || init == null || lif == null || spikeType == null) {
            throw new IllegalArgumentException("SpikingBackbone: backend, lif, spikeType and init must be set");
        }
        if (imageSize != 32 && imageSize != 64) {
            throw new IllegalArgumentException("the spiking backbone takes 32×32 or 64×64 images, got " + imageSize);
        }
        this.backend = backend;
        this.inChannels = inChannels;
        this.imageSize = imageSize;
        this.latent = latent;
        this.timesteps = timesteps;
        int[] hidden = hiddenChannels(imageSize);
        TdLayer.Neurons hiddenNeurons = new TdLayer.Neurons(lif, spikeType);
        TdLayer.Neurons latentNeurons = new TdLayer.Neurons(lif, DType.F32);
        this.bottleneckChannels = hidden[hidden.length - 1];
        int flat = bottleneckChannels * BOTTLENECK * BOTTLENECK;

        Sequential enc = addModule("encoder", new Sequential());
        int in = inChannels;
        for (int h : hidden) {
            TdConv layer = new TdConv(backend, in, h, 3, 2, 1, hiddenNeurons, init);
            enc.add(layer);
            encoderLayers.add(layer);
            in = h;
        }
        this.beforeLatent = addModule("before_latent_layer", new TdLinear(backend, flat, latent, latentNeurons, init));
        this.decoderInput = addModule("decoder_input", new TdLinear(backend, latent, flat, hiddenNeurons, init));

        Sequential dec = addModule("decoder", new Sequential());
        for (int i = hidden.length - 1; i > 0; i--) {
            TdConvTranspose layer = new TdConvTranspose(backend, hidden[i], hidden[i - 1], 3, 2, 1, 1, hiddenNeurons, init);
            dec.add(layer);
            decoderLayers.add(layer);
        }
        Sequential fin = addModule("final_layer", new Sequential());
        TdConvTranspose upsample = new TdConvTranspose(backend, hidden[0], hidden[0], 3, 2, 1, 1, hiddenNeurons, init);
        TdConvTranspose toImage = new TdConvTranspose(backend, hidden[0], inChannels, 3, 1, 1, 0, null, init);
        fin.add(upsample).add(toImage);
        decoderLayers.add(upsample);
        decoderLayers.add(toImage);

        this.readout = addModule("membrane_output_layer", new MembraneReadout(backend, timesteps));
    }

    /** Stage channels of the encoder (the decoder mirrors them): 32, 64, 128, 256; the large network adds 512. */
    public static int[] hiddenChannels(int imageSize) {
        return imageSize == 64 ? new int[] {32, 64, 128, 256, 512} : new int[] {32, 64, 128, 256};
    }

    public final Backend backend() {
        return backend;
    }

    /** Latent channels L. */
    public final int latentSize() {
        return latent;
    }

    /** Time steps T. */
    public final int timesteps() {
        return timesteps;
    }

    /**
     * Makes the backbone's layers count their operations into {@code counts} (null stops counting) under their
     * published names; {@code firstConvAsMacs}: the first convolution's real-valued input is counted as MACs.
     */
    protected final void countBackboneOperations(OperationCounts counts, boolean firstConvAsMacs) {
        for (int i = 0; i < encoderLayers.size(); i++) {
            encoderLayers.get(i).countOperations(counts, "encoder." + i);
        }
        encoderLayers.get(0).countInputAsMacs(firstConvAsMacs);
        beforeLatent.countOperations(counts, "before_latent_layer");
        decoderInput.countOperations(counts, "decoder_input");
        int decoderStages = decoderLayers.size() - 2;
        for (int i = 0; i < decoderLayers.size(); i++) {
            String name = i < decoderStages ? "decoder." + i : "final_layer." + (i - decoderStages);
            decoderLayers.get(i).countOperations(counts, name);
        }
    }

    /**
     * The encoder's latent spikes {@code x_e} {@code [T, N, L]} of images {@code [N, C, H, W]} (direct encoding: the
     * image is the input current at every step).
     */
    protected final Tensor encoderSpikes(Tensor images, String owner) {
        if (images.rank() != 4 || images.dim(1) != inChannels || images.dim(2) != imageSize
                || images.dim(3) != imageSize || images.dtype() != DType.F32) {
            throw new IllegalArgumentException(owner + ".encode: images must be f32 [N, " + inChannels + ", " + imageSize
                    + ", " + imageSize + "], got " + images);
        }
        int n = images.dim(0);
        Tensor h = encoderLayers.get(0).forwardRepeated(images, timesteps);
        for (int i = 1; i < encoderLayers.size(); i++) {
            h = encoderLayers.get(i).forward(h);
        }
        // Flattening [C, H, W] keeps the reference's feature order c·H·W + h·W + w.
        return beforeLatent.forward(Ops.reshape(h, timesteps, n, -1));
    }

    /** Decodes time-major latent spikes {@code [T, N, L]} to images {@code [N, C, H, W]} in [-1, 1]. */
    protected final Tensor decodeSpikes(Tensor spikes, String owner) {
        if (spikes.rank() != 3 || spikes.dim(0) != timesteps || spikes.dim(2) != latent) {
            throw new IllegalArgumentException(owner + ".decode: spikes must be time-major [" + timesteps + ", N, "
                    + latent + "], got " + spikes.shape());
        }
        int n = spikes.dim(1);
        Tensor h = decoderInput.forward(spikes);
        h = Ops.reshape(h, timesteps, n, bottleneckChannels, BOTTLENECK, BOTTLENECK);
        for (TdLayer layer : decoderLayers) {
            h = layer.forward(h);
        }
        return Ops.tanh(readout.forward(h));
    }
}
