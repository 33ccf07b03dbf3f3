package dev.spikevae.model;

import java.util.List;

/**
 * The spec's {@code model:} section for {@code type: fsvae} (docs/reference.md §8): the spiking backbone with an
 * autoregressive Bernoulli latent drawn from spiking posterior and prior networks.
 *
 * @param latent       latent size L (128 on every dataset)
 * @param timesteps    simulation steps T (16)
 * @param k            candidate spikes per latent channel of the posterior and prior networks (20)
 * @param spikeStorage {@code u8} or {@code f32} storage of the backbone's hidden spikes (identical results)
 * @param neuron       the LIF neuron of every spiking layer
 * @param distance     {@code mmd}: the squared difference of the PSP-filtered posterior and prior probabilities
 *                     (the published default); {@code kld}: a smoothed Bernoulli KL divergence (docs/reference.md §8.3)
 * @param kldWeight    the KL term's weight when {@code distance} is {@code kld} (1e-4); the mmd term has weight 1
 * @param scheduled    scheduled sampling in the prior's training pass (p = 0.1 + 0.2·(epoch − 1)/epochs)
 */
public record FsvaeSettings(int latent, int timesteps, int k, String spikeStorage, NeuronSettings neuron,
                            String distance, double kldWeight, boolean scheduled) {

    public static final FsvaeSettings REFERENCE = new FsvaeSettings(128, 16, 20, "u8", NeuronSettings.REFERENCE, "mmd",
            1e-4, true);

    /** Values of {@code distance}. */
    public static final List<String> DISTANCES = List.of("mmd", "kld");

    public void validate() {
        if (latent < 1) {
            throw new SettingsException("latent", "must be > 0, got " + latent);
        }
        if (timesteps < 2) {
            throw new SettingsException("timesteps", "must be >= 2 (the latent is autoregressive), got " + timesteps);
        }
        if (k < 1) {
            throw new SettingsException("k", "must be > 0, got " + k);
        }
        if (!EsvaeSettings.SPIKE_STORAGES.contains(spikeStorage)) {
            throw new SettingsException("spike_storage", "unknown value \"" + spikeStorage + "\"; expected one of "
                    + String.join(", ", EsvaeSettings.SPIKE_STORAGES));
        }
        if (neuron == null) {
            throw new SettingsException("neuron", "is missing");
        }
        neuron.validate("neuron");
        if (!DISTANCES.contains(distance)) {
            throw new SettingsException("distance", "unknown value \"" + distance + "\"; expected one of "
                    + String.join(", ", DISTANCES));
        }
        if (!(kldWeight >= 0) || Double.isInfinite(kldWeight)) {
            throw new SettingsException("kld_weight", "must be a finite number >= 0, got " + kldWeight);
        }
    }

    public FsvaeSettings withLatent(int l) {
        return new FsvaeSettings(l, timesteps, k, spikeStorage, neuron, distance, kldWeight, scheduled);
    }

    public FsvaeSettings withTimesteps(int t) {
        return new FsvaeSettings(latent, t, k, spikeStorage, neuron, distance, kldWeight, scheduled);
    }

    public FsvaeSettings withK(int candidates) {
        return new FsvaeSettings(latent, timesteps, candidates, spikeStorage, neuron, distance, kldWeight, scheduled);
    }

    public FsvaeSettings withDistance(String d) {
        return new FsvaeSettings(latent, timesteps, k, spikeStorage, neuron, d, kldWeight, scheduled);
    }

    public FsvaeSettings withScheduled(boolean s) {
        return new FsvaeSettings(latent, timesteps, k, spikeStorage, neuron, distance, kldWeight, s);
    }
}
