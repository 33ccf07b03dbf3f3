package dev.spikevae.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A sweep killed (SIGKILL) in the middle of its second run, then started again, loses nothing: the finished run is
 * skipped with its files untouched, the interrupted one resumes from its checkpoint (each epoch once in its metrics),
 * the one not started starts.
 */
class SweepKillRestartTest {

    private static String sha(Path f) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
    }

    @Test
    void aKilledSweepStartedAgainLosesNothing(@TempDir Path dir) throws Exception {
        List<String> args = new ArrayList<>(List.of("sweep", "digits", "model.lambda=0.001,0.01,0.1", "--device", "cpu",
                "--output", dir.resolve("runs").toString(), "--sweep-dir", dir.resolve("sweep").toString()));
        args.addAll(SweepExecutorsTest.TINY.stream().map(o -> o.equals("train.epochs=1") ? "train.epochs=2" : o).toList());
        Process p = new ProcessBuilder(ChildCommand.thisJvm().with(args.toArray(String[]::new)))
                .redirectErrorStream(true).start();
        StringBuilder seen = new StringBuilder();
        boolean secondRun = false;
        boolean killed = false;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                seen.append(line).append('\n');
                secondRun |= line.startsWith("[sweep] run 2/3");
                // the second run's epoch 2 has begun: its epoch-1 checkpoint is on disk
                if (secondRun && line.startsWith("epoch 2/2 [")) {
                    p.destroyForcibly();
                    killed = true;
                    break;
                }
            }
        }
        p.waitFor();
        assertTrue(killed, "the sweep was killed in its second run:\n" + seen);
        Path sweep = dir.resolve("sweep");
        Path first = sweep.resolve("runs").resolve("lambda-0.001");
        Path firstWeights = dev.spikevae.train.Checkpoint.load(first).weightsFile();
        String weights = sha(firstWeights);
        String metrics = sha(first.resolve("metrics.csv"));

        SweepExecutorsTest.Run again = SweepExecutorsTest.cli(args.toArray(String[]::new));
        assertEquals(0, again.code(), again.err() + again.out());
        assertFalse(again.out().contains("run 1/3"), "the finished run is skipped: " + again.out());
        assertTrue(again.out().contains("lambda-0.01: resuming from its last checkpoint"), again.out());
        assertTrue(again.out().contains("lambda-0.1: starting"), again.out());
        assertEquals(firstWeights, dev.spikevae.train.Checkpoint.load(first).weightsFile(), "finished run untouched");
        assertEquals(weights, sha(firstWeights), "finished run untouched");
        assertEquals(metrics, sha(first.resolve("metrics.csv")));

        JsonNode idx = new ObjectMapper().readTree(sweep.resolve("sweep.json").toFile());
        assertEquals(3, idx.path("counts").path("completed").asInt(), idx.toString());
        for (String run : List.of("lambda-0.001", "lambda-0.01", "lambda-0.1")) {
            List<String> rows = Files.readAllLines(sweep.resolve("runs").resolve(run).resolve("metrics.csv"));
            assertEquals(3, rows.size(), run + ": header and epochs 1, 2 once each: " + rows);
            assertTrue(rows.get(1).startsWith("1,") && rows.get(2).startsWith("2,"), rows.toString());
        }
    }
}
