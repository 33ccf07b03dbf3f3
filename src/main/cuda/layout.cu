// Broadcast copies (expand), axis permutations and slices along one axis.
#include "spikevae.cuh"

// out (contiguous over `dims`) = x read through `strides` (expand: 0 along broadcast axes; permute: the
// source strides in the output's axis order).
extern "C" __global__ void gather_strided_f32(const float* x, float* out, int n, int rank, Dims dims, Dims strides) {
    SV_FOR(i, n) {
        long long rem = i;
        long long p = 0;
        for (int ax = rank - 1; ax >= 0; ax--) {
            int idx = (int)(rem % dims.d[ax]);
            rem /= dims.d[ax];
            p += (long long)idx * strides.d[ax];
        }
        out[i] = x[p];
    }
}

// The whole tensor is [outer, wholeLen] and the part [outer, partLen], the part starting at column `skip`
// of each row. Copy: part = whole[..., skip : skip + partLen].
extern "C" __global__ void slice_copy_f32(const float* whole, float* part, int outer, int wholeLen, int partLen,
                                          int skip) {
    long long n = (long long)outer * partLen;
    SV_FOR(i, n) {
        long long o = i / partLen;
        long long j = i - o * partLen;
        part[i] = whole[o * wholeLen + skip + j];
    }
}

// Assign: whole[..., skip : skip + partLen] = part + beta * (that region); beta 0 overwrites.
extern "C" __global__ void slice_assign_f32(const float* part, float* whole, int outer, int wholeLen, int partLen,
                                            int skip, float beta) {
    long long n = (long long)outer * partLen;
    SV_FOR(i, n) {
        long long o = i / partLen;
        long long j = i - o * partLen;
        long long w = o * wholeLen + skip + j;
        whole[w] = beta == 0.0f ? part[i] : part[i] + beta * whole[w];
    }
}
