package dev.spikevae.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spikevae.experiment.ExperimentRunner;
import dev.spikevae.experiment.ExperimentSpec;
import dev.spikevae.experiment.Specs;
import dev.spikevae.train.Checkpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs that stop being what they claim: a checkpoint of mixed epochs, a resume that poisons its run, a coerced
 * sidecar field, torn metrics rows, a failed save the summary does not admit, a summary that forgets sessions or
 * names files that do not exist, inference that wants optimizer state, problems found only after the run folder
 * exists. Each test reproduces one such fault on a tiny digits run (docs/reliability.md lists them).
 */
class RunFaultsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static ExperimentSpec tiny(Path out, int epochs, String... more) {
        List<String> o = new ArrayList<>(List.of("data.train_limit=48", "data.test_limit=16",
                "train.batch_size=16", "data.test_batch_size=16", "train.epochs=" + epochs, "model.timesteps=4",
                "model.latent=8", "train.sample_count=8", "run.device=cpu", "run.output=" + out, "train.log_every=1"));
        o.addAll(List.of(more));
        return Specs.override(Specs.builtin("digits"), o);
    }

    static PrintStream quiet() {
        return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    }

    static ExperimentRunner.Result train(Path out, int epochs) throws Exception {
        return ExperimentRunner.train(tiny(out, epochs), List.of("test"), quiet());
    }

    static ExperimentRunner.Result resume(Path run, String... overrides) throws Exception {
        return ExperimentRunner.resume(run, List.of(overrides), List.of("test"), quiet());
    }

    static JsonNode json(Path file) throws IOException {
        return JSON.readTree(file.toFile());
    }

    @Test
    void aWeightsFileOfAnotherEpochIsRefused(@TempDir Path tmp) throws Exception {
        Path a = train(tmp.resolve("a"), 1).run().root();
        Path b = train(tmp.resolve("b"), 2).run().root();
        Path weightsA = Checkpoint.load(a).weightsFile();
        Files.copy(Checkpoint.load(b).weightsFile(), weightsA, StandardCopyOption.REPLACE_EXISTING);
        IOException e = assertThrows(IOException.class, () -> Checkpoint.load(a));
        assertTrue(e.getMessage().contains(weightsA.getFileName().toString()), e.getMessage());
        assertThrows(IOException.class, () -> resume(a, "train.epochs=3"));
    }

    @Test
    void aRefusedResumeLeavesTheRunAsItWas(@TempDir Path tmp) throws Exception {
        Path run = train(tmp, 1).run().root();
        byte[] config = Files.readAllBytes(run.resolve("config.yaml"));
        byte[] metrics = Files.readAllBytes(run.resolve("metrics.csv"));
        Exception e = assertThrows(Exception.class, () -> resume(run, "model.latent=64", "train.epochs=2"));
        assertTrue(e.getMessage().contains("shape") || e.getMessage().contains("latent"), e.getMessage());
        assertArrayEquals(config, Files.readAllBytes(run.resolve("config.yaml")), "config.yaml untouched");
        assertArrayEquals(metrics, Files.readAllBytes(run.resolve("metrics.csv")), "metrics.csv untouched");
        assertEquals(2, resume(run, "train.epochs=2").epochs(), "a plain resume still works");
    }

    @Test
    void aSidecarFieldOfTheWrongTypeIsAnErrorNamingFileAndField(@TempDir Path tmp) throws Exception {
        Path run = train(tmp, 1).run().root();
        Path side = run.resolve("checkpoints").resolve("last.json");
        String good = Files.readString(side);
        byte[] metrics = Files.readAllBytes(run.resolve("metrics.csv"));
        List<Consumer<ObjectNode>> breaks = List.of(
                n -> n.put("epoch", "three"),
                n -> n.put("epoch", 1.5),
                n -> n.put("step", "many"),
                n -> ((ObjectNode) n.get("rng")).put("seed", "s"),
                n -> ((ObjectNode) n.get("rng")).put("counter", true),
                n -> n.put("rng", 7),
                n -> n.put("optimizer_steps", "x"),
                n -> n.put("optimizer", 5),
                n -> n.put("spec", 3));
        String[] fields = {"epoch", "epoch", "step", "rng.seed", "rng.counter", "rng", "optimizer_steps", "optimizer",
                "spec"};
        for (int i = 0; i < breaks.size(); i++) {
            ObjectNode n = (ObjectNode) JSON.readTree(good);
            breaks.get(i).accept(n);
            Files.writeString(side, n.toString());
            IOException e = assertThrows(IOException.class, () -> Checkpoint.load(run), fields[i]);
            assertTrue(e.getMessage().contains(side.toString()) && e.getMessage().contains(fields[i]),
                    fields[i] + ": " + e.getMessage());
            assertThrows(IOException.class, () -> resume(run, "train.epochs=2"), fields[i]);
            assertArrayEquals(metrics, Files.readAllBytes(run.resolve("metrics.csv")), "metrics kept: " + fields[i]);
        }
    }

    @Test
    void tornMetricsRowsAreDroppedOnResume(@TempDir Path tmp) throws Exception {
        Path run = train(tmp, 1).run().root();
        for (String f : new String[] {"metrics.csv", "steps.csv"}) {
            // a power cut: the last row only half on the disk
            String text = Files.readString(run.resolve(f));
            String cut = text.substring(0, text.length() - text.length() / 6);
            Files.writeString(run.resolve(f), cut);
        }
        Files.writeString(run.resolve("metrics.jsonl"), "{\"epoch\":1,\"tra", StandardOpenOption.TRUNCATE_EXISTING);
        ExperimentRunner.Result r = resume(run, "train.epochs=2");
        assertEquals(2, r.epochs());
        for (String f : new String[] {"metrics.csv", "steps.csv"}) {
            List<String> lines = Files.readAllLines(run.resolve(f));
            int columns = lines.get(0).split(",").length;
            for (String line : lines) {
                assertEquals(columns, line.split(",", -1).length, f + ": " + line);
            }
        }
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            assertTrue(JSON.readTree(line).path("epoch").isInt(), line);
        }
    }

    @Test
    void aFailedCheckpointSaveLeavesASummaryOfWhatIsOnDisk(@TempDir Path tmp) throws Exception {
        Path run = train(tmp, 1).run().root();
        Path best = run.resolve("checkpoints").resolve("best.json");
        Files.delete(best);
        Files.createDirectory(best); // the save of best fails as on a full disk
        IOException e = assertThrows(IOException.class, () -> resume(run, "train.epochs=2"));
        assertTrue(e.getMessage().contains("best.json"), "the error names the file: " + e.getMessage());
        List<String> rows = Files.readAllLines(run.resolve("metrics.csv"));
        JsonNode s = json(run.resolve("summary.json"));
        assertEquals("failed", s.get("status").asText());
        assertEquals(1, s.get("epochs_completed").asInt(), "the checkpoint on disk is epoch 1");
        assertEquals(1, Checkpoint.load(run).progress().epoch());
        assertNotEquals(2, s.path("best_epoch").asInt(0), "no best checkpoint of epoch 2 exists");
        String mse = rows.get(1).split(",")[indexOf(rows.get(0), "test_mse")];
        assertEquals(Double.parseDouble(mse), s.get("final").get("test_mse").asDouble(), 0.0,
                "final figures are those of the checkpointed epoch");
    }

    private static int indexOf(String header, String column) {
        return List.of(header.split(",")).indexOf(column);
    }

    @Test
    void theSummaryKeepsEverySessionAndNamesOnlyFilesThatExist(@TempDir Path tmp) throws Exception {
        Path run = train(tmp, 1).run().root();
        resume(run, "train.epochs=2");
        JsonNode s = json(run.resolve("summary.json"));
        assertTrue(s.get("untrained_test_mse").isNumber());
        assertEquals(2, s.get("sessions").size(), s.toString());
        for (JsonNode session : s.get("sessions")) {
            for (String k : new String[] {"started", "ended", "command_line", "host", "spikevae_version",
                    "java_version", "outcome"}) {
                assertTrue(session.hasNonNull(k), k + " in " + session);
            }
            assertEquals("completed", session.get("outcome").asText());
        }
        assertTrue(s.get("seconds_total").asDouble() >= s.get("seconds_this_session").asDouble());
        assertTrue(Files.isRegularFile(run.resolve(s.get("checkpoint").asText())), s.get("checkpoint").asText());
    }

    @Test
    void aRunThatDiesBeforeItsFirstCheckpointNamesNone(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("run");
        Files.createDirectories(dir.resolve("checkpoints").resolve("best.json")); // the first save fails
        assertThrows(IOException.class, () -> ExperimentRunner.trainIn(dir, tiny(tmp, 1),
                dev.spikevae.tensor.BackendOptions.defaults(), List.of("test"), quiet()));
        JsonNode s = json(dir.resolve("summary.json"));
        assertEquals("failed", s.get("status").asText());
        assertEquals(0, s.get("epochs_completed").asInt());
        assertFalse(s.has("checkpoint"), "no checkpoint was written: " + s);
    }

    @Test
    void inferenceNeedsOnlyTheWeights(@TempDir Path tmp) throws Exception {
        Path run = train(tmp, 1).run().root();
        Path optimizer = Checkpoint.load(run).optimizerFile();
        Files.write(optimizer, new byte[] {1, 2, 3}); // truncated
        CliTest.Run r = CliTest.run("eval", "--checkpoint", run.toString(), "--device", "cpu", "--limit", "16");
        assertEquals(0, r.code(), r.err());
        Path png = tmp.resolve("s.png");
        r = CliTest.run("sample", "--checkpoint", run.toString(), "--device", "cpu", "-n", "4", "--output", png.toString());
        assertEquals(0, r.code(), r.err());
        Files.delete(optimizer);
        r = CliTest.run("eval", "--checkpoint", run.toString(), "--device", "cpu", "--limit", "16");
        assertEquals(0, r.code(), r.err());
        Path images = tmp.resolve("x.npy");
        dev.spikevae.io.Npy.write(images, new dev.spikevae.io.HostArray(new long[] {2, 1, 32, 32}, new float[2 * 32 * 32]));
        Path spikes = tmp.resolve("z.npy");
        r = CliTest.run("encode", "--checkpoint", run.toString(), "--device", "cpu", "--input", images.toString(),
                "--rates", tmp.resolve("r.npy").toString(), "--spikes", spikes.toString());
        assertEquals(0, r.code(), r.err());
        r = CliTest.run("decode", "--checkpoint", run.toString(), "--device", "cpu", "--spikes", spikes.toString(),
                "--output", tmp.resolve("y.npy").toString());
        assertEquals(0, r.code(), r.err());
        Exception e = assertThrows(Exception.class, () -> resume(run, "train.epochs=2"));
        assertTrue(e.getMessage().contains(optimizer.getFileName().toString()), e.getMessage());
    }

    @Test
    void aBatchLargerThanTheTrainingSetFailsBeforeTheRunFolderExists(@TempDir Path tmp) {
        Path out = tmp.resolve("runs");
        Exception e = assertThrows(IllegalArgumentException.class, () -> ExperimentRunner.train(
                tiny(out, 1, "data.train_limit=8"), List.of("test"), quiet()));
        assertTrue(e.getMessage().contains("train.batch_size"), e.getMessage());
        assertFalse(Files.exists(out), "no run folder was created");
    }

    @Test
    void resumingAFolderWhereNoEpochFinishedSaysSoAndCreatesNothing(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("run");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.yaml"), Specs.toYaml(tiny(tmp, 1)));
        Exception e = assertThrows(Exception.class, () -> resume(dir));
        assertTrue(e.getMessage().contains("no epoch has finished yet"), e.getMessage());
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of("config.yaml"), s.map(p -> p.getFileName().toString()).filter(n -> !n.equals("run.lock"))
                    .toList());
        }
    }

    @Test
    void aDivergedRunSuggestsALowerLearningRateNotAPlainResume(@TempDir Path tmp) throws Exception {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ExperimentRunner.train(
                tiny(tmp, 4, "train.lr=1e12"), List.of("test"), quiet()));
        assertTrue(e.getMessage().contains("train.lr=1.00e+11"), e.getMessage());
        ExperimentSpec lowered = Specs.override(tiny(tmp, 4), List.of("train.lr=1.00e+11"));
        assertEquals(1e11, lowered.train().optimizer().lr(), 1e3, "the suggested override is valid");
        Path run;
        try (Stream<Path> s = Files.list(tmp.resolve("digits"))) {
            run = s.findFirst().orElseThrow();
        }
        assertEquals("diverged", json(run.resolve("summary.json")).get("status").asText());
    }
}
