package dev.spikevae.model;

/**
 * The spec's {@code model:} section for {@code type: spiking-ae}, the spiking autoencoder (docs/reference.md §6.5):
 * ESVAE's backbone with the encoder's latent spikes fed straight to the decoder, trained with MSE only.
 *
 * @param latent       latent size L (the published script's default 128)
 * @param timesteps    simulation steps T (16)
 * @param spikeStorage {@code u8} or {@code f32} storage of the hidden spikes (identical results)
 * @param neuron       the LIF neuron of every spiking layer
 */
public record SpikingAeSettings(int latent, int timesteps, String spikeStorage, NeuronSettings neuron) {

    public static final SpikingAeSettings REFERENCE = new SpikingAeSettings(128, 16, "u8", NeuronSettings.REFERENCE);

    public void validate() {
        if (latent < 1) {
            throw new SettingsException("latent", "must be > 0, got " + latent);
        }
        if (timesteps < 1) {
            throw new SettingsException("timesteps", "must be > 0, got " + timesteps);
        }
        if (!EsvaeSettings.SPIKE_STORAGES.contains(spikeStorage)) {
            throw new SettingsException("spike_storage", "unknown value \"" + spikeStorage + "\"; expected one of "
                    + String.join(", ", EsvaeSettings.SPIKE_STORAGES));
        }
        if (neuron == null) {
            throw new SettingsException("neuron", "is missing");
        }
        neuron.validate("neuron");
    }

    public SpikingAeSettings withLatent(int l) {
        return new SpikingAeSettings(l, timesteps, spikeStorage, neuron);
    }

    public SpikingAeSettings withTimesteps(int t) {
        return new SpikingAeSettings(latent, t, spikeStorage, neuron);
    }
}
