package dev.spikevae.backend.cpu;

import dev.spikevae.tensor.BinaryOp;
import dev.spikevae.tensor.Shape;
import dev.spikevae.tensor.UnaryOp;

/**
 * Elementwise and broadcast arithmetic, activations and the first-order time filter. These are
 * memory-bound and off the hot path of a training step (the fused LIF, BN and GEMM kernels carry it), so
 * they are plain loops split over the pool.
 */
final class Elementwise {
    private static final int GRAIN = 1 << 15;
    private final Parallel parallel;

    Elementwise(Parallel parallel) {
        this.parallel = parallel;
    }

    void unary(UnaryOp op, float[] x, int xo, float[] y, int yo, int n, float p) {
        parallel.forRange(n, GRAIN, (from, to) -> {
            for (int i = from; i < to; i++) {
                y[yo + i] = apply(op, x[xo + i], p);
            }
        });
    }

    static float apply(UnaryOp op, float v, float p) {
        return switch (op) {
            case NEG -> -v;
            case EXP -> (float) Math.exp(v);
            case LOG -> (float) Math.log(v);
            // StrictMath: Java 24+ compute Math.tanh with an intrinsic of other bits than 17's (which is StrictMath's)
            case TANH -> (float) StrictMath.tanh(v);
            case SIGMOID -> (float) (1.0 / (1.0 + Math.exp(-v)));
            case RELU -> v > 0f ? v : 0f;
            case LEAKY_RELU -> v > 0f ? v : p * v;
            case SQUARE -> v * v;
            case SQRT -> (float) Math.sqrt(v);
            case ABS -> Math.abs(v);
            case STEP -> v > p ? 1f : 0f;
        };
    }

    /** f'(x) times dy, from x or the forward output y. */
    static float derivative(UnaryOp op, float x, float y, float dy, float p) {
        return switch (op) {
            case NEG -> -dy;
            case EXP -> dy * y;
            case LOG -> dy / x;
            case TANH -> dy * (1f - y * y);
            case SIGMOID -> dy * y * (1f - y);
            case RELU -> x > 0f ? dy : 0f;
            case LEAKY_RELU -> x > 0f ? dy : p * dy;
            case SQUARE -> 2f * x * dy;
            case SQRT -> 0.5f * dy / y;
            case ABS -> x > 0f ? dy : x < 0f ? -dy : 0f;
            case STEP -> throw new IllegalArgumentException("STEP has no gradient");
        };
    }

    void unaryBackward(UnaryOp op, float[] x, int xo, float[] y, int yo, float[] dy, int dyo, float[] dx, int dxo, int n,
                       float p) {
        parallel.forRange(n, GRAIN, (from, to) -> {
            for (int i = from; i < to; i++) {
                dx[dxo + i] = derivative(op, x[xo + i], y[yo + i], dy[dyo + i], p);
            }
        });
    }

    static float apply(BinaryOp op, float a, float b) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case MAX -> Math.max(a, b);
            case MIN -> Math.min(a, b);
        };
    }

    void binary(BinaryOp op, float[] a, int ao, Shape as, float[] b, int bo, Shape bs, float[] out, int oo, Shape os) {
        int n = os.numel();
        if (as.equals(os) && bs.equals(os)) {
            parallel.forRange(n, GRAIN, (from, to) -> {
                for (int i = from; i < to; i++) {
                    out[oo + i] = apply(op, a[ao + i], b[bo + i]);
                }
            });
            return;
        }
        StridedIndex ix = StridedIndex.of(os, StridedIndex.broadcastStrides(as, os), StridedIndex.broadcastStrides(bs, os));
        int inner = ix.inner;
        int sa = ix.innerStride(0);
        int sb = ix.innerStride(1);
        parallel.forRange(ix.rows, Math.max(1, GRAIN / inner), (from, to) -> {
            for (int r = from; r < to; r++) {
                int pa = ao + ix.rowOffset(0, r);
                int pb = bo + ix.rowOffset(1, r);
                int po = oo + r * inner;
                for (int j = 0; j < inner; j++) {
                    out[po + j] = apply(op, a[pa + j * sa], b[pb + j * sb]);
                }
            }
        });
    }

    void axpby(float alpha, float[] x, int xo, float beta, float[] y, int yo, int n) {
        parallel.forRange(n, GRAIN, (from, to) -> {
            if (beta == 0f) {
                for (int i = from; i < to; i++) {
                    y[yo + i] = alpha * x[xo + i];
                }
            } else {
                for (int i = from; i < to; i++) {
                    y[yo + i] = alpha * x[xo + i] + beta * y[yo + i];
                }
            }
        });
    }

    void affine(float[] x, int xo, float alpha, float beta, float[] y, int yo, int n) {
        parallel.forRange(n, GRAIN, (from, to) -> {
            for (int i = from; i < to; i++) {
                y[yo + i] = alpha * x[xo + i] + beta;
            }
        });
    }

    void leakyScan(float[] x, int xo, float[] y, int yo, int steps, int m, float decay, float gain) {
        parallel.forRange(m, Math.max(1, GRAIN / steps), (from, to) -> {
            for (int i = from; i < to; i++) {
                y[yo + i] = gain * x[xo + i];
            }
            for (int t = 1; t < steps; t++) {
                int cur = t * m;
                int prev = cur - m;
                for (int i = from; i < to; i++) {
                    y[yo + cur + i] = decay * y[yo + prev + i] + gain * x[xo + cur + i];
                }
            }
        });
    }

    /** dx may alias dy: the running adjoint a_{t+1} is kept in a per-range buffer, not re-read from dx. */
    void leakyScanBackward(float[] dy, int dyo, float[] dx, int dxo, int steps, int m, float decay, float gain) {
        parallel.forRange(m, Math.max(1, GRAIN / steps), (from, to) -> {
            float[] acc = new float[to - from];
            for (int t = steps - 1; t >= 0; t--) {
                int row = t * m;
                for (int i = from; i < to; i++) {
                    float a = dy[dyo + row + i] + decay * acc[i - from];
                    acc[i - from] = a;
                    dx[dxo + row + i] = gain * a;
                }
            }
        });
    }
}
