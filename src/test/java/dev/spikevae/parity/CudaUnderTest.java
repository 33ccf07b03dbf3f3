package dev.spikevae.parity;

import dev.spikevae.backend.cpu.CpuBackend;
import dev.spikevae.backend.cuda.CudaBackend;
import dev.spikevae.tensor.BackendOptions;
import dev.spikevae.backend.cuda.CudaProbe;
import dev.spikevae.tensor.Backend;
import org.junit.jupiter.api.Assumptions;

/**
 * The backends a parity test compares: the CPU backend (the reference) and the CUDA backend on its own
 * kernels (vendor libraries off: the path that must always work). Where the probe finds no usable GPU
 * the caller's test is skipped with the probe's reason, so a CPU-only run shows each parity test as
 * skipped rather than passed.
 */
final class CudaUnderTest {
    private static CudaBackend gpu;
    private static CudaBackend vendorGpu;
    private static CpuBackend cpu;

    private CudaUnderTest() {
    }

    static synchronized Backend gpuOrSkip() {
        CudaProbe.Result r = CudaProbe.result();
        Assumptions.assumeTrue(r.device() != null, () -> "CUDA unavailable, GPU parity not run: " + r.capabilities().reason());
        if (gpu == null) {
            gpu = new CudaBackend(r.device(), false, false);
        }
        return gpu;
    }

    /**
     * The CUDA backend with the vendor libraries on (cuDNN convolutions; cuBLAS GEMM where it loaded too);
     * the caller is skipped, with the reason, where cuDNN did not load or {@code --no-vendor-libs} is set.
     */
    static synchronized Backend cudnnGpuOrSkip() {
        CudaProbe.Result r = CudaProbe.result();
        Assumptions.assumeTrue(r.device() != null, () -> "CUDA unavailable, cuDNN parity not run: " + r.capabilities().reason());
        Assumptions.assumeTrue(r.capabilities().cudnn().loaded(),
                () -> "cuDNN did not load, cuDNN parity not run: " + r.capabilities().cudnn().detail());
        Assumptions.assumeTrue(BackendOptions.defaults().vendorLibraries(),
                "vendor libraries turned off (-Dspikevae.noVendorLibs), cuDNN parity not run");
        if (vendorGpu == null) {
            vendorGpu = new CudaBackend(r.device(), false);
        }
        return vendorGpu;
    }

    static synchronized Backend cpu() {
        if (cpu == null) {
            cpu = new CpuBackend(2);
        }
        return cpu;
    }
}
