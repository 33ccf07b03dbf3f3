package dev.spikevae.backend.cuda;

import dev.spikevae.tensor.Tensor;

import static dev.spikevae.backend.cuda.Addresses.of;

/** Call sites of mmd.cu: MMD² forward (loss and detached bandwidth) and backward. */
final class MmdKernels {
    private final Device device;
    private final DeviceAllocator allocator;
    private final Kernel distances;
    private final KernelArgs distancesArgs;
    private final Kernel rowSums;
    private final KernelArgs rowSumsArgs;
    private final Kernel bandwidth;
    private final KernelArgs bandwidthArgs;
    private final Kernel rowLoss;
    private final KernelArgs rowLossArgs;
    private final Kernel total;
    private final KernelArgs totalArgs;
    private final Kernel inverseWidths;
    private final KernelArgs inverseWidthsArgs;
    private final Kernel coefficients;
    private final KernelArgs coefficientsArgs;
    private final Kernel gradient;
    private final KernelArgs gradientArgs;

    MmdKernels(Device device, DeviceAllocator allocator) {
        this.device = device;
        this.allocator = allocator;
        distances = device.kernel("mmd_distances");
        distancesArgs = distances.newArgs();
        rowSums = device.kernel("mmd_row_sums");
        rowSumsArgs = rowSums.newArgs();
        bandwidth = device.kernel("mmd_bandwidth");
        bandwidthArgs = bandwidth.newArgs();
        rowLoss = device.kernel("mmd_row_loss");
        rowLossArgs = rowLoss.newArgs();
        total = device.kernel("mmd_total");
        totalArgs = total.newArgs();
        inverseWidths = device.kernel("mmd_inverse_widths");
        inverseWidthsArgs = inverseWidths.newArgs();
        coefficients = device.kernel("mmd_coefficients");
        coefficientsArgs = coefficients.newArgs();
        gradient = device.kernel("mmd_gradient");
        gradientArgs = gradient.newArgs();
    }

    void forward(Tensor x, Tensor y, int kernelNum, float kernelMul, Tensor loss, Tensor bw) {
        int n = x.dim(0);
        int m = y.dim(0);
        int d = x.dim(1);
        int s = n + m;
        try (Scratch dist = new Scratch(allocator, 8L * s * s);
             Scratch rows = new Scratch(allocator, 8L * s);
             Scratch inv = new Scratch(allocator, 8L * kernelNum);
             Scratch rowLosses = new Scratch(allocator, 8L * s)) {
            device.launch(distances, LaunchConfig.items((long) s * s), distancesArgs.begin().ptr(of(x)).ptr(of(y)).i32(n)
                    .i32(m).i32(d).ptr(dist.address));
            device.launch(rowSums, LaunchConfig.items(s), rowSumsArgs.begin().ptr(dist.address).i32(s).ptr(rows.address));
            device.launch(bandwidth, LaunchConfig.single(), bandwidthArgs.begin().ptr(rows.address).i32(s).i32(kernelNum)
                    .f32(kernelMul).ptr(of(bw)).ptr(inv.address));
            device.launch(rowLoss, LaunchConfig.items(s), rowLossArgs.begin().ptr(dist.address).i32(n).i32(m)
                    .ptr(inv.address).i32(kernelNum).ptr(rowLosses.address));
            device.launch(total, LaunchConfig.single(), totalArgs.begin().ptr(rowLosses.address).i32(s).ptr(of(loss)));
        }
    }

    void backward(Tensor dLoss, Tensor x, Tensor y, Tensor bw, int kernelNum, float kernelMul, Tensor dx, Tensor dy) {
        int n = x.dim(0);
        int m = y.dim(0);
        int d = x.dim(1);
        int s = n + m;
        try (Scratch inv = new Scratch(allocator, 8L * kernelNum);
             Scratch coef = new Scratch(allocator, 8L * s * s)) {
            device.launch(inverseWidths, LaunchConfig.single(), inverseWidthsArgs.begin().ptr(of(bw)).i32(kernelNum)
                    .f32(kernelMul).ptr(inv.address));
            device.launch(coefficients, LaunchConfig.items((long) s * s), coefficientsArgs.begin().ptr(of(x)).ptr(of(y))
                    .i32(n).i32(m).i32(d).ptr(inv.address).i32(kernelNum).ptr(coef.address));
            device.launch(gradient, LaunchConfig.items((long) s * d), gradientArgs.begin().ptr(of(dLoss)).ptr(of(x))
                    .ptr(of(y)).i32(n).i32(m).i32(d).ptr(coef.address).ptr(of(dx)).ptr(of(dy)));
        }
    }
}
