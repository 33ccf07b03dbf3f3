package dev.spikevae.train;

import dev.spikevae.data.Datasets;
import dev.spikevae.data.ImageDataset;
import dev.spikevae.data.Split;
import dev.spikevae.experiment.ExperimentRunner;
import dev.spikevae.experiment.ExperimentSpec;
import dev.spikevae.model.GenerativeModel;
import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A large evaluation shows its progress (a line per quarter off a terminal) and gives the same figures. */
class EvaluationProgressTest {
    @Test
    void aLargeEvaluationShowsProgressAndTheSameFigures(@TempDir Path tmp) {
        ExperimentSpec spec = ResumeTest.tiny(tmp, 1);
        Backend be = ExperimentRunner.backend(spec);
        ImageDataset data = Datasets.firstN(Datasets.open("digits", null, Split.TRAIN), 200);
        try (GenerativeModel model = spec.model().modelType().create(be, ExperimentRunner.modelConfig(spec, data), new Rng(1))) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
            EvalResult plain = new Evaluator(data, 50, 7).evaluate(model, 1);
            EvalResult quiet = new Evaluator(data, 50, 7).withProgress(out, false, 201).evaluate(model, 1);
            assertEquals(0, bytes.size(), "smaller test sets show nothing");
            EvalResult shown = new Evaluator(data, 50, 7).withProgress(out, false, 200).evaluate(model, 1);
            assertEquals(plain.values(), quiet.values());
            assertEquals(plain.values(), shown.values());
            List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
            assertEquals(4, lines.size(), lines.toString());
            assertEquals("evaluating " + data.name() + ": 200/200 images", lines.get(3));
        }
    }
}
