// Biased multi-bandwidth RBF MMD^2 (docs/reference.md §4, MmdCpu's arithmetic, in double) between the rows of
// x [n, d] and y [m, d], stacked as z = [x; y] of s = n + m rows. Pairwise work is spread over threads;
// every sum that crosses rows (row sums, the total, the loss) runs in row order on one thread, so the
// result equals the CPU's up to the last bits of exp and pow.
#include "spikevae.cuh"

__device__ __forceinline__ float sv_row_value(const float* x, const float* y, int n, int d, int row, int k) {
    return row < n ? x[(long long)row * d + k] : y[(long long)(row - n) * d + k];
}

__device__ __forceinline__ double sv_squared_distance(const float* x, const float* y, int n, int d, int i, int j) {
    double s = 0.0;
    for (int k = 0; k < d; k++) {
        double diff = (double)sv_row_value(x, y, n, d, i, k) - (double)sv_row_value(x, y, n, d, j, k);
        s += diff * diff;
    }
    return s;
}

// Weight of pair (i, j): the mean of each block, cross blocks subtracted.
__device__ __forceinline__ double sv_pair_weight(int i, int j, int n, int m) {
    bool xi = i < n;
    bool xj = j < n;
    if (xi && xj) return 1.0 / ((double)n * n);
    if (!xi && !xj) return 1.0 / ((double)m * m);
    return -1.0 / ((double)n * m);
}

// dist[i * s + j] = |z_i - z_j|^2.
extern "C" __global__ void mmd_distances(const float* x, const float* y, int n, int m, int d, double* dist) {
    int s = n + m;
    long long pairs = (long long)s * s;
    SV_FOR(p, pairs) {
        int i = (int)(p / s);
        int j = (int)(p - (long long)i * s);
        dist[p] = sv_squared_distance(x, y, n, d, i, j);
    }
}

// rowSum[i] = sum_j dist[i, j] in j order.
extern "C" __global__ void mmd_row_sums(const double* dist, int s, double* rowSum) {
    SV_FOR(i, s) {
        double sum = 0.0;
        for (int j = 0; j < s; j++) sum += dist[i * (long long)s + j];
        rowSum[i] = sum;
    }
}

// Inverse bandwidths 1 / (base / mul^(num/2) * mul^i) from the float base bandwidth.
__device__ __forceinline__ void sv_inverse_widths(float base, int num, float mul, double* inv) {
    double smallest = (double)base / pow((double)mul, (double)(num / 2));
    for (int i = 0; i < num; i++) {
        inv[i] = 1.0 / (smallest * pow((double)mul, (double)i));
    }
}

// One thread: the base bandwidth sum D / (s^2 - s), rounded to the float kept for backward, and the
// inverse widths for the loss.
extern "C" __global__ void mmd_bandwidth(const double* rowSum, int s, int num, float mul, float* bandwidth,
                                         double* inv) {
    if (blockIdx.x == 0 && threadIdx.x == 0) {
        double total = 0.0;
        for (int i = 0; i < s; i++) total += rowSum[i];
        float base = (float)(total / ((double)s * s - s));
        bandwidth[0] = base;
        sv_inverse_widths(base, num, mul, inv);
    }
}

// One thread: the inverse widths from a stored bandwidth (backward).
extern "C" __global__ void mmd_inverse_widths(const float* bandwidth, int num, float mul, double* inv) {
    if (blockIdx.x == 0 && threadIdx.x == 0) {
        sv_inverse_widths(bandwidth[0], num, mul, inv);
    }
}

// rowLoss[i] = sum_j w_ij * sum_q exp(-dist_ij * inv_q).
extern "C" __global__ void mmd_row_loss(const double* dist, int n, int m, const double* inv, int num,
                                        double* rowLoss) {
    int s = n + m;
    SV_FOR(i, s) {
        double sum = 0.0;
        for (int j = 0; j < s; j++) {
            double dd = dist[i * (long long)s + j];
            double k = 0.0;
            for (int q = 0; q < num; q++) k += exp(-dd * inv[q]);
            sum += sv_pair_weight((int)i, j, n, m) * k;
        }
        rowLoss[i] = sum;
    }
}

// One thread: loss = (float) sum_i rowLoss[i].
extern "C" __global__ void mmd_total(const double* rowLoss, int s, float* loss) {
    if (blockIdx.x == 0 && threadIdx.x == 0) {
        double value = 0.0;
        for (int i = 0; i < s; i++) value += rowLoss[i];
        loss[0] = (float)value;
    }
}

// coef[i * s + j] = 4 w_ij K'(D_ij), K' = -sum_q inv_q exp(-D inv_q).
extern "C" __global__ void mmd_coefficients(const float* x, const float* y, int n, int m, int d, const double* inv,
                                            int num, double* coef) {
    int s = n + m;
    long long pairs = (long long)s * s;
    SV_FOR(p, pairs) {
        int i = (int)(p / s);
        int j = (int)(p - (long long)i * s);
        double dd = sv_squared_distance(x, y, n, d, i, j);
        double slope = 0.0;
        for (int q = 0; q < num; q++) slope -= inv[q] * exp(-dd * inv[q]);
        coef[p] = 4 * sv_pair_weight(i, j, n, m) * slope;
    }
}

// grad z_i[k] = upstream * sum_j coef_ij (z_i[k] - z_j[k]) (pairs with coef 0 skipped, as on the CPU),
// one thread per (row, coordinate).
extern "C" __global__ void mmd_gradient(const float* dLoss, const float* x, const float* y, int n, int m, int d,
                                        const double* coef, float* dx, float* dy) {
    int s = n + m;
    long long total = (long long)s * d;
    double upstream = (double)dLoss[0];
    SV_FOR(p, total) {
        int i = (int)(p / d);
        int k = (int)(p - (long long)i * d);
        double zi = (double)sv_row_value(x, y, n, d, i, k);
        double g = 0.0;
        for (int j = 0; j < s; j++) {
            double c = coef[i * (long long)s + j];
            if (c != 0.0) g += c * (zi - (double)sv_row_value(x, y, n, d, j, k));
        }
        float v = (float)(upstream * g);
        if (i < n) {
            dx[(long long)i * d + k] = v;
        } else {
            dy[(long long)(i - n) * d + k] = v;
        }
    }
}
