package dev.spikevae.experiment;

import dev.spikevae.model.EsvaeSettings;
import dev.spikevae.model.NeuronSettings;
import dev.spikevae.model.SamplerSettings;
import org.junit.jupiter.api.Test;

import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** validate() rejects each broken rule and names the field. */
class SpecValidationTest {

    private final ExperimentSpec good = Specs.builtin("digits");

    private void rejects(String field, UnaryOperator<ExperimentSpec> breakIt) {
        ExperimentSpec bad = breakIt.apply(good);
        SpecException e = assertThrows(SpecException.class, () -> Specs.validate(bad));
        assertEquals(field, e.field(), e.getMessage());
    }

    private static ExperimentSpec model(ExperimentSpec s, ModelSpec m) {
        return new ExperimentSpec(s.name(), m, s.data(), s.train(), s.run());
    }

    private static ExperimentSpec data(ExperimentSpec s, DataSpec d) {
        return new ExperimentSpec(s.name(), s.model(), d, s.train(), s.run());
    }

    private static ExperimentSpec train(ExperimentSpec s, TrainSpec t) {
        return new ExperimentSpec(s.name(), s.model(), s.data(), t, s.run());
    }

    @Test
    void theGoodSpecPasses() {
        Specs.validate(good);
    }

    @Test
    void eachRuleNamesItsField() {
        rejects("name", s -> new ExperimentSpec("../escape", s.model(), s.data(), s.train(), s.run()));
        rejects("name", s -> new ExperimentSpec(null, s.model(), s.data(), s.train(), s.run()));
        rejects("model", s -> model(s, null));
        EsvaeSettings m = good.model().settings(EsvaeSettings.class);
        rejects("model.latent", s -> model(s, new ModelSpec("esvae", m.withLatent(-1))));
        rejects("model.timesteps", s -> model(s, new ModelSpec("esvae", m.withTimesteps(0))));
        rejects("model.spike_storage", s -> model(s, new ModelSpec("esvae", m.withSpikeStorage("f16"))));
        rejects("model.neuron.width", s -> model(s, new ModelSpec("esvae", m.withNeuron(
                new NeuronSettings(0.25, 0.2, "atan", 0, "zero", false)))));
        rejects("model.neuron.centre", s -> model(s, new ModelSpec("esvae", m.withNeuron(
                new NeuronSettings(0.25, 0.2, "atan", 2, "middle", false)))));
        rejects("model.lambda", s -> model(s, new ModelSpec("esvae", new EsvaeSettings(32, 16, "u8", m.neuron(),
                m.sampler(), -0.1, 10, "rbf", 0, 1))));
        rejects("model.sampler.half_width", s -> model(s, new ModelSpec("esvae", new EsvaeSettings(32, 16, "u8",
                m.neuron(), new SamplerSettings("poisson", Double.NaN), 0.001, 10, "rbf", 0, 1))));
        rejects("model.sampler.kind", s -> model(s, new ModelSpec("esvae", new EsvaeSettings(32, 16, "u8",
                m.neuron(), new SamplerSettings("gumbel", 0.5), 0.001, 10, "rbf", 0, 1))));
        rejects("model.mmd_kernel", s -> model(s, new ModelSpec("esvae", new EsvaeSettings(32, 16, "u8",
                m.neuron(), m.sampler(), 0.001, 10, "laplace", 0, 1))));
        rejects("model.prior_var", s -> model(s, new ModelSpec("esvae", new EsvaeSettings(32, 16, "u8",
                m.neuron(), m.sampler(), 0.001, 10, "rbf", 0, 0))));
        rejects("model.prior_mu", s -> model(s, new ModelSpec("esvae", new EsvaeSettings(32, 16, "u8",
                m.neuron(), m.sampler(), 0.001, 10, "rbf", Double.POSITIVE_INFINITY, 1))));
        rejects("data.dataset", s -> data(s, new DataSpec("imagenet", null, null, null, true, 10)));
        rejects("data.train_limit", s -> data(s, new DataSpec("digits", null, 0, null, true, 10)));
        rejects("data.test_limit", s -> data(s, new DataSpec("digits", null, null, -3, true, 10)));
        rejects("data.test_batch_size", s -> data(s, new DataSpec("digits", null, null, null, true, 0)));
        TrainSpec t = good.train();
        rejects("train.lr", s -> train(s, new TrainSpec(1, 32, Double.NaN, 0, 0.9, 0.999, 1e-8, 0, 1)));
        rejects("train.beta2", s -> train(s, new TrainSpec(1, 32, t.lr(), 0, 0.9, 1.0, 1e-8, 0, 1)));
        rejects("train.weight_decay", s -> train(s, new TrainSpec(1, 32, t.lr(), Double.POSITIVE_INFINITY, 0.9, 0.999, 1e-8, 0, 1)));
        rejects("train.sample_count", s -> train(s, new TrainSpec(1, 32, t.lr(), 0, 0.9, 0.999, 1e-8, -1, 1)));
        rejects("train.epochs", s -> train(s, new TrainSpec(0, 32, t.lr(), 0, 0.9, 0.999, 1e-8, 0, 1)));
        rejects("run.threads", s -> new ExperimentSpec(s.name(), s.model(), s.data(), s.train(), new RunSpec(1, "cpu", "runs", -1)));
        rejects("run.output", s -> new ExperimentSpec(s.name(), s.model(), s.data(), s.train(), new RunSpec(1, "cpu", " ", 0)));
    }
}
