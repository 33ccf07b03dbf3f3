package dev.spikevae.backend.cuda;

/**
 * A launch shape: grid (x, y, z) of blocks of {@code block} threads. The factories encode the mapping
 * each kernel family assumes, so the arithmetic is unit-tested without a GPU.
 */
public record LaunchConfig(int gridX, int gridY, int gridZ, int block) {
    /** Threads per block of the elementwise kernels. */
    public static final int THREADS = 256;
    /** Enough blocks to fill any current GPU; grid-stride loops cover the rest. */
    public static final int MAX_LINEAR_BLOCKS = 1 << 16;
    /** The hardware limit of grid y and z. */
    public static final int MAX_GRID_YZ = 65535;

    public LaunchConfig {
        if (gridX < 0 || gridY < 0 || gridZ < 0 || block < 1 || block > 1024) {
            throw new IllegalArgumentException("launch configuration: grid " + gridX + "x" + gridY + "x" + gridZ
                    + ", block " + block);
        }
        if (gridY > MAX_GRID_YZ || gridZ > MAX_GRID_YZ) {
            throw new IllegalArgumentException("launch configuration: grid " + gridX + "x" + gridY + "x" + gridZ
                    + " exceeds the y/z limit of " + MAX_GRID_YZ);
        }
    }

    /** Nothing to launch. */
    public boolean isEmpty() {
        return gridX == 0 || gridY == 0 || gridZ == 0;
    }

    /** A grid-stride loop over {@code n} items, {@link #THREADS} per block. */
    public static LaunchConfig items(long n) {
        if (n <= 0) {
            return new LaunchConfig(0, 1, 1, THREADS);
        }
        long blocks = (n + THREADS - 1) / THREADS;
        return new LaunchConfig((int) Math.min(blocks, MAX_LINEAR_BLOCKS), 1, 1, THREADS);
    }

    /** One block of {@code threads} per item (grid-stride over items beyond the cap). */
    public static LaunchConfig blockPerItem(long items, int threads) {
        return new LaunchConfig((int) Math.min(Math.max(0, items), MAX_LINEAR_BLOCKS), 1, 1, threads);
    }

    /** A single thread (sequential bookkeeping kernels). */
    public static LaunchConfig single() {
        return new LaunchConfig(1, 1, 1, 32);
    }

    /** A {@code x * y} grid of {@code threads}-thread blocks. */
    public static LaunchConfig grid2(int x, int y, int threads) {
        return new LaunchConfig(x, y, 1, threads);
    }

    /** SGEMM tiles: x over the columns of C, y over its rows, z over the batch. */
    public static LaunchConfig gemm(int m, int n, int batch, int tile, int threads) {
        int gx = (n + tile - 1) / tile;
        int gy = (m + tile - 1) / tile;
        return new LaunchConfig(gx, gy, batch, threads);
    }

    /** Total threads launched. */
    public long threads() {
        return (long) gridX * gridY * gridZ * block;
    }
}
