package dev.spikevae.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spec's {@code eval} section: which metrics a training run computes and how often, their columns in
 * metrics.csv / metrics.jsonl / summary.json (blank or absent on the epochs they did not run), resume, and the
 * validation of the section.
 */
class EvalSectionTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static ExperimentSpec tiny(Path out, int epochs, String... more) {
        List<String> o = new ArrayList<>(List.of("data.train_limit=48", "data.test_limit=16", "train.batch_size=16",
                "data.test_batch_size=16", "train.epochs=" + epochs, "model.timesteps=4", "model.latent=8",
                "train.sample_count=0", "run.device=cpu", "run.output=" + out, "train.log_every=1"));
        o.addAll(List.of(more));
        return Specs.override(Specs.builtin("digits"), o);
    }

    static PrintStream quiet() {
        return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    }

    /** The rows of metrics.csv as cells, header first. */
    static List<String[]> csv(Path file) throws Exception {
        List<String[]> rows = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            if (!line.isBlank()) {
                rows.add(line.split(",", -1));
            }
        }
        return rows;
    }

    static String cell(List<String[]> rows, int epoch, String column) {
        int c = Arrays.asList(rows.get(0)).indexOf(column);
        assertTrue(c >= 0, column + " is not a column of " + String.join(",", rows.get(0)));
        return rows.get(epoch)[c];
    }

    @Test
    void ratesEverySecondEpochAndAtTheLast(@TempDir Path tmp) throws Exception {
        ExperimentRunner.Result r = ExperimentRunner.train(tiny(tmp.resolve("a"), 3, "eval.metrics=[mse, rates]",
                "eval.every=2"), List.of("test"), quiet());
        assertEquals(3, r.epochs());
        List<String[]> rows = csv(r.run().metricsCsv());
        assertEquals(4, rows.size());
        List<String> header = Arrays.asList(rows.get(0));
        assertEquals("test_images", header.get(header.size() - 1), "test_images stays the last column");
        for (String col : new String[] {"test_rates_rate_post", "test_rates_rate_prior",
                "test_rates_sampled_latent_mean"}) {
            assertEquals("", cell(rows, 1, col), col + " is blank on epoch 1");
            for (int epoch : new int[] {2, 3}) {
                double v = Double.parseDouble(cell(rows, epoch, col));
                assertTrue(v >= 0 && v <= 1, col + " on epoch " + epoch + ": " + v);
            }
        }
        assertFalse(cell(rows, 1, "test_mse").isEmpty(), "the test pass runs every epoch");
        for (int epoch : new int[] {2, 3}) {
            // the same rates as the test pass's monitors, from other draws of the same test set
            for (String m : new String[] {"rate_post", "rate_prior"}) {
                assertEquals(Double.parseDouble(cell(rows, epoch, "test_" + m)),
                        Double.parseDouble(cell(rows, epoch, "test_rates_" + m)), 0.05, m + " on epoch " + epoch);
            }
        }
        // jsonl: the keys are absent on epoch 1, present on 2 and 3
        List<String> jsonl = Files.readAllLines(r.run().metricsJsonl());
        assertFalse(JSON.readTree(jsonl.get(0)).has("test_rates_rate_post"), jsonl.get(0));
        assertTrue(JSON.readTree(jsonl.get(1)).get("test_rates_rate_post").isNumber(), jsonl.get(1));
        assertTrue(JSON.readTree(jsonl.get(2)).get("test_rates_rate_post").isNumber(), jsonl.get(2));
        JsonNode summary = JSON.readTree(r.run().summaryFile().toFile());
        assertEquals(Double.parseDouble(cell(rows, 3, "test_rates_rate_post")),
                summary.path("final").path("test_rates_rate_post").asDouble(), 1e-7, summary.toString());

        // the metrics draw from a stream of their own: the test pass and the training match a run without them
        ExperimentRunner.Result plain = ExperimentRunner.train(tiny(tmp.resolve("b"), 3), List.of("test"), quiet());
        List<String[]> plainRows = csv(plain.run().metricsCsv());
        assertFalse(Arrays.asList(plainRows.get(0)).contains("test_rates_rate_post"));
        for (int epoch = 1; epoch <= 3; epoch++) {
            for (String col : new String[] {"train_loss", "test_mse", "test_loss", "test_rate_post"}) {
                assertEquals(cell(plainRows, epoch, col), cell(rows, epoch, col), col + " on epoch " + epoch);
            }
        }
    }

    @Test
    void resumeAfterATornRowGivesTheStraightRunsRows(@TempDir Path tmp) throws Exception {
        String[] eval = {"eval.metrics=mse,rates", "eval.every=2"};
        ExperimentRunner.Result straight = ExperimentRunner.train(tiny(tmp.resolve("a"), 3, eval), List.of("test"),
                quiet());
        ExperimentRunner.Result first = ExperimentRunner.train(tiny(tmp.resolve("b"), 2, eval), List.of("test"),
                quiet());
        // a row cut after a comma: its cell count is right, its last cell blank; resume must drop it
        List<String[]> before = csv(first.run().metricsCsv());
        String[] partial = before.get(2).clone();
        partial[0] = "3";
        partial[partial.length - 1] = "";
        Files.writeString(first.run().metricsCsv(), String.join(",", partial),
                java.nio.file.StandardOpenOption.APPEND);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        ExperimentRunner.Result resumed = ExperimentRunner.resume(first.run().root(), List.of("train.epochs=3"),
                List.of("test"), new PrintStream(log, true, StandardCharsets.UTF_8));
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("dropped 1 torn"), log.toString(StandardCharsets.UTF_8));
        List<String[]> a = csv(straight.run().metricsCsv());
        List<String[]> b = csv(resumed.run().metricsCsv());
        assertEquals(4, b.size());
        assertEquals(String.join(",", a.get(0)), String.join(",", b.get(0)));
        for (int epoch = 1; epoch <= 3; epoch++) {
            String[] x = a.get(epoch).clone();
            String[] y = b.get(epoch).clone();
            int sec = Arrays.asList(a.get(0)).indexOf("seconds");
            int ips = Arrays.asList(a.get(0)).indexOf("images_per_s");
            x[sec] = y[sec] = x[ips] = y[ips] = "";
            assertEquals(String.join(",", x), String.join(",", y), "epoch " + epoch);
        }
        assertEquals("", cell(b, 1, "test_rates_rate_post"));
    }

    @Test
    void theSectionIsReadFromYamlAndDefaultsWhenAbsent() {
        ExperimentSpec d = Specs.builtin("digits");
        assertEquals(EvalSpec.DEFAULT, d.eval());
        assertTrue(Specs.toYaml(d).contains("eval:"), "config.yaml writes the section");
        ExperimentSpec withEval = Specs.fromYaml("base: digits\neval:\n  metrics: [mse, fad, is]\n  every: 5\n"
                + "  is_model: inception_v3_is.onnx\n", "spec.yaml");
        assertEquals(List.of("mse", "fad", "is"), withEval.eval().metrics());
        assertEquals(5, withEval.eval().every());
        assertEquals(10, withEval.eval().isSplits());
        assertTrue(withEval.eval().runsAt(5, 12) && withEval.eval().runsAt(12, 12) && !withEval.eval().runsAt(6, 12));
        ExperimentSpec back = Specs.fromYaml(Specs.toYaml(withEval), "config.yaml");
        assertEquals(withEval.eval(), back.eval());
        assertEquals(List.of("mse", "ops"), Specs.value(Specs.override(d, List.of("eval.metrics=mse,ops")),
                "eval.metrics"));
    }

    @Test
    void badSectionsNameTheField() {
        ExperimentSpec d = Specs.builtin("digits");
        SpecException unknown = assertThrows(SpecException.class,
                () -> Specs.override(d, List.of("eval.metrics=[mse, psnr]")));
        assertTrue(unknown.getMessage().contains("eval.metrics") && unknown.getMessage().contains("psnr")
                && unknown.getMessage().contains("mse, fad, rates, ops, is, fid"), unknown.getMessage());
        SpecException every = assertThrows(SpecException.class, () -> Specs.override(d, List.of("eval.every=0")));
        assertTrue(every.getMessage().contains("eval.every") && every.getMessage().contains("> 0"), every.getMessage());
        SpecException negative = assertThrows(SpecException.class,
                () -> Specs.fromYaml("base: digits\neval:\n  every: -2\n", "spec.yaml"));
        assertTrue(negative.getMessage().contains("eval.every"), negative.getMessage());
        SpecException twice = assertThrows(SpecException.class,
                () -> Specs.override(d, List.of("eval.metrics=mse,fad,fad")));
        assertTrue(twice.getMessage().contains("twice"), twice.getMessage());
        SpecException samples = assertThrows(SpecException.class, () -> Specs.override(d, List.of("eval.fid_samples=1")));
        assertTrue(samples.getMessage().contains("eval.fid_samples"), samples.getMessage());
        SpecException key = assertThrows(SpecException.class,
                () -> Specs.fromYaml("base: digits\neval:\n  metric: [mse]\n", "spec.yaml"));
        assertTrue(key.getMessage().contains("eval.metric") && key.getMessage().contains("metrics"), key.getMessage());
    }

    @Test
    void missingWeightsFailBeforeTheRunFolderExists(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("runs");
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> ExperimentRunner.train(
                tiny(out, 1, "eval.metrics=is"), List.of("test"), quiet()));
        assertTrue(none.getMessage().contains("eval.is_model") && none.getMessage().contains("tools/export_inception.py is"),
                none.getMessage());
        none = assertThrows(IllegalArgumentException.class, () -> ExperimentRunner.train(
                tiny(out, 1, "eval.metrics=fid"), List.of("test"), quiet()));
        assertTrue(none.getMessage().contains("eval.fid_model") && none.getMessage().contains("tools/export_inception.py fid"),
                none.getMessage());
        none = assertThrows(IllegalArgumentException.class, () -> ExperimentRunner.train(
                tiny(out, 1, "eval.metrics=fid", "eval.fid_model=inception_fid.onnx"), List.of("test"), quiet()));
        assertTrue(none.getMessage().contains("eval.fid_stats") && none.getMessage().contains("_clean_custom_na.npz"),
                none.getMessage());
        Path stats = tmp.resolve("stats.npz");
        dev.spikevae.io.Npz.write(stats, java.util.Map.of("mu", dev.spikevae.io.HostArray.of(new float[] {0, 0}, 2),
                "sigma", dev.spikevae.io.HostArray.of(new float[] {1, 0, 0, 1}, 2, 2)));
        Path graph = tmp.resolve("inception_fid.onnx");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ExperimentRunner.train(
                tiny(out, 1, "eval.metrics=mse,fid", "eval.fid_model=" + graph, "eval.fid_stats=" + stats),
                List.of("test"), quiet()));
        assertTrue(e.getMessage().contains(graph.toString()) && e.getMessage().contains("tools/export_inception.py fid"),
                e.getMessage());
        Path absentStats = tmp.resolve("fashion_test_clean_custom_na.npz");
        e = assertThrows(IllegalArgumentException.class, () -> ExperimentRunner.train(
                tiny(out, 1, "eval.metrics=mse,fid", "eval.fid_model=" + graph, "eval.fid_stats=" + absentStats),
                List.of("test"), quiet()));
        assertTrue(e.getMessage().contains(absentStats.toString()) && e.getMessage().contains("eval.fid_stats"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ExperimentRunner.train(
                tiny(out, 1, "eval.metrics=mse,is", "eval.is_model=" + tmp.resolve("is.onnx")), List.of("test"),
                quiet()));
        assertTrue(e.getMessage().contains("tools/export_inception.py is"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ExperimentRunner.train(
                tiny(out, 1, "eval.metrics=mse,fad"), List.of("test"), quiet()));
        assertTrue(e.getMessage().contains("digits"), e.getMessage());
        assertFalse(Files.exists(out) && Files.list(out).findAny().isPresent(), "no run folder was made");
    }
}
