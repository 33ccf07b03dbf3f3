package dev.spikevae.backend.cuda;

import dev.spikevae.tensor.ConvGeometry;
import dev.spikevae.tensor.DType;
import dev.spikevae.tensor.Tensor;

import static dev.spikevae.backend.cuda.Addresses.of;
import static dev.spikevae.backend.cuda.Addresses.orNull;

/**
 * Convolutions as im2col + SGEMM over chunks of whole images (conv.cu + {@link CudaGemm}), the CPU
 * backend's layout: a chunk's column matrix is {@code [K, images * P]}, K = inC kH kW, P = outH outW.
 * The chunk size depends on the geometry only and bounds the column matrix, so the batch's whole column
 * matrix (gigabytes for ESVAE at batch 256) is never built. u8 spike operands are widened as read.
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

    CudaConv(Device device, DeviceAllocator allocator, CudaGemm gemm) {
        this.device = device;
        this.allocator = allocator;
        this.gemm = gemm;
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
