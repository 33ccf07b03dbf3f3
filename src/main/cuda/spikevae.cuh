// Shared helpers of the spikevae CUDA kernels. Every kernel is extern "C" (stable PTX entry names that
// the Java side looks up) and mirrors the arithmetic of the CPU kernel it replaces operation for
// operation. The build compiles with -fmad=false, so a * b + c is rounded twice as in Java; the few
// places that want a fused multiply-add (SGEMM) ask for it with fmaf.
#pragma once

#include <stdint.h>

typedef unsigned char u8;

// Shapes and strides passed by value (rank <= SV_MAX_RANK after merging axes on the host).
#define SV_MAX_RANK 8
struct Dims {
    int d[SV_MAX_RANK];
};

// Grid-stride loop over [0, n): correct for any grid size the host picks.
#define SV_FOR(i, n) \
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (long long)(n); \
         i += (long long)blockDim.x * gridDim.x)

// ------------------------------------------------------------------------------------------------
// Philox4x32-10 (the layout of dev.spikevae.tensor.Philox): key (lo32(seed), hi32(seed)), counter
// (lo32(b), hi32(b), 0, 0) for block b; one block gives four 32-bit words.

struct Words4 {
    unsigned int w[4];
};

__device__ __forceinline__ Words4 sv_philox(unsigned long long seed, unsigned long long block) {
    unsigned int c0 = (unsigned int)block;
    unsigned int c1 = (unsigned int)(block >> 32);
    unsigned int c2 = 0u;
    unsigned int c3 = 0u;
    unsigned int k0 = (unsigned int)seed;
    unsigned int k1 = (unsigned int)(seed >> 32);
#pragma unroll
    for (int round = 0; round < 10; round++) {
        unsigned int hi0 = __umulhi(0xD2511F53u, c0);
        unsigned int lo0 = 0xD2511F53u * c0;
        unsigned int hi1 = __umulhi(0xCD9E8D57u, c2);
        unsigned int lo1 = 0xCD9E8D57u * c2;
        c0 = hi1 ^ c1 ^ k0;
        c1 = lo1;
        c2 = hi0 ^ c3 ^ k1;
        c3 = lo0;
        k0 += 0x9E3779B9u;
        k1 += 0xBB67AE85u;
    }
    Words4 r;
    r.w[0] = c0;
    r.w[1] = c1;
    r.w[2] = c2;
    r.w[3] = c3;
    return r;
}

// A word as a uniform float in [0, 1): (w >>> 8) * 2^-24, exact.
__device__ __forceinline__ float sv_to_uniform(unsigned int w) {
    return (float)(w >> 8) * 5.9604644775390625e-8f;
}

// Uniform value i of the draw at counter c.
__device__ __forceinline__ float sv_uniform_at(unsigned long long seed, unsigned long long counter, long long i) {
    Words4 b = sv_philox(seed, counter + (unsigned long long)(i >> 2));
    return sv_to_uniform(b.w[i & 3]);
}

// ------------------------------------------------------------------------------------------------
// Java float semantics where CUDA's differ.

// Math.max / Math.min on floats: NaN wins, and -0 < +0.
__device__ __forceinline__ float sv_jmax(float a, float b) {
    if (a != a) return a;
    if (b != b) return b;
    if (a == 0.0f && b == 0.0f) return signbit(a) ? b : a;
    return a >= b ? a : b;
}

__device__ __forceinline__ float sv_jmin(float a, float b) {
    if (a != a) return a;
    if (b != b) return b;
    if (a == 0.0f && b == 0.0f) return signbit(a) ? a : b;
    return a <= b ? a : b;
}

// Backend.cast's float -> u8: truncated toward zero, clamped to 0..255 (NaN gives 0, as Java's (int)).
__device__ __forceinline__ u8 sv_to_u8(float v) {
    int i = __float2int_rz(v);
    return (u8)(i < 0 ? 0 : (i > 255 ? 255 : i));
}

// ------------------------------------------------------------------------------------------------
// Block-wide sum in double (blockDim.x a multiple of 32, at most 1024). Every thread gets the total.
// The tree has a fixed shape for a given block size, so results are deterministic.
__device__ __forceinline__ double sv_block_sum(double v) {
    __shared__ double warpSums[32];
    for (int o = 16; o > 0; o >>= 1) {
        v += __shfl_down_sync(0xffffffffu, v, o);
    }
    int lane = threadIdx.x & 31;
    int warp = threadIdx.x >> 5;
    if (lane == 0) warpSums[warp] = v;
    __syncthreads();
    int warps = blockDim.x >> 5;
    double total = 0.0;
    if (warp == 0) {
        total = lane < warps ? warpSums[lane] : 0.0;
        for (int o = 16; o > 0; o >>= 1) {
            total += __shfl_down_sync(0xffffffffu, total, o);
        }
        if (lane == 0) warpSums[0] = total;
    }
    __syncthreads();
    total = warpSums[0];
    __syncthreads();
    return total;
}
