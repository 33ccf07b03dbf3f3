// The column-matrix side of the convolutions (ConvIm2col's layout): for a chunk of `images` consecutive
// images the column matrix col[K][cols] has one row per (input channel, kernel row, kernel column),
// K = inC * kH * kW, and one column per (image, output row, output column), cols = images * P, so a
// whole chunk is one SGEMM with the weight matrix [outC, K]. Inputs may be f32 or u8 spikes; a u8
// operand is widened as it is read, never copied to a float tensor.
#include "spikevae.cuh"

struct ConvShape {
    int inC, inH, inW, outC, kH, kW, strideH, strideW, padH, padW, outH, outW;
};

template <typename T>
__device__ __forceinline__ void sv_im2col(const T* x, int images, ConvShape g, float* col) {
    int positions = g.outH * g.outW;
    long long cols = (long long)images * positions;
    long long n = (long long)g.inC * g.kH * g.kW * cols;
    SV_FOR(e, n) {
        long long row = e / cols;
        long long column = e - row * cols;
        int kw = (int)(row % g.kW);
        int kh = (int)((row / g.kW) % g.kH);
        int ci = (int)(row / ((long long)g.kW * g.kH));
        int img = (int)(column / positions);
        int pos = (int)(column - (long long)img * positions);
        int oh = pos / g.outW;
        int ow = pos - oh * g.outW;
        int ih = oh * g.strideH - g.padH + kh;
        int iw = ow * g.strideW - g.padW + kw;
        bool inside = ih >= 0 && ih < g.inH && iw >= 0 && iw < g.inW;
        col[e] = inside ? (float)x[(((long long)img * g.inC + ci) * g.inH + ih) * g.inW + iw] : 0.0f;
    }
}

extern "C" __global__ void im2col_f32(const float* x, int images, ConvShape g, float* col) {
    sv_im2col<float>(x, images, g, col);
}

extern "C" __global__ void im2col_u8(const u8* x, int images, ConvShape g, float* col) {
    sv_im2col<u8>(x, images, g, col);
}

// The adjoint of im2col as a gather: each input element of the chunk is its channel's bias (0 without)
// plus every column entry read from it, added in kernel-offset order (kh, then kw) as on the CPU. No
// atomics, so the result is deterministic.
extern "C" __global__ void col2im_f32(const float* col, int images, ConvShape g, const float* bias, float* dx) {
    int positions = g.outH * g.outW;
    long long cols = (long long)images * positions;
    long long n = (long long)images * g.inC * g.inH * g.inW;
    SV_FOR(e, n) {
        int iw = (int)(e % g.inW);
        int ih = (int)((e / g.inW) % g.inH);
        int ci = (int)((e / ((long long)g.inW * g.inH)) % g.inC);
        int img = (int)(e / ((long long)g.inW * g.inH * g.inC));
        float sum = bias != nullptr ? bias[ci] : 0.0f;
        for (int kh = 0; kh < g.kH; kh++) {
            int th = ih + g.padH - kh;  // = oh * strideH when this tap reads (ih, iw)
            if (th < 0 || th % g.strideH != 0) continue;
            int oh = th / g.strideH;
            if (oh >= g.outH) continue;
            for (int kw = 0; kw < g.kW; kw++) {
                int tw = iw + g.padW - kw;
                if (tw < 0 || tw % g.strideW != 0) continue;
                int ow = tw / g.strideW;
                if (ow >= g.outW) continue;
                long long row = ((long long)ci * g.kH + kh) * g.kW + kw;
                sum += col[row * cols + (long long)img * positions + oh * g.outW + ow];
            }
        }
        dx[e] = sum;
    }
}

// t [images, channels, P] (f32 or u8) -> mat [channels, images * P].
template <typename T>
__device__ __forceinline__ void sv_gather(const T* t, int images, int channels, int positions, float* mat) {
    long long cols = (long long)images * positions;
    long long n = (long long)channels * cols;
    SV_FOR(e, n) {
        long long c = e / cols;
        long long column = e - c * cols;
        long long img = column / positions;
        long long pos = column - img * positions;
        mat[e] = (float)t[(img * channels + c) * positions + pos];
    }
}

extern "C" __global__ void gather_channels_f32(const float* t, int images, int channels, int positions, float* mat) {
    sv_gather<float>(t, images, channels, positions, mat);
}

extern "C" __global__ void gather_channels_u8(const u8* t, int images, int channels, int positions, float* mat) {
    sv_gather<u8>(t, images, channels, positions, mat);
}

// The inverse of gather: t[img, c, pos] = mat[c, img * P + pos] (+ bias[c] when a bias is given).
extern "C" __global__ void scatter_channels_f32(const float* mat, int images, int channels, int positions,
                                                const float* bias, float* t) {
    long long cols = (long long)images * positions;
    long long n = (long long)channels * cols;
    SV_FOR(e, n) {
        long long pos = e % positions;
        long long c = (e / positions) % channels;
        long long img = e / ((long long)positions * channels);
        float v = mat[c * cols + img * positions + pos];
        t[e] = bias != nullptr ? v + bias[c] : v;
    }
}

// dw = beta * dw for an empty batch (beta 0 clears whatever was there).
extern "C" __global__ void scale_f32(float* t, int n, float beta) {
    SV_FOR(i, n) {
        t[i] = beta == 0.0f ? 0.0f : beta * t[i];
    }
}
