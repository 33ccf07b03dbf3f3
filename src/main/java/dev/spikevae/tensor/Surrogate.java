package dev.spikevae.tensor;

/** The surrogate derivative of the spike function {@code o = 1[u > V_th]}, evaluated at {@code v = u - centre}. */
public enum Surrogate {
    /** {@code 1/(2a) * 1[|v| < a]}: the reference's rectangle (a = 0.5 gives height 1). */
    RECTANGLE,
    /** {@code alpha * s(alpha v) * (1 - s(alpha v))}, s the logistic sigmoid. */
    SIGMOID,
    /** {@code (alpha / 2) / (1 + (pi/2 * alpha * v)^2)}, the derivative of {@code atan(pi/2 alpha v)/pi + 1/2}. */
    ATAN
}
