package dev.spikevae.backend.cuda;

import dev.spikevae.tensor.ConvGeometry;
import dev.spikevae.tensor.DType;
import dev.spikevae.tensor.Tensor;

import static dev.spikevae.backend.cuda.Addresses.of;
import static dev.spikevae.backend.cuda.Addresses.orNull;

/**
 * Convolutions through cuDNN when it loaded and vendor libraries are wanted ({@link VendorConv}), for
 * calls whose operands are all f32; otherwise as im2col + SGEMM over chunks of whole images (conv.cu +
 * {@link CudaGemm}), the CPU backend's layout: a chunk's column matrix is {@code [K, images * P]},
 * K = inC kH kW, P = outH outW. The chunk size depends on the geometry only and bounds the column
 * matrix, so the batch's whole column matrix (gigabytes for ESVAE at batch 256) is never built. u8
 * spike operands are widened as read.
 *
 * <p>u8 operands stay on the own path rather than being cast to an f32 copy for cuDNN (which has no
 * u8 x f32 convolution): the own kernels read the bytes directly, while a cast would add a kernel and
 * a full-batch f32 scratch tensor, four times the spikes' memory, to every spiking layer's call.
 */
final class CudaConv {
    /** Floats of one chunk's column matrix (128 MiB), unless a single image needs more. */
    static final long COLUMN_FLOATS = 1L << 25;

    private final Device device;
    private final DeviceAllocator allocator;
    private final CudaGemm gemm;
    private final Kernel im2colF32;
    private final KernelArgs im2colF32Args;
    private final Kernel im2colU8;
    private final KernelArgs im2colU8Args;
    private final Kernel col2im;
    private final KernelArgs col2imArgs;
    private final Kernel gatherF32;
    private final KernelArgs gatherF32Args;
    private final Kernel gatherU8;
    private final KernelArgs gatherU8Args;
    private final Kernel scatter;
    private final KernelArgs scatterArgs;
    private final Kernel scale;
    private final KernelArgs scaleArgs;
    private final VendorConv vendor;
    private final boolean tf32;

    /**
     * {@code vendor}: cuDNN when it is loaded and wanted, else null; {@code tf32} lets cuDNN use TF32 tensor cores
     * (the own im2col path follows {@code gemm}'s setting).
     */
    CudaConv(Device device, DeviceAllocator allocator, CudaGemm gemm, boolean tf32, VendorConv vendor) {
        this.device = device;
        this.allocator = allocator;
        this.gemm = gemm;
        this.vendor = vendor;
        this.tf32 = tf32;
        im2colF32 = device.kernel("im2col_f32");
        im2colF32Args = im2colF32.newArgs();
        im2colU8 = device.kernel("im2col_u8");
        im2colU8Args = im2colU8.newArgs();
        col2im = device.kernel("col2im_f32");
        col2imArgs = col2im.newArgs();
        gatherF32 = device.kernel("gather_channels_f32");
        gatherF32Args = gatherF32.newArgs();
        gatherU8 = device.kernel("gather_channels_u8");
        gatherU8Args = gatherU8.newArgs();
        scatter = device.kernel("scatter_channels_f32");
        scatterArgs = scatter.newArgs();
        scale = device.kernel("scale_f32");
        scaleArgs = scale.newArgs();
    }

    /** Which path the convolutions take, for the backend's description and doctor. */
    String description() {
        return vendor == null ? "convolutions: im2col + that GEMM"
                : "convolutions: " + vendor.name() + " (FP32" + (tf32 ? ", TF32 allowed" : "")
                        + "; u8 spike operands: im2col + that GEMM)";
    }

    /**
     * Whether the vendor library serves a call: it is there (loaded and not turned off), the batch is not
     * empty (cuDNN has no zero-sized tensors) and every activation operand is f32 (no u8 x f32
     * convolution in cuDNN).
     */
    static boolean vendorServes(boolean vendorPresent, ConvGeometry g, DType... operands) {
        if (!vendorPresent || g.batch() == 0) {
            return false;
        }
        for (DType t : operands) {
            if (t != DType.F32) {
                return false;
            }
        }
        return true;
    }

    /** The plan's workspace from the caching allocator, or null when it needs none. */
    private Scratch workspace(VendorConv.Plan plan) {
        return plan.workspaceBytes() > 0 ? new Scratch(allocator, plan.workspaceBytes()) : null;
    }

    private static long address(Scratch s) {
        return s == null ? 0 : s.address;
    }

    /** Images per chunk: a function of the geometry alone. */
    static int chunkImages(ConvGeometry g) {
        long perImage = (long) g.inChannels() * g.kH() * g.kW() * g.outH() * g.outW();
        return (int) Math.max(1, Math.min(Math.max(1, g.batch()), COLUMN_FLOATS / perImage));
    }

    /** The ConvShape struct of conv.cu: 12 ints. */
    static int[] shape(ConvGeometry g) {
        return new int[] {g.inChannels(), g.inH(), g.inW(), g.outChannels(), g.kH(), g.kW(), g.strideH(), g.strideW(),
            g.padH(), g.padW(), g.outH(), g.outW()};
    }

    private static final int SHAPE_INTS = 12;

    private void im2col(Tensor x, int b0, int images, ConvGeometry g, long col) {
        int inImage = g.inChannels() * g.inH() * g.inW();
        long n = (long) g.inChannels() * g.kH() * g.kW() * images * g.outH() * g.outW();
        boolean bytes = x.dtype() == DType.U8;
        long src = of(x) + (long) b0 * inImage * x.dtype().bytes();
        device.launch(bytes ? im2colU8 : im2colF32, LaunchConfig.items(n), (bytes ? im2colU8Args : im2colF32Args).begin()
                .ptr(src).i32(images).ints(SHAPE_INTS, shape(g)).ptr(col));
    }

