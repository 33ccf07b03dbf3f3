package dev.spikevae.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikevae.tensor.LifParams;
import dev.spikevae.tensor.Surrogate;
import dev.spikevae.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The LIF kernels against docs/reference.md §11's golden values, against a double-precision implementation of
 * the backward recursion, and against each other (vector/scalar, thread counts).
 *
 * <p>Why no plain finite differences: the spike is a step, so dL/dx is 0 almost everywhere and the
 * surrogate gradient is by design not its derivative. Instead (a) the recursion itself is checked by
 * finite differences on a "soft" neuron whose spike is {@code o = sigmoid(alpha (u - c))}: for that
 * smooth function the same recursion, with soft o in the reset terms and sigmoid' as the surrogate, is
 * the exact gradient; (b) the kernels are checked against that recursion evaluated in double with hard
 * spikes, which is what they implement.
 */
class LifCpuTest {
    private static final CpuBackend[] BACKENDS = {new CpuBackend(1), new CpuBackend(2), new CpuBackend(3)};
    private static final int[] NEURONS = {1, 7, 17, 33, 1003, 5000};
    private static final int[] STEPS = {1, 3, 16};

    private static List<LifParams> allParams() {
        List<LifParams> list = new ArrayList<>();
        for (Surrogate s : Surrogate.values()) {
            float w = s == Surrogate.RECTANGLE ? 0.5f : 4f;
            for (boolean centred : new boolean[] {false, true}) {
                for (boolean detach : new boolean[] {false, true}) {
                    list.add(LifParams.REFERENCE.withSurrogate(s, w).withCentredAtThreshold(centred).withDetachReset(detach));
                }
            }
        }
        return list;
    }

    @Test
    void goldenValuesOfSpec() {
        float[] x = {0.3f, 0.1f, -0.2f, 0.25f, 0.05f, 0.5f, 0.0f, 0.19f};
        float[] uGold = {0.3f, 0.1f, -0.175f, 0.20625f, 0.05f, 0.5125f, 0.0f, 0.19f};
        float[] oGold = {1, 0, 0, 1, 0, 1, 0, 0};
        float[] dxSum = {0.903424f, 1.287686f, 1.278604f, 0.948438f, 1.0f, 0.0f, 1.25f, 1.0f};
        float[] dxWeighted = {0.780825f, 2.922335f, 4.099268f, 3.742188f, 5.0f, 0.0f, 9.0f, 8.0f};
        float[] ones = new float[8];
        float[] weights = new float[8];
        for (int t = 0; t < 8; t++) {
            ones[t] = 1f;
            weights[t] = t + 1;
        }
        for (CpuBackend be : BACKENDS) {
            Tensor xt = be.fromHost(x, 8, 1);
            Tensor s = be.empty(8, 1);
            Tensor u = be.empty(8, 1);
            be.lifForward(xt, s, u, LifParams.REFERENCE);
            assertArrayEquals(uGold, u.toHost(), 1e-6f);
            assertArrayEquals(oGold, s.toHost(), 0f);
            Tensor dx = be.empty(8, 1);
            be.lifBackward(be.fromHost(ones, 8, 1), u, dx, LifParams.REFERENCE);
            assertArrayEquals(dxSum, dx.toHost(), 1e-5f);
            be.lifBackward(be.fromHost(weights, 8, 1), u, dx, LifParams.REFERENCE);
            assertArrayEquals(dxWeighted, dx.toHost(), 1e-5f);
        }
    }

    /** Forward in float, operation for operation as the kernels (the spike threshold makes any rounding visible). */
    static void forwardFloat(float[] x, int steps, int m, LifParams p, float[] s, float[] u) {
        for (int i = 0; i < m; i++) {
            float carry = 0f;
            for (int t = 0; t < steps; t++) {
                float ut = carry + x[t * m + i];
                boolean spike = ut > p.threshold();
                u[t * m + i] = ut;
                s[t * m + i] = spike ? 1f : 0f;
                carry = spike ? 0f : ut * p.decay();
            }
        }
    }

    /** d spike / d u in double. */
    static double surrogateGrad(LifParams p, double u) {
        double v = u - p.centre();
        double a = p.width();
        switch (p.surrogate()) {
            case RECTANGLE:
                return Math.abs(v) < a ? 0.5 / a : 0.0;
            case SIGMOID: {
                double sig = 1.0 / (1.0 + Math.exp(-a * v));
                return a * sig * (1.0 - sig);
            }
            case ATAN: {
                double z = Math.PI / 2 * a * v;
                return a / 2 / (1 + z * z);
            }
            default:
                throw new AssertionError();
        }
    }

