// Fused multi-step LIF (docs/reference.md §2.1, LifScalarKernel's arithmetic): one thread per neuron walks the
// T steps of a time-major [T, M] layout, so every access of a step is coalesced across the warp.
// Forward saves the pre-spike membrane u_t; backward recomputes the spikes from it.
#include "spikevae.cuh"

#define SV_SURROGATE_RECTANGLE 0
#define SV_SURROGATE_SIGMOID 1
#define SV_SURROGATE_ATAN 2

// u_t = carry + x_t, o_t = 1[u_t > threshold], carry = o_t ? 0 : u_t * decay. Spikes go to s (f32) or
// s8 (u8), whichever is not null (both may be null: membranes only).
extern "C" __global__ void lif_forward(const float* __restrict__ x, float* __restrict__ s, u8* __restrict__ s8,
                                       float* __restrict__ u, int steps, int m, float decay, float threshold) {
    SV_FOR(i, m) {
        float carry = 0.0f;
        for (int t = 0; t < steps; t++) {
            long long at = (long long)t * m + i;
            float ut = carry + x[at];
            bool spike = ut > threshold;
            u[at] = ut;
            if (s != nullptr) s[at] = spike ? 1.0f : 0.0f;
            if (s8 != nullptr) s8[at] = spike ? (u8)1 : (u8)0;
            carry = spike ? 0.0f : ut * decay;
        }
    }
}

// grad * surrogate'(v), v = u - centre, in LifScalarKernel.surrogateTimes' operation order.
__device__ __forceinline__ float sv_surrogate_times(int kind, float grad, float v, float width) {
    switch (kind) {
        case SV_SURROGATE_RECTANGLE:
            return fabsf(v) < width ? grad * (0.5f / width) : 0.0f;
        case SV_SURROGATE_SIGMOID: {
            float sig = 1.0f / ((float)exp((double)(v * -width)) + 1.0f);
            return grad * (sig * width * (1.0f - sig));
        }
        case SV_SURROGATE_ATAN: {
            float z = v * (1.57079637050628662109375f * width);  // (float)(Math.PI / 2) * width
            return grad * ((width / 2.0f) / (z * z + 1.0f));
        }
        default:
            return __int_as_float(0x7fc00000);
    }
}

// The reverse pass: g = dL/du_{t+1}; dSpike = ds_t - u_t * resetGain * g; leak = spike ? 0 : g * decay;
// dx_t = surrogate(dSpike) + leak. dx may be the membrane buffer itself (read before written).
extern "C" __global__ void lif_backward(const float* ds, const float* u, float* dx, int steps, int m, float decay,
                                        float threshold, float resetGain, int surrogate, float centre, float width) {
    SV_FOR(i, m) {
        float g = 0.0f;
        for (int t = steps - 1; t >= 0; t--) {
            long long at = (long long)t * m + i;
            float ut = u[at];
            float next = g;
            float dSpike = ds[at] - ut * resetGain * next;
            float leak = ut > threshold ? 0.0f : next * decay;
            float gu = sv_surrogate_times(surrogate, dSpike, ut - centre, width) + leak;
            dx[at] = gu;
            g = gu;
        }
    }
}
