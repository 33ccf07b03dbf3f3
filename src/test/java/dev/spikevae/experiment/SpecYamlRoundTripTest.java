package dev.spikevae.experiment;

import dev.spikevae.model.EsvaeSettings;
import dev.spikevae.model.NeuronSettings;
import dev.spikevae.model.SamplerSettings;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** toYaml writes every key, and reading it back gives the same record, awkward strings included. */
class SpecYamlRoundTripTest {

    @Test
    void everyBuiltinSurvivesARoundTrip() {
        for (String name : Specs.builtinNames()) {
            ExperimentSpec spec = Specs.builtin(name);
            assertEquals(spec, Specs.fromYaml(Specs.toYaml(spec), "config.yaml"), name);
        }
    }

    @Test
    void awkwardValuesSurviveARoundTrip() {
        ExperimentSpec spec = new ExperimentSpec("123",
                new ModelSpec("esvae", new EsvaeSettings(7, 3, "f32", new NeuronSettings(1.0 / 3, -0.0, "atan", 1e-300,
                        "threshold", true), new SamplerSettings("poisson_detached", 0.1), 0.0, 0.5, "linear", -1e-300, 1.0 / 3)),
                new DataSpec("digits", "true", 17, null, false, 9),
                new TrainSpec(1, 2, 1.0 / 3, 0.0, 0.0, 0.5, 1e-300, 0, 1),
                new RunSpec(-4_000_000_000L, "cpu", "out dir/with: colon # and hash", 3));
        Specs.validate(spec);
        String yaml = Specs.toYaml(spec);
        assertEquals(spec, Specs.fromYaml(yaml, "whatever.yaml"));
        ExperimentSpec decimalName = spec.with("name", "0.5");
        assertEquals("0.5", decimalName.name());
        assertEquals(decimalName, Specs.fromYaml(Specs.toYaml(decimalName), "x.yaml"));
    }

    @Test
    void yamlHasEveryKeyInSpecOrder() {
        String yaml = Specs.toYaml(Specs.builtin("mnist"));
        int last = -1;
        for (String path : Specs.paths("esvae")) {
            String key = path.substring(path.lastIndexOf('.') + 1) + ":";
            int at = yaml.indexOf(key, last + 1);
            assertTrue(at > last, key + " missing or out of order in\n" + yaml);
            last = at;
        }
        assertTrue(yaml.contains("root: null"), yaml);
        assertFalse(yaml.startsWith("---"), yaml);
        assertFalse(yaml.contains("prior_lr:"), "derived values are not written: " + yaml);
    }
}
