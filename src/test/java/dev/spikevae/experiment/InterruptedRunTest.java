package dev.spikevae.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SIGTERM (what Ctrl-C's SIGINT and a scheduler's stop send alike) during training leaves an "interrupted" summary. */
class InterruptedRunTest {
    @Test
    void aTerminatedRunLeavesASummarySayingSo(@TempDir Path tmp) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path out = tmp.resolve("runs");
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "dev.spikevae.cli.Main",
                "train", "--spec", "digits", "--device", "cpu", "--output", out.toString(), "data.train_limit=64",
                "data.test_limit=16", "train.batch_size=16", "data.test_batch_size=16", "train.epochs=1000",
                "model.timesteps=4", "model.latent=8", "train.sample_count=4")
                .redirectErrorStream(true).start();
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            StringBuilder seen = new StringBuilder();
            for (String line; (line = r.readLine()) != null; ) {
                seen.append(line).append('\n');
                if (line.startsWith("untrained model")) { // training is about to start: the signal handler is in place
                    break;
                }
            }
            assertTrue(seen.toString().contains("untrained model"), seen.toString());
            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the run stopped");
        } finally {
            p.destroyForcibly();
        }
        Path run;
        try (Stream<Path> s = Files.list(out.resolve("digits"))) {
            run = s.findFirst().orElseThrow();
        }
        JsonNode summary = new ObjectMapper().readTree(run.resolve("summary.json").toFile());
        assertEquals("interrupted", summary.get("status").asText(), summary.toString());
        assertTrue(summary.get("error").asText().contains("--resume " + run), summary.toString());
        JsonNode session = summary.get("sessions").get(0);
        assertEquals("interrupted", session.get("outcome").asText());
        assertNotNull(session.get("ended").textValue(), "the end of the session is recorded");
        assertTrue(summary.get("untrained_test_mse").isNumber());
        if (summary.has("checkpoint")) { // it names only what is on disk
            assertTrue(Files.isRegularFile(run.resolve(summary.get("checkpoint").asText())));
        }
    }
}
