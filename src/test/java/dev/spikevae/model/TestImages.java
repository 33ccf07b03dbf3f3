package dev.spikevae.model;

import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.Rng;
import dev.spikevae.tensor.Tensor;

/** Random images in [-1, 1] with some spatial structure, so that the spiking layers see varied input. */
final class TestImages {
    private TestImages() {
    }

    static float[] pixels(Rng rng, int n, int c, int size) {
        float[] u = rng.uniformHost(n * c * size * size);
        float[] out = new float[u.length];
        for (int i = 0; i < out.length; i++) {
            int x = i % size;
            int y = (i / size) % size;
            float wave = (float) Math.sin(0.4 * x + 0.3 * y + i / (size * size));
            out[i] = Math.max(-1f, Math.min(1f, 0.6f * wave + 0.8f * (u[i] - 0.5f)));
        }
        return out;
    }

    /** A scoped tensor [n, c, size, size]. */
    static Tensor of(Backend be, Rng rng, int n, int c, int size) {
        return be.fromHost(pixels(rng, n, c, size), n, c, size, size);
    }
}
