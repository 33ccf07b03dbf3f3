package dev.spikevae.experiment;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * The model to train.
 *
 * @param type         the model family; {@link #TYPES} lists the known ones ("esvae"; the dataset picks the small
 *                     or the large ESVAE, docs/reference.md §1.2-1.3)
 * @param latent       latent size L
 * @param timesteps    simulation steps T
 * @param spikeStorage how spike tensors are stored: "u8" (compact, the default) or "f32"; results are identical
 */
public record ModelSpec(
        @JsonProperty("type") String type,
        @JsonProperty("latent") int latent,
        @JsonProperty("timesteps") int timesteps,
        @JsonProperty("spike_storage") String spikeStorage) {

    /** Model types a spec may name. FSVAE and the ANN VAE join this list when they are built. */
    public static final List<String> TYPES = List.of("esvae");

    /** Values of {@code spike_storage}. */
    public static final List<String> SPIKE_STORAGES = List.of("u8", "f32");
}
