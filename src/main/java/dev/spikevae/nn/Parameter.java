package dev.spikevae.nn;

import dev.spikevae.tensor.Tensor;

/**
 * A trainable tensor of a module: its value (persistent, requires a gradient) and the gradient that
 * backward accumulates. Its dotted path in the module tree ({@code encoder.0.bn.weight}) is its
 * checkpoint key.
 */
public final class Parameter {
    private final Tensor value;

    Parameter(Tensor value) {
        this.value = value;
        value.requiresGrad(true);
        value.setGrad(value.backend().persistentZeros(value.shape()));
    }

    public Tensor value() {
        return value;
    }

    /** The accumulated gradient (zeroed by {@link Module#zeroGrad()}). */
    public Tensor grad() {
        return value.grad();
    }

    public int numel() {
        return value.numel();
    }

    @Override
    public String toString() {
        return "Parameter" + value.shape();
    }
}
