package dev.spikevae.experiment;

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
        rejects("model.type", s -> model(s, new ModelSpec("vae", 32, 16, "u8")));
        rejects("model.latent", s -> model(s, new ModelSpec("esvae", -1, 16, "u8")));
        rejects("model.timesteps", s -> model(s, new ModelSpec("esvae", 32, 0, "u8")));
        rejects("model.spike_storage", s -> model(s, new ModelSpec("esvae", 32, 16, "f16")));
        rejects("data.dataset", s -> data(s, new DataSpec("imagenet", null, null, null, true, 10)));
        rejects("data.train_limit", s -> data(s, new DataSpec("digits", null, 0, null, true, 10)));
        rejects("data.test_limit", s -> data(s, new DataSpec("digits", null, null, -3, true, 10)));
        rejects("data.test_batch_size", s -> data(s, new DataSpec("digits", null, null, null, true, 0)));
        TrainSpec t = good.train();
        rejects("train.lr", s -> train(s, new TrainSpec(1, 32, Double.NaN, 10, 0, 0.9, 0.999, 1e-8, 0, 0, 1)));
        rejects("train.beta2", s -> train(s, new TrainSpec(1, 32, t.lr(), 10, 0, 0.9, 1.0, 1e-8, 0, 0, 1)));
        rejects("train.lambda", s -> train(s, new TrainSpec(1, 32, t.lr(), 10, 0, 0.9, 0.999, 1e-8, -0.1, 0, 1)));
        rejects("train.weight_decay", s -> train(s, new TrainSpec(1, 32, t.lr(), 10, Double.POSITIVE_INFINITY, 0.9, 0.999, 1e-8, 0, 0, 1)));
        rejects("train.sample_count", s -> train(s, new TrainSpec(1, 32, t.lr(), 10, 0, 0.9, 0.999, 1e-8, 0, -1, 1)));
        rejects("train.epochs", s -> train(s, new TrainSpec(0, 32, t.lr(), 10, 0, 0.9, 0.999, 1e-8, 0, 0, 1)));
        rejects("run.threads", s -> new ExperimentSpec(s.name(), s.model(), s.data(), s.train(), new RunSpec(1, "cpu", "runs", -1)));
        rejects("run.output", s -> new ExperimentSpec(s.name(), s.model(), s.data(), s.train(), new RunSpec(1, "cpu", " ", 0)));
    }
}
