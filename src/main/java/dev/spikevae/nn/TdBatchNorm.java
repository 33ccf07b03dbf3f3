package dev.spikevae.nn;

import dev.spikevae.tensor.Backend;

/**
 * Threshold-dependent batch norm (docs/reference.md §2.2) over time-major {@code [T, N, C, H, W]} or
 * {@code [T, N, F]}: per-channel statistics over time, batch and space; output scaled by
 * {@code alpha * V_th}; momentum 0.1, eps 1e-5.
 */
public final class TdBatchNorm extends BatchNorm {
    public static final float V_TH = 0.2f;

    public TdBatchNorm(Backend backend, int channels, float alpha) {
        super(backend, channels, 2, alpha * V_TH, 1e-5f, 0.1f);
    }

    public TdBatchNorm(Backend backend, int channels) {
        this(backend, channels, 1f);
    }
}
