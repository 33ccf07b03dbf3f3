package dev.spikevae.model;

import dev.spikevae.tensor.LifParams;
import dev.spikevae.tensor.Surrogate;

import java.util.List;
import java.util.Locale;

/**
 * The {@code neuron:} section of a spiking model's spec: the LIF neuron of every spiking layer (docs/reference.md §2.1).
 *
 * @param decay       multiplicative leak of the membrane (reference 0.25)
 * @param threshold   firing threshold V_th (reference 0.2); a spike is {@code u > threshold}
 * @param surrogate   {@code rectangle} (reference), {@code sigmoid} or {@code atan}
 * @param width       the rectangle's half-width a (reference 0.5), or the sharpness of sigmoid / atan
 * @param centre      where the surrogate window is centred: {@code zero} (the reference's {@code |u| < a}) or
 *                    {@code threshold} ({@code |u - V_th| < a})
 * @param detachReset drop the gradient through the hard reset (the reference keeps it)
 */
public record NeuronSettings(double decay, double threshold, String surrogate, double width, String centre,
                             boolean detachReset) {

    /** The reference neuron. */
    public static final NeuronSettings REFERENCE = new NeuronSettings(0.25, 0.2, "rectangle", 0.5, "zero", false);

    /** Values of {@code surrogate}. */
    public static final List<String> SURROGATES = List.of("rectangle", "sigmoid", "atan");
    /** Values of {@code centre}. */
    public static final List<String> CENTRES = List.of("zero", "threshold");

    /** Checks the rules; {@code section} prefixes the key in the message ({@code neuron}). */
    public void validate(String section) {
        if (!(decay >= 0 && decay <= 1)) {
            throw new SettingsException(section + ".decay", "must be in [0, 1], got " + decay);
        }
        if (!Double.isFinite(threshold)) {
            throw new SettingsException(section + ".threshold", "must be a finite number, got " + threshold);
        }
        if (!SURROGATES.contains(surrogate)) {
            throw new SettingsException(section + ".surrogate", "unknown value \"" + surrogate + "\"; expected one of "
                    + String.join(", ", SURROGATES));
        }
        if (!(width > 0) || Double.isInfinite(width)) {
            throw new SettingsException(section + ".width", "must be a finite number > 0, got " + width);
        }
        if (!CENTRES.contains(centre)) {
            throw new SettingsException(section + ".centre", "unknown value \"" + centre + "\"; expected one of "
                    + String.join(", ", CENTRES));
        }
    }

    /** The neuron as the kernels take it. */
    public LifParams lif() {
        return new LifParams((float) decay, (float) threshold, Surrogate.valueOf(surrogate.toUpperCase(Locale.ROOT)),
                centre.equals("threshold"), (float) width, detachReset);
    }

    /** The settings of a kernel neuron (floats written as their shortest decimal, 0.2f as 0.2). */
    public static NeuronSettings of(LifParams p) {
        return new NeuronSettings(decimal(p.decay()), decimal(p.threshold()), p.surrogate().name().toLowerCase(Locale.ROOT),
                decimal(p.width()), p.centredAtThreshold() ? "threshold" : "zero", p.detachReset());
    }

    private static double decimal(float f) {
        return Double.parseDouble(Float.toString(f));
    }
}
