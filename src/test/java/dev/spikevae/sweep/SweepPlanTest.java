package dev.spikevae.sweep;

import dev.spikevae.experiment.Specs;
import dev.spikevae.model.EsvaeSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A sweep section expands into named runs; every mistake is found before anything runs, naming the key. */
class SweepPlanTest {
    @TempDir
    Path dir;

    private Specs.WithSweep spec(String sweep) throws IOException {
        Path f = dir.resolve("s.yaml");
        Files.writeString(f, "base: digits\n" + sweep);
        return Specs.loadWithSweep(f);
    }

    @Test
    void axesMultiplyInOrderAndNameTheirRuns() throws IOException {
        SweepPlan p = Sweeps.plan(spec(String.join("\n", "sweep:",
                "  variants:",
                "    small: {model.latent: 8}",
                "    big: {model: {latent: 16}}",
                "  zip: {model.timesteps: [2, 4], train.lr: [0.01, 0.001]}",
                "  grid: {model.lambda: [0.0, 0.01]}",
                "  seeds: [1, 2]", "")), List.of());
        assertEquals(2 * 2 * 2 * 2, p.runs().size());
        SweepPlan.Run first = p.runs().get(0);
        assertEquals("small_timesteps-2_lr-0.01_lambda-0.0_seed-1", first.name());
        assertEquals(Map.of("model.latent", "8", "model.timesteps", "2", "train.lr", "0.01", "model.lambda", "0.0",
                "run.seed", "1"), first.overrides());
        assertEquals(8, first.spec().model().settings(EsvaeSettings.class).latent());
        assertEquals(2, first.spec().model().settings(EsvaeSettings.class).timesteps());
        assertEquals(0.01, first.spec().train().lr());
        assertEquals(1, first.spec().run().seed());
        SweepPlan.Run last = p.runs().get(15);
        assertEquals("big_timesteps-4_lr-0.001_lambda-0.01_seed-2", last.name());
        assertEquals(16, last.spec().model().settings(EsvaeSettings.class).latent());
        assertEquals(List.of("model.latent", "model.timesteps", "train.lr", "model.lambda", "run.seed"), p.variedKeys());
        assertEquals("s", last.spec().name(), "runs keep the experiment's name; their folders carry the run name");
    }

    @Test
    void commandLineListsAreGridAxesAndSingleValuesApplyToEveryRun() throws IOException {
        SweepPlan p = Sweeps.plan(spec(""), List.of("model.lambda=0.0001,0.001,0.01", "train.epochs=7"));
        assertEquals(List.of("lambda-0.0001", "lambda-0.001", "lambda-0.01"), p.runs().stream().map(SweepPlan.Run::name).toList());
        assertTrue(p.runs().stream().allMatch(r -> r.spec().train().epochs() == 7));
        assertEquals(1, Sweeps.plan(spec(""), List.of()).runs().size(), "no axes: one run");
    }

    @Test
    void twoKeysWithOneShortNameKeepTheirPaths() throws IOException {
        SweepPlan p = Sweeps.plan(spec("sweep:\n  grid: {model.neuron.width: [0.5], model.sampler.half_width: [0.25]}\n"
                + "  seeds: [3]\n"), List.of());
        assertEquals("width-0.5_half_width-0.25_seed-3", p.runs().get(0).name());
        SweepPlan q = Sweeps.plan(spec("sweep:\n  grid: {model.lambda: [0.1], train.batch_size: [8]}\n"), List.of());
        assertEquals("lambda-0.1_batch_size-8", q.runs().get(0).name());
    }

    @Test
    void mistakesAreFoundBeforeAnythingRunsAndNameTheKey() throws IOException {
        SweepException e = assertThrows(SweepException.class,
                () -> Sweeps.plan(spec("sweep:\n  grid: {model.latnet: [8, 16]}\n"), List.of()));
        assertTrue(e.getMessage().contains("model.latnet: unknown key"), e.getMessage());
        e = assertThrows(SweepException.class, () -> Sweeps.plan(spec("sweep:\n  grid: {model.latent: []}\n"), List.of()));
        assertTrue(e.getMessage().contains("sweep.grid.model.latent: the list is empty"), e.getMessage());
        e = assertThrows(SweepException.class,
                () -> Sweeps.plan(spec("sweep:\n  zip: {model.latent: [8, 16], train.lr: [0.1]}\n"), List.of()));
        assertTrue(e.getMessage().contains("sweep.zip.train.lr: has 1 values but model.latent has 2"), e.getMessage());
        e = assertThrows(SweepException.class,
                () -> Sweeps.plan(spec("sweep:\n  grid: {model.latent: [8]}\n  zip: {model.latent: [16]}\n"), List.of()));
        assertTrue(e.getMessage().contains("model.latent is varied by two axes"), e.getMessage());
        e = assertThrows(SweepException.class, () -> Sweeps.plan(spec("sweep:\n  gird: {a: [1]}\n"), List.of()));
        assertTrue(e.getMessage().contains("s.yaml:3: sweep.gird: unknown key"), e.getMessage());
        e = assertThrows(SweepException.class, () -> Sweeps.plan(spec("sweep:\n  grid: {model.latent: [8, -1]}\n"), List.of()));
        assertTrue(e.getMessage().contains("sweep run latent--1") && e.getMessage().contains("model.latent: must be > 0"),
                e.getMessage());
        e = assertThrows(SweepException.class, () -> Sweeps.plan(spec(""), List.of("model.latent=8,")));
        assertTrue(e.getMessage().contains("an empty value in the list"), e.getMessage());
        e = assertThrows(SweepException.class, () -> Sweeps.plan(spec("sweep:\n  executor: cloud\n"), List.of()));
        assertTrue(e.getMessage().contains("sweep.executor: unknown value \"cloud\""), e.getMessage());
    }

    @Test
    void trainRefusesASweepSpecWithAHint() throws IOException {
        Path f = dir.resolve("t.yaml");
        Files.writeString(f, "base: digits\nsweep: {seeds: [1, 2]}\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Specs.load(f));
        assertTrue(e.getMessage().contains("sweep: this spec describes a sweep of runs; start it with `spikevae sweep"),
                e.getMessage());
    }
}
