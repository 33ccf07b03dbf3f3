package dev.spikevae.tensor;

/** Elementwise binary arithmetic with NumPy broadcasting. */
public enum BinaryOp {
    ADD, SUB, MUL, DIV, MAX, MIN
}
