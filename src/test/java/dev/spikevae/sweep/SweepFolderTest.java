package dev.spikevae.sweep;

import dev.spikevae.experiment.Specs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sweep folder keeps its plan, refuses another sweep, and reads each run's state from its run folder. */
class SweepFolderTest {
    @TempDir
    Path dir;

    private SweepPlan plan(String lambdas) throws IOException {
        Path f = dir.resolve("s.yaml");
        Files.writeString(f, "base: digits\n");
        return Sweeps.plan(Specs.loadWithSweep(f), List.of("model.lambda=" + lambdas));
    }

    @Test
    void aFolderKeepsItsPlanAndRefusesAnother() throws IOException {
        SweepPlan p = plan("0.1,0.2");
        Path root = dir.resolve("sweep");
        SweepFolder f = SweepFolder.prepare(root, p);
        assertEquals(List.of("lambda-0.1", "lambda-0.2"), f.runNames());
        assertEquals(p.runs().get(1).spec(), f.spec("lambda-0.2"));
        assertEquals(p.runs().get(1).overrides(), f.plan().runs().get(1).overrides(), "plan.json gives the plan back");
        SweepFolder.prepare(root, plan("0.1,0.2")); // the same sweep again: reused
        SweepException e = assertThrows(SweepException.class, () -> SweepFolder.prepare(root, plan("0.1,0.3")));
        assertTrue(e.getMessage().contains("holds another sweep"), e.getMessage());
        assertEquals("lambda-0.2", f.runName(1));
        assertThrows(SweepException.class, () -> f.runName(2));
        assertThrows(SweepException.class, () -> SweepFolder.open(dir.resolve("nothing")));
    }

    @Test
    void statesComeFromTheRunFolders() throws IOException {
        SweepFolder f = SweepFolder.prepare(dir.resolve("sweep"), plan("0.1,0.2,0.3"));
        assertEquals(RunState.PENDING, f.state("lambda-0.1").state());
        Path run = f.runDir("lambda-0.2");
        Files.createDirectories(run);
        Files.writeString(run.resolve("config.yaml"), "x");
        assertEquals(RunState.INTERRUPTED, f.state("lambda-0.2").state(), "started, no summary: killed");
        Files.writeString(run.resolve("summary.json"), "{\"status\": \"completed\", \"final\": {\"test_mse\": 0.5}}");
        RunState done = f.state("lambda-0.2");
        assertTrue(done.completed());
        assertEquals(0.5, ((Number) done.finalMetrics().get("test_mse")).doubleValue());
        Files.createDirectories(f.errorFile("lambda-0.3").getParent());
        Files.writeString(f.errorFile("lambda-0.3"), "no MNIST under /nowhere\n");
        assertEquals(RunState.FAILED, f.state("lambda-0.3").state());
        assertEquals("no MNIST under /nowhere", f.state("lambda-0.3").error());
        f.writeIndex(f.plan(), "s.yaml", java.util.Map.of("lambda-0.1", RunState.RUNNING), java.util.Map.of());
        List<String> csv = Files.readAllLines(f.table());
        assertEquals("index,name,state,model.lambda,test_mse", csv.get(0));
        assertEquals("0,lambda-0.1,running,0.1,", csv.get(1));
        assertEquals("1,lambda-0.2,completed,0.2,0.50000000", csv.get(2));
        assertEquals("2,lambda-0.3,failed,0.3,", csv.get(3));
        assertTrue(Files.readString(f.index()).contains("\"error\" : \"no MNIST under /nowhere\""));
    }

    @Test
    void slurmArraysAreWrittenForTheTasksAsked() throws IOException {
        SweepPlan p = plan("0.1,0.2,0.3,0.4,0.5");
        SweepFolder f = SweepFolder.prepare(dir.resolve("sweep"), p);
        String s = SlurmExecutor.script(f, p, List.of(0, 1, 2, 4), new ExecutorSettings.Slurm("gpu", "12:00:00", "lab",
                1, 8, "32G", 2, List.of("--qos=normal")), ChildCommand.launcher("/opt/spikevae/spikevae"));
        assertTrue(s.contains("#SBATCH --array=0-2,4%2\n"), s);
        for (String line : List.of("#SBATCH --partition=gpu", "#SBATCH --time=12:00:00", "#SBATCH --account=lab",
                "#SBATCH --gres=gpu:1", "#SBATCH --cpus-per-task=8", "#SBATCH --mem=32G", "#SBATCH --qos=normal",
                "export SPIKEVAE_THREADS=${SLURM_CPUS_PER_TASK:-8}")) {
            assertTrue(s.contains(line + "\n"), line + " in\n" + s);
        }
        assertTrue(s.contains("exec '/opt/spikevae/spikevae' 'sweep' 'run-task' '" + f.root().toAbsolutePath()
                + "' \"$SLURM_ARRAY_TASK_ID\"\n"), s);
        assertEquals("3", SlurmExecutor.ranges(List.of(3)));
        assertEquals("0-1,5-6,9", SlurmExecutor.ranges(List.of(0, 1, 5, 6, 9)));
    }
}
