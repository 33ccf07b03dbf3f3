package dev.spikevae.model;

import dev.spikevae.tensor.Rng;

/**
 * What a forward pass may depend on besides its input: the random stream it draws from, the 1-based epoch (0 when
 * not training, e.g. evaluating a checkpoint) and whether this is a training step.
 */
public record StepContext(Rng rng, int epoch, boolean training) {
    public StepContext {
        if (rng == null) {
            throw new IllegalArgumentException("StepContext: rng must be set");
        }
    }

    /** A training step of {@code epoch}. */
    public static StepContext training(Rng rng, int epoch) {
        return new StepContext(rng, epoch, true);
    }

    /** Evaluation (test figures, sampling, encoding) after {@code epoch} epochs. */
    public static StepContext evaluation(Rng rng, int epoch) {
        return new StepContext(rng, epoch, false);
    }
}
