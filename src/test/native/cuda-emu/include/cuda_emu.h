// The CUDA dialect of src/main/cuda for g++: compiled with `g++ -x c++ -include cuda_emu.h`, each kernel becomes an
// ordinary extern "C" function that the emulator's runtime (runtime.cpp) runs once per CUDA thread, every thread a
// fiber that is switched only at barriers and warp collectives. Static __shared__ variables are thread_local: a
// worker runs one block at a time, so per-worker storage is exactly per-block shared memory.
//
// Everything here follows the PTX semantics where C++ differs (float -> int conversions saturate and map NaN to 0;
// shuffles follow shfl.sync's clamp and segment rules). Build flags matter as much: -ffp-contract=off keeps
// a * b + c rounded twice, as nvcc -fmad=false does. Not emulated (a kernel that uses them does not compile):
// dynamic shared memory, textures and surfaces, inline PTX, the approximate fast-math intrinsics (__expf ...),
// 64-bit float -> integer intrinsics, cooperative groups.
#pragma once

#include <math.h>
#include <stdint.h>
#include <string.h>

#include <limits>
#include <type_traits>

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __shared__ static thread_local
#define __constant__ static
#define __managed__
#define __align__(n) __attribute__((aligned(n)))
#define __launch_bounds__(...)
// g++ knows __restrict__ already.

// ------------------------------------------------------------------------------------------------
// Vector types (sizes and alignments of CUDA's vector_types.h)

struct __attribute__((aligned(8))) float2 { float x, y; };
struct float3 { float x, y, z; };
struct __attribute__((aligned(16))) float4 { float x, y, z, w; };
struct __attribute__((aligned(16))) double2 { double x, y; };
struct __attribute__((aligned(8))) int2 { int x, y; };
struct int3 { int x, y, z; };
struct __attribute__((aligned(16))) int4 { int x, y, z, w; };
struct __attribute__((aligned(8))) uint2 { unsigned int x, y; };
struct uint3 { unsigned int x, y, z; };
struct __attribute__((aligned(16))) uint4 { unsigned int x, y, z, w; };
struct __attribute__((aligned(4))) uchar4 { unsigned char x, y, z, w; };

struct dim3 {
    unsigned int x, y, z;
    constexpr dim3(unsigned int vx = 1, unsigned int vy = 1, unsigned int vz = 1) : x(vx), y(vy), z(vz) {}
};

inline float2 make_float2(float x, float y) { return float2{x, y}; }
inline float3 make_float3(float x, float y, float z) { return float3{x, y, z}; }
inline float4 make_float4(float x, float y, float z, float w) { return float4{x, y, z, w}; }
inline double2 make_double2(double x, double y) { return double2{x, y}; }
inline int2 make_int2(int x, int y) { return int2{x, y}; }
inline int4 make_int4(int x, int y, int z, int w) { return int4{x, y, z, w}; }
inline uint3 make_uint3(unsigned int x, unsigned int y, unsigned int z) { return uint3{x, y, z}; }

// ------------------------------------------------------------------------------------------------
// The runtime's side (runtime.cpp)

namespace sv_emu {

// Where the running CUDA thread is; the scheduler points current_position at the fiber it switches to.
struct ThreadPosition {
    uint3 thread;
    uint3 block;
    dim3 blockSize;
    dim3 gridSize;
};

// Hidden, so the compiler may use the local-dynamic TLS model and share one TLS base lookup per function. (Not
// initial-exec: that would put all of the library's TLS, the __shared__ arrays included, in the static TLS block,
// which a library loaded by System.load cannot get.)
extern thread_local const ThreadPosition* current_position __attribute__((visibility("hidden")));

// Warp collectives, by the kind of exchange they need.
enum Collective : int {
    SHFL_IDX = 0,
    SHFL_UP = 1,
    SHFL_DOWN = 2,
    SHFL_XOR = 3,
    VOTE_ALL = 4,
    VOTE_ANY = 5,
    VOTE_BALLOT = 6,
    SYNC_WARP = 7,
    // every lane must pass the same value (the pointer and stride of a wmma load or store, for instance)
    UNIFORM = 8
};

// Block barrier; returns the reduction `op` (0: none, 1: count, 2: and, 3: or) of every thread's predicate.
int block_barrier(int op, int predicate);

// A warp collective of the calling lane: waits until every lane named in `mask` arrived at a collective with the
// same mask (exited lanes count as arrived), then returns this lane's result. `what` names the call in reports.
uint64_t warp_collective(int kind, unsigned mask, uint64_t value, int arg, int width, const char* what);

// Stops the launch with an error that names the kernel, the block and the thread.
[[noreturn]] void trap(const char* why);

template <typename T>
inline uint64_t to_bits(T v) {
    static_assert(sizeof(T) <= 8 && std::is_trivially_copyable<T>::value, "shuffles move at most 64 bits");
    uint64_t b = 0;
    memcpy(&b, &v, sizeof(T));
    return b;
}

template <typename T>
inline T from_bits(uint64_t b) {
    T v;
    memcpy(&v, &b, sizeof(T));
    return v;
}

}  // namespace sv_emu