    /**
     * The backward recursion of docs/reference.md §11 in double, for one neuron, given membranes u and the spike
     * values o used in the reset (hard spikes for the kernels, soft ones for the finite-difference check).
     */
    static double[] backwardRecursion(double[] u, double[] o, double[] dS, LifParams p) {
        int steps = u.length;
        double[] dx = new double[steps];
        double next = 0;
        double reset = p.detachReset() ? 0 : p.decay();
        for (int t = steps - 1; t >= 0; t--) {
            double gO = dS[t] - reset * u[t] * next;
            double gU = gO * surrogateGrad(p, u[t]) + p.decay() * (1 - o[t]) * next;
            dx[t] = gU;
            next = gU;
        }
        return dx;
    }

    /** A neuron whose spike is {@code sigmoid(alpha (u - c))}; returns sum_t w_t o_t. */
    private static double softLoss(double[] x, double[] w, LifParams p, double[] uOut, double[] oOut) {
        double uPrev = 0;
        double oPrev = 0;
        double loss = 0;
        for (int t = 0; t < x.length; t++) {
            double u = p.decay() * uPrev * (1 - (p.detachReset() ? 0 : 1) * oPrev) + x[t];
            double o = 1.0 / (1.0 + Math.exp(-p.width() * (u - p.centre())));
            if (uOut != null) {
                uOut[t] = u;
                oOut[t] = o;
            }
            loss += w[t] * o;
            uPrev = u;
            oPrev = o;
        }
        return loss;
    }

    @Test
    void recursionIsTheExactGradientOfTheSoftNeuron() {
        Random rnd = new Random(11);
        // detachReset would need a forward whose reset carries no gradient, which FD cannot express
        LifParams p = LifParams.REFERENCE.withSurrogate(Surrogate.SIGMOID, 3f);
        for (boolean centred : new boolean[] {false, true}) {
            LifParams q = p.withCentredAtThreshold(centred);
            int steps = 12;
            double[] x = new double[steps];
            double[] w = new double[steps];
            for (int t = 0; t < steps; t++) {
                x[t] = rnd.nextGaussian() * 0.4;
                w[t] = rnd.nextGaussian();
            }
            double[] u = new double[steps];
            double[] o = new double[steps];
            softLoss(x, w, q, u, o);
            double[] analytic = backwardRecursion(u, o, w, q);
            double h = 1e-6;
            for (int t = 0; t < steps; t++) {
                double[] xp = x.clone();
                double[] xm = x.clone();
                xp[t] += h;
                xm[t] -= h;
                double fd = (softLoss(xp, w, q, null, null) - softLoss(xm, w, q, null, null)) / (2 * h);
                assertEquals(fd, analytic[t], 1e-7 * (1 + Math.abs(fd)), "step " + t + " centred " + centred);
            }
        }
    }

