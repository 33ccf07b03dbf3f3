package dev.spikevae.container;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code docker run -v RUNS:/runs IMAGE demo ...}: a short demo writes its grids, plot and summary into the host folder. */
@Tag("container")
class DemoIT {
    @BeforeEach // per test, so that each is reported skipped with the reason
    void engine() {
        DockerEngine.require();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Accelerator.class)
    void writesPngsAndSummaryIntoTheMountedFolder(Accelerator accelerator, @TempDir Path tmp) throws Exception {
        accelerator.assumeAvailable();
        Path runs = SpikevaeContainer.writableFolder(tmp.resolve("runs"));
        SpikevaeContainer.Outcome out;
        // No --output: the image's working directory puts the default runs/ on the /runs volume.
        try (SpikevaeContainer c = SpikevaeContainer.spikevae(accelerator, "demo", "train.epochs=1", "data.train_limit=64",
                "data.test_limit=32", "train.sample_count=16", "model.timesteps=4").mount(runs, "/runs", false)) {
            out = c.run();
        }
        assertEquals(0, out.exitCode(), out.transcript());
        assertTrue(out.stdout().contains("demo finished: test MSE "), out.transcript());

        Path run = RunFolder.single(runs, "digits", "digits");
        for (String png : new String[] {"samples/latest-reconstructions.png", "samples/latest-samples.png",
                "samples/epoch-001-samples.png", "plots/loss.png"}) {
            BufferedImage image = ImageIO.read(run.resolve(png).toFile());
            assertNotNull(image, png + " is not a PNG");
            assertTrue(image.getWidth() >= 32 && image.getHeight() >= 32, png + " is " + image.getWidth() + "x"
                    + image.getHeight());
        }
        JsonNode summary = RunFolder.json(run.resolve("summary.json"));
        assertEquals("completed", summary.path("status").asText(), summary.toString());
        assertEquals(1, summary.path("epochs_completed").asInt(), summary.toString());
        double mse = summary.path("final").path("test_mse").asDouble(Double.NaN);
        assertTrue(Double.isFinite(mse) && mse > 0, "final test MSE " + mse);
        assertTrue(Files.isRegularFile(run.resolve("config.yaml")) && Files.isRegularFile(run.resolve("checkpoints/last.json")),
                "config.yaml and the checkpoint");
        String backend = RunFolder.json(run.resolve("env.json")).path("backend").asText();
        assertTrue(backend.startsWith(accelerator.expectedBackend() + ":"), "env.json backend: " + backend);
    }
}
