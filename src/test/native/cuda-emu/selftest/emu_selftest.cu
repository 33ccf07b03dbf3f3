// Kernels that test the emulator itself (EmulatorSelfTest): each shuffle kind, votes, block barriers and their
// reductions, what a missing barrier does under each schedule, the deadlock and misuse reports, float -> int
// conversions, TF32 rounding, and the contract of spikevae.cuh's sv_block_sum. Plain CUDA: nvcc compiles it too.
#include <mma.h>

#include "spikevae.cuh"

// One block; out[kind][thread] for kind 0..3 = shfl idx, up, down, xor of (100 + lane) with `arg` and `width`,
// as ints and as doubles (0.5 + lane).
extern "C" __global__ void emu_shuffles(int arg, int width, int* outInt, double* outDouble) {
    int t = threadIdx.x;
    int n = blockDim.x;
    int v = 100 + (t & 31);
    double d = 0.5 + (t & 31);
    outInt[0 * n + t] = __shfl_sync(0xffffffffu, v, arg, width);
    outInt[1 * n + t] = __shfl_up_sync(0xffffffffu, v, (unsigned)arg, width);
    outInt[2 * n + t] = __shfl_down_sync(0xffffffffu, v, (unsigned)arg, width);
    outInt[3 * n + t] = __shfl_xor_sync(0xffffffffu, v, arg, width);
    outDouble[0 * n + t] = __shfl_sync(0xffffffffu, d, arg, width);
    outDouble[1 * n + t] = __shfl_up_sync(0xffffffffu, d, (unsigned)arg, width);
    outDouble[2 * n + t] = __shfl_down_sync(0xffffffffu, d, (unsigned)arg, width);
    outDouble[3 * n + t] = __shfl_xor_sync(0xffffffffu, d, arg, width);
}

// Lanes 0-15 shuffle among themselves (mask 0x0000ffff) while lanes 16-31 only sync with each other.
extern "C" __global__ void emu_partial_mask(int* out) {
    int lane = threadIdx.x & 31;
    int v = 10 * lane;
    if (lane < 16) {
        v = __shfl_down_sync(0x0000ffffu, v, 1, 16);
    } else {
        __syncwarp(0xffff0000u);
    }
    out[threadIdx.x] = v;
}

// out[k * 32 + lane]: ballot(lane % 3 == 0), all(true), all(lane != 5), any(lane == 31), any(false), and, for lanes
// 0-15 with mask 0x0000ffff, ballot(lane odd) (lanes 16-31 write -1).
extern "C" __global__ void emu_votes(unsigned* out) {
    unsigned lane = threadIdx.x & 31u;
    out[0 * 32 + lane] = __ballot_sync(0xffffffffu, lane % 3 == 0);
    out[1 * 32 + lane] = (unsigned)__all_sync(0xffffffffu, 1);
    out[2 * 32 + lane] = (unsigned)__all_sync(0xffffffffu, lane != 5);
    out[3 * 32 + lane] = (unsigned)__any_sync(0xffffffffu, lane == 31);
    out[4 * 32 + lane] = (unsigned)__any_sync(0xffffffffu, 0);
    out[5 * 32 + lane] = lane < 16 ? __ballot_sync(0x0000ffffu, lane & 1) : 0xffffffffu;
}

// Thread t writes its slot, then reads its right neighbour's: correct only with the barrier in between. (`token`
// differs per launch, so what an earlier block left in shared memory never looks right.)
extern "C" __global__ void emu_neighbour(int* out, int withBarrier, int token) {
    __shared__ int slots[1024];
    int t = threadIdx.x;
    slots[t] = 7 * t + token;
    if (withBarrier) __syncthreads();
    out[blockIdx.x * blockDim.x + t] = slots[(t + 1) % blockDim.x];
}

// Thread 0 publishes `token` and everyone reads it, with no barrier: threads that run before thread 0 read a stale
// value. In order, thread 0 runs first and the bug hides; reversed, it runs last and every other thread sees it.
extern "C" __global__ void emu_broadcast_without_barrier(int token, int* out) {
    __shared__ int published;
    if (threadIdx.x == 0) published = token;
    out[threadIdx.x] = published;
}

// __syncthreads_count / _and / _or of (t % 3 == 0), and a barrier that threads which returned early count as
// arrived at (threads >= `stay` return first).
extern "C" __global__ void emu_barrier_reductions(int* out, int stay) {
    int t = threadIdx.x;
    int n = blockDim.x;
    out[0 * n + t] = __syncthreads_count(t % 3 == 0);
    out[1 * n + t] = __syncthreads_and(t % 3 == 0);
    out[2 * n + t] = __syncthreads_or(t % 3 == 0);
    out[3 * n + t] = __syncthreads_and(1);
    if (t >= stay) return;
    __syncthreads();
    out[4 * n + t] = 1;
}

// In every warp, lanes 0-15 wait at a full-mask shuffle while lanes 16-31 wait at __syncthreads: neither completes.
extern "C" __global__ void emu_deadlock(int* out) {
    int lane = threadIdx.x & 31;
    int v = lane;
    if (lane < 16) v = __shfl_down_sync(0xffffffffu, v, 1);
    __syncthreads();
    out[threadIdx.x] = v;
}

// Lanes 16-31 exit; lanes 8-15 then read lanes 16-23 in a full-mask shuffle.
extern "C" __global__ void emu_shuffle_from_exited(int* out) {
    int lane = threadIdx.x & 31;
    if (lane >= 16) return;
    out[lane] = __shfl_down_sync(0xffffffffu, lane, 8);
}

// A shuffle whose mask leaves out the calling lane.
extern "C" __global__ void emu_mask_without_caller(int* out) {
    out[threadIdx.x] = __shfl_down_sync(0xfffffffeu, (int)threadIdx.x, 1);
}

extern "C" __global__ void emu_trap(int* out) {
    if (threadIdx.x == 3) __trap();
    out[threadIdx.x] = 1;
}

// PTX float -> int conversions of x[i] in the four rounding modes, and to unsigned (toward zero).
extern "C" __global__ void emu_float_to_int(const float* x, int n, int* rz, int* rn, int* rd, int* ru, unsigned* urz) {
    SV_FOR(i, n) {
        rz[i] = __float2int_rz(x[i]);
        rn[i] = __float2int_rn(x[i]);
        rd[i] = __float2int_rd(x[i]);
        ru[i] = __float2int_ru(x[i]);
        urz[i] = __float2uint_rz(x[i]);
    }
}

extern "C" __global__ void emu_to_tf32(const float* x, int n, float* y) {
    SV_FOR(i, n) {
        y[i] = nvcuda::wmma::__float_to_tf32(x[i]);
    }
}

// Two block sums in a row (the second must not see the first's shared scratch): every thread stores both totals.
extern "C" __global__ void emu_block_sum(const double* x, double* first, double* second) {
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    double a = sv_block_sum(x[i]);
    double b = sv_block_sum(2.0 * x[i] + 1.0);
    first[i] = a;
    second[i] = b;
}
