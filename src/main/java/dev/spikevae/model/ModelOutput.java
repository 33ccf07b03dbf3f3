package dev.spikevae.model;

import dev.spikevae.tensor.Tensor;

import java.util.Map;

/**
 * What a forward pass gives: the reconstructions and, by name, the quantities worth averaging over a test set
 * (ESVAE: {@code rate_post} and {@code rate_prior}, the mean posterior and prior firing rates). Each model's
 * output type also carries what its own loss needs.
 */
public interface ModelOutput {
    /** Reconstructed images {@code [N, C, H, W]} in [-1, 1]. */
    Tensor reconstruction();

    /** Tensors whose element mean is reported by name (per batch, averaged over images by the evaluator). */
    Map<String, Tensor> monitors();

    /**
     * Tensors {@code [N, ...]} whose mean over the images (a map of the remaining axes) is worth reporting by name
     * (ESVAE: {@code sampled_latent}, the sampled latent spikes as {@code [N, L, T]}). None by default.
     */
    default Map<String, Tensor> maps() {
        return Map.of();
    }
}
