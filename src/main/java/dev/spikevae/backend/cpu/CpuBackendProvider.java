package dev.spikevae.backend.cpu;

import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.BackendProvider;

/** Registers the CPU backend (always available). */
public final class CpuBackendProvider implements BackendProvider {
    @Override
    public String kind() {
        return "cpu";
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public Availability probe() {
        return Availability.yes(Runtime.getRuntime().availableProcessors() + " cores, "
                + (VectorSupport.available() ? "Vector API " + 32 * VectorSupport.floatLanes() + "-bit"
                : "scalar kernels: " + VectorSupport.reason()));
    }

    @Override
    public Backend create() {
        return new CpuBackend(CpuBackend.defaultThreads());
    }
}
