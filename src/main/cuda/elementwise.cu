// Elementwise and broadcast arithmetic, activations and the first-order time filter (leakyScan). The
// transcendental functions run in double and are rounded to float, as the CPU kernels do with
// Math.exp / log / tanh, so both backends agree to the last bit in almost every case.
#include "spikevae.cuh"

// Codes of UnaryOp and BinaryOp (the Java side maps its enums to these; a test checks both lists).
#define SV_UNARY_NEG 0
#define SV_UNARY_EXP 1
#define SV_UNARY_LOG 2
#define SV_UNARY_TANH 3
#define SV_UNARY_SIGMOID 4
#define SV_UNARY_RELU 5
#define SV_UNARY_LEAKY_RELU 6
#define SV_UNARY_SQUARE 7
#define SV_UNARY_SQRT 8
#define SV_UNARY_ABS 9
#define SV_UNARY_STEP 10

#define SV_BINARY_ADD 0
#define SV_BINARY_SUB 1
#define SV_BINARY_MUL 2
#define SV_BINARY_DIV 3
#define SV_BINARY_MAX 4
#define SV_BINARY_MIN 5

__device__ __forceinline__ float sv_unary(int op, float v, float p) {
    switch (op) {
        case SV_UNARY_NEG: return -v;
        case SV_UNARY_EXP: return (float)exp((double)v);
        case SV_UNARY_LOG: return (float)log((double)v);
        case SV_UNARY_TANH: return (float)tanh((double)v);
        case SV_UNARY_SIGMOID: return (float)(1.0 / (1.0 + exp(-(double)v)));
        case SV_UNARY_RELU: return v > 0.0f ? v : 0.0f;
        case SV_UNARY_LEAKY_RELU: return v > 0.0f ? v : p * v;
        case SV_UNARY_SQUARE: return v * v;
        case SV_UNARY_SQRT: return (float)sqrt((double)v);
        case SV_UNARY_ABS: return fabsf(v);
        case SV_UNARY_STEP: return v > p ? 1.0f : 0.0f;
        default: return __int_as_float(0x7fc00000);
    }
}

// dy * f'(x), from x or the forward output y (as Elementwise.derivative).
__device__ __forceinline__ float sv_unary_grad(int op, float x, float y, float dy, float p) {
    switch (op) {
        case SV_UNARY_NEG: return -dy;
        case SV_UNARY_EXP: return dy * y;
        case SV_UNARY_LOG: return dy / x;
        case SV_UNARY_TANH: return dy * (1.0f - y * y);
        case SV_UNARY_SIGMOID: return dy * y * (1.0f - y);
        case SV_UNARY_RELU: return x > 0.0f ? dy : 0.0f;
        case SV_UNARY_LEAKY_RELU: return x > 0.0f ? dy : p * dy;
        case SV_UNARY_SQUARE: return 2.0f * x * dy;
        case SV_UNARY_SQRT: return 0.5f * dy / y;
        case SV_UNARY_ABS: return x > 0.0f ? dy : (x < 0.0f ? -dy : 0.0f);
        default: return __int_as_float(0x7fc00000);
    }
}

__device__ __forceinline__ float sv_binary(int op, float a, float b) {
    switch (op) {
        case SV_BINARY_ADD: return a + b;
        case SV_BINARY_SUB: return a - b;
        case SV_BINARY_MUL: return a * b;
        case SV_BINARY_DIV: return a / b;
        case SV_BINARY_MAX: return sv_jmax(a, b);
        case SV_BINARY_MIN: return sv_jmin(a, b);
        default: return __int_as_float(0x7fc00000);
    }
}

extern "C" __global__ void unary_f32(int op, const float* x, float* y, int n, float p) {
    SV_FOR(i, n) {
        y[i] = sv_unary(op, x[i], p);
    }
}

extern "C" __global__ void unary_backward_f32(int op, const float* x, const float* y, const float* dy, float* dx, int n,
                                              float p) {
    SV_FOR(i, n) {
        dx[i] = sv_unary_grad(op, x[i], y[i], dy[i], p);
    }
}

// Same-shape operands (out may alias a or b).
extern "C" __global__ void binary_f32(int op, const float* a, const float* b, float* out, int n) {
    SV_FOR(i, n) {
        out[i] = sv_binary(op, a[i], b[i]);
    }
}

// Broadcast operands: out is contiguous over `dims` (rank axes, merged on the host); a and b are read
// through their strides over those axes (0 along broadcast axes).
extern "C" __global__ void binary_broadcast_f32(int op, const float* a, const float* b, float* out, int n, int rank,
                                                Dims dims, Dims strideA, Dims strideB) {
    SV_FOR(i, n) {
        long long rem = i;
        long long pa = 0;
        long long pb = 0;
        for (int ax = rank - 1; ax >= 0; ax--) {
            int idx = (int)(rem % dims.d[ax]);
            rem /= dims.d[ax];
            pa += (long long)idx * strideA.d[ax];
            pb += (long long)idx * strideB.d[ax];
        }
        out[i] = sv_binary(op, a[pa], b[pb]);
    }
}

extern "C" __global__ void axpby_f32(float alpha, const float* x, float beta, float* y, int n) {
    SV_FOR(i, n) {
        y[i] = beta == 0.0f ? alpha * x[i] : alpha * x[i] + beta * y[i];
    }
}

extern "C" __global__ void affine_f32(const float* x, float alpha, float beta, float* y, int n) {
    SV_FOR(i, n) {
        y[i] = alpha * x[i] + beta;
    }
}

// y_t = decay * y_{t-1} + gain * x_t over [steps, m], one thread per column.
extern "C" __global__ void leaky_scan_f32(const float* x, float* y, int steps, int m, float decay, float gain) {
    SV_FOR(i, m) {
        float prev = gain * x[i];
        y[i] = prev;
        for (int t = 1; t < steps; t++) {
            long long at = (long long)t * m + i;
            prev = decay * prev + gain * x[at];
            y[at] = prev;
        }
    }
}

// a_t = dy_t + decay * a_{t+1}, dx_t = gain * a_t (dx may alias dy: each element is read before written).
extern "C" __global__ void leaky_scan_backward_f32(const float* dy, float* dx, int steps, int m, float decay,
                                                   float gain) {
    SV_FOR(i, m) {
        float acc = 0.0f;
        for (int t = steps - 1; t >= 0; t--) {
            long long at = (long long)t * m + i;
            float a = dy[at] + decay * acc;
            acc = a;
            dx[at] = gain * a;
        }
    }
}
