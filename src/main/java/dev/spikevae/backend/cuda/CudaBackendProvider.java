package dev.spikevae.backend.cuda;

import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.BackendProvider;

/** Registers the CUDA backend; preferred by {@code --device auto} whenever the probe succeeds. */
public final class CudaBackendProvider implements BackendProvider {
    /** Set (to true) by {@code --no-vendor-libs}: own kernels even where cuBLAS loaded. */
    public static final String NO_VENDOR_LIBS_PROPERTY = "spikevae.noVendorLibs";
    /** Set to true to let the own SGEMM use TF32 tensor cores (compute capability 8.0+). */
    public static final String TF32_PROPERTY = "spikevae.cuda.tf32";

    @Override
    public String kind() {
        return "cuda";
    }

    @Override
    public int priority() {
        return 10;
    }

    @Override
    public Availability probe() {
        CudaCapabilities c = CudaProbe.capabilities();
        return c.available() ? Availability.yes(c.summary()) : Availability.no(c.reason());
    }

    @Override
    public Backend create() {
        CudaProbe.Result r = CudaProbe.result();
        if (r.device() == null) {
            throw new IllegalStateException("device cuda is unavailable: " + r.capabilities().reason());
        }
        return new CudaBackend(r.device(), Boolean.getBoolean(TF32_PROPERTY));
    }
}
