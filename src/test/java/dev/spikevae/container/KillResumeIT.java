package dev.spikevae.container;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A training container killed (SIGKILL) in the middle of a run, and {@code train --resume} in a new container on the
 * same runs folder: it continues from the last checkpoint, loses nothing of the epochs before it, and leaves metrics
 * files with every row once and whole. On the CPU the resumed run ends bit for bit where an uninterrupted one does.
 */
@Tag("container")
class KillResumeIT {
    static final int TRAIN_IMAGES = 128;
    static final int TEST_IMAGES = 32;
    static final int STEPS_PER_EPOCH = TRAIN_IMAGES / TinySpec.BATCH;
    /** The first session's goal: far more than it will reach before it is killed in its second epoch. */
    static final int PLANNED_EPOCHS = 40;

    @BeforeEach // per test, so that each is reported skipped with the reason
    void engine() {
        DockerEngine.require();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Accelerator.class)
    void resumesAKilledRunFromItsLastCheckpoint(Accelerator accelerator, @TempDir Path tmp) throws Exception {
        accelerator.assumeAvailable();
        Path data = FashionMnistFixture.write(tmp.resolve("data"), TRAIN_IMAGES, TEST_IMAGES);
        Path specs = TinySpec.write(tmp.resolve("specs"), PLANNED_EPOCHS).getParent();
        Path runs = SpikevaeContainer.writableFolder(tmp.resolve("runs"));

        // 1. Train, and kill the container once the second epoch has begun (epoch 1's checkpoint is on disk by then).
        SpikevaeContainer.Outcome killed;
        try (SpikevaeContainer c = SpikevaeContainer.spikevae(accelerator, "train", "--spec", "/specs/tiny-fashion.yaml")
                .mount(data, "/data", true).mount(specs, "/specs", true).mount(runs, "/runs", false)) {
            c.start();
            c.awaitOutput("epoch 2/" + PLANNED_EPOCHS + " [");
            killed = c.kill();
        }
        assertEquals(137, killed.exitCode(), "killed by SIGKILL: " + killed.transcript());
        Path run = RunFolder.single(runs, TinySpec.NAME, "fashion-mnist");
        assertFalse(Files.exists(run.resolve("summary.json"))
                        && RunFolder.json(run.resolve("summary.json")).path("status").asText().equals("completed"),
                "a killed run is not completed");
        int checkpointEpoch = RunFolder.json(run.resolve("checkpoints/last.json")).path("epoch").asInt();
        assertTrue(checkpointEpoch >= 1 && checkpointEpoch < PLANNED_EPOCHS, "checkpoint epoch " + checkpointEpoch);
        List<String> rowsBefore = Files.readAllLines(run.resolve("metrics.csv"));
        List<String> stepsBefore = Files.readAllLines(run.resolve("steps.csv"));

        // 2. Resume in a new container on the same folder, one epoch past the checkpoint.
        int finalEpoch = checkpointEpoch + 1;
        String runInContainer = "/runs/" + runs.relativize(run);
        SpikevaeContainer.Outcome resumed;
        try (SpikevaeContainer c = SpikevaeContainer.spikevae(accelerator, "train", "--resume", runInContainer,
                "train.epochs=" + finalEpoch).mount(data, "/data", true).mount(runs, "/runs", false)) {
            resumed = c.run();
        }
        assertEquals(0, resumed.exitCode(), resumed.transcript());

        // 3. Nothing lost, nothing twice, nothing half-written.
        List<double[]> epochs = RunFolder.csv(run.resolve("metrics.csv"), RunFolder.EPOCH_HEADER);
        assertEquals(finalEpoch, epochs.size(), "metrics.csv rows");
        for (int e = 1; e <= finalEpoch; e++) {
            assertEquals(e, epochs.get(e - 1)[0], "metrics.csv epoch column");
            assertEquals((long) e * STEPS_PER_EPOCH, epochs.get(e - 1)[1], "metrics.csv step column");
        }
        List<String> rowsAfter = Files.readAllLines(run.resolve("metrics.csv"));
        assertEquals(rowsBefore.subList(0, 1 + checkpointEpoch), rowsAfter.subList(0, 1 + checkpointEpoch),
                "metrics.csv: the rows of the checkpointed epochs are kept as they were");
        List<JsonNode> jsonRows = RunFolder.jsonLines(run.resolve("metrics.jsonl"));
        assertEquals(finalEpoch, jsonRows.size(), "metrics.jsonl rows");
        for (int e = 1; e <= finalEpoch; e++) {
            assertEquals(e, jsonRows.get(e - 1).path("epoch").asInt(), "metrics.jsonl epoch");
            assertEquals(epochs.get(e - 1)[9], jsonRows.get(e - 1).path("test_mse").asDouble(), 1e-6,
                    "metrics.jsonl agrees with metrics.csv at epoch " + e);
        }
        List<double[]> steps = RunFolder.csv(run.resolve("steps.csv"), RunFolder.STEP_HEADER);
        assertEquals(finalEpoch * STEPS_PER_EPOCH, steps.size(), "steps.csv: one row per step (log_every 1)");
        for (int s = 1; s <= steps.size(); s++) {
            assertEquals(s, steps.get(s - 1)[0], "steps.csv step column");
            assertEquals((s - 1) / STEPS_PER_EPOCH + 1, steps.get(s - 1)[1], "steps.csv epoch column at step " + s);
        }
        int checkpointedSteps = checkpointEpoch * STEPS_PER_EPOCH;
        assertEquals(stepsBefore.subList(0, 1 + checkpointedSteps),
                Files.readAllLines(run.resolve("steps.csv")).subList(0, 1 + checkpointedSteps),
                "steps.csv: the rows up to the checkpoint are kept as they were (training went on from there)");
        JsonNode summary = RunFolder.json(run.resolve("summary.json"));
        assertEquals("completed", summary.path("status").asText(), summary.toString());
        assertEquals(finalEpoch, summary.path("epochs_completed").asInt(), summary.toString());
        assertEquals(finalEpoch, RunFolder.json(run.resolve("checkpoints/last.json")).path("epoch").asInt());

        // 4. On the CPU, kernels and data order are deterministic: an uninterrupted run ends in the same state.
        if (accelerator == Accelerator.CPU) {
            Path straight = SpikevaeContainer.writableFolder(tmp.resolve("straight"));
            SpikevaeContainer.Outcome uninterrupted;
            try (SpikevaeContainer c = SpikevaeContainer.spikevae(accelerator, "train", "--spec",
                    "/specs/tiny-fashion.yaml", "train.epochs=" + finalEpoch)
                    .mount(data, "/data", true).mount(specs, "/specs", true).mount(straight, "/runs", false)) {
                uninterrupted = c.run();
            }
            assertEquals(0, uninterrupted.exitCode(), uninterrupted.transcript());
            Path other = RunFolder.single(straight, TinySpec.NAME, "fashion-mnist");
            for (String role : new String[] {"weights", "optimizer"}) {
                // the sidecar names the checkpoint's files (checkpoints/last-e0003.safetensors, ...)
                String file = "checkpoints/" + RunFolder.json(run.resolve("checkpoints/last.json")).path(role).asText();
                String otherFile = "checkpoints/" + RunFolder.json(other.resolve("checkpoints/last.json")).path(role).asText();
                assertEquals(otherFile, file, role);
                assertArrayEquals(Files.readAllBytes(other.resolve(file)), Files.readAllBytes(run.resolve(file)),
                        file + " differs from the uninterrupted run's");
            }
            List<double[]> otherEpochs = RunFolder.csv(other.resolve("metrics.csv"), RunFolder.EPOCH_HEADER);
            for (int e = 0; e < finalEpoch; e++) {
                assertArrayEquals(losses(otherEpochs.get(e)), losses(epochs.get(e)), "epoch " + (e + 1) + " losses");
            }
        }
    }

    /** A metrics.csv row less its timing columns (seconds, images/s). */
    private static double[] losses(double[] row) {
        double[] out = Arrays.copyOf(row, row.length);
        out[6] = 0;
        out[7] = 0;
        return out;
    }
}
