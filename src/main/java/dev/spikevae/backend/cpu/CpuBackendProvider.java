package dev.spikevae.backend.cpu;

import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.BackendOptions;
import dev.spikevae.tensor.BackendProvider;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Registers the CPU backend (always available). */
@BackendProvider.Kind(value = "cpu", priority = 0)
public final class CpuBackendProvider implements BackendProvider {

    @Override
    public Availability probe(BackendOptions options) {
        return Availability.yes(Runtime.getRuntime().availableProcessors() + " cores, "
                + (VectorSupport.available() ? "Vector API " + 32 * VectorSupport.floatLanes() + "-bit"
                : "scalar kernels: " + VectorSupport.reason()));
    }

    @Override
    public Backend create(BackendOptions options) {
        return new CpuBackend(options.threads() > 0 ? options.threads() : CpuBackend.defaultThreads(),
                options.debugMemory());
    }

    @Override
    public List<String> details(BackendOptions options) {
        return List.of("vector API " + (VectorSupport.available()
                ? "yes, " + 32 * VectorSupport.floatLanes() + "-bit float vectors (" + VectorSupport.floatLanes() + " lanes)"
                : "no: " + VectorSupport.reason()));
    }

    @Override
    public Map<String, Object> environment() {
        Map<String, Object> env = new LinkedHashMap<>();
        boolean vector = VectorSupport.available();
        env.put("vector_api", vector);
        env.put("vector_api_detail", vector ? VectorSupport.floatLanes() + " float lanes" : VectorSupport.reason());
        return env;
    }
}
