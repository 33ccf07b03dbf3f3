// Sums over the axes along which the output broadcasts (Backend.reduceSum). Every output is summed in
// double and rounded once, as on the CPU: out = (float)(alpha * s) or (float)(alpha * s + beta * old).
// The host splits x's axes into kept axes (enumerating outputs) and reduced axes (enumerating the terms
// of one output), each with its strides into x.
#include "spikevae.cuh"

__device__ __forceinline__ long long sv_offset(long long index, int rank, const Dims& dims, const Dims& strides) {
    long long p = 0;
    for (int ax = rank - 1; ax >= 0; ax--) {
        int idx = (int)(index % dims.d[ax]);
        index /= dims.d[ax];
        p += (long long)idx * strides.d[ax];
    }
    return p;
}

__device__ __forceinline__ float sv_finish(double s, float alpha, float beta, float old) {
    double v = (double)alpha * s;
    return beta == 0.0f ? (float)v : (float)(v + (double)beta * (double)old);
}

// One block per output (grid-stride over outputs); the block's threads share the terms.
extern "C" __global__ void reduce_sum_blocks_f32(const float* x, float* out, int nOut, int keptRank, Dims keptDims,
                                                 Dims keptStrides, int redRank, Dims redDims, Dims redStrides,
                                                 long long perOutput, float alpha, float beta) {
    for (long long o = blockIdx.x; o < nOut; o += gridDim.x) {
        long long base = sv_offset(o, keptRank, keptDims, keptStrides);
        double s = 0.0;
        for (long long j = threadIdx.x; j < perOutput; j += blockDim.x) {
            s += (double)x[base + sv_offset(j, redRank, redDims, redStrides)];
        }
        s = sv_block_sum(s);
        if (threadIdx.x == 0) {
            out[o] = sv_finish(s, alpha, beta, out[o]);
        }
    }
}

// One thread per output, for outputs that each sum only a few terms.
extern "C" __global__ void reduce_sum_threads_f32(const float* x, float* out, int nOut, int keptRank, Dims keptDims,
                                                  Dims keptStrides, int redRank, Dims redDims, Dims redStrides,
                                                  long long perOutput, float alpha, float beta) {
    SV_FOR(o, nOut) {
        long long base = sv_offset(o, keptRank, keptDims, keptStrides);
        double s = 0.0;
        for (long long j = 0; j < perOutput; j++) {
            s += (double)x[base + sv_offset(j, redRank, redDims, redStrides)];
        }
        out[o] = sv_finish(s, alpha, beta, out[o]);
    }
}
