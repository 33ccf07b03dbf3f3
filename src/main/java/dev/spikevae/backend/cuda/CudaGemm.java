package dev.spikevae.backend.cuda;

/**
 * Batched row-major SGEMM on the device: cuBLAS when it loaded and vendor libraries are wanted, else the
 * own kernels of sgemm.cu (FP32 by default; TF32 tensor cores on compute capability 8.0+ when asked for
 * with {@code -Dspikevae.cuda.tf32=true}). Large problems take 128 x 128 tiles; problems with too few
 * of those to fill the GPU take 64 x 64 tiles. A lone product whose tiles would leave most SMs idle while its
 * reduction is long (a convolution's weight gradient: a few dozen output channels by a few hundred taps, summed over
 * every position of the batch) is cut along k into slices that run as one batched launch into a workspace, whose
 * partial products a last kernel adds in slice order ({@link #splitsFor}).
 */
final class CudaGemm {
    static final int BIG_TILE = 128;
    static final int SMALL_TILE = 64;
    static final int THREADS = 256;
    /** Split-K: the shallowest slice of the reduction worth a block of its own. */
    static final int SPLIT_MIN_K = 1024;
    /** Split-K: the most workspace its partial products may take. */
    static final long SPLIT_MAX_BYTES = 64L << 20;

    private final Device device;
    private final Kernel big;
    private final KernelArgs bigArgs;
    private final Kernel small;
    private final KernelArgs smallArgs;
    private final Kernel tf32;
    private final KernelArgs tf32Args;
    private final Kernel sum;
    private final KernelArgs sumArgs;
    private final DeviceAllocator allocator;
    private final VendorGemm vendor;
    private final boolean useTf32;

    /** {@code vendor}: cuBLAS when it is loaded and wanted, else null (own kernels). */
    CudaGemm(Device device, DeviceAllocator allocator, boolean useTf32, VendorGemm vendor) {
        this.device = device;
        this.allocator = allocator;
        sum = device.kernel("sgemm_splitk_sum");
        sumArgs = sum.newArgs();
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
     * Slices of k for a product with these tiles: 1 (no split) for a batch, or where the tiles alone give every SM a
     * block; else enough slices for two blocks per SM, each at least {@link #SPLIT_MIN_K} deep, their partial
     * products within {@link #SPLIT_MAX_BYTES}.
     */
    static int splitsFor(int m, int n, int k, int batch, int tile, int multiprocessors) {
        if (batch != 1) {
            return 1;
        }
        long tiles = (long) ((m + tile - 1) / tile) * ((n + tile - 1) / tile);
        if (tiles >= multiprocessors) {
            return 1;
        }
        long wanted = (2L * multiprocessors + tiles - 1) / tiles;
        long byDepth = k / SPLIT_MIN_K;
        long byMemory = SPLIT_MAX_BYTES / (4L * m * n);
        return (int) Math.max(1, Math.min(wanted, Math.min(byDepth, byMemory)));
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
        boolean tensorCores = useTf32 && k > 0;
        if (k > 0) {
            int tile = tensorCores ? BIG_TILE : SMALL_TILE;
            int splits = splitsFor(m, n, k, batch, tile, device.multiprocessors());
            if (splits > 1) {
                splitK(tensorCores, transA, transB, m, n, k, splits, alpha, a, lda, b, ldb, beta, c, ldc);
                return;
            }
        }
        for (int z0 = 0; z0 < batch; z0 += LaunchConfig.MAX_GRID_YZ) {
            int zs = Math.min(LaunchConfig.MAX_GRID_YZ, batch - z0);
            int tile = tensorCores ? BIG_TILE : tileFor(m, n, zs, device.multiprocessors());
            launch(tensorCores, tile, transA, transB, m, n, k, alpha, a + 4L * z0 * strideA, lda, strideA,
                    b + 4L * z0 * strideB, ldb, strideB, beta, c + 4L * z0 * strideC, ldc, strideC, zs);
        }
    }

    /**
     * C = alpha op(A) op(B) + beta C as {@code splits} slices of k: slice s (k from s * depth, the last one shorter
     * where depth does not divide k) into its own m x n partial product of a workspace, the slices of full depth as
     * one batched launch, then {@code sgemm_splitk_sum} adds them in slice order into C.
     */
    private void splitK(boolean tensorCores, boolean transA, boolean transB, int m, int n, int k, int splits,
                        float alpha, long a, int lda, long b, int ldb, float beta, long c, int ldc) {
        int depth = (k + splits - 1) / splits;
        int full = k / depth;
        int tail = k - full * depth;
        int slices = full + (tail > 0 ? 1 : 0);
        int tile = tensorCores ? BIG_TILE : SMALL_TILE;
        // k runs along A's rows (A is m x k) or down them (A^T stored k x m); down B's rows, or along them for B^T
        long stepA = transA ? (long) depth * lda : depth;
        long stepB = transB ? depth : (long) depth * ldb;
        long product = (long) m * n;
        try (Scratch ws = new Scratch(allocator, 4L * slices * product)) {
            launch(tensorCores, tile, transA, transB, m, n, depth, 1f, a, lda, stepA, b, ldb, stepB, 0f, ws.address,
                    n, product, full);
            if (tail > 0) {
                launch(tensorCores, tile, transA, transB, m, n, tail, 1f, a + 4L * full * stepA, lda, stepA,
                        b + 4L * full * stepB, ldb, stepB, 0f, ws.address + 4L * full * product, n, product, 1);
            }
            device.launch(sum, LaunchConfig.items(product), sumArgs.begin().i32(m).i32(n).i32(slices).f32(alpha)
                    .ptr(ws.address).f32(beta).ptr(c).i32(ldc));
        }
    }

    private void launch(boolean tensorCores, int tile, boolean transA, boolean transB, int m, int n, int k, float alpha,
                        long a, int lda, long strideA, long b, int ldb, long strideB, float beta, long c, int ldc,
                        long strideC, int batch) {
        Kernel kernel = tensorCores ? tf32 : tile == BIG_TILE ? big : small;
        KernelArgs args = tensorCores ? tf32Args : tile == BIG_TILE ? bigArgs : smallArgs;
        device.launch(kernel, LaunchConfig.gemm(m, n, batch, tile, THREADS), args.begin().i32(transA ? 1 : 0)
                .i32(transB ? 1 : 0).i32(m).i32(n).i32(k).f32(alpha).ptr(a).i32(lda).i64(strideA)
                .ptr(b).i32(ldb).i64(strideB).f32(beta).ptr(c).i32(ldc).i64(strideC));
    }
}
