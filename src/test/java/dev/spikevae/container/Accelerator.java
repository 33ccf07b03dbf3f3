package dev.spikevae.container;

import org.junit.jupiter.api.Assumptions;

/** What a container is given: no GPU, or every GPU of the host through a device request ({@code docker run --gpus all}). */
enum Accelerator {
    CPU,
    GPU;

    /** Skips the GPU variant, with the reason, where the engine cannot give containers a GPU. */
    void assumeAvailable() {
        if (this == GPU) {
            DockerEngine.GpuSupport gpu = DockerEngine.gpu();
            Assumptions.assumeTrue(gpu.available(), gpu.reason());
        }
    }

    /** The backend {@code --device auto} picks in such a container. */
    String expectedBackend() {
        return this == GPU ? "cuda" : "cpu";
    }
}
