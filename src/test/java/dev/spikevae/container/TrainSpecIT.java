package dev.spikevae.container;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code docker run -v DATA:/data:ro -v SPECS:/specs:ro -v RUNS:/runs IMAGE train --spec /specs/FILE}: a spec and a
 * dataset mounted read-only; and a bad spec, which fails with the same one-line error as outside a container.
 */
@Tag("container")
class TrainSpecIT {
    static final int TRAIN_IMAGES = 128;
    static final int TEST_IMAGES = 32;

    @BeforeEach // per test, so that each is reported skipped with the reason
    void engine() {
        DockerEngine.require();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Accelerator.class)
    void trainsASpecOnReadOnlyData(Accelerator accelerator, @TempDir Path tmp) throws Exception {
        accelerator.assumeAvailable();
        Path data = FashionMnistFixture.write(tmp.resolve("data"), TRAIN_IMAGES, TEST_IMAGES);
        Path specs = TinySpec.write(tmp.resolve("specs"), 2).getParent();
        Path runs = SpikevaeContainer.writableFolder(tmp.resolve("runs"));
        SpikevaeContainer.Outcome out;
        try (SpikevaeContainer c = SpikevaeContainer.spikevae(accelerator, "train", "--spec", "/specs/tiny-fashion.yaml")
                .mount(data, "/data", true).mount(specs, "/specs", true).mount(runs, "/runs", false)) {
            out = c.run();
        }
        assertEquals(0, out.exitCode(), out.transcript());

        Path run = RunFolder.single(runs, TinySpec.NAME, "fashion-mnist");
        String config = Files.readString(run.resolve("config.yaml"));
        assertTrue(config.contains("dataset: fashion-mnist") && config.contains("timesteps: 4"), config);
        List<double[]> epochs = RunFolder.csv(run.resolve("metrics.csv"), RunFolder.EPOCH_HEADER);
        assertEquals(2, epochs.size(), "one metrics row per epoch");
        for (int e = 0; e < 2; e++) {
            assertEquals(e + 1, epochs.get(e)[0], "epoch column");
            assertEquals((e + 1) * TRAIN_IMAGES / TinySpec.BATCH, epochs.get(e)[1], "step column");
            // the image has no other Fashion-MNIST: these counts say it read the mounted one through SPIKEVAE_DATA
            assertEquals(TRAIN_IMAGES, epochs.get(e)[5], "training images per epoch");
            assertEquals(TEST_IMAGES, epochs.get(e)[13], "test images");
        }
        JsonNode summary = RunFolder.json(run.resolve("summary.json"));
        assertEquals("completed", summary.path("status").asText(), summary.toString());
        assertEquals(2, summary.path("epochs_completed").asInt(), summary.toString());
    }

    /** The same command outside (the jar on the host's JVM) and inside gives the same single line on stderr, exit code 1. */
    @ParameterizedTest
    @ValueSource(strings = {"train:\n  epochs: three\n", "train:\n  epoch: 3\n", "train: [epochs: 3\n"})
    void badSpecFailsWithTheSameLineAsOutside(String yaml, @TempDir Path tmp) throws Exception {
        Path specs = Files.createDirectories(tmp.resolve("specs"));
        Path spec = Files.writeString(specs.resolve("bad.yaml"), yaml);
        SpikevaeContainer.Outcome outside = outside(tmp, "train", "--spec", spec.toString());
        SpikevaeContainer.Outcome inside;
        // Mounted at the same path, so that the message (which names the file) can be compared as it is.
        try (SpikevaeContainer c = SpikevaeContainer.spikevae(Accelerator.CPU, "train", "--spec", spec.toString())
                .mount(specs, specs.toString(), true)) {
            inside = c.run();
        }
        assertEquals(1, outside.exitCode(), outside.transcript());
        assertEquals(1, inside.exitCode(), inside.transcript());
        assertEquals(1, outside.errorLines().size(), "one line outside: " + outside.transcript());
        assertTrue(outside.errorLines().get(0).startsWith("spikevae train: error: " + spec), outside.transcript());
        assertEquals(outside.errorLines(), inside.errorLines(), inside.transcript());
        assertEquals("", inside.stdout(), "nothing on stdout");
    }

    /** Runs the packaged jar on this JVM's java, with the launcher's module option; {@code tmp} holds its output. */
    static SpikevaeContainer.Outcome outside(Path tmp, String... args) throws IOException, InterruptedException {
        Path jar = SpikevaeImage.repoRoot().resolve("target/spikevae.jar");
        List<String> command = Stream.concat(Stream.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-jar", jar.toString()), Stream.of(args)).collect(Collectors.toList());
        Path stdout = tmp.resolve("outside.stdout");
        Path stderr = tmp.resolve("outside.stderr");
        int code = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start().waitFor();
        return new SpikevaeContainer.Outcome(code, Files.readString(stdout), Files.readString(stderr));
    }
}
