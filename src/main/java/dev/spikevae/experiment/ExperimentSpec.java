package dev.spikevae.experiment;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * One experiment, fully resolved: what to train ({@link ModelSpec}), on what ({@link DataSpec}), how
 * ({@link TrainSpec}), where ({@link RunSpec}) and which metrics it computes while training ({@link EvalSpec}). Read, override, validate and write it through {@link Specs};
 * YAML/JSON keys are the snake_case names in the {@code @JsonProperty} annotations.
 *
 * @param name the experiment's name; runs go to {@code <run.output>/<name>/}. Defaults to the spec file's name.
 */
public record ExperimentSpec(
        @JsonProperty("name") String name,
        @JsonProperty("model") ModelSpec model,
        @JsonProperty("data") DataSpec data,
        @JsonProperty("train") TrainSpec train,
        @JsonProperty("run") RunSpec run,
        @JsonProperty("eval") EvalSpec eval) {

    /** A spec with the default {@code eval} section (the test pass after every epoch). */
    public ExperimentSpec(String name, ModelSpec model, DataSpec data, TrainSpec train, RunSpec run) {
        this(name, model, data, train, run, EvalSpec.DEFAULT);
    }

    /**
     * A copy with one value replaced by dotted path, e.g. {@code with("train.lambda", 0.01)} or
     * {@code with("data.train_limit", null)}; the value is read as {@link Specs#override} reads the text after
     * {@code =}, and the copy is validated. This is the step a sweep repeats for each point of its grid.
     */
    public ExperimentSpec with(String dottedPath, Object value) {
        return Specs.override(this, List.of(dottedPath + "=" + (value == null ? "null" : value)));
    }
}
