package dev.spikevae.model;

import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.Rng;

import java.util.Map;
import java.util.Set;

/** The {@code spiking-ae} model type: the spiking autoencoder of docs/reference.md §6.5. */
final class SpikingAeType implements ModelType {
    static final String NAME = "spiking-ae";
    static final SpikingAeType INSTANCE = new SpikingAeType();

    private SpikingAeType() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "spiking autoencoder: the ESVAE backbone with the latent spikes fed straight to the decoder, MSE only";
    }

    @Override
    public Class<? extends Record> settingsType() {
        return SpikingAeSettings.class;
    }

    @Override
    public Record defaultSettings() {
        return SpikingAeSettings.REFERENCE;
    }

    @Override
    public Set<String> requiredSettings() {
        return Set.of("latent", "timesteps");
    }

    @Override
    public void validate(Record settings) {
        settings(settings).validate();
    }

    @Override
    public ModelConfig configure(Record settings, int inChannels, int imageSize) {
        if (imageSize != 32 && imageSize != 64) {
            throw new IllegalArgumentException("the spiking autoencoder takes 32×32 or 64×64 images (the data gives " + imageSize
                    + "×" + imageSize + ")");
        }
        return new SpikingAeConfig(inChannels, imageSize, settings(settings));
    }

    @Override
    public Record settingsOf(ModelConfig config) {
        return config(config).settings();
    }

    @Override
    public GenerativeModel create(Backend backend, ModelConfig config, Rng init) {
        return SpikingAe.create(backend, config(config), init);
    }

    @Override
    public ReferenceKeys referenceKeys() {
        return REFERENCE_KEYS;
    }

    private static SpikingAeSettings settings(Record r) {
        if (!(r instanceof SpikingAeSettings s)) {
            throw new IllegalArgumentException("spiking-ae: expected spiking autoencoder settings, got " + r);
        }
        return s;
    }

    private static SpikingAeConfig config(ModelConfig c) {
        if (!(c instanceof SpikingAeConfig a)) {
            throw new IllegalArgumentException("spiking-ae: expected a spiking autoencoder configuration, got a " + c.type() + " one");
        }
        return a;
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
