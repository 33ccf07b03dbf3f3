package dev.spikevae.backend.cuda;

import dev.spikevae.tensor.BinaryOp;
import dev.spikevae.tensor.Surrogate;
import dev.spikevae.tensor.UnaryOp;

/**
 * The integer codes the kernels use for the op enums (the #defines of elementwise.cu and lif.cu). Named
 * explicitly rather than taken from ordinal(), so reordering an enum cannot silently change a kernel's
 * meaning; a test compares these with the #defines.
 */
final class OpCodes {
    private OpCodes() {
    }

    static int unary(UnaryOp op) {
        return switch (op) {
            case NEG -> 0;
            case EXP -> 1;
            case LOG -> 2;
            case TANH -> 3;
            case SIGMOID -> 4;
            case RELU -> 5;
            case LEAKY_RELU -> 6;
            case SQUARE -> 7;
            case SQRT -> 8;
            case ABS -> 9;
            case STEP -> 10;
        };
    }

    static int binary(BinaryOp op) {
        return switch (op) {
            case ADD -> 0;
            case SUB -> 1;
            case MUL -> 2;
            case DIV -> 3;
            case MAX -> 4;
            case MIN -> 5;
        };
    }

    static int surrogate(Surrogate s) {
        return switch (s) {
            case RECTANGLE -> 0;
            case SIGMOID -> 1;
            case ATAN -> 2;
        };
    }
}
