package dev.spikevae.train;

import dev.spikevae.experiment.ExperimentRunner;
import dev.spikevae.io.AtomicFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A crash at every step of a checkpoint save (simulated by a save hook that stops the process's work right there):
 * the folder always holds a loadable, self-consistent checkpoint — the previous one or the new one — and resuming
 * from it ends bit for bit where an uninterrupted run ends. Files a crash leaves behind are removed on the next start.
 */
class CheckpointCrashTest {
    /** Stands for the process dying: nothing after the crash point runs. */
    static final class SimulatedCrash extends RuntimeException {
        SimulatedCrash(String where) {
            super("simulated crash after " + where);
        }
    }

    @AfterEach
    void removeHook() {
        Checkpoint.saveHook(null);
    }

    @Test
    void aCrashAtEveryStepOfASaveLeavesTheOldOrTheNewCheckpoint(@TempDir Path tmp) throws Exception {
        ExperimentRunner.Result straight = ExperimentRunner.train(ResumeTest.tiny(tmp.resolve("straight"), 2),
                List.of("test"), ResumeTest.quiet());
        Checkpoint.Loaded reference = Checkpoint.load(straight.run().root());
        for (String stem : new String[] {"best", "last"}) {
            for (String step : Checkpoint.SAVE_STEPS) {
                String where = stem + "/" + step;
                Path run = ExperimentRunner.train(ResumeTest.tiny(tmp.resolve(stem + "-" + step), 1), List.of("test"),
                        ResumeTest.quiet()).run().root();
                Checkpoint.saveHook((s, st) -> {
                    if (s.equals(stem) && st.equals(step)) {
                        throw new SimulatedCrash(where);
                    }
                });
                assertThrows(SimulatedCrash.class, () -> ExperimentRunner.resume(run, List.of("train.epochs=2"),
                        List.of("test"), ResumeTest.quiet()), where);
                Checkpoint.saveHook(null);
                // a write the crash cut short leaves a temp file too
                Path stray = run.resolve("checkpoints").resolve(".last-e0002.safetensors.spikevae-0badc0de.tmp");
                Files.write(stray, new byte[] {1, 2, 3});

                Checkpoint.Loaded ck = Checkpoint.load(run);
                int epoch = ck.progress().epoch();
                boolean committed = stem.equals("last") && (step.equals("sidecar") || step.equals("cleanup"));
                assertEquals(committed ? 2 : 1, epoch, where);
                assertTrue(Files.isRegularFile(ck.optimizerFile()), where + ": the optimizer file the sidecar names");
                assertEquals(Checkpoint.sha256(ck.optimizerFile()), ck.optimizerRecord().get("sha256").asText(), where);

                ExperimentRunner.Result resumed = ExperimentRunner.resume(run, List.of("train.epochs=2"),
                        List.of("test"), ResumeTest.quiet());
                Checkpoint.Loaded end = Checkpoint.load(run);
                assertEquals(2, end.progress().epoch(), where);
                ResumeTest.assertSameTensors(reference.weightsFile(), end.weightsFile());
                ResumeTest.assertSameTensors(reference.optimizerFile(), end.optimizerFile());
                assertEquals(reference.progress(), end.progress(), where);
                List<String> a = Files.readAllLines(straight.run().metricsCsv());
                List<String> b = Files.readAllLines(resumed.run().metricsCsv());
                assertEquals(a.size(), b.size(), where);
                for (int i = 1; i < a.size(); i++) {
                    assertEquals(ResumeTest.dropTimes(a.get(i)), ResumeTest.dropTimes(b.get(i)), where);
                }
                assertFalse(Files.exists(stray), where + ": the temp file of the cut write is removed");
                assertEquals(List.of("best.json", "last.json"), sidecars(run), where);
                assertEquals(4, files(run).size() - 2, where + ": only the files the sidecars name remain: " + files(run));
            }
        }
    }

    @Test
    void aSidecarNamingAFileOfOtherSizeOrHashIsRefused(@TempDir Path tmp) throws Exception {
        Path run = ExperimentRunner.train(ResumeTest.tiny(tmp, 1), List.of("test"), ResumeTest.quiet()).run().root();
        Checkpoint.Loaded ck = Checkpoint.load(run);
        byte[] weights = Files.readAllBytes(ck.weightsFile());
        Files.write(ck.weightsFile(), java.util.Arrays.copyOf(weights, weights.length - 8));
        IOException shorter = assertThrows(IOException.class, () -> Checkpoint.load(run));
        assertTrue(shorter.getMessage().contains(ck.weightsFile().toString()) && shorter.getMessage().contains("bytes"),
                shorter.getMessage());
        weights[weights.length - 1] ^= 1;
        Files.write(ck.weightsFile(), weights);
        IOException flipped = assertThrows(IOException.class, () -> Checkpoint.load(run));
        assertTrue(flipped.getMessage().contains("SHA-256"), flipped.getMessage());
    }

    @Test
    void theWeightsPathOfAnOlderFormatStillFindsTheCheckpoint(@TempDir Path tmp) throws Exception {
        Path run = ExperimentRunner.train(ResumeTest.tiny(tmp, 1), List.of("test"), ResumeTest.quiet()).run().root();
        Checkpoint.Loaded viaName = Checkpoint.load(run.resolve("checkpoints").resolve("last.safetensors"));
        Checkpoint.Loaded viaSidecar = Checkpoint.load(run.resolve("checkpoints").resolve("last.json"));
        Checkpoint.Loaded viaFile = Checkpoint.load(viaSidecar.weightsFile());
        assertEquals(viaSidecar.weightsFile(), viaName.weightsFile());
        assertEquals(viaSidecar.progress(), viaFile.progress());
        assertTrue(AtomicFiles.isTempName(".x.spikevae-1.tmp"));
    }

    @Test
    void aRunOfTheSecondFormatResumesAndMovesToTheCurrentOne(@TempDir Path tmp) throws Exception {
        ExperimentRunner.Result straight = ExperimentRunner.train(ResumeTest.tiny(tmp.resolve("straight"), 2),
                List.of("test"), ResumeTest.quiet());
        Path run = ExperimentRunner.train(ResumeTest.tiny(tmp.resolve("old"), 1), List.of("test"), ResumeTest.quiet())
                .run().root();
        Path dir = run.resolve("checkpoints");
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        for (String stem : new String[] {"last", "best"}) { // rewrite as format 2 wrote it: fixed names, no hashes
            com.fasterxml.jackson.databind.node.ObjectNode side =
                    (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(dir.resolve(stem + ".json").toFile());
            Files.move(dir.resolve(side.get("weights").asText()), dir.resolve(stem + ".safetensors"));
            Files.move(dir.resolve(side.get("optimizer").asText()), dir.resolve(stem + ".optim.safetensors"));
            side.put("format_version", 2);
            side.put("weights", stem + ".safetensors");
            side.put("optimizer", stem + ".optim.safetensors");
            side.remove("files");
            Files.writeString(dir.resolve(stem + ".json"), side.toString());
        }
        assertEquals(1, Checkpoint.load(run).progress().epoch());
        assertEquals(dir.resolve("last.safetensors"), Checkpoint.load(dir.resolve("last.safetensors")).weightsFile());
        ExperimentRunner.resume(run, List.of("train.epochs=2"), List.of("test"), ResumeTest.quiet());
        Checkpoint.Loaded end = Checkpoint.load(run);
        Checkpoint.Loaded reference = Checkpoint.load(straight.run().root());
        ResumeTest.assertSameTensors(reference.weightsFile(), end.weightsFile());
        ResumeTest.assertSameTensors(reference.optimizerFile(), end.optimizerFile());
        assertFalse(Files.exists(dir.resolve("last.safetensors")), "the old format's files go once a new save commits");
        assertEquals(end.weightsFile(), Checkpoint.load(dir.resolve("last.safetensors")).weightsFile(),
                "the old weights path now means the current checkpoint");
    }

    private static List<String> sidecars(Path run) throws IOException {
        return files(run).stream().filter(n -> n.endsWith(".json")).sorted().toList();
    }

    private static List<String> files(Path run) throws IOException {
        try (Stream<Path> s = Files.list(run.resolve("checkpoints"))) {
            return s.map(p -> p.getFileName().toString()).sorted(Comparator.naturalOrder()).toList();
        }
    }
}
