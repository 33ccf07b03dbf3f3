package dev.spikevae.model;

import dev.spikevae.tensor.DType;
import dev.spikevae.tensor.LifParams;

/**
 * An ESVAE network (docs/reference.md §1.2–§1.4): the image shape of the data and the spec's settings.
 *
 * @param inChannels image channels: 1 (MNIST, Fashion-MNIST) or 3 (CIFAR-10, CelebA)
 * @param imageSize  32 for the small network, 64 for the large one (CelebA)
 * @param settings   the spec's {@code model:} section
 */
public record EsvaeConfig(int inChannels, int imageSize, EsvaeSettings settings) implements ModelConfig {

    /** The reference number of time steps. */
    public static final int REFERENCE_TIMESTEPS = 16;

    public EsvaeConfig {
        if (inChannels < 1) {
            throw new IllegalArgumentException("EsvaeConfig.inChannels must be at least 1, got " + inChannels);
        }
        if (imageSize != 32 && imageSize != 64) {
            throw new IllegalArgumentException("ESVAE takes 32×32 (ESVAE) or 64×64 (ESVAE-large) images, got "
                    + imageSize + "×" + imageSize);
        }
        if (settings == null) {
            throw new IllegalArgumentException("EsvaeConfig.settings must be set");
        }
        settings.validate();
    }

    /** The reference settings (T = 16, the reference neuron and sampler, u8 spikes) with latent size {@code latent}. */
    public static EsvaeConfig of(int inChannels, int imageSize, int latent) {
        return new EsvaeConfig(inChannels, imageSize, EsvaeSettings.REFERENCE.withLatent(latent));
    }

    @Override
    public String type() {
        return EsvaeType.NAME;
    }

    public int latent() {
        return settings.latent();
    }

    public int timesteps() {
        return settings.timesteps();
    }

    /** The neuron of every spiking layer. */
    public LifParams lif() {
        return settings.neuron().lif();
    }

    /** Storage of the hidden spike tensors. */
    public DType spikeType() {
        return settings.spikeStorage().equals("f32") ? DType.F32 : DType.U8;
    }

    public float samplerHalfWidth() {
        return (float) settings.sampler().halfWidth();
    }

    public float lambda() {
        return (float) settings.lambda();
    }

    public double priorLrScale() {
        return settings.priorLrScale();
    }

    /** Whether this is ESVAE-large (64×64 input, five encoder stages). */
    public boolean large() {
        return imageSize == 64;
    }

    public EsvaeConfig withTimesteps(int steps) {
        return new EsvaeConfig(inChannels, imageSize, settings.withTimesteps(steps));
    }

    public EsvaeConfig withLif(LifParams params) {
        return new EsvaeConfig(inChannels, imageSize, settings.withNeuron(NeuronSettings.of(params)));
    }

    public EsvaeConfig withSpikeType(DType type) {
        return new EsvaeConfig(inChannels, imageSize, settings.withSpikeStorage(type == DType.F32 ? "f32" : "u8"));
    }

    /**
     * Channels of the encoder stages (each a stride-2 convolution); the decoder mirrors them.
     * Small: 32, 64, 128, 256; large adds 512.
     */
    public int[] hiddenChannels() {
        return large() ? new int[] {32, 64, 128, 256, 512} : new int[] {32, 64, 128, 256};
    }
}
