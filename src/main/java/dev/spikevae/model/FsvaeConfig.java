package dev.spikevae.model;

import dev.spikevae.tensor.DType;

/**
 * An FSVAE network (docs/reference.md §8): the image shape of the data and the spec's settings.
 *
 * @param inChannels image channels
 * @param imageSize  32 (FSVAE) or 64 (FSVAE-large, CelebA)
 * @param settings   the spec's {@code model:} section
 */
public record FsvaeConfig(int inChannels, int imageSize, FsvaeSettings settings) implements ModelConfig {

    public FsvaeConfig {
        if (inChannels < 1) {
            throw new IllegalArgumentException("FsvaeConfig.inChannels must be at least 1, got " + inChannels);
        }
        if (imageSize != 32 && imageSize != 64) {
            throw new IllegalArgumentException("FSVAE takes 32×32 or 64×64 images, got " + imageSize + "×" + imageSize);
        }
        if (settings == null) {
            throw new IllegalArgumentException("FsvaeConfig.settings must be set");
        }
        settings.validate();
    }

    /** The published settings (L = 128, k = 20, T = 16). */
    public static FsvaeConfig of(int inChannels, int imageSize) {
        return new FsvaeConfig(inChannels, imageSize, FsvaeSettings.REFERENCE);
    }

    public FsvaeConfig withSettings(FsvaeSettings s) {
        return new FsvaeConfig(inChannels, imageSize, s);
    }

    @Override
    public String type() {
        return FsvaeType.NAME;
    }

    public DType spikeType() {
        return settings.spikeStorage().equals("f32") ? DType.F32 : DType.U8;
    }
}
