package dev.spikevae.container;

import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.model.ContainerConfig;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The image as docker/README.md describes it: entrypoint, user, volumes, environment, and nothing baked in. */
@Tag("container")
class ImageIT {
    @BeforeEach // per test, so that each is reported skipped with the reason
    void engine() {
        DockerEngine.require();
    }

    @Test
    void configurationIsTheDocumentedOne() {
        InspectImageResponse image = DockerClientFactory.instance().client().inspectImageCmd(SpikevaeImage.name()).exec();
        ContainerConfig config = image.getConfig();
        assertEquals(List.of("spikevae"), Arrays.asList(config.getEntrypoint()), "entrypoint");
        assertEquals("spikevae", config.getUser(), "user");
        assertTrue(config.getVolumes().containsKey("/data") && config.getVolumes().containsKey("/runs"),
                "volumes " + config.getVolumes().keySet());
        assertTrue(Arrays.asList(config.getEnv()).contains("SPIKEVAE_DATA=/data"), "env " + Arrays.toString(config.getEnv()));
    }

    /**
     * Inside: a non-root user, Java 17 with the Vector API module, the jar and launcher, empty volumes, and no
     * dataset or weights anywhere (no IDX, CIFAR-10 batch, safetensors, .pth or npy file on the image's filesystem).
     */
    @Test
    void holdsTheRuntimeAndNothingOfDataOrWeights() throws Exception {
        String script = String.join("; ",
                "echo uid=$(id -u)",
                "java -version 2>&1 | head -1",
                "java --list-modules | grep -c '^jdk.incubator.vector@' | sed 's/^/vector=/'",
                "test -x /opt/spikevae/spikevae && test -f /opt/spikevae/target/spikevae.jar && echo launcher=ok",
                "echo data=$(ls -A /data | wc -l) runs=$(ls -A /runs | wc -l)",
                "find / -xdev \\( -name '*-ubyte*' -o -name '*.safetensors' -o -name '*.pth' -o -name '*.npy'"
                        + " -o -name '*.npz' -o -name 'data_batch_*' \\) -print | sed 's/^/found: /'",
                "echo done");
        try (SpikevaeContainer c = SpikevaeContainer.shell(Accelerator.CPU, "bash", "-c", script)) {
            SpikevaeContainer.Outcome out = c.run();
            assertEquals(0, out.exitCode(), out.transcript());
            String s = out.stdout();
            assertTrue(s.contains("done"), out.transcript());
            String uid = s.lines().filter(l -> l.startsWith("uid=")).findFirst().orElseThrow();
            assertNotEquals("uid=0", uid, "the image runs as root");
            assertTrue(s.matches("(?s).*version \"17\\.[^\n]*\n.*"), "Java 17 runtime: " + s);
            assertTrue(s.contains("vector=1"), "jdk.incubator.vector module: " + s);
            assertTrue(s.contains("launcher=ok"), s);
            assertTrue(s.contains("data=0 runs=0"), "volumes are empty in the image: " + s);
            assertTrue(s.lines().noneMatch(l -> l.startsWith("found: ")), "data or weights in the image: " + s);
        }
    }
}
