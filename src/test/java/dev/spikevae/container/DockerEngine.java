package dev.spikevae.container;

import com.github.dockerjava.api.model.Info;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.testcontainers.DockerClientFactory;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Docker engine the container tests talk to. Without one the tests are skipped with the reason, except under
 * {@code CI=true}, where a missing engine fails them: CI must not pass with its container tests silently skipped.
 */
final class DockerEngine {
    /** Whether the GPU variants run: {@code auto} (where the engine lists the NVIDIA runtime), {@code true}, {@code false}. */
    static final String GPU_PROPERTY = "spikevae.container.gpu";

    private DockerEngine() {
    }

    /** Skips the calling test (or fails it under CI=true) when no Docker engine answers. */
    static void require() {
        if (DockerClientFactory.instance().isDockerAvailable()) {
            return;
        }
        String reason = "no Docker engine answers (DOCKER_HOST or /var/run/docker.sock); start dockerd "
                + "(ci/container-tests.sh does) to run the container tests";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.fail("CI=true: " + reason);
        }
        Assumptions.abort(reason);
    }

    /** Whether containers can be given GPUs here, and why (the reason a GPU variant is skipped). */
    record GpuSupport(boolean available, String reason) {}

    private static GpuSupport gpu;

    static synchronized GpuSupport gpu() {
        if (gpu == null) {
            gpu = probeGpu();
        }
        return gpu;
    }

    private static GpuSupport probeGpu() {
        String mode = System.getProperty(GPU_PROPERTY, "auto").strip().toLowerCase(Locale.ROOT);
        switch (mode) {
            case "false":
                return new GpuSupport(false, "GPU variants turned off (-D" + GPU_PROPERTY + "=false)");
            case "true":
                return new GpuSupport(true, "GPU variants requested (-D" + GPU_PROPERTY + "=true)");
            case "auto":
                break;
            default:
                throw new IllegalArgumentException("-D" + GPU_PROPERTY + "=" + mode + ": expected auto, true or false");
        }
        Info info = DockerClientFactory.instance().client().infoCmd().exec();
        Map<String, ?> runtimes = info.getRuntimes() == null ? Map.of() : new TreeMap<>(info.getRuntimes());
        if (runtimes.containsKey("nvidia")) {
            return new GpuSupport(true, "the Docker engine has the NVIDIA runtime");
        }
        return new GpuSupport(false, "the Docker engine has no NVIDIA runtime (docker info lists runtimes "
                + String.join(", ", runtimes.keySet()) + "; install the NVIDIA container toolkit, see docker/README.md)");
    }
}
