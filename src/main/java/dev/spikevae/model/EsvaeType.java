package dev.spikevae.model;

import java.util.Map;
import java.util.Set;

/** The {@code esvae} model type: ESVAE and ESVAE-large, chosen by the image size. */
final class EsvaeType extends TypedModelType<EsvaeSettings, EsvaeConfig> {
    static final String NAME = "esvae";
    static final EsvaeType INSTANCE = new EsvaeType();

    private EsvaeType() {
        super(NAME, "ESVAE",
                "ESVAE: spiking encoder/decoder, reparameterisable Poisson latent, learnable prior, MMD loss",
                EsvaeSettings.class, EsvaeConfig.class,
                EsvaeSettings.REFERENCE, Set.of("latent", "timesteps", "lambda", "prior_lr_scale"),
                EsvaeSettings::validate, EsvaeConfig::new, EsvaeConfig::settings, Esvae::create);
    }

    @Override
    public ReferenceKeys referenceKeys() {
        return REFERENCE_KEYS;
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
