package dev.spikevae.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A sweep of three tiny runs through a real Slurm cluster (a job array through sbatch), one of them deliberately
 * failing: the two others complete, the third is reported as failed with its reason, {@code sweep status} reads the
 * cluster and the folders, and {@code sweep resubmit} submits only the unfinished run. {@code .ci/run} starts a
 * one-node cluster on localhost ({@code ci/slurm-local.sh}); elsewhere the test needs one (SLURM_CONF) or is skipped,
 * except under CI=true, where a missing cluster fails it.
 */
class SlurmSweepTest {

    private static void requireCluster() {
        Processes.Output o = Processes.run(List.of("sinfo", "-h", "-o", "%t"));
        if (o.ok() && o.text().matches("(?s).*\\b(idle|mix|alloc)\\b.*")) {
            return;
        }
        String why = "no Slurm cluster answers (sinfo: " + o.text() + "); start one with: eval \"$(ci/slurm-local.sh start)\"";
        if ("true".equals(System.getenv("CI"))) {
            Assertions.fail(why + " (CI=true: the Slurm test must run)");
        }
        Assumptions.abort(why);
    }

    @Test
    void threeRunsThroughAJobArrayOneFailing(@TempDir Path dir) throws Exception {
        requireCluster();
        Path empty = Files.createDirectories(dir.resolve("no-data"));
        List<String> lines = new ArrayList<>(List.of("base: digits", "model: {timesteps: 2, latent: 8}",
                "data: {train_limit: 32, test_limit: 16, test_batch_size: 16}",
                "train: {epochs: 1, batch_size: 16, sample_count: 8}",
                "run: {device: cpu, output: " + dir.resolve("runs") + "}",
                "sweep:", "  executor: slurm", "  slurm: {cpus_per_task: 1}", "  variants:",
                "    ok-a: {model.lambda: 0.001}", "    ok-b: {model.lambda: 0.01}",
                "    broken: {data.dataset: mnist, data.root: " + empty + "}"));
        Path spec = dir.resolve("three.yaml");
        Files.writeString(spec, String.join("\n", lines) + "\n");
        Path sweep = dir.resolve("sweep");

        SweepExecutorsTest.Run r = SweepExecutorsTest.cli("sweep", spec.toString(), "--sweep-dir", sweep.toString(), "--wait");
        assertEquals(1, r.code(), "a failed run makes the sweep fail: " + r.out() + r.err());
        assertTrue(r.out().contains("submitted Slurm job array"), r.out());
        JsonNode idx = new ObjectMapper().readTree(sweep.resolve("sweep.json").toFile());
        assertEquals(2, idx.path("counts").path("completed").asInt(), idx.toString());
        assertEquals(1, idx.path("counts").path("failed").asInt(), idx.toString());
        JsonNode broken = idx.path("runs").get(2);
        assertEquals("broken", broken.path("name").asText());
        assertEquals("failed", broken.path("state").asText());
        assertTrue(broken.path("error").asText().toLowerCase().contains("mnist"), broken.toString());
        assertTrue(Files.readString(sweep.resolve("logs").resolve("task-0.log")).contains("epoch 1/1 ["),
                "each task logs its run's progress");

        SweepExecutorsTest.Run status = SweepExecutorsTest.cli("sweep", "status", sweep.toString());
        assertEquals(0, status.code(), status.err());
        assertTrue(status.out().contains("ok-a  completed  test_mse") && status.out().contains("broken  failed"), status.out());

        SweepExecutorsTest.Run again = SweepExecutorsTest.cli("sweep", "resubmit", sweep.toString(), "--wait");
        assertEquals(1, again.code(), again.out() + again.err());
        JsonNode jobs = new ObjectMapper().readTree(sweep.resolve("slurm").resolve("jobs.json").toFile());
        assertEquals(2, jobs.size());
        assertEquals("0-2", jobs.get(0).path("tasks").asText());
        assertEquals("2", jobs.get(1).path("tasks").asText(), "only the unfinished run is resubmitted");
    }
}
