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

// Few outputs of many terms each: output o's terms cut into `parts` runs, one block a run (grid x over the parts, y
// over the outputs), each run's double sum stored in partials[o * parts + part]; reduce_sum_parts_finish then adds
// an output's parts in order and rounds once.
extern "C" __global__ void reduce_sum_parts_f32(const float* x, double* partials, int nOut, int keptRank, Dims keptDims,
                                                Dims keptStrides, int redRank, Dims redDims, Dims redStrides,
                                                long long perOutput, int parts) {
    long long run = (perOutput + parts - 1) / parts;
    long long from = blockIdx.x * run;
    long long to = min(perOutput, from + run);
    for (long long o = blockIdx.y; o < nOut; o += gridDim.y) {
        long long base = sv_offset(o, keptRank, keptDims, keptStrides);
        double s = 0.0;
        for (long long j = from + threadIdx.x; j < to; j += blockDim.x) {
            s += (double)x[base + sv_offset(j, redRank, redDims, redStrides)];
        }
        s = sv_block_sum(s);
        if (threadIdx.x == 0) {
            partials[o * parts + blockIdx.x] = s;
        }
    }
}

extern "C" __global__ void reduce_sum_parts_finish(const double* partials, float* out, int nOut, int parts, float alpha,
                                                   float beta) {
    SV_FOR(o, nOut) {
        double s = 0.0;
        for (int p = 0; p < parts; p++) {
            s += partials[o * parts + p];
        }
        out[o] = sv_finish(s, alpha, beta, out[o]);
    }
}
