// Batched row-major SGEMM, C_z = alpha op(A_z) op(B_z) + beta C_z (Backend.gemm), FP32 throughout.
// A block computes a BM x BN tile of C with 256 threads, each holding a TM x TN register block; tiles of
// A and B pass through double-buffered shared memory, the next tile's loads from global memory
// overlapping the current tile's multiply-adds. Operand element (row, col) is read through the transpose
// flags, so every loader handles all four layouts; out-of-range elements load as 0. Batch z is grid z.
#include "spikevae.cuh"

#define SV_GEMM_THREADS 256

template <int H>
__device__ __forceinline__ void sv_lds(const float* p, float* r) {
#pragma unroll
    for (int i = 0; i < H; i++) r[i] = p[i];
}

template <>
__device__ __forceinline__ void sv_lds<4>(const float* p, float* r) {
    float4 v = *reinterpret_cast<const float4*>(p);
    r[0] = v.x;
    r[1] = v.y;
    r[2] = v.z;
    r[3] = v.w;
}

template <>
__device__ __forceinline__ void sv_lds<2>(const float* p, float* r) {
    float2 v = *reinterpret_cast<const float2*>(p);
    r[0] = v.x;
    r[1] = v.y;
}

template <int BM, int BN, int BK, int TM, int TN>
__device__ __forceinline__ void sv_sgemm_tile(int transA, int transB, int m, int n, int k, float alpha,
                                              const float* __restrict__ A, int lda, long long strideA,
                                              const float* __restrict__ B, int ldb, long long strideB, float beta,
                                              float* __restrict__ C, int ldc, long long strideC) {
    constexpr int LOADS_A = BM * BK / SV_GEMM_THREADS;
    constexpr int LOADS_B = BK * BN / SV_GEMM_THREADS;
    constexpr int HM = TM / 2;  // each thread owns two groups of HM rows, BM/2 apart
    constexpr int HN = TN / 2;
    constexpr int COLS_OF_THREADS = BN / TN;
    static_assert((BM / TM) * (BN / TN) == SV_GEMM_THREADS, "one register block per thread");
    static_assert(LOADS_A * SV_GEMM_THREADS == BM * BK && LOADS_B * SV_GEMM_THREADS == BK * BN, "whole tiles");

    __shared__ __align__(16) float As[2][BK][BM];
    __shared__ __align__(16) float Bs[2][BK][BN];

    const int tid = threadIdx.x;
    const int tx = tid % COLS_OF_THREADS;
    const int ty = tid / COLS_OF_THREADS;
    const int row0 = blockIdx.y * BM;
    const int col0 = blockIdx.x * BN;
    const long long z = blockIdx.z;
    A += z * strideA;
    B += z * strideB;
    C += z * strideC;

    float ra[LOADS_A];
    float rb[LOADS_B];
    int tiles = (k + BK - 1) / BK;

    // Global -> registers for k-tile kt; the element order keeps a warp's reads contiguous in memory.
    auto loadTile = [&](int kt) {
        int k0 = kt * BK;
#pragma unroll
        for (int q = 0; q < LOADS_A; q++) {
            int idx = tid + q * SV_GEMM_THREADS;
            int r = transA ? idx % BM : idx / BK;
            int kk = transA ? idx / BM : idx % BK;
            int gr = row0 + r;
            int gk = k0 + kk;
            float v = 0.0f;
            if (gr < m && gk < k) v = transA ? A[(long long)gk * lda + gr] : A[(long long)gr * lda + gk];
            ra[q] = v;
        }
#pragma unroll
        for (int q = 0; q < LOADS_B; q++) {
            int idx = tid + q * SV_GEMM_THREADS;
            int c = transB ? idx / BK : idx % BN;
            int kk = transB ? idx % BK : idx / BN;
            int gc = col0 + c;
            int gk = k0 + kk;
            float v = 0.0f;
            if (gc < n && gk < k) v = transB ? B[(long long)gc * ldb + gk] : B[(long long)gk * ldb + gc];
            rb[q] = v;
        }
    };
    // Registers -> shared buffer `buf`, A stored k-major so a thread's rows are contiguous.
    auto storeTile = [&](int buf) {
#pragma unroll
        for (int q = 0; q < LOADS_A; q++) {
            int idx = tid + q * SV_GEMM_THREADS;
            int r = transA ? idx % BM : idx / BK;
            int kk = transA ? idx / BM : idx % BK;
            As[buf][kk][r] = ra[q];
        }
#pragma unroll
        for (int q = 0; q < LOADS_B; q++) {
            int idx = tid + q * SV_GEMM_THREADS;
            int c = transB ? idx / BK : idx % BN;
            int kk = transB ? idx % BK : idx / BN;
            Bs[buf][kk][c] = rb[q];
        }
    };

    float acc[TM][TN];
#pragma unroll
    for (int i = 0; i < TM; i++)
#pragma unroll
        for (int j = 0; j < TN; j++) acc[i][j] = 0.0f;

    if (tiles > 0) {
        loadTile(0);
        storeTile(0);
    }
    __syncthreads();
    int cur = 0;
    for (int kt = 0; kt < tiles; kt++) {
        bool more = kt + 1 < tiles;
        if (more) loadTile(kt + 1);
#pragma unroll
        for (int kk = 0; kk < BK; kk++) {
            float a[TM];
            float b[TN];
            sv_lds<HM>(&As[cur][kk][ty * HM], a);
            sv_lds<HM>(&As[cur][kk][BM / 2 + ty * HM], a + HM);
            sv_lds<HN>(&Bs[cur][kk][tx * HN], b);
            sv_lds<HN>(&Bs[cur][kk][BN / 2 + tx * HN], b + HN);
#pragma unroll
            for (int i = 0; i < TM; i++)
#pragma unroll
                for (int j = 0; j < TN; j++) acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
        }
        if (more) storeTile(cur ^ 1);
        __syncthreads();
        cur ^= 1;
    }

#pragma unroll
    for (int i = 0; i < TM; i++) {
        int r = row0 + (i < HM ? ty * HM + i : BM / 2 + ty * HM + (i - HM));
        if (r >= m) continue;
#pragma unroll
        for (int j = 0; j < TN; j++) {
            int c = col0 + (j < HN ? tx * HN + j : BN / 2 + tx * HN + (j - HN));
            if (c >= n) continue;
            long long at = (long long)r * ldc + c;
            float v = alpha * acc[i][j];
            C[at] = beta == 0.0f ? v : v + beta * C[at];
        }
    }
}

