package dev.spikevae.tensor;

/** Elementwise functions {@code y = f(x; p)}, with {@code p} the op's scalar parameter where it has one. */
public enum UnaryOp {
    NEG, EXP, LOG, TANH, SIGMOID, RELU,
    /** {@code x > 0 ? x : p * x}. */
    LEAKY_RELU,
    SQUARE, SQRT, ABS,
    /** {@code x > p ? 1 : 0} (no gradient). */
    STEP
}
