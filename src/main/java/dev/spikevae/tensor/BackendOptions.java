package dev.spikevae.tensor;

/**
 * How a backend is created: one record, given at creation, so two backends in one JVM can differ (a second run
 * with another thread count gets its own CPU backend). Kinds ignore what does not concern them.
 *
 * @param threads         CPU worker threads; 0 means {@code SPIKEVAE_THREADS}, else every core
 * @param vendorLibraries CUDA: use cuBLAS / cuDNN where they load (false: own kernels only, and neither is probed)
 * @param tf32            CUDA: let the own SGEMM and cuDNN use TF32 tensor cores (compute capability 8.0+)
 * @param debugMemory     check every tensor's memory for use after release (slower; the test suite turns it on)
 * @param syncEachLaunch  CUDA: wait after every kernel, so an asynchronous failure names its kernel
 */
public record BackendOptions(int threads, boolean vendorLibraries, boolean tf32, boolean debugMemory,
                             boolean syncEachLaunch) {

    public BackendOptions {
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be >= 0 (0: all cores), got " + threads);
        }
    }

    /**
     * The defaults, read once from the process: {@code -Dspikevae.debugMemory}, {@code -Dspikevae.cuda.sync},
     * {@code -Dspikevae.cuda.tf32} and {@code -Dspikevae.noVendorLibs} (debugging switches); every core.
     */
    public static BackendOptions defaults() {
        return new BackendOptions(0, !Boolean.getBoolean("spikevae.noVendorLibs"), Boolean.getBoolean("spikevae.cuda.tf32"),
                Boolean.getBoolean("spikevae.debugMemory"), Boolean.getBoolean("spikevae.cuda.sync"));
    }

    public BackendOptions withThreads(int n) {
        return new BackendOptions(n, vendorLibraries, tf32, debugMemory, syncEachLaunch);
    }

    public BackendOptions withVendorLibraries(boolean on) {
        return new BackendOptions(threads, on, tf32, debugMemory, syncEachLaunch);
    }

    public BackendOptions withTf32(boolean on) {
        return new BackendOptions(threads, vendorLibraries, on, debugMemory, syncEachLaunch);
    }
}
