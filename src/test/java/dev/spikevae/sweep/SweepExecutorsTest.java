package dev.spikevae.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spikevae.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A two-axis grid of tiny runs on the embedded digits completes with the local executor (in this process) and the
 * gpus executor on CPU workers (child processes), and {@code report} renders the sweep.
 */
class SweepExecutorsTest {
    /** Tiny runs: a few steps on a few images, T = 2. */
    static final List<String> TINY = List.of("data.train_limit=32", "data.test_limit=16", "train.batch_size=16",
            "data.test_batch_size=16", "train.epochs=1", "model.timesteps=2", "model.latent=8", "train.sample_count=8",
            "train.log_every=1");

    record Run(int code, String out, String err) {
    }

    static Run cli(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    static List<String> sweepArgs(Path dir, String... more) {
        List<String> a = new ArrayList<>(List.of("sweep", "digits", "model.lambda=0.001,0.01", "model.latent=4,8",
                "--device", "cpu", "--output", dir.resolve("runs").toString(), "--sweep-dir", dir.resolve("sweep").toString()));
        a.addAll(TINY.subList(0, 6));
        a.addAll(TINY.subList(7, 9));
        a.addAll(List.of(more));
        return a;
    }

    private static void assertCompleted(Path sweep, int runs) throws Exception {
        JsonNode idx = new ObjectMapper().readTree(sweep.resolve("sweep.json").toFile());
        assertEquals(runs, idx.path("runs_total").asInt());
        assertEquals(runs, idx.path("counts").path("completed").asInt(), idx.toString());
        for (JsonNode r : idx.path("runs")) {
            assertTrue(r.path("final").path("test_mse").isNumber(), r.toString());
            Path run = sweep.resolve(r.path("run_dir").asText());
            for (String f : List.of("config.yaml", "metrics.csv", "summary.json", "checkpoints", "samples/latest-samples.png")) {
                assertTrue(Files.exists(run.resolve(f)), run.resolve(f).toString());
            }
        }
        List<String> csv = Files.readAllLines(sweep.resolve("sweep.csv"));
        assertEquals(runs + 1, csv.size());
        assertTrue(csv.get(0).startsWith("index,name,state,model.lambda,model.latent,test_mse"), csv.get(0));
    }

    @Test
    void aGridCompletesLocallyAndIsRendered(@TempDir Path dir) throws Exception {
        Run dry = cli(sweepArgs(dir, "--dry-run").toArray(String[]::new));
        assertEquals(0, dry.code(), dry.err());
        assertTrue(dry.out().contains("4 runs over model.lambda (2) × model.latent (2)"), dry.out());
        assertTrue(dry.out().contains("lambda-0.01_latent-8  model.lambda=0.01 model.latent=8"), dry.out());
        assertTrue(!Files.exists(dir.resolve("sweep")), "a dry run creates nothing");

        Run r = cli(sweepArgs(dir).toArray(String[]::new));
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.out().contains("[sweep] 4/4 completed, 0 failed"), r.out());
        assertCompleted(dir.resolve("sweep"), 4);

        Run again = cli(sweepArgs(dir).toArray(String[]::new));
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("[sweep] 4/4 completed, 0 failed, 0 running") && !again.out().contains(": starting"),
                "a finished sweep runs nothing again: " + again.out());

        Run report = cli("report", dir.resolve("sweep").toString());
        assertEquals(0, report.code(), report.err());
        String md = Files.readString(dir.resolve("sweep").resolve("report.md"));
        assertTrue(md.contains("| run | model.lambda | model.latent | state | test_mse"), md);
        assertTrue(md.contains("| lambda-0.001_latent-4 | 0.001 | 4 | completed | "), md);
        assertTrue(Files.size(dir.resolve("sweep").resolve("report-test_mse-vs-model.lambda.png")) > 1000);
    }

    @Test
    void aGridCompletesOnCpuWorkers(@TempDir Path dir) throws Exception {
        Run r = cli(sweepArgs(dir, "--executor", "gpus", "--workers", "2").toArray(String[]::new));
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.out().contains("started on cpu worker 2"), r.out());
        assertCompleted(dir.resolve("sweep"), 4);
        for (String log : List.of("lambda-0.001_latent-4", "lambda-0.01_latent-8")) {
            String text = Files.readString(dir.resolve("sweep").resolve("logs").resolve(log + ".log"));
            assertTrue(text.contains("epoch 1/1 ["), "each run keeps its own progress bar: " + text);
        }
    }
}
