package dev.spikevae.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a researcher trips over first: train's --data-root, its help, and a warning after too short a run. */
class FrictionTest {
    @Test
    void trainTakesDataRoot(@TempDir Path tmp) {
        Path missing = tmp.resolve("no-such-data");
        CliTest.Run r = CliTest.run("train", "--spec", "mnist", "--data-root", missing.toString(), "--device", "cpu",
                "--output", tmp.resolve("runs").toString());
        assertEquals(1, r.code(), r.out());
        assertTrue(r.err().contains(missing.toString()), "the error names the data root given: " + r.err());
        assertFalse(Files.exists(tmp.resolve("runs")), "nothing was created");
    }

    @Test
    void trainHelpKeepsEachExampleOnOneLine() {
        CliTest.Run r = CliTest.run("train", "--help");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("spikevae train --resume runs/fashion-mnist/20261128-120000-esvae-fashion-mnist "
                + "train.epochs=20"), r.out());
        assertTrue(r.out().contains("--data-root"), r.out());
    }

    @Test
    void aRunTooShortForTheRunningStatisticsSaysSo(@TempDir Path tmp) throws Exception {
        CliTest.Run r = CliTest.run("train", "--spec", "digits", "--device", "cpu", "--output", tmp.toString(),
                "data.train_limit=48", "data.test_limit=16", "train.batch_size=16", "data.test_batch_size=16",
                "train.epochs=1", "model.timesteps=4", "model.latent=8", "train.sample_count=4");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("running statistics have seen only 3 batch(es)"), r.out());
        Path run;
        try (var s = Files.list(tmp.resolve("digits"))) {
            run = s.findFirst().orElseThrow();
        }
        // train.log_every (20) is more than the run's 3 steps: the first and last step still make a curve
        java.util.List<String> steps = Files.readAllLines(run.resolve("steps.csv"));
        assertEquals(3, steps.size(), steps.toString());
        assertTrue(steps.get(1).startsWith("1,") && steps.get(2).startsWith("3,"), steps.toString());
    }
}
