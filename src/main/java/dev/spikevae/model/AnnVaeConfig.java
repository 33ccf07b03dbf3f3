package dev.spikevae.model;

/**
 * An ANN VAE network (docs/reference.md §8.5): the image shape of the data and the spec's settings.
 *
 * @param inChannels image channels (1 or 3)
 * @param imageSize  32 for the small network, 64 for the large one (CelebA)
 * @param settings   the spec's {@code model:} section
 */
public record AnnVaeConfig(int inChannels, int imageSize, AnnVaeSettings settings) implements ModelConfig {

    public AnnVaeConfig {
        if (inChannels < 1) {
            throw new IllegalArgumentException("AnnVaeConfig.inChannels must be at least 1, got " + inChannels);
        }
        if (imageSize != 32 && imageSize != 64) {
            throw new IllegalArgumentException("the ANN VAE takes 32×32 or 64×64 images, got " + imageSize + "×"
                    + imageSize);
        }
        if (settings == null) {
            throw new IllegalArgumentException("AnnVaeConfig.settings must be set");
        }
        settings.validate();
    }

    /** The published settings with latent size {@code latent}. */
    public static AnnVaeConfig of(int inChannels, int imageSize, int latent) {
        return new AnnVaeConfig(inChannels, imageSize, AnnVaeSettings.REFERENCE.withLatent(latent));
    }

    @Override
    public String type() {
        return AnnVaeType.NAME;
    }

    public int latent() {
        return settings.latent();
    }

    /** Whether this is the large network (64×64 input, five stages). */
    public boolean large() {
        return imageSize == 64;
    }
}
