package dev.spikevae.experiment;

import dev.spikevae.model.EsvaeSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading spec files: defaults, and a one-line message naming file, line and field for every kind of mistake. */
class SpecReadingTest {

    /** A complete spec, minus the optional keys; line numbers below refer to it. */
    static final String MINIMAL = String.join("\n",
            "model:",                    // 1
            "  type: esvae",             // 2
            "  latent: 8",               // 3
            "  timesteps: 4",            // 4
            "  lambda: 0.001",           // 5
            "  prior_lr_scale: 10",      // 6
            "data:",                     // 7
            "  dataset: digits",         // 8
            "  drop_last: true",         // 9
            "  test_batch_size: 10",     // 10
            "train:",                    // 11
            "  epochs: 2",               // 12
            "  batch_size: 16",          // 13
            "  lr: 1e-3",                // 14
            "  weight_decay: 0",         // 15
            "  beta1: 0.9",              // 16
            "  beta2: 0.999",            // 17
            "  eps: 1.0e-8",             // 18
            "  sample_count: 0",         // 19
            "  log_every: 5",            // 20
            "run:",                      // 21
            "  seed: 7",                 // 22
            "");

    @TempDir
    Path dir;

    private Path write(String fileName, String text) throws IOException {
        Path file = dir.resolve(fileName);
        Files.writeString(file, text);
        return file;
    }

    private SpecException failure(String fileName, String text) throws IOException {
        Path file = write(fileName, text);
        SpecException e = assertThrows(SpecException.class, () -> Specs.load(file));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e;
    }

    @Test
    void optionalKeysTakeTheirDefaults() throws IOException {
        ExperimentSpec s = Specs.load(write("tiny-run.yaml", MINIMAL));
        assertEquals("tiny-run", s.name());
        assertEquals("u8", s.model().settings(EsvaeSettings.class).spikeStorage());
        assertNull(s.data().root());
        assertNull(s.data().trainLimit());
        assertNull(s.data().testLimit());
        assertEquals("auto", s.run().device());
        assertEquals("runs", s.run().output());
        assertEquals(0, s.run().threads());
        assertEquals(1e-3, s.train().lr(), "1e-3 without a dot is still a number");
        assertEquals(0.0, s.train().weightDecay(), "an integer where a number is expected");
        assertEquals(7L, s.run().seed());
    }

    @Test
    void explicitNameWins() throws IOException {
        assertEquals("other", Specs.load(write("file.yml", "name: other\n" + MINIMAL)).name());
    }

    @Test
    void unknownTopLevelKeyListsTheValidKeys() throws IOException {
        SpecException e = failure("a.yaml", MINIMAL + "optimizer: adam\n");
        assertEquals("optimizer", e.field());
        assertTrue(e.getMessage().contains(":23: optimizer: unknown key"), e.getMessage());
        assertTrue(e.getMessage().contains("name, model, data, train, run"), e.getMessage());
    }

    @Test
    void unknownNestedKeyListsTheValidKeysOfItsSection() throws IOException {
        SpecException e = failure("a.yaml", MINIMAL.replace("  epochs: 2", "  epoch: 2"));
        assertEquals("train.epoch", e.field());
        assertTrue(e.getMessage().contains(":12: train.epoch: unknown key"), e.getMessage());
        assertTrue(e.getMessage().contains("valid keys of train are epochs, batch_size, lr, weight_decay,"
                + " beta1, beta2, eps, sample_count, log_every"), e.getMessage());
    }

    @Test
    void wrongTypeNamesFieldLineAndValue() throws IOException {
        SpecException e = failure("a.yaml", MINIMAL.replace("epochs: 2", "epochs: ten"));
        assertEquals("train.epochs", e.field());
        assertTrue(e.getMessage().endsWith(":12: train.epochs: expected an integer, got \"ten\""), e.getMessage());

        e = failure("b.yaml", MINIMAL.replace("epochs: 2", "epochs: 2.5"));
        assertTrue(e.getMessage().endsWith("train.epochs: expected an integer, got 2.5"), e.getMessage());

        e = failure("c.yaml", MINIMAL.replace("drop_last: true", "drop_last: maybe"));
        assertTrue(e.getMessage().endsWith(":9: data.drop_last: expected true or false, got \"maybe\""), e.getMessage());

        e = failure("d.yaml", MINIMAL.replace("lr: 1e-3", "lr: [1, 2]"));
        assertTrue(e.getMessage().endsWith(":14: train.lr: expected a number, got [1,2]"), e.getMessage());

        e = failure("e.yaml", MINIMAL.replace("run:\n  seed: 7\n", "run: 7\n"));
        assertTrue(e.getMessage().contains(":21: run: expected a mapping of seed, device, output, threads, got 7"),
                e.getMessage());
    }

    @Test
    void nullOnlyWhereAllowed() throws IOException {
        SpecException e = failure("a.yaml", MINIMAL.replace("latent: 8", "latent: null"));
        assertTrue(e.getMessage().endsWith(":3: model.latent: expected an integer, got null"), e.getMessage());
        ExperimentSpec s = Specs.load(write("b.yaml", MINIMAL.replace("  dataset: digits", "  dataset: digits\n  root: ~")));
        assertNull(s.data().root());
    }

