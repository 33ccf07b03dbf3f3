package dev.spikevae.model;

import dev.spikevae.tensor.Tensor;

/**
 * The spike-train latent of a spiking model: images to posterior rates and latent spikes, and latent spikes back to
 * images. Spike trains are time-major {@code [T, N, L]} of 0/1 values.
 */
public interface SpikingLatent {
    /** Latent channels L. */
    int latentSize();

    /** Time steps T. */
    int timesteps();

    /**
     * Posterior firing rates {@code [N, L]} of the images and the latent spike trains {@code [T, N, L]} the decoder
     * reads from them (ESVAE: the encoder's spikes {@code x_e}; the decoder gets spikes sampled at those rates).
     */
    Encoding encode(Tensor images, StepContext context);

    /**
     * The latent spike trains {@code [T, N, L]} the decoder reads for these images in a forward pass (ESVAE: spikes
     * sampled at the posterior rates), drawn from the context's stream: what perturbation experiments disturb.
     */
    Tensor posteriorSpikes(Tensor images, StepContext context);

    /** Images {@code [N, C, H, W]} decoded from latent spike trains {@code [T, N, L]}. */
    Tensor decode(Tensor spikes);

    /** Rates and spike trains of a batch. */
    record Encoding(Tensor rates, Tensor spikes) {
    }
}
