package dev.spikevae.train;

import dev.spikevae.data.Batch;
import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.Tensor;

import java.util.Arrays;

/** Moves a host batch onto a backend as an {@code [N, C, H, W]} tensor in the current memory scope. */
final class Batches {
    private Batches() {
    }

    static Tensor toTensor(Backend be, Batch b) {
        int n = b.size() * b.channels() * b.height() * b.width();
        float[] px = b.pixels().length == n ? b.pixels() : Arrays.copyOf(b.pixels(), n);
        return be.fromHost(px, b.size(), b.channels(), b.height(), b.width());
    }
}
