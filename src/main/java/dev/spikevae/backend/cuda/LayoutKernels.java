package dev.spikevae.backend.cuda;

import dev.spikevae.tensor.Shape;
import dev.spikevae.tensor.Tensor;

import java.util.Arrays;

import static dev.spikevae.backend.cuda.Addresses.of;

/** Call sites of layout.cu and reduce.cu: expand, permute, slices and broadcast-axis sums. */
final class LayoutKernels {
    /** From this many terms per output on, a whole block sums one output. */
    static final int BLOCK_REDUCE_TERMS = 128;
    /** The fewest terms per block where an output's terms are cut into parts (a bias gradient over the batch). */
    static final int PART_TERMS = 1 << 14;

    private final Device device;
    private final Kernel gather;
    private final KernelArgs gatherArgs;
    private final Kernel sliceCopy;
    private final KernelArgs sliceCopyArgs;
    private final Kernel sliceAssign;
    private final KernelArgs sliceAssignArgs;
    private final Kernel reduceBlocks;
    private final KernelArgs reduceBlocksArgs;
    private final Kernel reduceThreads;
    private final KernelArgs reduceThreadsArgs;
    private final Kernel reduceParts;
    private final KernelArgs reducePartsArgs;
    private final Kernel reduceFinish;
    private final KernelArgs reduceFinishArgs;
    private final DeviceAllocator allocator;

    LayoutKernels(Device device, DeviceAllocator allocator) {
        this.device = device;
        this.allocator = allocator;
        reduceParts = device.kernel("reduce_sum_parts_f32");
        reducePartsArgs = reduceParts.newArgs();
        reduceFinish = device.kernel("reduce_sum_parts_finish");
        reduceFinishArgs = reduceFinish.newArgs();
        gather = device.kernel("gather_strided_f32");
        gatherArgs = gather.newArgs();
        sliceCopy = device.kernel("slice_copy_f32");
        sliceCopyArgs = sliceCopy.newArgs();
        sliceAssign = device.kernel("slice_assign_f32");
        sliceAssignArgs = sliceAssign.newArgs();
        reduceBlocks = device.kernel("reduce_sum_blocks_f32");
        reduceBlocksArgs = reduceBlocks.newArgs();
        reduceThreads = device.kernel("reduce_sum_threads_f32");
        reduceThreadsArgs = reduceThreads.newArgs();
    }

    void expand(Tensor x, Tensor out) {
        gather(x, out, AxisMerge.of(out.shape().dims(), AxisMerge.broadcastStrides(x.shape(), out.shape())));
    }

    void permute(Tensor x, int[] perm, Tensor out) {
        int r = x.rank();
        int[] own = x.shape().strides();
        int[] st = new int[r];
        int[] od = new int[r];
        for (int i = 0; i < r; i++) {
            st[i] = own[perm[i]];
            od[i] = x.dim(perm[i]);
        }
        gather(x, out, AxisMerge.of(od, st));
    }

    private void gather(Tensor x, Tensor out, AxisMerge ix) {
        int n = out.numel();
        device.launch(gather, LaunchConfig.items(n), gatherArgs.begin().ptr(of(x)).ptr(of(out)).i32(n).i32(ix.rank())
                .ints(AxisMerge.MAX_RANK, ix.dims).ints(AxisMerge.MAX_RANK, ix.strides[0]));
    }

    /** Copy ({@code assign} false): part = whole[..., start : start + part.dim(axis)]; assign: the reverse with beta. */
    void slice(Tensor whole, Tensor part, int axis, int start, boolean assign, float beta) {
        Shape ws = whole.shape();
        int outer = ws.size(0, axis);
        int inner = ws.size(axis + 1, ws.rank());
        int wholeLen = ws.dim(axis) * inner;
        int partLen = part.dim(axis) * inner;
        int skip = start * inner;
        LaunchConfig cfg = LaunchConfig.items((long) outer * partLen);
        if (assign) {
            device.launch(sliceAssign, cfg, sliceAssignArgs.begin().ptr(of(part)).ptr(of(whole)).i32(outer).i32(wholeLen)
                    .i32(partLen).i32(skip).f32(beta));
        } else {
            device.launch(sliceCopy, cfg, sliceCopyArgs.begin().ptr(of(whole)).ptr(of(part)).i32(outer).i32(wholeLen)
                    .i32(partLen).i32(skip));
        }
    }

