package dev.spikevae.train;

/**
 * One epoch: training means (image-weighted over the epoch's batches), throughput, and the test evaluation.
 */
public record EpochMetrics(int epoch, long step, double trainLoss, double trainMse, double trainMmd, int trainImages,
                           double seconds, EvalResult test) {
    public double imagesPerSecond() {
        return seconds > 0 ? trainImages / seconds : 0;
    }
}