    private static float[] randomInput(Random rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rnd.nextGaussian() * 0.35);
        }
        return x;
    }

    @Test
    void kernelsMatchDoublePrecisionRecursion() {
        Random rnd = new Random(5);
        for (LifParams p : allParams()) {
            for (int steps : STEPS) {
                for (int m : NEURONS) {
                    float[] x = randomInput(rnd, steps * m);
                    float[] dS = randomInput(rnd, steps * m);
                    float[] sRef = new float[steps * m];
                    float[] uRef = new float[steps * m];
                    forwardFloat(x, steps, m, p, sRef, uRef);
                    double[][] dxRef = new double[m][];
                    for (int i = 0; i < m; i++) {
                        double[] ui = new double[steps];
                        double[] oi = new double[steps];
                        double[] di = new double[steps];
                        for (int t = 0; t < steps; t++) {
                            ui[t] = uRef[t * m + i];
                            oi[t] = sRef[t * m + i];
                            di[t] = dS[t * m + i];
                        }
                        dxRef[i] = backwardRecursion(ui, oi, di, p);
                    }
                    CpuBackend be = BACKENDS[rnd.nextInt(BACKENDS.length)];
                    Tensor s = be.empty(steps, m);
                    Tensor u = be.empty(steps, m);
                    be.lifForward(be.fromHost(x, steps, m), s, u, p);
                    assertArrayEquals(sRef, s.toHost(), 0f, p + " T " + steps + " M " + m);
                    assertArrayEquals(uRef, u.toHost(), 0f, p + " T " + steps + " M " + m);
                    Tensor dx = be.empty(steps, m);
                    be.lifBackward(be.fromHost(dS, steps, m), u, dx, p);
                    float[] got = dx.toHost();
                    for (int i = 0; i < m; i++) {
                        for (int t = 0; t < steps; t++) {
                            double want = dxRef[i][t];
                            assertEquals(want, got[t * m + i], 2e-6 * (1 + Math.abs(want)),
                                    p + " T " + steps + " M " + m + " (t " + t + ", i " + i + ")");
                        }
                    }
                }
            }
        }
    }

    /**
     * The spikes read off membranes, vector kernel against the definition {@code u > threshold}: membranes exactly at
     * the threshold (no spike), just above and below it, NaN (no spike) and infinities, every length from 0 to 40 (the
     * vector part and its tail) at odd offsets, into f32 and u8 spikes, leaving everything outside the range alone.
     */
    @Test
    void spikesAreMembranesPastTheThreshold() {
        if (!VectorSupport.available()) {
            return;
        }
        float threshold = LifParams.REFERENCE.threshold();
        float[] special = {threshold, Math.nextUp(threshold), Math.nextDown(threshold), Float.NaN,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 2 * threshold};
        Random rnd = new Random(12);
        LifKernel vector = new LifVectorKernel();
        for (int count = 0; count <= 40; count++) {
            float[] u = new float[count + 3];
            for (int i = 0; i < u.length; i++) {
                u[i] = rnd.nextBoolean() ? special[rnd.nextInt(special.length)] : rnd.nextFloat() * 2 * threshold;
            }
            float[] sF = new float[count + 7];
            byte[] sB = new byte[count + 7];
            java.util.Arrays.fill(sF, -1f);
            java.util.Arrays.fill(sB, (byte) -1);
            vector.spikes(u, 3, threshold, sF, null, 5, count);
            vector.spikes(u, 3, threshold, null, sB, 5, count);
            for (int i = 0; i < count + 7; i++) {
                boolean inside = i >= 5 && i < 5 + count;
                boolean fired = inside && u[3 + i - 5] > threshold;
                assertEquals(inside ? (fired ? 1f : 0f) : -1f, sF[i], 0f, "f32 spike " + i + " of " + count);
                assertEquals(inside ? (fired ? 1 : 0) : -1, sB[i], "u8 spike " + i + " of " + count);
            }
        }
    }

    @Test
    void vectorAndScalarKernelsAgree() {
        if (!VectorSupport.available()) {
            return;
        }
        Parallel pool = new Parallel(2);
        LifCpu vector = new LifCpu(pool, new LifVectorKernel());
        LifCpu scalar = new LifCpu(pool, new LifScalarKernel());
        Random rnd = new Random(9);
        for (LifParams p : allParams()) {
            for (int steps : STEPS) {
                for (int m : new int[] {1, 17, 1003, 4099}) {
                    int n = steps * m;
                    float[] x = randomInput(rnd, n + 5);
                    float[] dS = randomInput(rnd, n + 5);
                    float[][] s = new float[2][n + 3];
                    float[][] u = new float[2][n + 3];
                    float[][] dx = new float[2][n + 3];
                    LifCpu[] kernels = {vector, scalar};
                    for (int k = 0; k < 2; k++) {
                        // odd offsets: the kernels must honour them
                        kernels[k].forward(x, 5, s[k], 3, u[k], 3, steps, m, p);
                        kernels[k].backward(dS, 5, u[k], 3, dx[k], 3, steps, m, p);
                    }
                    assertArrayEquals(s[1], s[0], 0f);
                    assertArrayEquals(u[1], u[0], 0f);
                    float tol = p.surrogate() == Surrogate.RECTANGLE ? 0f : 1e-6f;
                    for (int i = 0; i < n + 3; i++) {
                        assertEquals(dx[1][i], dx[0][i], tol * (1 + Math.abs(dx[1][i])), p + " M " + m + " at " + i);
                    }
                }
            }
        }
    }

    @Test
    void resultsDoNotDependOnThreadCount() {
        Random rnd = new Random(3);
        int steps = 16;
        int m = 3 * 4096 + 5;
        float[] x = randomInput(rnd, steps * m);
        float[] dS = randomInput(rnd, steps * m);
        for (LifParams p : allParams()) {
            float[][] results = new float[BACKENDS.length][];
            for (int b = 0; b < BACKENDS.length; b++) {
                CpuBackend be = BACKENDS[b];
                Tensor s = be.empty(steps, m);
                Tensor u = be.empty(steps, m);
                Tensor dx = be.empty(steps, m);
                be.lifForward(be.fromHost(x, steps, m), s, u, p);
                be.lifBackward(be.fromHost(dS, steps, m), u, dx, p);
                float[] all = new float[3 * steps * m];
                System.arraycopy(s.toHost(), 0, all, 0, steps * m);
                System.arraycopy(u.toHost(), 0, all, steps * m, steps * m);
                System.arraycopy(dx.toHost(), 0, all, 2 * steps * m, steps * m);
                results[b] = all;
            }
            for (int b = 1; b < BACKENDS.length; b++) {
                assertArrayEquals(results[0], results[b], 0f, p.toString());
            }
            assertTrue(Float.isFinite(results[0][results[0].length - 1]));
        }
    }
}
