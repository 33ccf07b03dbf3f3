package dev.spikevae.backend.cpu;

import dev.spikevae.tensor.Philox;

/**
 * Philox draws, ESVAE's Bernoulli spike sampler and FSVAE's one-of-k pick. Every value is a pure function
 * of (seed, counter, position) in the layout of {@link Philox}, so the work is split into chunks freely:
 * chunks start on Philox block boundaries only to avoid generating a block twice. Nothing random is
 * stored between forward and backward; the backward passes regenerate the same uniforms.
 */
final class RandomCpu {
    /** Elements per task; a multiple of 4 (uniform blocks) and 2 (normal blocks). */
    private static final int CHUNK = 1 << 14;

    private final Parallel parallel;

    RandomCpu(Parallel parallel) {
        this.parallel = parallel;
    }

    /** docs/reference.md §3.4: a spike when the rate exceeds the uniform (strict, so rate 0.3 and u 0.30 give none). */
    static float spike(float rate, float uniform) {
        return rate > uniform ? 1f : 0f;
    }

    /** The sampler's surrogate {@code d z / d rate}: {@code 1/(2 hw)} inside the window {@code |rate - u| < hw}. */
    static float spikeSurrogate(float rate, float uniform, float halfWidth) {
        return Math.abs(rate - uniform) < halfWidth ? 0.5f / halfWidth : 0f;
    }

    /** The candidate picked by uniform u out of k; the min guards against {@code u * k} rounding up to k. */
    static int pickIndex(float uniform, int k) {
        return Math.min(k - 1, (int) (uniform * k));
    }

    void uniform(float[] out, int off, int n, long seed, long counter) {
        forChunks(n, (from, to) -> Philox.fillUniform(seed, counter, from, to, out, off + from));
    }

    void normal(float[] out, int off, int n, long seed, long counter) {
        forChunks(n, (from, to) -> Philox.fillNormal(seed, counter, from, to, out, off + from));
    }

    /** rate [M], spikes [T, M]. */
    void bernoulliSpikes(float[] rate, int rOff, float[] spikes, int sOff, int steps, int m, long seed, long counter) {
        if (m == 0) {
            return;
        }
        forChunks(steps * m, (from, to) -> {
            Philox.fillUniform(seed, counter, from, to, spikes, sOff + from);
            int i = from % m;
            for (int e = from; e < to; e++) {
                int o = sOff + e;
                spikes[o] = spike(rate[rOff + i], spikes[o]);
                if (++i == m) {
                    i = 0;
                }
            }
        });
    }

    /** The same with u8 spikes: each chunk's uniforms go through a float buffer of the chunk's size. */
    void bernoulliSpikesToBytes(float[] rate, int rOff, byte[] spikes, int sOff, int steps, int m, long seed,
                                long counter) {
        if (m == 0) {
            return;
        }
        forChunks(steps * m, (from, to) -> {
            float[] uniforms = new float[to - from];
            Philox.fillUniform(seed, counter, from, to, uniforms, 0);
            int i = from % m;
            for (int e = from; e < to; e++) {
                spikes[sOff + e] = rate[rOff + i] > uniforms[e - from] ? (byte) 1 : (byte) 0;
                if (++i == m) {
                    i = 0;
                }
            }
        });
    }

    void bernoulliSpikesBackward(float[] ds, int dsOff, float[] rate, int rOff, float[] dr, int drOff, int steps, int m,
                                 long seed, long counter, float halfWidth, float beta) {
        // split over neurons, each summing its own steps in time order: the sums do not depend on the split
        int neuronsPerTask = Math.max(1, CHUNK / Math.max(1, steps));
        int tasks = (m + neuronsPerTask - 1) / neuronsPerTask;
        parallel.forTasks(tasks, (task, worker) -> {
            int from = task * neuronsPerTask;
            int to = Math.min(m, from + neuronsPerTask);
            float[] uniforms = new float[to - from];
            float[] sum = new float[to - from];
            for (int t = 0; t < steps; t++) {
                long row = (long) t * m;
                Philox.fillUniform(seed, counter, row + from, row + to, uniforms, 0);
                for (int i = from; i < to; i++) {
                    sum[i - from] += ds[dsOff + (int) row + i] * spikeSurrogate(rate[rOff + i], uniforms[i - from], halfWidth);
                }
            }
            for (int i = from; i < to; i++) {
                int o = drOff + i;
                dr[o] = beta == 0f ? sum[i - from] : beta * dr[o] + sum[i - from];
            }
        });
    }

    /** x [n, k], out [n]. */
    void pickOneOfK(float[] x, int xOff, float[] out, int oOff, int n, int k, long seed, long counter) {
        forChunks(n, (from, to) -> {
            Philox.fillUniform(seed, counter, from, to, out, oOff + from);
            for (int i = from; i < to; i++) {
                out[oOff + i] = x[xOff + i * k + pickIndex(out[oOff + i], k)];
            }
        });
    }

    void pickOneOfKBackward(float[] dOut, int doOff, float[] dx, int dxOff, int n, int k, long seed, long counter) {
        forChunks(n, (from, to) -> {
            float[] uniforms = new float[to - from];
            Philox.fillUniform(seed, counter, from, to, uniforms, 0);
            java.util.Arrays.fill(dx, dxOff + from * k, dxOff + to * k, 0f);
            for (int i = from; i < to; i++) {
                dx[dxOff + i * k + pickIndex(uniforms[i - from], k)] = dOut[doOff + i];
            }
        });
    }

    /** Runs {@code body} over {@code [0, n)} in chunks of {@link #CHUNK} elements (block aligned). */
    private void forChunks(int n, Parallel.Range body) {
        int tasks = (n + CHUNK - 1) / CHUNK;
        if (tasks <= 1) {
            body.run(0, n);
            return;
        }
        parallel.forTasks(tasks, (task, worker) -> body.run(task * CHUNK, Math.min(n, (task + 1) * CHUNK)));
    }
}