#define threadIdx (::sv_emu::current_position->thread)
#define blockIdx (::sv_emu::current_position->block)
#define blockDim (::sv_emu::current_position->blockSize)
#define gridDim (::sv_emu::current_position->gridSize)
#define warpSize 32

// ------------------------------------------------------------------------------------------------
// Synchronisation

inline void __syncthreads() { sv_emu::block_barrier(0, 0); }
inline int __syncthreads_count(int p) { return sv_emu::block_barrier(1, p != 0); }
inline int __syncthreads_and(int p) { return sv_emu::block_barrier(2, p != 0); }
inline int __syncthreads_or(int p) { return sv_emu::block_barrier(3, p != 0); }

inline void __syncwarp(unsigned mask = 0xffffffffu) {
    sv_emu::warp_collective(sv_emu::SYNC_WARP, mask, 0, 0, 32, "__syncwarp");
}

template <typename T>
inline T __shfl_sync(unsigned mask, T v, int srcLane, int width = 32) {
    return sv_emu::from_bits<T>(
        sv_emu::warp_collective(sv_emu::SHFL_IDX, mask, sv_emu::to_bits(v), srcLane, width, "__shfl_sync"));
}

template <typename T>
inline T __shfl_up_sync(unsigned mask, T v, unsigned delta, int width = 32) {
    return sv_emu::from_bits<T>(
        sv_emu::warp_collective(sv_emu::SHFL_UP, mask, sv_emu::to_bits(v), (int)delta, width, "__shfl_up_sync"));
}

template <typename T>
inline T __shfl_down_sync(unsigned mask, T v, unsigned delta, int width = 32) {
    return sv_emu::from_bits<T>(
        sv_emu::warp_collective(sv_emu::SHFL_DOWN, mask, sv_emu::to_bits(v), (int)delta, width, "__shfl_down_sync"));
}

template <typename T>
inline T __shfl_xor_sync(unsigned mask, T v, int laneMask, int width = 32) {
    return sv_emu::from_bits<T>(
        sv_emu::warp_collective(sv_emu::SHFL_XOR, mask, sv_emu::to_bits(v), laneMask, width, "__shfl_xor_sync"));
}

inline int __all_sync(unsigned mask, int p) {
    return (int)sv_emu::warp_collective(sv_emu::VOTE_ALL, mask, p != 0, 0, 32, "__all_sync");
}

inline int __any_sync(unsigned mask, int p) {
    return (int)sv_emu::warp_collective(sv_emu::VOTE_ANY, mask, p != 0, 0, 32, "__any_sync");
}

inline unsigned __ballot_sync(unsigned mask, int p) {
    return (unsigned)sv_emu::warp_collective(sv_emu::VOTE_BALLOT, mask, p != 0, 0, 32, "__ballot_sync");
}

// Blocks run one at a time per worker and workers share memory, so fences are ordinary C++ fences.
inline void __threadfence() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
inline void __threadfence_block() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }

[[noreturn]] inline void __trap() { sv_emu::trap("__trap() called"); }

template <typename T>
inline T __ldg(const T* p) { return *p; }

// ------------------------------------------------------------------------------------------------
// Atomics (other blocks may run on other workers at the same time)

inline int atomicAdd(int* p, int v) { return __atomic_fetch_add(p, v, __ATOMIC_RELAXED); }
inline unsigned atomicAdd(unsigned* p, unsigned v) { return __atomic_fetch_add(p, v, __ATOMIC_RELAXED); }
inline unsigned long long atomicAdd(unsigned long long* p, unsigned long long v) {
    return __atomic_fetch_add(p, v, __ATOMIC_RELAXED);
}

