// Dtype conversions between f32 and u8 spike tensors (Backend.cast). Plain copies and fills use the
// driver's memcpy / memset.
#include "spikevae.cuh"

extern "C" __global__ void cast_u8_to_f32(const u8* __restrict__ src, float* __restrict__ dst, int n) {
    SV_FOR(i, n) {
        dst[i] = (float)src[i];
    }
}

extern "C" __global__ void cast_f32_to_u8(const float* __restrict__ src, u8* __restrict__ dst, int n) {
    SV_FOR(i, n) {
        dst[i] = sv_to_u8(src[i]);
    }
}
