package dev.spikevae.experiment;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.spikevae.train.OptimizerSettings;

/**
 * The optimisation: AdamW over the model's parameter groups, and logging cadence. Model-specific loss weights and
 * learning-rate scales (ESVAE's λ and prior scale) live in the model section.
 *
 * @param epochs      passes over the training set
 * @param batchSize   training batch size
 * @param lr          the EFFECTIVE base learning rate, i.e. the reference config's lr × batch_size / 250
 *                    (docs/reference.md §1.4 and §5); nothing rescales it again
 * @param weightDecay AdamW weight decay, every group
 * @param beta1       AdamW β1
 * @param beta2       AdamW β2
 * @param eps         AdamW ε
 * @param sampleCount images drawn from the prior after each epoch (0 = none)
 * @param logEvery    log a training line every this many steps
 */
public record TrainSpec(
        @JsonProperty("epochs") int epochs,
        @JsonProperty("batch_size") int batchSize,
        @JsonProperty("lr") double lr,
        @JsonProperty("weight_decay") double weightDecay,
        @JsonProperty("beta1") double beta1,
        @JsonProperty("beta2") double beta2,
        @JsonProperty("eps") double eps,
        @JsonProperty("sample_count") int sampleCount,
        @JsonProperty("log_every") int logEvery) {

    /** The optimizer's settings. */
    public OptimizerSettings optimizer() {
        return new OptimizerSettings(lr, weightDecay, beta1, beta2, eps);
    }
}
