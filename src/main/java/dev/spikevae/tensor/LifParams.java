package dev.spikevae.tensor;

/**
 * Parameters of the multi-step leaky integrate-and-fire neuron (docs/reference.md §2.1):
 * {@code u_t = decay * u_{t-1} * (1 - o_{t-1}) + x_t}, {@code o_t = 1[u_t > threshold]} (strict), with
 * {@code u_{-1} = o_{-1} = 0}. The reset is hard and multiplicative; unless {@code detachReset}, its
 * gradient {@code -decay * u_{t-1}} flows back into {@code o_{t-1}}.
 *
 * @param decay              multiplicative leak (reference: 0.25)
 * @param threshold          firing threshold V_th (reference: 0.2)
 * @param surrogate          surrogate derivative of the spike
 * @param centredAtThreshold window centred at {@code u = V_th} instead of the reference's {@code u = 0}
 * @param width              rectangle half-width a (reference 0.5), or the sharpness alpha of SIGMOID / ATAN
 * @param detachReset        drop the gradient through the reset
 */
public record LifParams(float decay, float threshold, Surrogate surrogate, boolean centredAtThreshold, float width,
                        boolean detachReset) {

    /** The reference ESVAE/FSVAE neuron. */
    public static final LifParams REFERENCE = new LifParams(0.25f, 0.2f, Surrogate.RECTANGLE, false, 0.5f, false);

    public LifParams {
        if (!(decay >= 0f && decay <= 1f)) {
            throw new IllegalArgumentException("LIF decay must be in [0, 1], got " + decay);
        }
        if (!Float.isFinite(threshold)) {
            throw new IllegalArgumentException("LIF threshold must be finite, got " + threshold);
        }
        if (!(width > 0f) || !Float.isFinite(width)) {
            throw new IllegalArgumentException("LIF surrogate width must be positive, got " + width);
        }
        if (surrogate == null) {
            throw new IllegalArgumentException("LIF surrogate must be set");
        }
    }

    /** Where the surrogate window is centred. */
    public float centre() {
        return centredAtThreshold ? threshold : 0f;
    }

    /** The surrogate derivative {@code d o / d u} at membrane {@code u} (scalar reference). */
    public float surrogateGrad(float u) {
        float v = u - centre();
        switch (surrogate) {
            case RECTANGLE:
                return Math.abs(v) < width ? 0.5f / width : 0f;
            case SIGMOID: {
                float s = (float) (1.0 / (1.0 + Math.exp(-width * v)));
                return width * s * (1f - s);
            }
            case ATAN: {
                float z = (float) (Math.PI / 2) * width * v;
                return (width / 2f) / (1f + z * z);
            }
            default:
                throw new AssertionError(surrogate);
        }
    }

    public LifParams withSurrogate(Surrogate s, float w) {
        return new LifParams(decay, threshold, s, centredAtThreshold, w, detachReset);
    }

    public LifParams withCentredAtThreshold(boolean c) {
        return new LifParams(decay, threshold, surrogate, c, width, detachReset);
    }

    public LifParams withDetachReset(boolean d) {
        return new LifParams(decay, threshold, surrogate, centredAtThreshold, width, d);
    }
}
