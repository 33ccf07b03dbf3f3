// Philox draws, ESVAE's Bernoulli spike sampler and FSVAE's one-of-k pick, in the stream layout of
// dev.spikevae.tensor.Philox, so the same (seed, counter) gives the same uniforms and spikes bit for bit
// on both backends. Backward passes regenerate the uniforms instead of storing them.
#include "spikevae.cuh"

// One thread per Philox block: values 4j .. 4j+3.
extern "C" __global__ void philox_uniform(float* out, int n, unsigned long long seed, unsigned long long counter) {
    long long blocks = ((long long)n + 3) >> 2;
    SV_FOR(j, blocks) {
        Words4 w = sv_philox(seed, counter + (unsigned long long)j);
        for (int lane = 0; lane < 4; lane++) {
            long long i = 4 * j + lane;
            if (i < n) out[i] = sv_to_uniform(w.w[lane]);
        }
    }
}

// One thread per block: values 2j (cos) and 2j+1 (sin) of a Box-Muller pair, in double.
extern "C" __global__ void philox_normal(float* out, int n, unsigned long long seed, unsigned long long counter) {
    long long pairs = ((long long)n + 1) >> 1;
    SV_FOR(j, pairs) {
        Words4 w = sv_philox(seed, counter + (unsigned long long)j);
        double u1 = (double)((w.w[0] >> 8) + 1u) * 5.9604644775390625e-8;
        double u2 = (double)(w.w[1] >> 8) * 5.9604644775390625e-8;
        double r = sqrt(-2.0 * log(u1));
        double theta = 6.283185307179586 * u2;  // 2.0 * Math.PI
        long long i = 2 * j;
        out[i] = (float)(r * cos(theta));
        if (i + 1 < n) out[i + 1] = (float)(r * sin(theta));
    }
}

// spikes [T, M]: z[t, m] = 1[rate[m] > uniform(t * M + m)], to s (f32) or s8 (u8).
extern "C" __global__ void bernoulli_spikes(const float* rate, float* s, u8* s8, int steps, int m,
                                            unsigned long long seed, unsigned long long counter) {
    long long n = (long long)steps * m;
    long long blocks = (n + 3) >> 2;
    SV_FOR(j, blocks) {
        Words4 w = sv_philox(seed, counter + (unsigned long long)j);
        for (int lane = 0; lane < 4; lane++) {
            long long e = 4 * j + lane;
            if (e < n) {
                bool spike = rate[e % m] > sv_to_uniform(w.w[lane]);
                if (s != nullptr) s[e] = spike ? 1.0f : 0.0f;
                if (s8 != nullptr) s8[e] = spike ? (u8)1 : (u8)0;
            }
        }
    }
}

// dRate = beta * dRate + sum_t dSpikes_t * 1[|rate - u_t| < hw] / (2 hw), one thread per neuron summing
// its steps in time order (as RandomCpu).
extern "C" __global__ void bernoulli_spikes_backward(const float* ds, const float* rate, float* dr, int steps, int m,
                                                     unsigned long long seed, unsigned long long counter,
                                                     float halfWidth, float beta) {
    SV_FOR(i, m) {
        float r = rate[i];
        float sum = 0.0f;
        for (int t = 0; t < steps; t++) {
            long long e = (long long)t * m + i;
            float u = sv_uniform_at(seed, counter, e);
            float surrogate = fabsf(r - u) < halfWidth ? 0.5f / halfWidth : 0.0f;
            sum += ds[e] * surrogate;
        }
        dr[i] = beta == 0.0f ? sum : beta * dr[i] + sum;
    }
}

__device__ __forceinline__ int sv_pick_index(float u, int k) {
    int idx = (int)(u * (float)k);
    return idx < k - 1 ? idx : k - 1;
}

// x [n, k], out [n]: out[i] = x[i, min(k - 1, floor(u_i * k))].
extern "C" __global__ void pick_one_of_k(const float* x, float* out, int n, int k, unsigned long long seed,
                                         unsigned long long counter) {
    SV_FOR(i, n) {
        out[i] = x[i * (long long)k + sv_pick_index(sv_uniform_at(seed, counter, i), k)];
    }
}

extern "C" __global__ void pick_one_of_k_backward(const float* dOut, float* dx, int n, int k, unsigned long long seed,
                                                  unsigned long long counter) {
    SV_FOR(i, n) {
        int idx = sv_pick_index(sv_uniform_at(seed, counter, i), k);
        for (int j = 0; j < k; j++) {
            dx[i * (long long)k + j] = j == idx ? dOut[i] : 0.0f;
        }
    }
}
