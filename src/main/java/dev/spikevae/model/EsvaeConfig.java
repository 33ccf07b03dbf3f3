package dev.spikevae.model;

import dev.spikevae.tensor.DType;
import dev.spikevae.tensor.LifParams;

/**
 * The shape of an ESVAE network (docs/reference.md §1.2–§1.4).
 *
 * @param inChannels image channels: 1 (MNIST, Fashion-MNIST) or 3 (CIFAR-10, CelebA)
 * @param imageSize  32 for the small network, 64 for the large one (CelebA)
 * @param latent     latent size L (32 for MNIST/Fashion-MNIST, 128 for CIFAR-10/CelebA)
 * @param timesteps  simulation steps T (16 in the reference)
 * @param lif        the neuron of every spiking layer
 * @param spikeType  storage of the hidden spike tensors: u8 takes a quarter of the memory of f32 and gives
 *                   identical results
 */
public record EsvaeConfig(int inChannels, int imageSize, int latent, int timesteps, LifParams lif, DType spikeType) {

    /** The reference number of time steps. */
    public static final int REFERENCE_TIMESTEPS = 16;

    public EsvaeConfig {
        if (inChannels < 1) {
            throw new IllegalArgumentException("EsvaeConfig.inChannels must be at least 1, got " + inChannels);
        }
        if (imageSize != 32 && imageSize != 64) {
            throw new IllegalArgumentException("EsvaeConfig.imageSize must be 32 (ESVAE) or 64 (ESVAE-large), got "
                    + imageSize);
        }
        if (latent < 1) {
            throw new IllegalArgumentException("EsvaeConfig.latent must be at least 1, got " + latent);
        }
        if (timesteps < 1) {
            throw new IllegalArgumentException("EsvaeConfig.timesteps must be at least 1, got " + timesteps);
        }
        if (lif == null) {
            throw new IllegalArgumentException("EsvaeConfig.lif must be set");
        }
        if (spikeType == null) {
            throw new IllegalArgumentException("EsvaeConfig.spikeType must be set (F32 or U8)");
        }
    }

    /** The reference settings for a dataset's shape: T = 16, the reference neuron, u8 spike storage. */
    public static EsvaeConfig of(int inChannels, int imageSize, int latent) {
        return new EsvaeConfig(inChannels, imageSize, latent, REFERENCE_TIMESTEPS, LifParams.REFERENCE, DType.U8);
    }

    /** Whether this is ESVAE-large (64×64 input, five encoder stages). */
    public boolean large() {
        return imageSize == 64;
    }

    public EsvaeConfig withTimesteps(int steps) {
        return new EsvaeConfig(inChannels, imageSize, latent, steps, lif, spikeType);
    }

    public EsvaeConfig withLif(LifParams params) {
        return new EsvaeConfig(inChannels, imageSize, latent, timesteps, params, spikeType);
    }

    public EsvaeConfig withSpikeType(DType type) {
        return new EsvaeConfig(inChannels, imageSize, latent, timesteps, lif, type);
    }

    /**
     * Channels of the encoder stages (each a stride-2 convolution); the decoder mirrors them.
     * Small: 32, 64, 128, 256; large adds 512.
     */
    public int[] hiddenChannels() {
        return large() ? new int[] {32, 64, 128, 256, 512} : new int[] {32, 64, 128, 256};
    }
}
