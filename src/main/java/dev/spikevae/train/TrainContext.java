package dev.spikevae.train;

import dev.spikevae.model.GenerativeModel;
import dev.spikevae.tensor.Rng;

/**
 * What listeners may look at: the model, the optimizer, the training RNG and the position in the run.
 * Epochs are 1-based; {@code step} counts optimizer steps since the run began (resumes included).
 */
public final class TrainContext {
    private final GenerativeModel model;
    private final AdamW optimizer;
    private final Rng rng;
    private final int totalEpochs;
    private final int batchesPerEpoch;
    int epoch;
    int batch;
    long step;

    TrainContext(GenerativeModel model, AdamW optimizer, Rng rng, int totalEpochs, int batchesPerEpoch) {
        this.model = model;
        this.optimizer = optimizer;
        this.rng = rng;
        this.totalEpochs = totalEpochs;
        this.batchesPerEpoch = batchesPerEpoch;
    }

    public GenerativeModel model() {
        return model;
    }

    public AdamW optimizer() {
        return optimizer;
    }

    /** The training stream: its (seed, counter) after an epoch is what a checkpoint stores. */
    public Rng rng() {
        return rng;
    }

    public int epoch() {
        return epoch;
    }

    public int totalEpochs() {
        return totalEpochs;
    }

    /** 1-based index of the batch within the epoch. */
    public int batch() {
        return batch;
    }

    public int batchesPerEpoch() {
        return batchesPerEpoch;
    }

    public long step() {
        return step;
    }
}
