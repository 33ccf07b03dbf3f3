/**
 * Experiments: what to run ({@link dev.spikevae.experiment.ExperimentSpec}) and where its results go
 * ({@link dev.spikevae.experiment.RunDirectory}, {@link dev.spikevae.experiment.EnvInfo}).
 *
 * <p>A spec is a YAML or JSON document with five parts: {@code name}, {@code model}, {@code data}, {@code train}
 * and {@code run}; keys are snake_case ({@code batch_size}, {@code prior_lr_scale}). The built-in specs in
 * {@code experiments/esvae/} are complete, commented examples. Keys that change what is learnt must be written;
 * only these may be left out: {@code name} (the file's name), {@code model.spike_storage} ({@code u8}),
 * {@code data.root}, {@code data.train_limit}, {@code data.test_limit} (null: default location, all images),
 * {@code run.device} ({@code auto}), {@code run.output} ({@code runs}) and {@code run.threads} (0: all cores).
 * Unknown keys, wrong types and invalid values are errors naming the file, line and dotted field.
 *
 * <p>Overrides follow Hydra: {@code train.epochs=5 data.root=/data data.train_limit=null}; a value is read by the
 * type of its field, and a quoted value is a literal string. Every run saves the resolved spec as
 * {@code config.yaml} in its folder, so any run can be repeated from that file alone.
 */
package dev.spikevae.experiment;
