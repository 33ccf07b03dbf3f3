package dev.spikevae.backend.cuda;

import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.BackendOptions;
import dev.spikevae.tensor.BackendProvider;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Registers the CUDA backend; preferred by {@code --device auto} whenever the probe succeeds. Nothing of JCuda is
 * touched until the probe runs, and cuBLAS / cuDNN are probed only when the options want vendor libraries.
 */
@BackendProvider.Kind(value = "cuda", priority = 10)
public final class CudaBackendProvider implements BackendProvider {

    @Override
    public Availability probe(BackendOptions options) {
        CudaCapabilities c = CudaProbe.result(options.vendorLibraries()).capabilities();
        return c.available() ? Availability.yes(c.summary()) : Availability.no(c.reason());
    }

    @Override
    public Backend create(BackendOptions options) {
        CudaProbe.Result r = CudaProbe.result(options.vendorLibraries());
        if (r.device() == null) {
            throw new IllegalStateException("device cuda is unavailable: " + r.capabilities().reason());
        }
        r.device().syncEachLaunch(options.syncEachLaunch());
        return new CudaBackend(r.device(), options.tf32(), options.vendorLibraries());
    }

    @Override
    public List<String> details(BackendOptions options) {
        return CudaProbe.result(options.vendorLibraries()).capabilities().doctorLines(options.vendorLibraries());
    }

    @Override
    public Map<String, Object> environment() {
        Map<String, Object> env = new LinkedHashMap<>();
        CudaCapabilities c = CudaProbe.result(false).capabilities();
        env.put("cuda_driver", c.available() ? c.summary() : c.reason());
        return env;
    }
}
