// SGEMM on TF32 tensor cores (compute capability 8.0 and up; built as its own compute_80 module): the
// same contract as sgemm.cu, with the products rounded to TF32 (10-bit mantissa) and FP32 accumulation.
// 128 x 128 tiles, 8 warps of 64 x 32 each (4 x 2 fragments of 16 x 16), k-tiles of 16.
#include <mma.h>
#include "spikevae.cuh"

using namespace nvcuda;

#define SV_TF32_BM 128
#define SV_TF32_BN 128
#define SV_TF32_BK 16
#define SV_TF32_LDA (SV_TF32_BK + 4)
#define SV_TF32_LDB (SV_TF32_BN + 4)

extern "C" __global__ void __launch_bounds__(256)
sgemm_tf32_128x128(int transA, int transB, int m, int n, int k, float alpha, const float* A, int lda,
                   long long strideA, const float* B, int ldb, long long strideB, float beta, float* C, int ldc,
                   long long strideC) {
    __shared__ __align__(128) float As[SV_TF32_BM * SV_TF32_LDA];  // A tile, row-major [BM][BK]
    __shared__ __align__(128) float Bs[SV_TF32_BK * SV_TF32_LDB];  // B tile, row-major [BK][BN]
    __shared__ __align__(128) float stage[8][16 * 16];             // one fragment per warp in the epilogue

    const int tid = threadIdx.x;
    const int warp = tid >> 5;
    const int lane = tid & 31;
    const int warpRow = warp / 4;  // 0..1: 64 rows each
    const int warpCol = warp % 4;  // 0..3: 32 columns each
    const int row0 = blockIdx.y * SV_TF32_BM;
    const int col0 = blockIdx.x * SV_TF32_BN;
    const long long z = blockIdx.z;
    A += z * strideA;
    B += z * strideB;
    C += z * strideC;

    wmma::fragment<wmma::accumulator, 16, 16, 8, float> acc[4][2];
#pragma unroll
    for (int i = 0; i < 4; i++)
#pragma unroll
        for (int j = 0; j < 2; j++) wmma::fill_fragment(acc[i][j], 0.0f);

    for (int k0 = 0; k0 < k; k0 += SV_TF32_BK) {
#pragma unroll
        for (int q = 0; q < SV_TF32_BM * SV_TF32_BK / 256; q++) {
            int idx = tid + q * 256;
            int r = transA ? idx % SV_TF32_BM : idx / SV_TF32_BK;
            int kk = transA ? idx / SV_TF32_BM : idx % SV_TF32_BK;
            int gr = row0 + r;
            int gk = k0 + kk;
            float v = 0.0f;
            if (gr < m && gk < k) v = transA ? A[(long long)gk * lda + gr] : A[(long long)gr * lda + gk];
            As[r * SV_TF32_LDA + kk] = wmma::__float_to_tf32(v);
        }
#pragma unroll
        for (int q = 0; q < SV_TF32_BK * SV_TF32_BN / 256; q++) {
            int idx = tid + q * 256;
            int c = transB ? idx / SV_TF32_BK : idx % SV_TF32_BN;
            int kk = transB ? idx % SV_TF32_BK : idx / SV_TF32_BN;
            int gc = col0 + c;
            int gk = k0 + kk;
            float v = 0.0f;
            if (gc < n && gk < k) v = transB ? B[(long long)gc * ldb + gk] : B[(long long)gk * ldb + gc];
            Bs[kk * SV_TF32_LDB + c] = wmma::__float_to_tf32(v);
        }
        __syncthreads();
#pragma unroll
        for (int kk = 0; kk < SV_TF32_BK; kk += 8) {
            wmma::fragment<wmma::matrix_a, 16, 16, 8, wmma::precision::tf32, wmma::row_major> a[4];
            wmma::fragment<wmma::matrix_b, 16, 16, 8, wmma::precision::tf32, wmma::row_major> b[2];
#pragma unroll
            for (int i = 0; i < 4; i++) {
                wmma::load_matrix_sync(a[i], As + (warpRow * 64 + i * 16) * SV_TF32_LDA + kk, SV_TF32_LDA);
            }
#pragma unroll
            for (int j = 0; j < 2; j++) {
                wmma::load_matrix_sync(b[j], Bs + kk * SV_TF32_LDB + warpCol * 32 + j * 16, SV_TF32_LDB);
            }
#pragma unroll
            for (int i = 0; i < 4; i++)
#pragma unroll
                for (int j = 0; j < 2; j++) wmma::mma_sync(acc[i][j], a[i], b[j], acc[i][j]);
        }
        __syncthreads();
    }

    float* st = stage[warp];
#pragma unroll
    for (int i = 0; i < 4; i++) {
#pragma unroll
        for (int j = 0; j < 2; j++) {
            wmma::store_matrix_sync(st, acc[i][j], 16, wmma::mem_row_major);
            __syncwarp();
            for (int e = lane; e < 256; e += 32) {
                int r = row0 + warpRow * 64 + i * 16 + e / 16;
                int c = col0 + warpCol * 32 + j * 16 + e % 16;
                if (r < m && c < n) {
                    long long at = (long long)r * ldc + c;
                    float v = alpha * st[e];
                    C[at] = beta == 0.0f ? v : v + beta * C[at];
                }
            }
            __syncwarp();
        }
    }
}
