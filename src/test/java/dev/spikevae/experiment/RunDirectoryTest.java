package dev.spikevae.experiment;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The run folder layout, unique names within one second, the saved spec, and resuming. */
class RunDirectoryTest {

    private static final Clock FIXED = Clock.fixed(Instant.parse("2026-03-04T05:06:07Z"), ZoneOffset.UTC);

    @TempDir
    Path runs;

    private final ExperimentSpec spec = Specs.builtin("digits");

    @Test
    void createLaysOutTheFolderAndSavesTheSpec() throws IOException {
        RunDirectory run = RunDirectory.create(runs, spec, FIXED);
        assertEquals(runs.resolve("digits").resolve("20260304-050607-esvae-digits"), run.root());
        assertTrue(Files.isDirectory(run.checkpoints()));
        assertTrue(Files.isDirectory(run.samples()));
        assertTrue(Files.isDirectory(run.plots()));
        assertEquals(run.root().resolve("config.yaml"), run.configFile());
        assertEquals(run.root().resolve("env.json"), run.envFile());
        assertEquals(run.root().resolve("metrics.csv"), run.metricsCsv());
        assertEquals(run.root().resolve("metrics.jsonl"), run.metricsJsonl());
        assertEquals(run.root().resolve("summary.json"), run.summaryFile());
        assertEquals(Specs.toYaml(spec), Files.readString(run.configFile()));
        assertEquals(spec, run.readSpec());
    }

    @Test
    void theSpecsOwnOutputIsTheDefaultRoot() throws IOException {
        ExperimentSpec elsewhere = spec.with("run.output", runs.resolve("mine").toString());
        RunDirectory run = RunDirectory.create(elsewhere, FIXED);
        assertEquals(runs.resolve("mine").resolve("digits").resolve("20260304-050607-esvae-digits"), run.root());
    }

    @Test
    void sameSecondGetsSuffixes() throws IOException {
        Path first = RunDirectory.create(runs, spec, FIXED).root();
        Path second = RunDirectory.create(runs, spec, FIXED).root();
        Path third = RunDirectory.create(runs, spec, FIXED).root();
        assertEquals("20260304-050607-esvae-digits", first.getFileName().toString());
        assertEquals("20260304-050607-esvae-digits-2", second.getFileName().toString());
        assertEquals("20260304-050607-esvae-digits-3", third.getFileName().toString());
    }

    @Test
    void theClocksZoneGivesTheStamp() throws IOException {
        Clock tokyo = FIXED.withZone(ZoneOffset.ofHours(9));
        assertEquals("20260304-140607-esvae-digits", RunDirectory.create(runs, spec, tokyo).root().getFileName().toString());
    }

    @Test
    void writeSpecReplacesTheConfigAndLeavesNoTempFile() throws IOException {
        RunDirectory run = RunDirectory.create(runs, spec, FIXED);
        ExperimentSpec resumed = spec.with("train.epochs", 9);
        run.writeSpec(resumed);
        assertEquals(resumed, run.readSpec());
        try (Stream<Path> files = Files.list(run.root())) {
            List<String> names = files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
            assertEquals(List.of("checkpoints", "config.yaml", "plots", "samples"), names);
        }
    }

    @Test
    void openFindsAnExistingRun() throws IOException {
        RunDirectory created = RunDirectory.create(runs, spec, FIXED);
        RunDirectory opened = RunDirectory.open(created.root());
        assertEquals(created.root(), opened.root());
        assertEquals(spec, opened.readSpec());
    }

    @Test
    void openWithoutConfigNamesTheFolder() throws IOException {
        Path notARun = Files.createDirectories(runs.resolve("not-a-run"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RunDirectory.open(notARun));
        assertTrue(e.getMessage().contains(notARun.toString()) && e.getMessage().contains("config.yaml"), e.getMessage());
        Path absent = runs.resolve("absent");
        e = assertThrows(IllegalArgumentException.class, () -> RunDirectory.open(absent));
        assertTrue(e.getMessage().contains(absent.toString()), e.getMessage());
    }

    @Test
    void anInvalidSpecCreatesNothing() {
        ExperimentSpec bad = new ExperimentSpec("x", spec.model(), spec.data(), spec.train(), new RunSpec(1, "tpu", "runs", 0));
        assertThrows(SpecException.class, () -> RunDirectory.create(runs, bad, FIXED));
        assertTrue(!Files.exists(runs.resolve("x")));
    }
}
