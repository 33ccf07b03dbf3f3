package dev.spikevae.backend.cuda;

import dev.spikevae.tensor.Tensor;

import static dev.spikevae.backend.cuda.Addresses.of;

/** Call sites of batchnorm.cu: statistics, apply and backward over x viewed as {@code [outer, C, inner]}. */
final class BatchNormKernels {
    static final int THREADS = 256;
    /** Values one block of a (channel, split) pair should sum at least. */
    static final int VALUES_PER_BLOCK = THREADS * 16;
    static final int MAX_SPLITS = 64;
    static final int MODE_SUM = 0;
    static final int MODE_SQUARED_DEVIATION = 1;
    static final int MODE_BACKWARD = 2;

    private final Device device;
    private final DeviceAllocator allocator;
    private final Kernel partial;
    private final KernelArgs partialArgs;
    private final Kernel finishMean;
    private final KernelArgs finishMeanArgs;
    private final Kernel finishVar;
    private final KernelArgs finishVarArgs;
    private final Kernel forward;
    private final KernelArgs forwardArgs;
    private final Kernel coefficients;
    private final KernelArgs coefficientsArgs;
    private final Kernel apply;
    private final KernelArgs applyArgs;

    BatchNormKernels(Device device, DeviceAllocator allocator) {
        this.device = device;
        this.allocator = allocator;
        partial = device.kernel("bn_partial_sums");
        partialArgs = partial.newArgs();
        finishMean = device.kernel("bn_finish_mean");
        finishMeanArgs = finishMean.newArgs();
        finishVar = device.kernel("bn_finish_var");
        finishVarArgs = finishVar.newArgs();
        forward = device.kernel("bn_forward");
        forwardArgs = forward.newArgs();
        coefficients = device.kernel("bn_backward_coefficients");
        coefficientsArgs = coefficients.newArgs();
        apply = device.kernel("bn_backward_apply");
        applyArgs = apply.newArgs();
    }

    /** Blocks per channel for a channel of {@code count} values: a function of the shape alone. */
    static int splits(long count) {
        return (int) Math.max(1, Math.min(MAX_SPLITS, (count + VALUES_PER_BLOCK - 1) / VALUES_PER_BLOCK));
    }

    private void partials(Tensor x, Tensor dy, Tensor mean, int mode, int splits, long workspace) {
        device.launch(partial, LaunchConfig.grid2(x.dim(1), splits, THREADS), partialArgs.begin().ptr(of(x))
                .ptr(dy == null ? 0L : of(dy)).ptr(mean == null ? 0L : of(mean)).i32(x.dim(0)).i32(x.dim(1)).i32(x.dim(2))
                .i32(mode).ptr(workspace));
    }

    void stats(Tensor x, Tensor mean, Tensor var) {
        int channels = x.dim(1);
        long count = (long) x.dim(0) * x.dim(2);
        int splits = splits(count);
        try (Scratch ws = new Scratch(allocator, 16L * channels * splits)) {
            partials(x, null, null, MODE_SUM, splits, ws.address);
            device.launch(finishMean, LaunchConfig.items(channels),
                    finishMeanArgs.begin().ptr(ws.address).i32(splits).i32(channels).i64(count).ptr(of(mean)));
            partials(x, null, mean, MODE_SQUARED_DEVIATION, splits, ws.address);
            device.launch(finishVar, LaunchConfig.items(channels),
                    finishVarArgs.begin().ptr(ws.address).i32(splits).i32(channels).i64(count).ptr(of(var)));
        }
    }

    void forward(Tensor x, Tensor mean, Tensor var, Tensor gamma, Tensor beta, float scale, float eps, Tensor y) {
        device.launch(forward, LaunchConfig.items(x.numel()), forwardArgs.begin().ptr(of(x)).ptr(of(mean)).ptr(of(var))
                .ptr(of(gamma)).ptr(of(beta)).f32(scale).f32(eps).ptr(of(y)).i32(x.dim(0)).i32(x.dim(1)).i32(x.dim(2)));
    }

    void backward(Tensor dy, Tensor x, Tensor mean, Tensor var, Tensor gamma, float scale, float eps, boolean training,
                  Tensor dx, Tensor dGamma, Tensor dBeta) {
        int channels = x.dim(1);
        long count = (long) x.dim(0) * x.dim(2);
        int splits = splits(count);
        try (Scratch ws = new Scratch(allocator, 16L * channels * splits);
             Scratch coef = new Scratch(allocator, 12L * channels)) {
            partials(x, dy, mean, MODE_BACKWARD, splits, ws.address);
            device.launch(coefficients, LaunchConfig.items(channels), coefficientsArgs.begin().ptr(ws.address).i32(splits)
                    .i32(channels).i64(count).ptr(of(var)).ptr(of(gamma)).f32(scale).f32(eps).i32(training ? 1 : 0)
                    .ptr(of(dGamma)).ptr(of(dBeta)).ptr(coef.address));
            device.launch(apply, LaunchConfig.items(x.numel()), applyArgs.begin().ptr(of(dy)).ptr(of(x)).ptr(of(mean))
                    .ptr(coef.address).ptr(of(dx)).i32(x.dim(0)).i32(channels).i32(x.dim(2)));
        }
    }
}
