package dev.spikevae.experiment;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * Which metrics a training run computes besides its test pass, and how often (docs/training.md, docs/metrics.md).
 * The test pass (the {@code mse} metric: test MSE, loss, loss terms, monitors) runs after every epoch, as it picks the
 * best checkpoint; the other metrics run after every {@code every}-th epoch and after the last one, and their values
 * become {@code test_<name>} columns, blank on the epochs where they did not run.
 *
 * @param metrics    some of {@link #METRICS}
 * @param every      epochs between runs of the metrics other than mse (the last epoch always runs them)
 * @param isModel    is: the Inception-v3 graph exported by {@code tools/export_inception.py is}
 * @param isSplits   is: groups, one batch of samples each
 * @param isBatch    is: samples per group
 * @param fidModel   fid: clean-fid's Inception exported by {@code tools/export_inception.py fid}
 * @param fidStats   fid: the reference statistics {@code <dataset>_clean_custom_na.npz}
 * @param fidSamples fid: generated samples
 * @param fadBatches fad: batches of 128 samples
 */
public record EvalSpec(
        @JsonProperty("metrics") List<String> metrics,
        @JsonProperty("every") int every,
        @JsonProperty("is_model") String isModel,
        @JsonProperty("is_splits") int isSplits,
        @JsonProperty("is_batch") int isBatch,
        @JsonProperty("fid_model") String fidModel,
        @JsonProperty("fid_stats") String fidStats,
        @JsonProperty("fid_samples") int fidSamples,
        @JsonProperty("fad_batches") int fadBatches) {

    /** The metric names, as {@code eval --metrics} knows them. */
    public static final List<String> METRICS = List.of("mse", "fad", "rates", "ops", "is", "fid");

    /** What a spec without an {@code eval} section means: the test pass after every epoch, nothing else. */
    public static final EvalSpec DEFAULT = new EvalSpec(List.of("mse"), 1, null, 10, 256, null, null, 5000, 40);

    public EvalSpec {
        metrics = metrics == null ? null : List.copyOf(metrics);
    }

    /** Whether the metrics other than mse run after {@code epoch} of a run of {@code lastEpoch} epochs. */
    public boolean runsAt(int epoch, int lastEpoch) {
        return epoch % every == 0 || epoch == lastEpoch;
    }
}
