package dev.spikevae.model;

import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.Rng;

import java.util.Map;
import java.util.Set;

/** The {@code ann-vae} model type: the non-spiking VAE baseline, small or large by the image size. */
final class AnnVaeType implements ModelType {
    static final String NAME = "ann-vae";
    static final AnnVaeType INSTANCE = new AnnVaeType();

    private AnnVaeType() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "ANN VAE baseline: convolutional encoder/decoder, Gaussian latent, MSE + weighted KL divergence";
    }

    @Override
    public Class<? extends Record> settingsType() {
        return AnnVaeSettings.class;
    }

    @Override
    public Record defaultSettings() {
        // kld_weight left out: 1 / len(train loader), as published (docs/reference.md §8.5)
        return AnnVaeSettings.REFERENCE.withKldWeight(AnnVaeSettings.AUTO);
    }

    @Override
    public Set<String> requiredSettings() {
        return Set.of("latent");
    }

    @Override
    public void validate(Record settings) {
        settings(settings).validate();
    }

    @Override
    public ModelConfig configure(Record settings, int inChannels, int imageSize) {
        if (imageSize != 32 && imageSize != 64) {
            throw new IllegalArgumentException("the ANN VAE takes 32×32 or 64×64 images (the data gives " + imageSize
                    + "×" + imageSize + ")");
        }
        return new AnnVaeConfig(inChannels, imageSize, settings(settings));
    }

    @Override
    public Record settingsOf(ModelConfig config) {
        return config(config).settings();
    }

    @Override
    public GenerativeModel create(Backend backend, ModelConfig config, Rng init) {
        return AnnVae.create(backend, config(config), init);
    }

    @Override
    public ReferenceKeys referenceKeys() {
        return REFERENCE_KEYS;
    }

    private static AnnVaeSettings settings(Record r) {
        if (!(r instanceof AnnVaeSettings s)) {
            throw new IllegalArgumentException("ann-vae: expected ANN VAE settings, got " + r);
        }
        return s;
    }

    private static AnnVaeConfig config(ModelConfig c) {
        if (!(c instanceof AnnVaeConfig a)) {
            throw new IllegalArgumentException("ann-vae: expected an ANN VAE configuration, got a " + c.type() + " one");
        }
        return a;
    }

    /** The published VanillaVAE / VanillaVAELarge state dict: the same names, nothing skipped. */
    private static final ReferenceKeys REFERENCE_KEYS = new ReferenceKeys() {
        @Override
        public boolean recognises(Set<String> keys) {
            return keys.contains("encoder.0.0.weight") && keys.contains("fc_mu.weight") && keys.contains("fc_var.weight");
        }

        @Override
        public boolean ignored(String key) {
            return false;
        }

        @Override
        public ModelConfig infer(Map<String, long[]> shapes) {
            long[] first = shapes.get("encoder.0.0.weight");
            long[] mu = shapes.get("fc_mu.weight");
            if (first == null || mu == null) {
                throw new IllegalArgumentException("not an ann-vae checkpoint (the ANN VAE needs encoder.0.0.weight "
                        + "and fc_mu.weight)");
            }
            int size = shapes.containsKey("encoder.4.0.weight") ? 64 : 32;
            return new AnnVaeConfig((int) first[1], size, AnnVaeSettings.REFERENCE.withLatent((int) mu[0]));
        }
    };
}
