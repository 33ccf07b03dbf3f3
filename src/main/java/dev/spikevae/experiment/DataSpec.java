package dev.spikevae.experiment;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * The dataset and how it is loaded.
 *
 * @param dataset       one of {@link #DATASETS}
 * @param root          the data root (layouts in docs/reference.md §15); null means {@code $SPIKEVAE_DATA}, else the dataset's default
 * @param trainLimit    use only the first n training images; null means all
 * @param testLimit     use only the first n test images; null means all
 * @param dropLast      whether the training loader drops its last incomplete batch (docs/reference.md §5 table)
 * @param testBatchSize batch size of the test loader
 */
public record DataSpec(
        @JsonProperty("dataset") String dataset,
        @JsonProperty("root") String root,
        @JsonProperty("train_limit") Integer trainLimit,
        @JsonProperty("test_limit") Integer testLimit,
        @JsonProperty("drop_last") boolean dropLast,
        @JsonProperty("test_batch_size") int testBatchSize) {

    /** Dataset names a spec may use. */
    public static final List<String> DATASETS = List.of("mnist", "fashion-mnist", "cifar10", "celeba", "digits");
}