    @Test
    void missingRequiredKeysAreNamed() throws IOException {
        SpecException one = failure("a.yaml", MINIMAL.replace("  lr: 1e-3\n", ""));
        assertEquals("train.lr", one.field());
        assertTrue(one.getMessage().endsWith(":11: train.lr: required key is missing"), one.getMessage());

        SpecException two = failure("b.yaml", MINIMAL.replace("  lr: 1e-3\n", "").replace("  eps: 1.0e-8\n", ""));
        assertTrue(two.getMessage().endsWith("train: required keys are missing: lr, eps"), two.getMessage());

        SpecException section = failure("c.yaml", MINIMAL.replace("run:\n  seed: 7\n", ""));
        assertTrue(section.getMessage().endsWith(": run: required key is missing"), section.getMessage());
    }

    @Test
    void invalidValuesNameFieldAndLine() throws IOException {
        SpecException e = failure("a.yaml", MINIMAL.replace("dataset: digits", "dataset: mnsit"));
        assertEquals("data.dataset", e.field());
        assertTrue(e.getMessage().contains(":8: data.dataset: unknown value \"mnsit\"; expected one of mnist,"), e.getMessage());

        e = failure("b.yaml", MINIMAL.replace("lambda: 0.001", "lambda: -1"));
        assertTrue(e.getMessage().endsWith(":5: model.lambda: must be a finite number >= 0, got -1.0"), e.getMessage());

        e = failure("c.yaml", MINIMAL.replace("  lambda: 0.001", "  lambda: 0.001\n  neuron:\n    surrogate: gauss"));
        assertTrue(e.getMessage().endsWith(":7: model.neuron.surrogate: unknown value \"gauss\"; expected one of rectangle, "
                + "sigmoid, atan"), e.getMessage());
    }

    @Test
    void syntaxErrorsAndDuplicatesGiveALine() throws IOException {
        SpecException e = failure("a.yaml", MINIMAL.replace("  latent: 8", "  latent: 8: 9"));
        assertTrue(e.getMessage().contains(":3: not valid YAML"), e.getMessage());

        e = failure("b.yaml", MINIMAL + "model:\n  type: esvae\n");
        assertTrue(e.getMessage().contains(":23: not valid YAML: Duplicate field 'model'"), e.getMessage());

        e = failure("c.yaml", MINIMAL.replace("  latent: 8", "\tlatent: 8"));
        // The parser places a scanner error at its last good token, the line before the tab or the tab's own.
        assertTrue(e.getMessage().matches(".*c\\.yaml:[23]: not valid YAML: .*TAB.*"), e.getMessage());
    }

    @Test
    void textWithoutASourceIsCalledSpec() {
        SpecException e = assertThrows(SpecException.class, () -> Specs.fromYaml(MINIMAL.replace("latent: 8", "latent: x"), null));
        assertEquals("spec:3: model.latent: expected an integer, got \"x\"", e.getMessage());
        SpecException unnamed = assertThrows(SpecException.class, () -> Specs.fromYaml(MINIMAL, null));
        assertEquals("spec: name: required key is missing", unnamed.getMessage());
    }

    @Test
    void jsonFilesAreRead() throws IOException {
        ExperimentSpec fromYaml = Specs.load(write("same.yaml", MINIMAL));
        String json = "{\"model\": {\"type\": \"esvae\", \"latent\": 8, \"timesteps\": 4, \"lambda\": 0.001, \"prior_lr_scale\": 10},\n"
                + " \"data\": {\"dataset\": \"digits\", \"drop_last\": true, \"test_batch_size\": 10},\n"
                + " \"train\": {\"epochs\": 2, \"batch_size\": 16, \"lr\": 1e-3,\n"
                + "   \"weight_decay\": 0, \"beta1\": 0.9, \"beta2\": 0.999, \"eps\": 1e-8,\n"
                + "   \"sample_count\": 0, \"log_every\": 5},\n"
                + " \"run\": {\"seed\": 7}}\n";
        assertEquals(fromYaml, Specs.load(write("same.json", json)));

        SpecException e = failure("bad.json", json.replace("\"latent\": 8", "\"latent\": \"eight\""));
        assertTrue(e.getMessage().endsWith(":1: model.latent: expected an integer, got \"eight\""), e.getMessage());
        e = failure("broken.json", json.replace("\"epochs\": 2,", "\"epochs\": 2"));
        assertTrue(e.getMessage().contains(":3: not valid JSON"), e.getMessage());
    }

    @Test
    void fileProblemsNameTheFile() throws IOException {
        failure("spec.txt", MINIMAL);
        Path missing = dir.resolve("absent.yaml");
        SpecException e = assertThrows(SpecException.class, () -> Specs.load(missing));
        assertEquals(missing + ": no such spec file", e.getMessage());
        SpecException empty = failure("empty.yaml", "");
        assertTrue(empty.getMessage().endsWith("the spec is empty"), empty.getMessage());
        SpecException list = failure("list.yaml", "- 1\n- 2\n");
        assertTrue(list.getMessage().contains("expected a mapping"), list.getMessage());
    }
}
