package dev.spikevae.autograd;

import dev.spikevae.tensor.Tensor;

/** One recorded op: its inputs, outputs and the closure that maps output gradients to input gradients. */
record Node(String op, Tensor[] inputs, Tensor[] outputs, Backward backward) {

    /** Input gradients (null where not needed) from output gradients (never null). */
    @FunctionalInterface
    interface Backward {
        Tensor[] apply(Tensor[] gradOutputs, boolean[] needsInputGrad);
    }
}
