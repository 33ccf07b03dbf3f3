package dev.spikevae.backend.cpu;

import dev.spikevae.tensor.LifParams;

/**
 * Batch norm followed by LIF, block by block of neurons, so that neither the normalised input nor the
 * membranes ever exist at full size: a block's membranes over all T steps live in a per-thread scratch
 * array (small enough for L2) from which the spikes are read off in forward and the LIF backward runs in
 * backward. The arithmetic is that of {@link BatchNormCpu#forward} followed by {@link LifCpu}, element
 * for element, so spikes and gradients are bitwise those of the two ops in sequence.
 *
 * <p>x is viewed as {@code [outer, C, inner]} for the norm and as {@code [steps, neurons]} (time-major,
 * {@code outer} a multiple of {@code steps}) for LIF, so a neuron's channel does not depend on the step.
 */
final class BatchNormLifCpu {
    /** Neurons per block: a block's membranes are {@code steps * BLOCK} floats (64 KB at T = 16). */
    private static final int BLOCK = 1024;
    /**
     * The shortest channel span whose norm statistics the backward takes inside its blocks: at 256 and 1024 values
     * (D3's and D4's outputs) the fused backward ran about 7 % faster than with the norm's own pass over dx and x,
     * at 64 as fast, at 16 slower (a call per 16 values).
     */
    private static final int MIN_BLOCK_SPAN = 256;

    private final Parallel parallel;
    private final LifKernel kernel;
    private final BatchNormCpu batchNorm;
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

    BatchNormLifCpu(Parallel parallel, LifKernel kernel, BatchNormCpu batchNorm) {
        this.parallel = parallel;
        this.kernel = kernel;
        this.batchNorm = batchNorm;
    }

    /** The per-channel coefficients of the norm and the layout; built once per call. */
    private record Layout(int channels, int inner, int steps, int neurons, float[] mean, float[] scale, float[] shift) {
    }

    private static Layout layout(int outer, int channels, int inner, int steps, float[] mean, int mOff, float[] var,
                                 int vOff, float[] gamma, int gOff, float[] beta, int bOff, float scale, float eps) {
        float[] meanC = java.util.Arrays.copyOfRange(mean, mOff, mOff + channels);
        float[] shiftC = java.util.Arrays.copyOfRange(beta, bOff, bOff + channels);
        float[] scaleC = BatchNormCpu.channelScales(gamma, gOff, var, vOff, channels, scale, eps);
        int neurons = (int) ((long) outer * channels * inner / steps);
        return new Layout(channels, inner, steps, neurons, meanC, scaleC, shiftC);
    }

    /** Spikes (exactly one of sF, sB non-null) of x, all steps, {@code [steps, neurons]} at sOff. */
    void forward(float[] x, int xOff, int outer, int channels, int inner, int steps, float[] mean, int mOff, float[] var,
                 int vOff, float[] gamma, int gOff, float[] beta, int bOff, float scale, float eps, LifParams p,
                 float[] sF, byte[] sB, int sOff) {
        Layout l = layout(outer, channels, inner, steps, mean, mOff, var, vOff, gamma, gOff, beta, bOff, scale, eps);
        float threshold = p.threshold();
        forBlocks(l, (first, count, s) -> {
            kernel.normalizedMembranes(x, xOff + first, l.neurons(), s.mean, s.scale, s.shift, s.membranes, 0, count,
                    steps, count, p);
            float[] u = s.membranes;
            for (int t = 0; t < steps; t++) {
                kernel.spikes(u, t * count, threshold, sF, sB, sOff + t * l.neurons() + first, count);
            }
        });
    }

    /**
     * dx (which may be ds itself) and the norm's parameter gradients from the spike gradient ds: the LIF
     * backward of each block writes dL/dy into dx, then the norm's backward runs on dx in place. Where a block
     * holds whole channel spans of at least {@link #MIN_BLOCK_SPAN} values, the norm's per-span statistics are
     * taken from the block's dL/dy while it is still in cache ({@link BatchNormCpu#spanSums}), and the norm's
     * backward no longer reads dx and x for them: the same sums, added in the same order.
     */
    void backward(float[] ds, int dsOff, float[] x, int xOff, int outer, int channels, int inner, int steps,
                  float[] mean, int mOff, float[] var, int vOff, float[] gamma, int gOff, float[] beta, int bOff,
                  float scale, float eps, boolean training, LifParams p, float[] dx, int dxOff, float[] dGamma,
                  int dgOff, float[] dBeta, int dbOff) {
        Layout l = layout(outer, channels, inner, steps, mean, mOff, var, vOff, gamma, gOff, beta, bOff, scale, eps);
        double[] spanSums = inner >= MIN_BLOCK_SPAN && BLOCK % inner == 0 ? new double[2 * outer * channels] : null;
        forBlocks(l, (first, count, s) -> {
            kernel.normalizedMembranes(x, xOff + first, l.neurons(), s.mean, s.scale, s.shift, s.membranes, 0, count,
                    steps, count, p);
            kernel.backwardStrided(ds, dsOff + first, l.neurons(), s.membranes, 0, count, dx, dxOff + first,
                    l.neurons(), steps, count, p);
            if (spanSums != null) {
                for (int t = 0; t < steps; t++) {
                    int from = t * l.neurons() + first;
                    batchNorm.spanSums(dx, dxOff, x, xOff, channels, inner, mean, mOff, from, from + count, spanSums);
                }
            }
        });
        batchNorm.backward(dx, dxOff, x, xOff, outer, channels, inner, mean, mOff, var, vOff, gamma, gOff, scale, eps,
                training, dx, dxOff, dGamma, dgOff, dBeta, dbOff, spanSums);
    }

    @FunctionalInterface
    private interface BlockBody {
        /** Neurons {@code [first, first + count)}, with the block's coefficients already in the scratch. */
        void run(int first, int count, Scratch s);
    }

    /** Runs body on every block of neurons, spread over the pool (neurons are independent). */
    private void forBlocks(Layout l, BlockBody body) {
        int blocks = (l.neurons() + BLOCK - 1) / BLOCK;
        parallel.forTasks(blocks, (task, worker) -> {
            int first = task * BLOCK;
            int count = Math.min(BLOCK, l.neurons() - first);
            Scratch s = scratch.get();
            s.fit(l.steps(), count);
            spreadCoefficients(l, first, count, s);
            body.run(first, count, s);
        });
    }

    /** Per-neuron copies of the channel coefficients for neurons {@code [first, first + count)}. */
    private static void spreadCoefficients(Layout l, int first, int count, Scratch s) {
        int c = (first / l.inner()) % l.channels();
        int left = l.inner() - first % l.inner();
        for (int i = 0; i < count; ) {
            int run = Math.min(left, count - i);
            java.util.Arrays.fill(s.mean, i, i + run, l.mean()[c]);
            java.util.Arrays.fill(s.scale, i, i + run, l.scale()[c]);
            java.util.Arrays.fill(s.shift, i, i + run, l.shift()[c]);
            i += run;
            c = c + 1 == l.channels() ? 0 : c + 1;
            left = l.inner();
        }
    }

    /** One thread's block buffers, grown to the largest block seen. */
    private static final class Scratch {
        float[] membranes = new float[0];
        float[] mean = new float[0];
        float[] scale = new float[0];
        float[] shift = new float[0];

        void fit(int steps, int count) {
            if (membranes.length < steps * count) {
                membranes = new float[steps * count];
            }
            if (mean.length < count) {
                mean = new float[count];
                scale = new float[count];
                shift = new float[count];
            }
        }
    }
}
