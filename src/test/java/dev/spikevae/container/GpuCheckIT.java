package dev.spikevae.container;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ci/gpu-check.sh (doctor, the GPU parity suite, the GPU benchmarks) inside a container of the image with every GPU:
 * the image's Java and CUDA libraries must carry it. Its logs and JUnit reports land in
 * {@code target/container-gpu-check/} (the GPU workflow uploads them).
 */
@Tag("container")
class GpuCheckIT {
    /** Where the check's logs and reports go, relative to the repository (the GPU workflow's artifact). */
    static final String OUT = "target/container-gpu-check";

    @BeforeEach // per test, so that each is reported skipped with the reason
    void engine() {
        DockerEngine.require();
    }

    @Test
    void gpuCheckPassesInsideTheContainer() throws Exception {
        Accelerator.GPU.assumeAvailable();
        Path root = SpikevaeImage.repoRoot();
        Path bundle = root.resolve("gpu-bundle");
        Assumptions.assumeTrue(Files.isRegularFile(bundle.resolve("spikevae-gpu.tgz")),
                "no gpu-bundle/spikevae-gpu.tgz: build it with ci/build-gpu-bundle.sh first");
        Path out = SpikevaeContainer.writableFolder(root.resolve(OUT));
        SpikevaeContainer.Outcome result;
        try (SpikevaeContainer c = SpikevaeContainer.shell(Accelerator.GPU, "bash", "/opt/check/ci/gpu-check.sh")
                .mount(root.resolve("ci"), "/opt/check/ci", true).mount(bundle, "/opt/check/gpu-bundle", true)
                .mount(out, "/out", false).env("OUT", "/out")) {
            result = c.run();
        }
        Files.writeString(out.resolve("container-output.log"), result.transcript());
        assertEquals(0, result.exitCode(), result.transcript());
        assertTrue(result.stdout().contains("| doctor | ok |"), result.transcript());
    }
}
