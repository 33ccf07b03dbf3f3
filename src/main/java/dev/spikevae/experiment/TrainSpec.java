package dev.spikevae.experiment;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The optimisation: AdamW with two parameter groups, the ESVAE loss weight and logging cadence.
 *
 * @param epochs       passes over the training set
 * @param batchSize    training batch size
 * @param lr           the EFFECTIVE learning rate, i.e. the reference config's lr × batch_size / 250
 *                     (docs/reference.md §1.4 and §5); nothing rescales it again
 * @param priorLrScale the prior ("sample_layer") trains with lr × this (10 in the reference)
 * @param weightDecay  AdamW weight decay, both groups
 * @param beta1        AdamW β1
 * @param beta2        AdamW β2
 * @param eps          AdamW ε
 * @param lambda       weight λ of the MMD distance term
 * @param sampleCount  images drawn from the prior after each epoch (0 = none)
 * @param logEvery     log a training line every this many steps
 */
public record TrainSpec(
        @JsonProperty("epochs") int epochs,
        @JsonProperty("batch_size") int batchSize,
        @JsonProperty("lr") double lr,
        @JsonProperty("prior_lr_scale") double priorLrScale,
        @JsonProperty("weight_decay") double weightDecay,
        @JsonProperty("beta1") double beta1,
        @JsonProperty("beta2") double beta2,
        @JsonProperty("eps") double eps,
        @JsonProperty("lambda") double lambda,
        @JsonProperty("sample_count") int sampleCount,
        @JsonProperty("log_every") int logEvery) {

    /** The prior's learning rate, lr × prior_lr_scale. */
    public double priorLr() {
        return lr * priorLrScale;
    }
}
