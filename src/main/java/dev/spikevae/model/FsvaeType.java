package dev.spikevae.model;

import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.Rng;

import java.util.Map;
import java.util.Set;

/** The {@code fsvae} model type: FSVAE and FSVAE-large (docs/reference.md §8), chosen by the image size. */
final class FsvaeType implements ModelType {
    static final String NAME = "fsvae";
    static final FsvaeType INSTANCE = new FsvaeType();

    private FsvaeType() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "FSVAE: spiking encoder/decoder, autoregressive Bernoulli latent from spiking posterior and prior nets";
    }

    @Override
    public Class<? extends Record> settingsType() {
        return FsvaeSettings.class;
    }

    @Override
    public Record defaultSettings() {
        return FsvaeSettings.REFERENCE;
    }

    @Override
    public Set<String> requiredSettings() {
        return Set.of("latent", "timesteps", "k");
    }

    @Override
    public void validate(Record settings) {
        settings(settings).validate();
    }

    @Override
    public ModelConfig configure(Record settings, int inChannels, int imageSize) {
        if (imageSize != 32 && imageSize != 64) {
            throw new IllegalArgumentException("FSVAE takes 32×32 or 64×64 images (the data gives " + imageSize
                    + "×" + imageSize + ")");
        }
        return new FsvaeConfig(inChannels, imageSize, settings(settings));
    }

    @Override
    public Record settingsOf(ModelConfig config) {
        return config(config).settings();
    }

    @Override
    public GenerativeModel create(Backend backend, ModelConfig config, Rng init) {
        return Fsvae.create(backend, config(config), init);
    }

    @Override
    public ReferenceKeys referenceKeys() {
        return REFERENCE_KEYS;
    }

    private static FsvaeSettings settings(Record r) {
        if (!(r instanceof FsvaeSettings s)) {
            throw new IllegalArgumentException("fsvae: expected FSVAE settings, got " + r);
        }
        return s;
    }

    private static FsvaeConfig config(ModelConfig c) {
        if (!(c instanceof FsvaeConfig a)) {
            throw new IllegalArgumentException("fsvae: expected an FSVAE configuration, got a " + c.type() + " one");
        }
        return a;
    }

    /** The published FSVAE state dict: the backbone plus {@code prior.*} and {@code posterior.*}, all kept. */
    private static final ReferenceKeys REFERENCE_KEYS = new ReferenceKeys() {
        @Override
        public boolean recognises(Set<String> keys) {
            return keys.contains("encoder.0.weight") && keys.contains("prior.layers.0.weight")
                    && keys.contains("posterior.layers.0.weight") && !keys.contains("sample_layer.0.weight");
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
            long[] candidates = shapes.get("posterior.layers.2.weight");
            if (first == null || latent == null || coef == null || candidates == null) {
                throw new IllegalArgumentException("not an fsvae checkpoint (FSVAE needs encoder.0.weight, "
                        + "before_latent_layer.weight, membrane_output_layer.coef and posterior.layers.2.weight)");
            }
            long steps = 1;
            for (long d : coef) {
                steps *= d;
            }
            int size = shapes.containsKey("encoder.4.weight") ? 64 : 32;
            int l = (int) latent[0];
            return new FsvaeConfig((int) first[1], size, FsvaeSettings.REFERENCE.withLatent(l)
                    .withTimesteps((int) steps).withK((int) (candidates[0] / l)));
        }
    };
}
