package dev.spikevae.backend.cpu;

import dev.spikevae.tensor.LifParams;

/**
 * Fused multi-step LIF (docs/reference.md §2.1): one pass over time forward, one reverse pass backward. Neurons
 * are independent, so the neuron axis is split into ranges over the pool; results do not depend on the
 * split.
 */
final class LifCpu {
    /** Below this many elements per task the hand-off costs more than it saves. */
    private static final int MIN_TASK_ELEMENTS = 1 << 15;
    /** More tasks than threads, so a thread that was descheduled on a shared machine does not hold up the rest. */
    private static final int TASKS_PER_THREAD = 4;

    private final Parallel parallel;
    private final LifKernel kernel;

    LifCpu(Parallel parallel) {
        this(parallel, VectorSupport.available() ? new LifVectorKernel() : new LifScalarKernel());
    }

    LifCpu(Parallel parallel, LifKernel kernel) {
        this.parallel = parallel;
        this.kernel = kernel;
    }

    /** The kernel in use (the fused batch-norm + LIF kernels run on it too). */
    LifKernel kernel() {
        return kernel;
    }

    /** x, spikes, u: [T, M] at their offsets. */
    void forward(float[] x, int xOff, float[] s, int sOff, float[] u, int uOff, int steps, int neurons, LifParams p) {
        forEachRange(steps, neurons, (from, to) -> kernel.forward(x, xOff, s, sOff, u, uOff, steps, neurons, from, to, p));
    }

    /**
     * The forward with u8 spikes: the kernels write only membranes, and the spikes, {@code u > threshold}
     * as the kernels define them, are read off the membranes in the same ranges.
     */
    void forwardToBytes(float[] x, int xOff, byte[] s, int sOff, float[] u, int uOff, int steps, int neurons,
                        LifParams p) {
        float threshold = p.threshold();
        forEachRange(steps, neurons, (from, to) -> {
            kernel.forward(x, xOff, null, 0, u, uOff, steps, neurons, from, to, p);
            for (int row = 0, end = steps * neurons; row < end; row += neurons) {
                kernel.spikes(u, uOff + row + from, threshold, null, s, sOff + row + from, to - from);
            }
        });
    }

    void backward(float[] ds, int dsOff, float[] u, int uOff, float[] dx, int dxOff, int steps, int neurons, LifParams p) {
        forEachRange(steps, neurons,
                (from, to) -> kernel.backward(ds, dsOff, u, uOff, dx, dxOff, steps, neurons, from, to, p));
    }

    private void forEachRange(int steps, int neurons, Parallel.Range body) {
        if (neurons == 0 || steps == 0) {
            return;
        }
        int align = kernel.alignment();
        long elements = (long) steps * neurons;
        int wanted = (int) Math.min((long) parallel.threads() * TASKS_PER_THREAD,
                Math.max(1, elements / MIN_TASK_ELEMENTS));
        int perTask = roundUp((neurons + wanted - 1) / wanted, align);
        int tasks = (neurons + perTask - 1) / perTask;
        if (tasks <= 1) {
            body.run(0, neurons);
            return;
        }
        parallel.forTasks(tasks, (task, worker) -> body.run(task * perTask, Math.min(neurons, (task + 1) * perTask)));
    }

    private static int roundUp(int n, int multiple) {
        return (n + multiple - 1) / multiple * multiple;
    }
}
