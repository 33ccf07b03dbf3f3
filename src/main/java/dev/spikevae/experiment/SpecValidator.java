package dev.spikevae.experiment;

import dev.spikevae.model.SettingsException;

import java.util.List;
import java.util.regex.Pattern;

/** The rules a spec must meet before anything runs; each failure names its dotted field and the value. */
final class SpecValidator {

    /** The name becomes a folder under the runs root, so it stays a plain, portable file name. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    private SpecValidator() {}

    static void validate(ExperimentSpec spec) {
        if (spec == null) {
            throw new SpecException(null, "the spec is missing");
        }
        required("name", spec.name());
        if (!NAME.matcher(spec.name()).matches()) {
            throw new SpecException("name", "must be 1-100 letters, digits, '.', '_' or '-', starting with a letter or digit"
                    + " (it names the run folder), got \"" + spec.name() + "\"");
        }
        model(required("model", spec.model()));
        data(required("data", spec.data()));
        train(required("train", spec.train()));
        run(required("run", spec.run()));
        if (spec.eval() != null) {
            eval(spec.eval());
        }
    }

    private static void eval(EvalSpec e) {
        required("eval.metrics", e.metrics());
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (String m : e.metrics()) {
            if (!EvalSpec.METRICS.contains(m)) {
                throw new SpecException("eval.metrics", "unknown metric \"" + m + "\"; expected some of "
                        + String.join(", ", EvalSpec.METRICS));
            }
            if (!seen.add(m)) {
                throw new SpecException("eval.metrics", "lists \"" + m + "\" twice");
            }
        }
        positive("eval.every", e.every());
        positive("eval.is_splits", e.isSplits());
        positive("eval.is_batch", e.isBatch());
        if (e.fidSamples() < 2) {
            throw new SpecException("eval.fid_samples", "must be >= 2 (a covariance needs two samples), got "
                    + e.fidSamples());
        }
        positive("eval.fad_batches", e.fadBatches());
        // is and fid need user-supplied files (eval.is_model, eval.fid_model, eval.fid_stats): checked when a run
        // starts, before its folder is made, so that overrides may set them in any order
    }

    private static void model(ModelSpec m) {
        try {
            m.modelType().validate(m.settings());
        } catch (SettingsException e) {
            throw new SpecException("model." + e.key(), e.rule());
        }
    }

    private static void data(DataSpec d) {
        oneOf("data.dataset", d.dataset(), DataSpec.DATASETS);
        if (d.root() != null && d.root().isBlank()) {
            throw new SpecException("data.root", "must not be empty (null means $SPIKEVAE_DATA or the dataset's default)");
        }
        if (d.trainLimit() != null) {
            positive("data.train_limit", d.trainLimit());
        }
        if (d.testLimit() != null) {
            positive("data.test_limit", d.testLimit());
        }
        positive("data.test_batch_size", d.testBatchSize());
    }

    private static void train(TrainSpec t) {
        positive("train.epochs", t.epochs());
        positive("train.batch_size", t.batchSize());
        positive("train.lr", t.lr());
        atLeastZero("train.weight_decay", t.weightDecay());
        fraction("train.beta1", t.beta1());
        fraction("train.beta2", t.beta2());
        positive("train.eps", t.eps());
        if (t.sampleCount() < 0) {
            throw new SpecException("train.sample_count", "must be >= 0 (0 draws no samples), got " + t.sampleCount());
        }
        positive("train.log_every", t.logEvery());
    }

    private static void run(RunSpec r) {
        oneOf("run.device", r.device(), RunSpec.DEVICES);
        required("run.output", r.output());
        if (r.output().isBlank()) {
            throw new SpecException("run.output", "must not be empty");
        }
        if (r.threads() < 0) {
            throw new SpecException("run.threads", "must be >= 0 (0 uses all cores), got " + r.threads());
        }
    }

    private static <T> T required(String field, T value) {
        if (value == null) {
            throw new SpecException(field, "is missing");
        }
        return value;
    }

    private static void oneOf(String field, String value, List<String> allowed) {
        required(field, value);
        if (!allowed.contains(value)) {
            throw new SpecException(field, "unknown value \"" + value + "\"; expected one of " + String.join(", ", allowed));
        }
    }

    private static void positive(String field, int value) {
        if (value <= 0) {
            throw new SpecException(field, "must be > 0, got " + value);
        }
    }

    private static void positive(String field, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new SpecException(field, "must be a finite number > 0, got " + value);
        }
    }

    private static void atLeastZero(String field, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new SpecException(field, "must be a finite number >= 0, got " + value);
        }
    }

    private static void fraction(String field, double value) {
        if (!(value >= 0 && value < 1)) {
            throw new SpecException(field, "must be in [0, 1), got " + value);
        }
    }
}
