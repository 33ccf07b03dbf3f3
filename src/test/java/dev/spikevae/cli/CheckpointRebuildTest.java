package dev.spikevae.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spikevae.model.EsvaeConfig;
import dev.spikevae.model.NeuronSettings;
import dev.spikevae.tensor.LifParams;
import dev.spikevae.tensor.Surrogate;
import dev.spikevae.train.Checkpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A checkpoint carries the whole model: a short spec over {@code base:} with a non-default neuron trains, and
 * {@code eval} and {@code --resume} rebuild exactly that model; {@code eval} repeats the run's own test figures; a
 * checkpoint of the first format (before settings were stored) still loads and evaluates as recorded.
 */
class CheckpointRebuildTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SPEC = String.join("\n",
            "base: digits",
            "model: {latent: 8, timesteps: 4, neuron: {surrogate: sigmoid, width: 4.0}}",
            "data: {train_limit: 64, test_limit: 24, test_batch_size: 16}", "");

    private static Path onlyRun(Path runs) throws IOException {
        try (Stream<Path> s = Files.list(runs.resolve("short"))) {
            List<Path> all = s.toList();
            assertEquals(1, all.size(), all.toString());
            return all.get(0);
        }
    }

    private static double evalMse(String out) {
        Matcher m = Pattern.compile("  mse (\\S+)").matcher(out);
        assertTrue(m.find(), out);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void aThreeLineSpecTrainsAndItsCheckpointRebuildsTheSameNeuron(@TempDir Path tmp) throws Exception {
        Path spec = tmp.resolve("short.yaml");
        Files.writeString(spec, SPEC);
        assertEquals(3, Files.readAllLines(spec).size());
        CliTest.Run r = CliTest.run("train", "--spec", spec.toString(), "--device", "cpu", "--output",
                tmp.resolve("a").toString(), "train.epochs=1", "train.batch_size=16");
        assertEquals(0, r.code(), r.err());
        Path run = onlyRun(tmp.resolve("a"));

        Checkpoint.Loaded ck = Checkpoint.load(run);
        EsvaeConfig c = (EsvaeConfig) ck.config();
        assertEquals(new LifParams(0.25f, 0.2f, Surrogate.SIGMOID, false, 4f, false), c.lif(), "the neuron is stored");
        assertEquals(8, c.latent());
        assertEquals(4, c.timesteps());
        assertEquals(new NeuronSettings(0.25, 0.2, "sigmoid", 4.0, "zero", false), c.settings().neuron());

        // eval repeats the run's evaluation of its last epoch
        JsonNode summary = JSON.readTree(run.resolve("summary.json").toFile());
        r = CliTest.run("eval", "--checkpoint", run.toString(), "--device", "cpu");
        assertEquals(0, r.code(), r.err());
        assertEquals(summary.path("final").path("test_mse").asDouble(), evalMse(r.out()), 1e-6, r.out());
        assertTrue(r.out().contains("the run's evaluation stream of epoch 1"), r.out());
        r = CliTest.run("eval", "--checkpoint", run.toString(), "--device", "cpu", "--seed", "5");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("seed 5"), r.out());

        // resuming rebuilds the same model: one epoch + a resumed one equals two epochs in one go
        r = CliTest.run("train", "--resume", run.toString(), "train.epochs=2");
        assertEquals(0, r.code(), r.err());
        r = CliTest.run("train", "--spec", spec.toString(), "--device", "cpu", "--output", tmp.resolve("b").toString(),
                "train.epochs=2", "train.batch_size=16");
        assertEquals(0, r.code(), r.err());
        List<String> resumed = Files.readAllLines(run.resolve("metrics.csv"));
        List<String> straight = Files.readAllLines(onlyRun(tmp.resolve("b")).resolve("metrics.csv"));
        assertEquals(3, resumed.size());
        assertEquals(withoutTimes(straight.get(2)), withoutTimes(resumed.get(2)));
    }

    /** The row without its wall-clock columns (seconds, images_per_s). */
    private static String withoutTimes(String row) {
        String[] f = row.split(",");
        f[6] = "";
        f[7] = "";
        return String.join(",", f);
    }

    @Test
    void aFirstFormatCheckpointLoadsAndEvaluatesAsItsRunRecorded(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("v1");
        Files.createDirectories(dir);
        for (String f : new String[] {"last.json", "last.safetensors"}) {
            try (InputStream in = getClass().getResourceAsStream("/dev/spikevae/train/format-v1/" + f)) {
                assertNotNull(in, f);
                Files.copy(in, dir.resolve(f));
            }
        }
        assertEquals(1, JSON.readTree(dir.resolve("last.json").toFile()).get("format_version").asInt());
        Checkpoint.Loaded ck = Checkpoint.load(dir.resolve("last.safetensors"));
        EsvaeConfig c = (EsvaeConfig) ck.config();
        assertEquals(EsvaeConfig.of(1, 32, 32), c, "format 1 stored no settings: the reference ones");
        assertEquals(2, ck.progress().epoch());
        CliTest.Run r = CliTest.run("eval", "--checkpoint", dir.resolve("last.safetensors").toString(), "--device", "cpu");
        assertEquals(0, r.code(), r.err());
        // the run that wrote it (2 epochs on digits, 192 training and 64 test images, Vector API kernels of 8 lanes)
        // recorded test_mse 2.5642045 for epoch 2; the scalar kernels give the same to the printed digits, and the
        // tolerance covers other vector widths' summation order (a wrongly rebuilt model is off by far more)
        assertEquals(2.5642045, evalMse(r.out()), 1e-6, r.out());
        assertTrue(r.out().contains("(64 images, batch 100,"), r.out());
    }
}
