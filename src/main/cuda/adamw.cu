// Fused AdamW step (AdamWScalarKernel's operation order; the per-step scalars are computed on the host
// exactly as the CPU backend computes them).
#include "spikevae.cuh"

extern "C" __global__ void adamw_step(float* p, const float* g, float* m, float* v, int n, float decayFactor,
                                      float beta1, float oneMinusBeta1, float beta2, float oneMinusBeta2,
                                      float sqrtBiasCorrection2, float eps, float stepSize) {
    SV_FOR(i, n) {
        float grad = g[i];
        float mi = m[i] * beta1 + grad * oneMinusBeta1;
        float vi = v[i] * beta2 + grad * grad * oneMinusBeta2;
        float denom = sqrtf(vi) / sqrtBiasCorrection2 + eps;
        m[i] = mi;
        v[i] = vi;
        p[i] = p[i] * decayFactor - mi / denom * stepSize;
    }
}
