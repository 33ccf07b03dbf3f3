package dev.spikevae.backend.cuda;

/**
 * Batched row-major SGEMM on the device: cuBLAS when it loaded and vendor libraries are wanted, else the
 * own kernels of sgemm.cu (FP32 by default; TF32 tensor cores on compute capability 8.0+ when asked for
 * with {@code -Dspikevae.cuda.tf32=true}). Large problems take 128 x 128 tiles; problems with too few
 * of those to fill the GPU take 64 x 64 tiles.
 */
final class CudaGemm {
    static final int BIG_TILE = 128;
    static final int SMALL_TILE = 64;
    static final int THREADS = 256;

    private final Device device;
    private final Kernel big;
    private final KernelArgs bigArgs;
    private final Kernel small;
    private final KernelArgs smallArgs;
    private final Kernel tf32;
    private final KernelArgs tf32Args;
    private final VendorGemm vendor;
    private final boolean useTf32;

    /** {@code vendor}: cuBLAS when it is loaded and wanted, else null (own kernels). */
    CudaGemm(Device device, boolean useTf32, VendorGemm vendor) {
        this.device = device;
        big = device.kernel("sgemm_128x128");
        bigArgs = big.newArgs();
        small = device.kernel("sgemm_64x64");
        smallArgs = small.newArgs();
        boolean tf32Loaded = device.entries().containsKey("sgemm_tf32_128x128");
        tf32 = tf32Loaded ? device.kernel("sgemm_tf32_128x128") : null;
        tf32Args = tf32Loaded ? tf32.newArgs() : null;
        this.useTf32 = useTf32 && tf32Loaded;
        this.vendor = vendor;
    }

    String description() {
        if (vendor != null) {
            return "GEMM: " + vendor.name();
        }
        return "GEMM: own kernels (" + (useTf32 ? "TF32 tensor cores" : "FP32") + ")";
    }

    /** Which tile a problem gets: big tiles only when they alone give every SM at least two blocks. */
    static int tileFor(int m, int n, int batch, int multiprocessors) {
        long bigTiles = (long) ((m + BIG_TILE - 1) / BIG_TILE) * ((n + BIG_TILE - 1) / BIG_TILE) * batch;
        return bigTiles >= 2L * multiprocessors ? BIG_TILE : SMALL_TILE;
    }

    /**
     * C_z = alpha op(A_z) op(B_z) + beta C_z for z &lt; batch, addresses of the first matrices and element
     * strides between batch entries. alpha = 0 or k = 0 only scales C (A and B are not read).
     */
    void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, long a, int lda, long strideA, long b,
              int ldb, long strideB, float beta, long c, int ldc, long strideC, int batch) {
        if (m == 0 || n == 0 || batch == 0) {
            return;
        }
        if (alpha == 0f) {
            k = 0;
        }
        if (vendor != null && k > 0) {
            vendor.gemm(transA, transB, m, n, k, alpha, a, lda, strideA, b, ldb, strideB, beta, c, ldc, strideC, batch);
            return;
        }
        for (int z0 = 0; z0 < batch; z0 += LaunchConfig.MAX_GRID_YZ) {
            int zs = Math.min(LaunchConfig.MAX_GRID_YZ, batch - z0);
            long offA = 4L * z0 * strideA;
            long offB = 4L * z0 * strideB;
            long offC = 4L * z0 * strideC;
            boolean tensorCores = useTf32 && k > 0;
            int tile = tensorCores ? BIG_TILE : tileFor(m, n, zs, device.multiprocessors());
            Kernel kernel = tensorCores ? tf32 : tile == BIG_TILE ? big : small;
            KernelArgs args = tensorCores ? tf32Args : tile == BIG_TILE ? bigArgs : smallArgs;
            device.launch(kernel, LaunchConfig.gemm(m, n, zs, tile, THREADS), args.begin().i32(transA ? 1 : 0)
                    .i32(transB ? 1 : 0).i32(m).i32(n).i32(k).f32(alpha).ptr(a + offA).i32(lda).i64(strideA)
                    .ptr(b + offB).i32(ldb).i64(strideB).f32(beta).ptr(c + offC).i32(ldc).i64(strideC));
        }
    }
}
