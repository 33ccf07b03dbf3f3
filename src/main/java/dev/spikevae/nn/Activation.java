package dev.spikevae.nn;

import dev.spikevae.autograd.Ops;
import dev.spikevae.tensor.Tensor;
import dev.spikevae.tensor.UnaryOp;

/** A parameter-free elementwise activation: tanh, sigmoid, ReLU or leaky ReLU. */
public final class Activation extends Module {
    private final UnaryOp op;
    private final float param;

    private Activation(UnaryOp op, float param) {
        this.op = op;
        this.param = param;
    }

    public static Activation tanh() {
        return new Activation(UnaryOp.TANH, 0f);
    }

    public static Activation sigmoid() {
        return new Activation(UnaryOp.SIGMOID, 0f);
    }

    public static Activation relu() {
        return new Activation(UnaryOp.RELU, 0f);
    }

    public static Activation leakyRelu(float slope) {
        return new Activation(UnaryOp.LEAKY_RELU, slope);
    }

    @Override
    public Tensor forward(Tensor x) {
        return Ops.unary(op, x, param);
    }
}
