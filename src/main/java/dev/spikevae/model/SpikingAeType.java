package dev.spikevae.model;

import java.util.Map;
import java.util.Set;

/** The {@code spiking-ae} model type: the spiking autoencoder of docs/reference.md §6.5. */
final class SpikingAeType extends TypedModelType<SpikingAeSettings, SpikingAeConfig> {
    static final String NAME = "spiking-ae";
    static final SpikingAeType INSTANCE = new SpikingAeType();

    private SpikingAeType() {
        super(NAME, "the spiking autoencoder",
                "spiking autoencoder: the ESVAE backbone with the latent spikes fed straight to the decoder, MSE only",
                SpikingAeSettings.class, SpikingAeConfig.class,
                SpikingAeSettings.REFERENCE, Set.of("latent", "timesteps"),
                SpikingAeSettings::validate, SpikingAeConfig::new, SpikingAeConfig::settings, SpikingAe::create);
    }

    @Override
    public ReferenceKeys referenceKeys() {
        return REFERENCE_KEYS;
    }

    /** The published SAE state dict: the backbone's names, no sampler or prior. */
    private static final ReferenceKeys REFERENCE_KEYS = new ReferenceKeys() {
        @Override
        public boolean recognises(Set<String> keys) {
            return keys.contains("encoder.0.weight") && keys.contains("before_latent_layer.weight")
                    && !keys.contains("sample_layer.0.weight") && !keys.contains("prior.layers.0.weight")
                    && !keys.contains("posterior.layers.0.weight");
        }

        @Override
        public boolean ignored(String key) {
            return false;
        }

        @Override
        public ModelConfig infer(Map<String, long[]> shapes) {
            long[] first = shapes.get("encoder.0.weight");
            long[] latent = shapes.get("before_latent_layer.weight");
            long[] coef = shapes.get("membrane_output_layer.coef");
            if (first == null || latent == null || coef == null) {
                throw new IllegalArgumentException("not a spiking-ae checkpoint (the spiking autoencoder needs "
                        + "encoder.0.weight, before_latent_layer.weight and membrane_output_layer.coef)");
            }
            long steps = 1;
            for (long d : coef) {
                steps *= d;
            }
            int size = shapes.containsKey("encoder.4.weight") ? 64 : 32;
            return new SpikingAeConfig((int) first[1], size,
                    SpikingAeSettings.REFERENCE.withLatent((int) latent[0]).withTimesteps((int) steps));
        }
    };
}
