package dev.spikevae.backend.cpu;

import dev.spikevae.tensor.AdamWParams;

/**
 * The per-step scalars of PyTorch's AdamW, computed as PyTorch does (bias corrections in double on the
 * host, then used as float scalars): {@code p *= 1 - lr*wd; m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
 * p -= (m / (sqrt(v) / sqrt(1-b2^t) + eps)) * stepSize} (addcdiv order) with {@code stepSize = lr / (1-b1^t)}.
 */
record AdamWConstants(float decayFactor, float beta1, float oneMinusBeta1, float beta2, float oneMinusBeta2,
                      float sqrtBiasCorrection2, float eps, float stepSize) {

    static AdamWConstants of(AdamWParams a) {
        double bc1 = 1.0 - Math.pow(a.beta1(), a.step());
        double bc2 = 1.0 - Math.pow(a.beta2(), a.step());
        return new AdamWConstants((float) (1.0 - (double) a.lr() * a.weightDecay()), a.beta1(), 1f - a.beta1(), a.beta2(),
                1f - a.beta2(), (float) Math.sqrt(bc2), a.eps(), (float) (a.lr() / bc1));
    }
}
