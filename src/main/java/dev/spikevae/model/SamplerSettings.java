package dev.spikevae.model;

import java.util.List;

/**
 * The {@code sampler:} section of ESVAE's spec: how latent spikes are drawn from the posterior rates
 * (docs/reference.md §3.4).
 *
 * @param kind      {@code poisson}: the reparameterisable Bernoulli sampler {@code z_t = 1[r > u_t]},
 *                  {@code u ~ U[0, 1)}, whose gradient is the surrogate {@code 1[|r - u_t| < half_width]};
 *                  {@code poisson_detached}: the same draws with no gradient through them (an ablation: the
 *                  encoder then learns from the MMD term alone, the decoder from the reconstruction)
 * @param halfWidth the surrogate window's half-width (reference 0.5)
 */
public record SamplerSettings(String kind, double halfWidth) {

    /** The reference sampler. */
    public static final SamplerSettings REFERENCE = new SamplerSettings("poisson", 0.5);

    /** Values of {@code kind}. */
    public static final List<String> KINDS = List.of("poisson", "poisson_detached");

    /** Whether gradients flow from the spikes back to the rates (the surrogate). */
    public boolean surrogateGradient() {
        return !kind.equals("poisson_detached");
    }

    public void validate(String section) {
        if (!KINDS.contains(kind)) {
            throw new SettingsException(section + ".kind", "unknown value \"" + kind + "\"; expected one of "
                    + String.join(", ", KINDS));
        }
        if (!(halfWidth > 0) || Double.isInfinite(halfWidth)) {
            throw new SettingsException(section + ".half_width", "must be a finite number > 0, got " + halfWidth);
        }
    }
}
