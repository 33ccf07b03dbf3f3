package dev.spikevae.model;

import java.util.Map;
import java.util.Set;

/** The {@code fsvae} model type: FSVAE and FSVAE-large (docs/reference.md §8), chosen by the image size. */
final class FsvaeType extends TypedModelType<FsvaeSettings, FsvaeConfig> {
    static final String NAME = "fsvae";
    static final FsvaeType INSTANCE = new FsvaeType();

    private FsvaeType() {
        super(NAME, "FSVAE",
                "FSVAE: spiking encoder/decoder, autoregressive Bernoulli latent from spiking posterior and prior nets",
                FsvaeSettings.class, FsvaeConfig.class,
                FsvaeSettings.REFERENCE, Set.of("latent", "timesteps", "k"),
                FsvaeSettings::validate, FsvaeConfig::new, FsvaeConfig::settings, Fsvae::create);
    }

    @Override
    public ReferenceKeys referenceKeys() {
        return REFERENCE_KEYS;
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
