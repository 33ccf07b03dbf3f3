package dev.spikevae.backend.cpu;

import dev.spikevae.tensor.ConvGeometry;
import java.util.Arrays;

/**
 * The reduction structure of the dense weight gradient ({@link Conv#backwardWeight}), for the paths that compute the
 * same sums without its GEMM (the spike-sparse {@link SpikeConv} and the direct {@link DirectConv}): chunks of {@link
 * Conv#chunkImages} images, {@link Conv#weightGroups} groups of consecutive chunks summed apart and then added in
 * group order; in each chunk, blocks of the SGEMM kernel's reduction length, each a chain from zero added onto the
 * group's sum. A path that adds every block's products in column order, from zero, gets the dense path's result
 * bit for bit ({@link #run}, {@link #runParts}); one that sums a group its own way keeps only the groups ({@link
 * #runGroups}).
 */
final class ConvWeightReduction {
    /** Elements of dw summed at a time by {@link #sumGroups} (16 KiB of floats, held in the first-level cache). */
    private static final int SUM_BLOCK = 1 << 12;

    /**
     * Adds the products of columns {@code [columnFrom, columnTo)} of the chunk starting at image {@code b0} into
     * {@code into} (zero where a block starts), in column order; whether it added anything. The blocks of a chunk
     * are added in ascending order on one thread, the first starting at column 0.
     */
    @FunctionalInterface
    interface ColumnBlock {
        boolean add(int b0, int columnFrom, int columnTo, float[] into, int intoOff);
    }

    /**
     * {@link ColumnBlock} for one part of the weight: adds only the sums of the rows of the partial sums (taps of the
     * [k][co] layout) {@code [rowFrom, rowTo)}.
     */
    @FunctionalInterface
    interface PartBlock {
        void add(int b0, int columnFrom, int columnTo, float[] into, int intoOff, int rowFrom, int rowTo);
    }

    private final Parallel parallel;
    private final SpikeKernel kernel;
    private final ThreadLocal<Buffers> buffers = ThreadLocal.withInitial(Buffers::new);

    /** Over {@code parallel}, adding blocks as {@code kernel} does and in its reduction blocks. */
    ConvWeightReduction(Parallel parallel, SpikeKernel kernel) {
        this.parallel = parallel;
        this.kernel = kernel;
    }

    /**
     * dw = beta dw + the sum of every block, for a body that forms each block's sums as the dense kernel does (chains
     * from zero, which are never -0) and adds them onto {@code into}, the group's running sum, itself (no zeroed buffer
     * per block: the same bits). Partial sums are kept as [k][co]; each group's are cut into {@code parts} runs of
     * rows of about equal size (whole multiples of {@code unit} rows), one pool task each, so that a few groups still
     * spread over every thread (each element is still summed by one task, in the same order, so the cut changes no
     * result).
     */
    void runParts(ConvGeometry g, float beta, float[] dw, int dwOff, int parts, int unit, PartBlock body) {
        Plan plan = new Plan(g);
        forParts(g, beta, dw, dwOff, parts, unit, (group, partials, totOff, rowFrom, rowTo) -> eachBlock(g, plan, group,
                (b0, c0, c1) -> body.add(b0, c0, c1, partials, totOff, rowFrom, rowTo)));
    }

    /**
     * The images of one group (a run of whole chunks, {@code [imageFrom, imageTo)}), whose sums for the rows (taps)
     * {@code [rowFrom, rowTo)} of the [k][co] partial sums a body forms in an order of its own and adds onto {@code
     * into}.
     */
    @FunctionalInterface
    interface GroupBody {
        void add(int imageFrom, int imageTo, float[] into, int intoOff, int rowFrom, int rowTo);
    }

    /**
     * dw = beta dw + the sum over the batch, for a body that sums each group's images in an order of its own (not the
     * dense path's blocks): the dense path's groups, added in group order, each cut into {@code parts} runs of rows
     * as {@link #runParts} cuts them. The groups depend on the geometry alone, so the result does not depend on the
     * thread count.
     */
    void runGroups(ConvGeometry g, float beta, float[] dw, int dwOff, int parts, int unit, GroupBody body) {
        Plan plan = new Plan(g);
        forParts(g, beta, dw, dwOff, parts, unit, (group, partials, totOff, rowFrom, rowTo) -> {
            int imageFrom = group * plan.chunks() / plan.groups() * plan.chunk();
            int imageTo = Math.min(g.batch(), (group + 1) * plan.chunks() / plan.groups() * plan.chunk());
            if (rowFrom < rowTo) {
                body.add(imageFrom, imageTo, partials, totOff, rowFrom, rowTo);
            }
        });
    }

