package dev.spikevae.nn;

import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.Rng;
import dev.spikevae.tensor.Tensor;

/**
 * PyTorch's default initialisation, seeded: {@code kaiming_uniform_(a = sqrt(5))} for weights, which is
 * {@code U(-1/sqrt(fan_in), 1/sqrt(fan_in))}, and the same bound for biases (docs/reference.md §1.1).
 */
public final class Init {
    private Init() {
    }

    /** The bound {@code 1/sqrt(fanIn)}. */
    public static float defaultBound(int fanIn) {
        if (fanIn <= 0) {
            throw new IllegalArgumentException("fan-in must be positive, got " + fanIn);
        }
        return (float) (1.0 / Math.sqrt(fanIn));
    }

    /** A persistent tensor of U(-bound, bound) values drawn from {@code rng} on the host. */
    public static Tensor uniform(Backend backend, Rng rng, float bound, int... dims) {
        int n = 1;
        for (int d : dims) {
            n *= d;
        }
        float[] u = rng.uniformHost(n);
        for (int i = 0; i < n; i++) {
            u[i] = (2f * u[i] - 1f) * bound;
        }
        return backend.persistentFromHost(u, dims);
    }

    public static Tensor constant(Backend backend, float value, int... dims) {
        Tensor t = backend.persistentZeros(dev.spikevae.tensor.Shape.of(dims));
        if (value != 0f) {
            backend.fill(t, value);
        }
        return t;
    }
}
