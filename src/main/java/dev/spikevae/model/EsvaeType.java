package dev.spikevae.model;

import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.Rng;

import java.util.Map;
import java.util.Set;

/** The {@code esvae} model type: ESVAE and ESVAE-large, chosen by the image size. */
final class EsvaeType implements ModelType {
    static final String NAME = "esvae";
    static final EsvaeType INSTANCE = new EsvaeType();

    private EsvaeType() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "ESVAE: spiking encoder/decoder, reparameterisable Poisson latent, learnable prior, MMD loss";
    }

    @Override
    public Class<? extends Record> settingsType() {
        return EsvaeSettings.class;
    }

    @Override
    public Record defaultSettings() {
        return EsvaeSettings.REFERENCE;
    }

    @Override
    public Set<String> requiredSettings() {
        return Set.of("latent", "timesteps", "lambda", "prior_lr_scale");
    }

    @Override
    public void validate(Record settings) {
        settings(settings).validate();
    }

    @Override
    public ModelConfig configure(Record settings, int inChannels, int imageSize) {
        if (imageSize != 32 && imageSize != 64) {
            throw new IllegalArgumentException("ESVAE takes 32×32 or 64×64 images (the data gives " + imageSize + "×"
                    + imageSize + ")");
        }
        return new EsvaeConfig(inChannels, imageSize, settings(settings));
    }

    @Override
    public Record settingsOf(ModelConfig config) {
        return config(config).settings();
    }

    @Override
    public GenerativeModel create(Backend backend, ModelConfig config, Rng init) {
        return Esvae.create(backend, config(config), init);
    }

    @Override
    public ReferenceKeys referenceKeys() {
        return REFERENCE_KEYS;
    }

    private static EsvaeSettings settings(Record r) {
        if (!(r instanceof EsvaeSettings s)) {
            throw new IllegalArgumentException("esvae: expected ESVAE settings, got " + r);
        }
        return s;
    }

    private static EsvaeConfig config(ModelConfig c) {
        if (!(c instanceof EsvaeConfig e)) {
            throw new IllegalArgumentException("esvae: expected an ESVAE configuration, got a " + c.type() + " one");
        }
        return e;
    }

    /**
     * The published ESVAE's state dict has the keys of docs/reference.md §13 plus the FSVAE prior and posterior
     * networks it builds but never uses ({@code prior.*}, {@code posterior.*}, §1.2), which are skipped.
     */
    private static final ReferenceKeys REFERENCE_KEYS = new ReferenceKeys() {
        @Override
        public boolean recognises(Set<String> keys) {
            return keys.contains("encoder.0.weight") && keys.contains("before_latent_layer.weight")
                    && keys.contains("sample_layer.0.weight");
        }

        @Override
        public boolean ignored(String key) {
            return key.startsWith("prior.") || key.startsWith("posterior.");
        }

        @Override
        public ModelConfig infer(Map<String, long[]> shapes) {
            long[] first = shapes.get("encoder.0.weight");
            long[] latent = shapes.get("before_latent_layer.weight");
            long[] coef = shapes.get("membrane_output_layer.coef");
            if (first == null || latent == null || coef == null) {
                throw new IllegalArgumentException("not an ESVAE checkpoint (needs encoder.0.weight, "
                        + "before_latent_layer.weight and membrane_output_layer.coef)");
            }
            long steps = 1;
            for (long d : coef) {
                steps *= d;
            }
            int size = shapes.containsKey("encoder.4.weight") ? 64 : 32;
            EsvaeSettings s = EsvaeSettings.REFERENCE.withLatent((int) latent[0]).withTimesteps((int) steps);
            return new EsvaeConfig((int) first[1], size, s);
        }
    };
}
