// Batch-norm statistics, apply and backward over x viewed as [outer, C, inner] (BatchNormCpu's
// arithmetic). Per-channel sums run in double: a grid of (channel, split) blocks writes partial sums to a
// workspace and one thread per channel adds a channel's partials in split order, so the result does not
// depend on scheduling.
#include "spikevae.cuh"

// Partial sums of channel c = blockIdx.x over the values e = split, split + splits, ... (in units of
// blockDim.x) of its outer * inner values. mode 0: sum x; mode 1: sum (x - mean[c])^2 with the difference
// and its square rounded to float as on the CPU; mode 2: sum dy and sum dy * (x - mean[c]).
extern "C" __global__ void bn_partial_sums(const float* x, const float* dy, const float* mean, int outer, int channels,
                                           int inner, int mode, double* partial) {
    int c = blockIdx.x;
    int split = blockIdx.y;
    int splits = gridDim.y;
    long long count = (long long)outer * inner;
    float m = mode == 0 ? 0.0f : mean[c];
    double s0 = 0.0;
    double s1 = 0.0;
    for (long long e = (long long)split * blockDim.x + threadIdx.x; e < count; e += (long long)splits * blockDim.x) {
        long long o = e / inner;
        long long i = e - o * inner;
        long long at = (o * channels + c) * inner + i;
        if (mode == 0) {
            s0 += (double)x[at];
        } else if (mode == 1) {
            float d = x[at] - m;
            s0 += (double)(d * d);
        } else {
            float g = dy[at];
            s0 += (double)g;
            s1 += (double)(g * (x[at] - m));
        }
    }
    s0 = sv_block_sum(s0);
    if (mode == 2) {
        s1 = sv_block_sum(s1);
    }
    if (threadIdx.x == 0) {
        long long slot = ((long long)c * splits + split) * 2;
        partial[slot] = s0;
        partial[slot + 1] = s1;
    }
}

__device__ __forceinline__ void sv_channel_sums(const double* partial, int c, int splits, double* s0, double* s1) {
    double a = 0.0;
    double b = 0.0;
    for (int s = 0; s < splits; s++) {
        a += partial[((long long)c * splits + s) * 2];
        b += partial[((long long)c * splits + s) * 2 + 1];
    }
    *s0 = a;
    *s1 = b;
}

// After mode 0: mean[c] = (float)(sum / n) (0 when n = 0).
extern "C" __global__ void bn_finish_mean(const double* partial, int splits, int channels, long long n, float* mean) {
    SV_FOR(c, channels) {
        double s0, s1;
        sv_channel_sums(partial, (int)c, splits, &s0, &s1);
        mean[c] = n == 0 ? 0.0f : (float)(s0 / (double)n);
    }
}

// After mode 1: var[c] = (float)(sum / n), the biased variance.
extern "C" __global__ void bn_finish_var(const double* partial, int splits, int channels, long long n, float* var) {
    SV_FOR(c, channels) {
        double s0, s1;
        sv_channel_sums(partial, (int)c, splits, &s0, &s1);
        var[c] = n == 0 ? 0.0f : (float)(s0 / (double)n);
    }
}

// y = (x - mean) * scaleC + beta with scaleC = (float)(gamma * scale / sqrt(var + eps)) in double.
extern "C" __global__ void bn_forward(const float* x, const float* mean, const float* var, const float* gamma,
                                      const float* beta, float scale, float eps, float* y, int outer, int channels,
                                      int inner) {
    long long n = (long long)outer * channels * inner;
    SV_FOR(e, n) {
        int c = (int)((e / inner) % channels);
        float scaleC = (float)((double)gamma[c] * (double)scale / sqrt((double)var[c] + (double)eps));
        y[e] = (x[e] - mean[c]) * scaleC + beta[c];
    }
}

// After mode 2: the parameter gradients and the coefficients of dx = a dy + b (x - mean) + c0,
// coef[3c .. 3c+2] = (a, b, c0), all as BatchNormCpu.backward computes them.
extern "C" __global__ void bn_backward_coefficients(const double* partial, int splits, int channels, long long n,
                                                    const float* var, const float* gamma, float scale, float eps,
                                                    int training, float* dGamma, float* dBeta, float* coef) {
    SV_FOR(c, channels) {
        double sumDy, sumDyDev;
        sv_channel_sums(partial, (int)c, splits, &sumDy, &sumDyDev);
        double invStd = 1.0 / sqrt((double)var[c] + (double)eps);
        double sumDyXhat = sumDyDev * invStd;
        double gain = (double)gamma[c] * (double)scale * invStd;
        dBeta[c] = (float)sumDy;
        dGamma[c] = (float)((double)scale * sumDyXhat);
        coef[3 * c] = (float)gain;
        coef[3 * c + 1] = training && n > 0 ? (float)(-gain * invStd * sumDyXhat / (double)n) : 0.0f;
        coef[3 * c + 2] = training && n > 0 ? (float)(-gain * sumDy / (double)n) : 0.0f;
    }
}

extern "C" __global__ void bn_backward_apply(const float* dy, const float* x, const float* mean, const float* coef,
                                             float* dx, int outer, int channels, int inner) {
    long long n = (long long)outer * channels * inner;
    SV_FOR(e, n) {
        int c = (int)((e / inner) % channels);
        dx[e] = dy[e] * coef[3 * c] + (x[e] - mean[c]) * coef[3 * c + 1] + coef[3 * c + 2];
    }
}
