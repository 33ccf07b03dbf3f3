package dev.spikevae.nn;

import dev.spikevae.autograd.Ops;
import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.Tensor;

/**
 * The final membrane potential of a non-firing leaky integrator: {@code m = sum_t decay^(T-1-t) y_t}
 * over axis 0 (docs/reference.md §1.6; decay 0.8). The coefficients are a buffer named {@code coef}.
 */
public final class MembraneReadout extends Module {
    private final Tensor coef;

    public MembraneReadout(Backend backend, int steps, float decay) {
        if (steps < 1) {
            throw new IllegalArgumentException("MembraneReadout: T must be at least 1, got " + steps);
        }
        this.coef = addBuffer("coef", backend.persistentFromHost(coefficients(steps, decay), steps));
    }

    public MembraneReadout(Backend backend, int steps) {
        this(backend, steps, 0.8f);
    }

    /** {@code decay^(T-1-t)} for t = 0 .. T-1, computed as repeated float products like the reference. */
    public static float[] coefficients(int steps, float decay) {
        float[] c = new float[steps];
        float v = 1f;
        for (int t = steps - 1; t >= 0; t--) {
            c[t] = v;
            v *= decay;
        }
        return c;
    }

    public Tensor coef() {
        return coef;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Ops.weightedTimeSum(x, coef);
    }
}