    private void gatherChannels(Tensor t, int b0, int images, int channels, int positions, long mat) {
        long src = of(t) + (long) b0 * channels * positions * t.dtype().bytes();
        boolean bytes = t.dtype() == DType.U8;
        device.launch(bytes ? gatherU8 : gatherF32, LaunchConfig.items((long) images * channels * positions),
                (bytes ? gatherU8Args : gatherF32Args).begin().ptr(src).i32(images).i32(channels).i32(positions).ptr(mat));
    }

    void forward(Tensor x, Tensor w, Tensor bias, Tensor y, ConvGeometry g) {
        if (vendorServes(vendor != null, g, x.dtype())) {
            VendorConv.Plan plan = vendor.plan(VendorConv.Direction.FORWARD, g, tf32);
            try (Scratch ws = workspace(plan)) {
                vendor.forward(plan, of(x), of(w), of(y), address(ws));
            }
            if (bias != null) {
                vendor.addBias(plan, of(bias), of(y));
            }
            return;
        }
        int positions = g.outH() * g.outW();
        int kSize = g.inChannels() * g.kH() * g.kW();
        int outImage = g.outChannels() * positions;
        int chunk = chunkImages(g);
        try (Scratch col = new Scratch(allocator, 4L * kSize * chunk * positions);
             Scratch mat = new Scratch(allocator, 4L * g.outChannels() * chunk * positions)) {
            for (int b0 = 0; b0 < g.batch(); b0 += chunk) {
                int images = Math.min(chunk, g.batch() - b0);
                int columns = images * positions;
                im2col(x, b0, images, g, col.address);
                gemm.gemm(false, false, g.outChannels(), columns, kSize, 1f, of(w), kSize, 0, col.address, columns, 0, 0f,
                        mat.address, columns, 0, 1);
                device.launch(scatter, LaunchConfig.items((long) images * outImage), scatterArgs.begin().ptr(mat.address)
                        .i32(images).i32(g.outChannels()).i32(positions).ptr(orNull(bias))
                        .ptr(of(y) + 4L * b0 * outImage));
            }
        }
    }

    void backwardData(Tensor dy, Tensor w, Tensor bias, Tensor dx, ConvGeometry g) {
        if (vendorServes(vendor != null, g, dy.dtype())) {
            // also a transposed convolution's forward pass: g is the convolution it is the adjoint of
            VendorConv.Plan plan = vendor.plan(VendorConv.Direction.BACKWARD_DATA, g, tf32);
            try (Scratch ws = workspace(plan)) {
                vendor.backwardData(plan, of(dy), of(w), of(dx), address(ws));
            }
            if (bias != null) {
                vendor.addBias(plan, of(bias), of(dx));
            }
            return;
        }
        int positions = g.outH() * g.outW();
        int kSize = g.inChannels() * g.kH() * g.kW();
        int inImage = g.inChannels() * g.inH() * g.inW();
        int chunk = chunkImages(g);
        try (Scratch col = new Scratch(allocator, 4L * kSize * chunk * positions);
             Scratch mat = new Scratch(allocator, 4L * g.outChannels() * chunk * positions)) {
            for (int b0 = 0; b0 < g.batch(); b0 += chunk) {
                int images = Math.min(chunk, g.batch() - b0);
                int columns = images * positions;
                gatherChannels(dy, b0, images, g.outChannels(), positions, mat.address);
                gemm.gemm(true, false, kSize, columns, g.outChannels(), 1f, of(w), kSize, 0, mat.address, columns, 0, 0f,
                        col.address, columns, 0, 1);
                device.launch(col2im, LaunchConfig.items((long) images * inImage), col2imArgs.begin().ptr(col.address)
                        .i32(images).ints(SHAPE_INTS, shape(g)).ptr(orNull(bias)).ptr(of(dx) + 4L * b0 * inImage));
            }
        }
    }

    void backwardWeight(Tensor x, Tensor dy, Tensor dw, float beta, ConvGeometry g) {
        if (vendorServes(vendor != null, g, x.dtype(), dy.dtype())) {
            VendorConv.Plan plan = vendor.plan(VendorConv.Direction.BACKWARD_FILTER, g, tf32);
            try (Scratch ws = workspace(plan)) {
                vendor.backwardFilter(plan, of(x), of(dy), beta, of(dw), address(ws));
            }
            return;
        }
        int positions = g.outH() * g.outW();
        int kSize = g.inChannels() * g.kH() * g.kW();
        if (g.batch() == 0) {
            int n = g.outChannels() * kSize;
            device.launch(scale, LaunchConfig.items(n), scaleArgs.begin().ptr(of(dw)).i32(n).f32(beta));
            return;
        }
        int chunk = chunkImages(g);
        try (Scratch col = new Scratch(allocator, 4L * kSize * chunk * positions);
             Scratch mat = new Scratch(allocator, 4L * g.outChannels() * chunk * positions)) {
            for (int b0 = 0; b0 < g.batch(); b0 += chunk) {
                int images = Math.min(chunk, g.batch() - b0);
                int columns = images * positions;
                im2col(x, b0, images, g, col.address);
                gatherChannels(dy, b0, images, g.outChannels(), positions, mat.address);
                gemm.gemm(false, true, g.outChannels(), kSize, columns, 1f, mat.address, columns, 0, col.address, columns,
                        0, b0 == 0 ? beta : 1f, of(dw), kSize, 0, 1);
            }
        }
    }
}