    /** One part of one group: its rows of the [k][co] partial sums at {@code partials[totOff]}, started. */
    @FunctionalInterface
    private interface Part {
        void run(int group, float[] partials, int totOff, int rowFrom, int rowTo);
    }

    /**
     * The frame of {@link #runParts} and {@link #runGroups}: one pool task per part of a group, its rows of the
     * group's partial sums set to beta dw (a lone group) or zero before {@code part} adds onto them, then the groups
     * added in group order.
     */
    private void forParts(ConvGeometry g, float beta, float[] dw, int dwOff, int parts, int unit, Part part) {
        if (emptyBatch(g, beta, dw, dwOff)) {
            return;
        }
        Plan plan = new Plan(g);
        int co = plan.co();
        int k = plan.k();
        float[] partials = buffers.get().partials.get(plan.groups() * plan.size());
        int[] order = Conv.groupOrder(g);
        parallel.forTasks(plan.groups() * parts, (task, worker) -> {
            int group = order[task / parts];
            int index = task % parts;
            int units = (k + unit - 1) / unit;
            int rowFrom = Math.min(k, index * units / parts * unit);
            int rowTo = Math.min(k, (index + 1) * units / parts * unit);
            int totOff = group * plan.size();
            if (plan.groups() == 1 && beta != 0f) {
                for (int p = rowFrom; p < rowTo; p++) {
                    for (int c = 0; c < co; c++) {
                        partials[totOff + p * co + c] = dw[dwOff + c * k + p] * beta;
                    }
                }
            } else {
                Arrays.fill(partials, totOff + rowFrom * co, totOff + rowTo * co, 0f);
            }
            part.run(group, partials, totOff, rowFrom, rowTo);
        });
        sumGroups(parallel, partials, plan.groups(), co, k, true, beta, dw, dwOff);
    }

    /**
     * dw = beta dw + the sum of every block. Partial sums are kept as [k][co] (rows along output channels) when
     * {@code transposed}, else as [co][k] (dw's own layout).
     */
    void run(ConvGeometry g, float beta, float[] dw, int dwOff, boolean transposed, ColumnBlock body) {
        if (emptyBatch(g, beta, dw, dwOff)) {
            return;
        }
        Plan plan = new Plan(g);
        int co = plan.co();
        int k = plan.k();
        int size = plan.size();
        boolean blocks = kernel.reductionBlock() != Integer.MAX_VALUE;
        float[] partials = buffers.get().partials.get(plan.groups() * size);
        int[] order = Conv.groupOrder(g);
        parallel.forTasks(plan.groups(), (task, worker) -> {
            int group = order[task];
            int totOff = group * size;
            float[] acc = buffers.get().acc.get(size);
            boolean[] started = {false};
            if (plan.groups() == 1 && beta != 0f) {
                for (int c = 0; c < co; c++) {
                    for (int p = 0; p < k; p++) {
                        partials[totOff + (transposed ? p * co + c : c * k + p)] = dw[dwOff + c * k + p] * beta;
                    }
                }
                started[0] = true;
            }
            eachBlock(g, plan, group, (b0, c0, c1) -> {
                if (!started[0] || !blocks) {
                    // straight onto the sums: the first block, or a kernel without reduction blocks
                    if (!started[0]) {
                        Arrays.fill(partials, totOff, totOff + size, 0f);
                    }
                    body.add(b0, c0, c1, partials, totOff);
                    started[0] = true;
                } else {
                    // the dense kernel adds every block, zero or not (-0 + 0 is +0)
                    Arrays.fill(acc, 0, size, 0f);
                    body.add(b0, c0, c1, acc, 0);
                    kernel.add(size, acc, 0, partials, totOff);
                }
            });
        });
        sumGroups(parallel, partials, plan.groups(), co, k, transposed, beta, dw, dwOff);
    }

