package dev.spikevae.autograd;

import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.MemoryScope;
import dev.spikevae.tensor.Rng;
import dev.spikevae.tensor.Tensor;

import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Finite-difference gradient checks in double precision: an op's float forward and backward are
 * compared with a double-precision reference forward and its central differences. The loss is
 * {@code sum(R * op(x))} for a fixed random R, so every output element's gradient path is exercised.
 */
final class GradCheck {
    /** The op under test, on float tensors. */
    interface FloatOp {
        Tensor apply(Tensor[] in);
    }

    /** The same function in double precision. */
    interface DoubleOp {
        double[] apply(double[][] in);
    }

    private final Backend backend;
    private final Rng rng;
    private double forwardTol = 1e-5;
    private double gradTol = 2e-4;
    private double step = 1e-6;
    private int maxChecksPerInput = 48;
    private Function<Float, Float> shape = v -> v;

    GradCheck(Backend backend, long seed) {
        this.backend = backend;
        this.rng = new Rng(seed);
    }

    GradCheck tolerances(double forward, double grad) {
        this.forwardTol = forward;
        this.gradTol = grad;
        return this;
    }

    /** Maps the uniform(-1, 1) inputs, e.g. away from kinks or onto positive values. */
    GradCheck inputs(Function<Float, Float> f) {
        this.shape = f;
        return this;
    }

    /** Checks forward values and the gradients of every input; {@code shapes[i]} is input i's shape. */
    void check(String name, int[][] shapes, FloatOp op, DoubleOp ref) {
        try (MemoryScope scope = MemoryScope.open()) {
            int k = shapes.length;
            float[][] hostIn = new float[k][];
            double[][] dIn = new double[k][];
            Tensor[] in = new Tensor[k];
            for (int i = 0; i < k; i++) {
                int n = 1;
                for (int d : shapes[i]) {
                    n *= d;
                }
                float[] u = rng.uniformHost(n);
                hostIn[i] = new float[n];
                dIn[i] = new double[n];
                for (int j = 0; j < n; j++) {
                    hostIn[i][j] = shape.apply(2f * u[j] - 1f);
                    dIn[i][j] = hostIn[i][j];
                }
                in[i] = backend.fromHost(hostIn[i], shapes[i]).requiresGrad(true);
            }
            double[] refOut = ref.apply(dIn);
            Tensor out;
            float[] r;
            try (Tape tape = Tape.record()) {
                out = op.apply(in);
                assertEquals(refOut.length, out.numel(), name + ": output size");
                float[] got = out.toHost();
                for (int j = 0; j < got.length; j++) {
                    assertClose(name + " forward[" + j + "]", refOut[j], got[j], forwardTol, maxAbs(refOut));
                }
                r = rng.uniformHost(out.numel());
                for (int j = 0; j < r.length; j++) {
                    r[j] = 2f * r[j] - 1f;
                }
                tape.backward(out, backend.fromHost(r, out.shape().dims()));
            }
            for (int i = 0; i < k; i++) {
                assertTrue(in[i].grad() != null, name + ": input " + i + " received no gradient");
                float[] g = in[i].grad().toHost();
                int n = g.length;
                int checks = Math.min(n, maxChecksPerInput);
                double scale = 0;
                double[] numeric = new double[checks];
                int[] pos = new int[checks];
                for (int c = 0; c < checks; c++) {
                    pos[c] = checks == n ? c : (int) ((long) c * n / checks + (c * 7919L) % Math.max(1, n / checks));
                    int j = pos[c];
                    double keep = dIn[i][j];
                    dIn[i][j] = keep + step;
                    double plus = dot(r, ref.apply(dIn));
                    dIn[i][j] = keep - step;
                    double minus = dot(r, ref.apply(dIn));
                    dIn[i][j] = keep;
                    numeric[c] = (plus - minus) / (2 * step);
                    scale = Math.max(scale, Math.abs(numeric[c]));
                }
                for (int c = 0; c < checks; c++) {
                    assertClose(name + " d/d input" + i + "[" + pos[c] + "]", numeric[c], g[pos[c]], gradTol, scale);
                }
            }
        }
    }

    private static double dot(float[] r, double[] y) {
        double s = 0;
        for (int j = 0; j < y.length; j++) {
            s += r[j] * y[j];
        }
        return s;
    }

    private static double maxAbs(double[] v) {
        double m = 0;
        for (double x : v) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }

    /**
     * {@code |got - want| <= tol * max(|want|, scale / 10, 1e-3)}: relative where the value is large, and
     * relative to a tenth of the largest value of its kind where it is near zero (float rounding there is
     * set by the magnitude of the terms, not of the result).
     */
    static void assertClose(String what, double want, double got, double tol, double scale) {
        double ref = Math.max(Math.abs(want), Math.max(0.1 * scale, 1e-3));
        if (!(Math.abs(got - want) <= tol * ref)) {
            throw new AssertionError(what + ": expected " + want + ", got " + got + " (tolerance " + tol + " relative to "
                    + ref + ")");
        }
    }
}