    /** The kept and reduced axes of a sum of {@code xs} to {@code os}, each merged where x is contiguous. */
    record ReducePlan(AxisMerge kept, AxisMerge reduced, int outputs, long termsPerOutput) {
    }

    static ReducePlan plan(Shape xs, Shape os) {
        int r = xs.rank();
        int off = r - os.rank();
        int[] strides = xs.strides();
        int[] keptDims = new int[r];
        int[] keptStrides = new int[r];
        int[] redDims = new int[r];
        int[] redStrides = new int[r];
        int nk = 0;
        int nr = 0;
        for (int i = 0; i < r; i++) {
            int d = xs.dim(i);
            int outDim = i < off ? 1 : os.dim(i - off);
            if (d == 1) {
                continue;
            }
            if (outDim == 1) {
                redDims[nr] = d;
                redStrides[nr++] = strides[i];
            } else {
                keptDims[nk] = d;
                keptStrides[nk++] = strides[i];
            }
        }
        AxisMerge kept = AxisMerge.of(Arrays.copyOf(keptDims, nk), Arrays.copyOf(keptStrides, nk));
        AxisMerge reduced = AxisMerge.of(Arrays.copyOf(redDims, nr), Arrays.copyOf(redStrides, nr));
        int outputs = os.numel();
        long terms = outputs == 0 ? 0 : xs.numel() / outputs;
        return new ReducePlan(kept, reduced, outputs, terms);
    }

    /**
     * Blocks per output for {@code outputs} sums of {@code terms} each: 1 where one block per output keeps every SM
     * busy, else enough for two blocks per SM, each of at least {@link #PART_TERMS} terms.
     */
    static int partsFor(int outputs, long terms, int multiprocessors) {
        if (outputs == 0 || outputs >= 2L * multiprocessors) {
            return 1;
        }
        long wanted = (2L * multiprocessors + outputs - 1) / outputs;
        return (int) Math.max(1, Math.min(wanted, terms / PART_TERMS));
    }

    void reduceSum(Tensor x, Tensor out, float alpha, float beta) {
        ReducePlan p = plan(x.shape(), out.shape());
        int parts = partsFor(p.outputs(), p.termsPerOutput(), device.multiprocessors());
        if (parts > 1) {
            // few outputs of many terms: double sums of runs of terms in a workspace, then each output's runs in order
            try (Scratch partials = new Scratch(allocator, 8L * p.outputs() * parts)) {
                device.launch(reduceParts, LaunchConfig.grid2(parts, p.outputs(), LaunchConfig.THREADS),
                        reducePartsArgs.begin().ptr(of(x)).ptr(partials.address).i32(p.outputs())
                                .i32(p.kept().rank()).ints(AxisMerge.MAX_RANK, p.kept().dims)
                                .ints(AxisMerge.MAX_RANK, p.kept().strides[0]).i32(p.reduced().rank())
                                .ints(AxisMerge.MAX_RANK, p.reduced().dims)
                                .ints(AxisMerge.MAX_RANK, p.reduced().strides[0]).i64(p.termsPerOutput()).i32(parts));
                device.launch(reduceFinish, LaunchConfig.items(p.outputs()), reduceFinishArgs.begin()
                        .ptr(partials.address).ptr(of(out)).i32(p.outputs()).i32(parts).f32(alpha).f32(beta));
            }
            return;
        }
        boolean blocks = p.termsPerOutput() >= BLOCK_REDUCE_TERMS;
        Kernel k = blocks ? reduceBlocks : reduceThreads;
        KernelArgs a = blocks ? reduceBlocksArgs : reduceThreadsArgs;
        LaunchConfig cfg = blocks ? LaunchConfig.blockPerItem(p.outputs(), LaunchConfig.THREADS)
                : LaunchConfig.items(p.outputs());
        device.launch(k, cfg, a.begin().ptr(of(x)).ptr(of(out)).i32(p.outputs()).i32(p.kept().rank())
                .ints(AxisMerge.MAX_RANK, p.kept().dims).ints(AxisMerge.MAX_RANK, p.kept().strides[0])
                .i32(p.reduced().rank()).ints(AxisMerge.MAX_RANK, p.reduced().dims)
                .ints(AxisMerge.MAX_RANK, p.reduced().strides[0]).i64(p.termsPerOutput()).f32(alpha).f32(beta));
    }
}