    /** A reduction block: columns {@code [c0, c1)} of the chunk starting at image {@code b0}. */
    @FunctionalInterface
    private interface Block {
        void at(int b0, int c0, int c1);
    }

    /** Every reduction block of the group's chunks, in order (the kernel's blocks, cut from each chunk's start). */
    private void eachBlock(ConvGeometry g, Plan plan, int group, Block visit) {
        int block = kernel.reductionBlock();
        int end = (group + 1) * plan.chunks() / plan.groups();
        for (int t = group * plan.chunks() / plan.groups(); t < end; t++) {
            int b0 = t * plan.chunk();
            int columns = (Math.min(g.batch(), b0 + plan.chunk()) - b0) * plan.positions();
            for (int c0 = 0; c0 < columns; c0 += Math.min(block, columns - c0)) {
                visit.at(b0, c0, (int) Math.min(columns, (long) c0 + block));
            }
        }
    }

    /** The sizes both reductions share: the weight's, and the dense path's chunks and groups. */
    private record Plan(int co, int k, int size, int positions, int chunk, int chunks, int groups) {
        Plan(ConvGeometry g) {
            this(g.outChannels(), g.inChannels() * g.kH() * g.kW(), g.outChannels() * g.inChannels() * g.kH() * g.kW(),
                    g.outH() * g.outW(), Conv.chunkImages(g),
                    (g.batch() + Conv.chunkImages(g) - 1) / Conv.chunkImages(g), Conv.weightGroups(g));
        }
    }

    /** With no images, dw = beta dw (and true). */
    private static boolean emptyBatch(ConvGeometry g, float beta, float[] dw, int dwOff) {
        if (g.batch() != 0) {
            return false;
        }
        int size = g.outChannels() * g.inChannels() * g.kH() * g.kW();
        for (int i = dwOff; i < dwOff + size; i++) {
            dw[i] = beta == 0f ? 0f : beta * dw[i];
        }
        return true;
    }

    /**
     * dw = beta dw + the sum of the groups' partial sums ({@code groups} arrays of {@code co*k} floats from 0),
     * added in group order; the partials are kept as [k][co] (rows along output channels) when {@code transposed},
     * else as [co][k] (dw's own layout). A lone group has beta folded in already and is copied. Each element's sum is
     * the same chain whatever the cut: the partials are added a block of elements at a time, group after group, in
     * loops the compiler vectorises (element by element, reading the groups in turn, took 9 % of E4's weight
     * gradient). Each group's array is read front to back and [k][co] partials are written to dw strided (E3's weight
     * gradient, 128 x 576 weights in 8 groups: 5.54 -> 5.17 ms against reading the partials strided).
     */
    static void sumGroups(Parallel parallel, float[] partials, int groups, int co, int k, boolean transposed,
                          float beta, float[] dw, int dwOff) {
        int size = co * k;
        parallel.forRange(size, 1 << 14, (from, to) -> {
            float[] sum = new float[Math.min(SUM_BLOCK, to - from)];
            for (int j0 = from; j0 < to; j0 += sum.length) {
                int n = Math.min(sum.length, to - j0);
                System.arraycopy(partials, j0, sum, 0, n);
                for (int group = 1; group < groups; group++) {
                    int at = group * size + j0;
                    for (int t = 0; t < n; t++) {
                        sum[t] += partials[at + t];
                    }
                }
                boolean scaled = groups > 1 && beta != 0f;
                if (transposed) {
                    for (int t = 0; t < n; t++) {
                        int i = dwOff + (j0 + t) % co * k + (j0 + t) / co;
                        dw[i] = scaled ? beta * dw[i] + sum[t] : sum[t];
                    }
                } else if (scaled) {
                    int at = dwOff + j0;
                    for (int t = 0; t < n; t++) {
                        dw[at + t] = beta * dw[at + t] + sum[t];
                    }
                } else {
                    System.arraycopy(sum, 0, dw, dwOff + j0, n);
                }
            }
        });
    }

    /** One thread's sums, grown to the largest call seen and then reused. */
    private static final class Buffers {
        final ScratchFloats partials = new ScratchFloats();
        final ScratchFloats acc = new ScratchFloats();
    }
}