inline float atomicAdd(float* p, float v) {
    float old = *p;
    for (;;) {
        float want = old + v;
        if (__atomic_compare_exchange(p, &old, &want, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) return old;
    }
}

inline double atomicAdd(double* p, double v) {
    double old = *p;
    for (;;) {
        double want = old + v;
        if (__atomic_compare_exchange(p, &old, &want, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) return old;
    }
}

inline int atomicExch(int* p, int v) { return __atomic_exchange_n(p, v, __ATOMIC_RELAXED); }
inline unsigned atomicExch(unsigned* p, unsigned v) { return __atomic_exchange_n(p, v, __ATOMIC_RELAXED); }
inline float atomicExch(float* p, float v) {
    float old;
    __atomic_exchange(p, &v, &old, __ATOMIC_RELAXED);
    return old;
}

template <typename T>
inline T sv_emu_atomic_cas(T* p, T compare, T v) {
    __atomic_compare_exchange_n(p, &compare, v, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
    return compare;
}
inline int atomicCAS(int* p, int c, int v) { return sv_emu_atomic_cas(p, c, v); }
inline unsigned atomicCAS(unsigned* p, unsigned c, unsigned v) { return sv_emu_atomic_cas(p, c, v); }
inline unsigned long long atomicCAS(unsigned long long* p, unsigned long long c, unsigned long long v) {
    return sv_emu_atomic_cas(p, c, v);
}

template <typename T>
inline T sv_emu_atomic_max(T* p, T v) {
    T old = __atomic_load_n(p, __ATOMIC_RELAXED);
    while (old < v && !__atomic_compare_exchange_n(p, &old, v, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
    }
    return old;
}
template <typename T>
inline T sv_emu_atomic_min(T* p, T v) {
    T old = __atomic_load_n(p, __ATOMIC_RELAXED);
    while (old > v && !__atomic_compare_exchange_n(p, &old, v, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
    }
    return old;
}
inline int atomicMax(int* p, int v) { return sv_emu_atomic_max(p, v); }
inline unsigned atomicMax(unsigned* p, unsigned v) { return sv_emu_atomic_max(p, v); }
inline int atomicMin(int* p, int v) { return sv_emu_atomic_min(p, v); }
inline unsigned atomicMin(unsigned* p, unsigned v) { return sv_emu_atomic_min(p, v); }

// ------------------------------------------------------------------------------------------------
// Bit reinterpretation and integer intrinsics

inline float __int_as_float(int i) { return sv_emu::from_bits<float>((uint32_t)i); }
inline float __uint_as_float(unsigned u) { return sv_emu::from_bits<float>(u); }
inline int __float_as_int(float f) { return (int)(uint32_t)sv_emu::to_bits(f); }
inline unsigned __float_as_uint(float f) { return (uint32_t)sv_emu::to_bits(f); }
inline double __longlong_as_double(long long i) { return sv_emu::from_bits<double>((uint64_t)i); }
inline long long __double_as_longlong(double d) { return (long long)sv_emu::to_bits(d); }
inline int __double2hiint(double d) { return (int)(uint32_t)(sv_emu::to_bits(d) >> 32); }
inline int __double2loint(double d) { return (int)(uint32_t)sv_emu::to_bits(d); }
inline double __hiloint2double(int hi, int lo) {
    return sv_emu::from_bits<double>(((uint64_t)(uint32_t)hi << 32) | (uint32_t)lo);
}

inline unsigned __umulhi(unsigned a, unsigned b) { return (unsigned)(((uint64_t)a * b) >> 32); }
inline int __mulhi(int a, int b) { return (int)(((int64_t)a * b) >> 32); }
inline unsigned long long __umul64hi(unsigned long long a, unsigned long long b) {
    return (unsigned long long)(((unsigned __int128)a * b) >> 64);
}
inline long long __mul64hi(long long a, long long b) { return (long long)(((__int128)a * b) >> 64); }
inline int __popc(unsigned x) { return __builtin_popcount(x); }
inline int __popcll(unsigned long long x) { return __builtin_popcountll(x); }
inline int __clz(int x) { return x == 0 ? 32 : __builtin_clz((unsigned)x); }
inline int __clzll(long long x) { return x == 0 ? 64 : __builtin_clzll((unsigned long long)x); }
inline int __ffs(int x) { return __builtin_ffs(x); }
inline int __ffsll(long long x) { return __builtin_ffsll(x); }
inline unsigned __brev(unsigned x) {
    x = ((x >> 1) & 0x55555555u) | ((x & 0x55555555u) << 1);
    x = ((x >> 2) & 0x33333333u) | ((x & 0x33333333u) << 2);
    x = ((x >> 4) & 0x0f0f0f0fu) | ((x & 0x0f0f0f0fu) << 4);
    return __builtin_bswap32(x);
}

inline int min(int a, int b) { return a < b ? a : b; }
inline int max(int a, int b) { return a > b ? a : b; }
inline unsigned min(unsigned a, unsigned b) { return a < b ? a : b; }
inline unsigned max(unsigned a, unsigned b) { return a > b ? a : b; }
inline long long min(long long a, long long b) { return a < b ? a : b; }
inline long long max(long long a, long long b) { return a > b ? a : b; }
inline unsigned long long min(unsigned long long a, unsigned long long b) { return a < b ? a : b; }
inline unsigned long long max(unsigned long long a, unsigned long long b) { return a > b ? a : b; }
inline float min(float a, float b) { return fminf(a, b); }
inline float max(float a, float b) { return fmaxf(a, b); }
inline double min(double a, double b) { return fmin(a, b); }
inline double max(double a, double b) { return fmax(a, b); }

// ------------------------------------------------------------------------------------------------
// Float -> int conversions as PTX cvt.{rni,rzi,rmi,rpi}.s32/u32: NaN gives 0 and out-of-range values saturate,
// where a C++ cast would be undefined.

namespace sv_emu {
template <typename I, typename F>
inline I cvt_saturate(F rounded) {
    if (rounded != rounded) return 0;
    if (rounded <= (F)std::numeric_limits<I>::min()) return std::numeric_limits<I>::min();
    if (rounded >= (F)std::numeric_limits<I>::max()) return std::numeric_limits<I>::max();
    return (I)rounded;
}
}  // namespace sv_emu

inline int __float2int_rn(float v) { return sv_emu::cvt_saturate<int>((double)nearbyintf(v)); }
inline int __float2int_rz(float v) { return sv_emu::cvt_saturate<int>((double)truncf(v)); }
inline int __float2int_rd(float v) { return sv_emu::cvt_saturate<int>((double)floorf(v)); }
inline int __float2int_ru(float v) { return sv_emu::cvt_saturate<int>((double)ceilf(v)); }
inline unsigned __float2uint_rn(float v) { return sv_emu::cvt_saturate<unsigned>((double)nearbyintf(v)); }
inline unsigned __float2uint_rz(float v) { return sv_emu::cvt_saturate<unsigned>((double)truncf(v)); }
inline unsigned __float2uint_rd(float v) { return sv_emu::cvt_saturate<unsigned>((double)floorf(v)); }
inline unsigned __float2uint_ru(float v) { return sv_emu::cvt_saturate<unsigned>((double)ceilf(v)); }
inline int __double2int_rn(double v) { return sv_emu::cvt_saturate<int>(nearbyint(v)); }
inline int __double2int_rz(double v) { return sv_emu::cvt_saturate<int>(trunc(v)); }
inline unsigned __double2uint_rz(double v) { return sv_emu::cvt_saturate<unsigned>(trunc(v)); }

// Int -> float and the explicitly rounded arithmetic: the default rounding mode (nearest even) is what _rn asks for.
inline float __int2float_rn(int i) { return (float)i; }
inline float __uint2float_rn(unsigned u) { return (float)u; }
inline double __int2double_rn(int i) { return (double)i; }
inline float __fadd_rn(float a, float b) { return a + b; }
inline float __fsub_rn(float a, float b) { return a - b; }
inline float __fmul_rn(float a, float b) { return a * b; }
inline float __fdiv_rn(float a, float b) { return a / b; }
inline float __frcp_rn(float a) { return 1.0f / a; }
inline float __fsqrt_rn(float a) { return sqrtf(a); }
inline float __fmaf_rn(float a, float b, float c) { return fmaf(a, b, c); }
inline double __dadd_rn(double a, double b) { return a + b; }
inline double __dmul_rn(double a, double b) { return a * b; }
inline double __fma_rn(double a, double b, double c) { return fma(a, b, c); }
// saturate to [0, 1]; NaN gives 0
inline float __saturatef(float v) { return v > 0.0f ? (v < 1.0f ? v : 1.0f) : 0.0f; }

