package dev.spikevae.model;

import dev.spikevae.tensor.DType;

/**
 * A spiking autoencoder (docs/reference.md §6.5): the image shape of the data and the spec's settings.
 *
 * @param inChannels image channels
 * @param imageSize  32 (four stages, as published) or 64 (the large backbone's five stages)
 * @param settings   the spec's {@code model:} section
 */
public record SpikingAeConfig(int inChannels, int imageSize, SpikingAeSettings settings) implements ModelConfig {

    public SpikingAeConfig {
        if (inChannels < 1) {
            throw new IllegalArgumentException("SpikingAeConfig.inChannels must be at least 1, got " + inChannels);
        }
        if (imageSize != 32 && imageSize != 64) {
            throw new IllegalArgumentException("the spiking autoencoder takes 32×32 or 64×64 images, got " + imageSize
                    + "×" + imageSize);
        }
        if (settings == null) {
            throw new IllegalArgumentException("SpikingAeConfig.settings must be set");
        }
        settings.validate();
    }

    public static SpikingAeConfig of(int inChannels, int imageSize, int latent) {
        return new SpikingAeConfig(inChannels, imageSize, SpikingAeSettings.REFERENCE.withLatent(latent));
    }

    @Override
    public String type() {
        return SpikingAeType.NAME;
    }

    public DType spikeType() {
        return settings.spikeStorage().equals("f32") ? DType.F32 : DType.U8;
    }
}