// 128 x 128 tiles, 8 x 8 per thread: the large problems.
extern "C" __global__ void __launch_bounds__(SV_GEMM_THREADS)
sgemm_128x128(int transA, int transB, int m, int n, int k, float alpha, const float* A, int lda, long long strideA,
              const float* B, int ldb, long long strideB, float beta, float* C, int ldc, long long strideC) {
    sv_sgemm_tile<128, 128, 8, 8, 8>(transA, transB, m, n, k, alpha, A, lda, strideA, B, ldb, strideB, beta, C, ldc,
                                     strideC);
}

// 64 x 64 tiles, 4 x 4 per thread: small or thin problems, where big tiles would leave SMs idle.
extern "C" __global__ void __launch_bounds__(SV_GEMM_THREADS)
sgemm_64x64(int transA, int transB, int m, int n, int k, float alpha, const float* A, int lda, long long strideA,
            const float* B, int ldb, long long strideB, float beta, float* C, int ldc, long long strideC) {
    sv_sgemm_tile<64, 64, 8, 4, 4>(transA, transB, m, n, k, alpha, A, lda, strideA, B, ldb, strideB, beta, C, ldc,
                                   strideC);
}

// Split-K's closing pass: C(r, c) = alpha * (P_0(r, c) + P_1(r, c) + ...) + beta * C(r, c), the slices' partial
// products P_s (m x n, row-major, one after the other) added in slice order. C is not read where beta is 0.
extern "C" __global__ void sgemm_splitk_sum(int m, int n, int slices, float alpha, const float* __restrict__ P,
                                            float beta, float* __restrict__ C, int ldc) {
    long long total = (long long)m * n;
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < total;
         i += (long long)gridDim.x * blockDim.x) {
        float s = 0.0f;
        for (int z = 0; z < slices; z++) s += P[z * total + i];
        long long at = (i / n) * ldc + i % n;
        float v = alpha * s;
        C[at] = beta == 0.0f ? v : v + beta * C[at];
    }
}
