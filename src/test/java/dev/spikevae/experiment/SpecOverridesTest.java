package dev.spikevae.experiment;

import dev.spikevae.model.EsvaeSettings;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Dotted overrides: each field type, null, nesting, and clear messages for every mistake. */
class SpecOverridesTest {

    private final ExperimentSpec base = Specs.builtin("fashion-mnist");

    private ExperimentSpec over(String... overrides) {
        return Specs.override(base, List.of(overrides));
    }

    private String failure(String... overrides) {
        SpecException e = assertThrows(SpecException.class, () -> over(overrides));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e.getMessage();
    }

    @Test
    void aModelTypeSwitchTakesTheModelKeysThatFollowIt() {
        ExperimentSpec base = Specs.builtin("fashion-mnist");
        SpecException alone = assertThrows(SpecException.class, () -> Specs.override(base, List.of("model.type=fsvae")));
        assertTrue(alone.getMessage().contains("model.k: required key is missing"), alone.getMessage());
        ExperimentSpec fsvae = Specs.override(base, List.of("model.type=fsvae", "model.k=7", "train.epochs=2"));
        assertEquals("fsvae", fsvae.model().type());
        assertEquals(7, Specs.value(fsvae, "model.k"));
        assertEquals(base.model().settings(EsvaeSettings.class).latent(), Specs.value(fsvae, "model.latent"),
                "keys both types have are kept");
        assertEquals(2, fsvae.train().epochs());
    }

    @Test
    void eachFieldTypeIsParsed() {
        ExperimentSpec s = over("train.epochs=5", "train.lr=2.5e-4", "data.drop_last=false", "data.root=/data/sets",
                "run.seed=12345678901", "model.spike_storage=f32", "name=short");
        assertEquals(5, s.train().epochs());
        assertEquals(2.5e-4, s.train().lr());
        assertFalse(s.data().dropLast());
        assertEquals("/data/sets", s.data().root());
        assertEquals(12345678901L, s.run().seed());
        assertEquals("f32", s.model().settings(EsvaeSettings.class).spikeStorage());
        assertEquals("short", s.name());
        // everything not overridden is untouched
        TrainSpec b = base.train();
        assertEquals(new TrainSpec(5, b.batchSize(), 2.5e-4, b.weightDecay(), b.beta1(), b.beta2(), b.eps(),
                b.sampleCount(), b.logEvery()), s.train());
        assertEquals(latent(base), latent(s));
    }

    @Test
    void nullableFieldsTakeNullAndBack() {
        ExperimentSpec limited = over("data.train_limit=1000", "data.test_limit=200");
        assertEquals(1000, limited.data().trainLimit());
        assertEquals(200, limited.data().testLimit());
        ExperimentSpec all = Specs.override(limited, List.of("data.train_limit=null"));
        assertNull(all.data().trainLimit());
        assertEquals(200, all.data().testLimit());
    }

    @Test
    void laterOverridesWinAndTheInputIsUnchanged() {
        ExperimentSpec s = over("model.latent=64", "model.latent=16");
        assertEquals(16, latent(s));
        assertEquals(32, latent(base));
    }

    @Test
    void quotesForceALiteralString() {
        assertEquals("null", over("data.root='null'").data().root());
        assertEquals("a=b", over("data.root=a=b").data().root(), "only the first '=' splits");
    }

    @Test
    void withCopiesByPath() {
        ExperimentSpec s = base.with("model.lambda", 0.01).with("data.train_limit", 512).with("data.train_limit", null);
        assertEquals(0.01, s.model().settings(EsvaeSettings.class).lambda());
        assertNull(s.data().trainLimit());
        assertEquals(0.01, Specs.value(s, "model.lambda"));
        assertEquals("rectangle", Specs.value(s, "model.neuron.surrogate"));
        assertEquals("fashion-mnist", Specs.value(s, "data.dataset"));
        assertNull(Specs.value(s, "data.root"));
        assertEquals(Boolean.TRUE, Specs.value(s, "data.drop_last"));
    }

    @Test
    void pathsListEveryLeaf() {
        List<String> paths = Specs.paths("esvae");
        assertEquals("name", paths.get(0));
        assertTrue(paths.containsAll(List.of("model.type", "model.spike_storage", "model.neuron.surrogate",
                "model.sampler.half_width", "model.prior_lr_scale", "model.mmd_kernel", "model.prior_mu", "model.prior_var",
                "data.train_limit", "run.threads", "eval.metrics", "eval.every", "eval.fid_stats")));
        assertEquals(1 + (1 + 3 + 6 + 2 + 2 + 3) + 6 + 9 + 4 + 9, paths.size());
        for (String path : paths) {
            // every listed path can be set to the value it already has
            Object value = Specs.value(base, path);
            assertEquals(base, base.with(path, value), path);
        }
    }

    private static int latent(ExperimentSpec s) {
        return s.model().settings(EsvaeSettings.class).latent();
    }

    @Test
    void nestedModelKeysAreOverridden() {
        ExperimentSpec s = over("model.neuron.surrogate=sigmoid", "model.neuron.width=4", "model.sampler.half_width=0.25");
        EsvaeSettings m = s.model().settings(EsvaeSettings.class);
        assertEquals("sigmoid", m.neuron().surrogate());
        assertEquals(4.0, m.neuron().width());
        assertEquals(0.25, m.sampler().halfWidth());
        assertEquals(base.model().settings(EsvaeSettings.class).neuron().decay(), m.neuron().decay());
        assertTrue(failure("model.neuron.surrogate=gaussian").contains("model.neuron.surrogate"));
        assertTrue(failure("model.neuron.sharpness=2").contains("valid keys of model.neuron are decay, threshold"));
        assertTrue(failure("model.neuron=2").contains("is a section"));
    }

    @Test
    void badSyntax() {
        String m = failure("train.epochs");
        assertEquals("override \"train.epochs\": expected key=value, e.g. train.epochs=5", m);
        assertTrue(failure("=5").contains("expected key=value"));
    }

    @Test
    void wrongTypeNamesTheField() {
        assertEquals("override \"train.epochs=ten\": train.epochs: expected an integer, got \"ten\"", failure("train.epochs=ten"));
        assertTrue(failure("train.lr=fast").endsWith("train.lr: expected a number, got \"fast\""));
        assertTrue(failure("data.drop_last=yes please").endsWith("data.drop_last: expected true or false, got \"yes please\""));
        assertTrue(failure("train.epochs=null").endsWith("train.epochs: expected an integer, got null"));
    }

    @Test
    void unknownPathsListTheValidKeys() {
        String m = failure("train.epoch=5");
        assertTrue(m.contains("train.epoch: unknown key; valid keys of train are epochs, batch_size"), m);
        m = failure("optim.lr=1");
        assertTrue(m.contains("optim.lr: unknown key; valid top-level keys are name, model, data, train, run"), m);
        m = failure("train.epochs.max=1");
        assertTrue(m.contains("train.epochs is a single value"), m);
        m = failure("train=1");
        assertTrue(m.contains("train: is a section, not a value; override one of its keys: epochs,"), m);
    }

    @Test
    void overriddenValuesAreValidated() {
        assertTrue(failure("model.latent=0").endsWith("model.latent: must be > 0, got 0"));
        assertTrue(failure("run.device=tpu").endsWith("run.device: unknown value \"tpu\"; expected one of auto, cpu, cuda"));
        assertTrue(failure("data.root=").endsWith("data.root: must not be empty (null means $SPIKEVAE_DATA or the dataset's default)"));
    }
}
