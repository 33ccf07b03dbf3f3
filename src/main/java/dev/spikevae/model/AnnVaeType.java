package dev.spikevae.model;

import java.util.Map;
import java.util.Set;

/** The {@code ann-vae} model type: the non-spiking VAE baseline, small or large by the image size. */
final class AnnVaeType extends TypedModelType<AnnVaeSettings, AnnVaeConfig> {
    static final String NAME = "ann-vae";
    static final AnnVaeType INSTANCE = new AnnVaeType();

    private AnnVaeType() {
        super(NAME, "the ANN VAE",
                "ANN VAE baseline: convolutional encoder/decoder, Gaussian latent, MSE + weighted KL divergence",
                AnnVaeSettings.class, AnnVaeConfig.class,
                // kld_weight left out: 1 / len(train loader), as published (docs/reference.md §8.5)
                AnnVaeSettings.REFERENCE.withKldWeight(AnnVaeSettings.AUTO), Set.of("latent"),
                AnnVaeSettings::validate, AnnVaeConfig::new, AnnVaeConfig::settings, AnnVae::create);
    }

    @Override
    public ReferenceKeys referenceKeys() {
        return REFERENCE_KEYS;
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
