// A stand-in for CUDA's <mma.h> (nvcuda::wmma) under the emulator, for the shapes spikevae uses: TF32 m16n16k8
// with FP32 accumulators. On a GPU a fragment is spread over the 32 lanes in an unspecified layout; here every lane
// holds the whole tile, which no correct kernel can tell apart (element-wise operations on x[] give the same
// results, and code that relies on the hardware layout is wrong anyway). Loads, stores and mma_sync are warp
// collectives: every lane must arrive, with the same pointer and stride, as on the hardware.
//
// Numerics: matrix_a / matrix_b fragments keep only the TF32 bits of what they load (the tensor cores ignore the
// low 13 mantissa bits); mma_sync accumulates each dot product in k order with fused multiply-adds. Real tensor
// cores add in an unspecified order and precision, so tests compare TF32 results within a tolerance.
#pragma once

#include <stdint.h>
#include <string.h>

namespace nvcuda {
namespace wmma {

struct matrix_a {};
struct matrix_b {};
struct accumulator {};
struct row_major {};
struct col_major {};
enum layout_t { mem_row_major, mem_col_major };

namespace precision {
struct tf32 {};
}  // namespace precision

namespace detail {
template <typename Use, int M, int N, int K>
struct tile_shape;
template <int M, int N, int K>
struct tile_shape<matrix_a, M, N, K> {
    static constexpr int rows = M, cols = K;
};
template <int M, int N, int K>
struct tile_shape<matrix_b, M, N, K> {
    static constexpr int rows = K, cols = N;
};
template <int M, int N, int K>
struct tile_shape<accumulator, M, N, K> {
    static constexpr int rows = M, cols = N;
};

template <typename T>
struct storage {
    typedef T type;
};
template <>
struct storage<precision::tf32> {
    typedef float type;
};

inline float tf32_bits(float v) {
    uint32_t u;
    memcpy(&u, &v, 4);
    u &= 0xffffe000u;
    memcpy(&v, &u, 4);
    return v;
}

// All lanes pass the same (pointer, stride, layout): checked by a uniform warp collective.
inline void warp_uniform(const void* p, unsigned ldm, int layout, const char* what) {
    uint64_t key = (uint64_t)(uintptr_t)p * 0x9E3779B97F4A7C15ull ^ ((uint64_t)ldm << 1 | (uint64_t)layout);
    sv_emu::warp_collective(sv_emu::UNIFORM, 0xffffffffu, key, 0, 32, what);
}
}  // namespace detail

template <typename Use, int M, int N, int K, typename T, typename Layout = void>
class fragment {
   public:
    typedef typename detail::storage<T>::type element_type;
    static constexpr int rows = detail::tile_shape<Use, M, N, K>::rows;
    static constexpr int cols = detail::tile_shape<Use, M, N, K>::cols;
    static constexpr int num_elements = rows * cols;
    element_type x[num_elements];
};

template <typename Use, int M, int N, int K, typename T, typename Layout>
inline void fill_fragment(fragment<Use, M, N, K, T, Layout>& f, typename fragment<Use, M, N, K, T, Layout>::element_type v) {
    for (int i = 0; i < f.num_elements; i++) f.x[i] = v;
}

namespace detail {
template <typename Use, int M, int N, int K, typename T, typename Layout>
inline void load(fragment<Use, M, N, K, T, Layout>& f, const typename fragment<Use, M, N, K, T, Layout>::element_type* p,
                 unsigned ldm, bool rowMajor, const char* what) {
    warp_uniform(p, ldm, rowMajor ? 0 : 1, what);
    typedef fragment<Use, M, N, K, T, Layout> F;
    for (int r = 0; r < F::rows; r++) {
        for (int c = 0; c < F::cols; c++) {
            float v = rowMajor ? p[(long long)r * ldm + c] : p[(long long)c * ldm + r];
            f.x[r * F::cols + c] = std::is_same<T, precision::tf32>::value ? tf32_bits(v) : v;
        }
    }
}
}  // namespace detail

template <typename Use, int M, int N, int K, typename T>
inline void load_matrix_sync(fragment<Use, M, N, K, T, row_major>& f, const float* p, unsigned ldm) {
    detail::load(f, p, ldm, true, "wmma::load_matrix_sync");
}

template <typename Use, int M, int N, int K, typename T>
inline void load_matrix_sync(fragment<Use, M, N, K, T, col_major>& f, const float* p, unsigned ldm) {
    detail::load(f, p, ldm, false, "wmma::load_matrix_sync");
}

template <int M, int N, int K>
inline void load_matrix_sync(fragment<accumulator, M, N, K, float>& f, const float* p, unsigned ldm, layout_t layout) {
    detail::load(f, p, ldm, layout == mem_row_major, "wmma::load_matrix_sync");
}

// The lanes share the writes of the tile (lane l writes elements l, l + 32, ...).
template <int M, int N, int K>
inline void store_matrix_sync(float* p, const fragment<accumulator, M, N, K, float>& f, unsigned ldm, layout_t layout) {
    detail::warp_uniform(p, ldm, layout == mem_row_major ? 0 : 1, "wmma::store_matrix_sync");
    unsigned lane = threadIdx.x & 31u;
    for (int e = (int)lane; e < M * N; e += 32) {
        int r = e / N;
        int c = e % N;
        long long at = layout == mem_row_major ? (long long)r * ldm + c : (long long)c * ldm + r;
        p[at] = f.x[e];
    }
}

// Each lane computes its share of the tile's dot products (elements lane, lane + 32, ...) into a per-warp
// scratch tile, then every lane copies the whole result: the arithmetic is done once per warp, not 32 times.
template <int M, int N, int K, typename T, typename LayoutA, typename LayoutB>
inline void mma_sync(fragment<accumulator, M, N, K, float>& d, const fragment<matrix_a, M, N, K, T, LayoutA>& a,
                     const fragment<matrix_b, M, N, K, T, LayoutB>& b, const fragment<accumulator, M, N, K, float>& c) {
    static thread_local float scratch[32][M * N];  // one tile per warp of the block (at most 32 warps)
    unsigned linear = (threadIdx.z * blockDim.y + threadIdx.y) * blockDim.x + threadIdx.x;
    float* tile = scratch[linear / 32];
    // every lane has its fragments; the previous mma_sync's lanes have all copied its result out of `tile`
    sv_emu::warp_collective(sv_emu::SYNC_WARP, 0xffffffffu, 0, 0, 32, "wmma::mma_sync");
    for (int e = (int)(linear & 31u); e < M * N; e += 32) {
        int i = e / N;
        int j = e % N;
        float acc = c.x[e];
        for (int k = 0; k < K; k++) acc = fmaf(a.x[i * K + k], b.x[k * N + j], acc);
        tile[e] = acc;
    }
    sv_emu::warp_collective(sv_emu::SYNC_WARP, 0xffffffffu, 0, 0, 32, "wmma::mma_sync");
    for (int e = 0; e < M * N; e++) d.x[e] = tile[e];
}

// cvt.rna.tf32.f32: round to the nearest TF32 value (10 mantissa bits), ties away from zero; the result is a float
// whose low 13 mantissa bits are 0. Infinities and NaN pass through.
inline float __float_to_tf32(float v) {
    uint32_t u;
    memcpy(&u, &v, 4);
    if ((u & 0x7f800000u) != 0x7f800000u) {
        u = (u + 0x1000u) & 0xffffe000u;
    }
    memcpy(&v, &u, 4);
    return v;
}

}  // namespace wmma
}  // namespace nvcuda
