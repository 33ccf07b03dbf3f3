package dev.spikevae.train;

/** Observes training (progress, metrics files, sample grids, plots, checkpoints). Every hook is optional. */
public interface TrainListener {
    default void onTrainStart(TrainContext context) throws Exception {
    }

    default void onBatchEnd(TrainContext context, StepMetrics step) throws Exception {
    }

    default void onEpochEnd(TrainContext context, EpochMetrics epoch) throws Exception {
    }

    default void onTrainEnd(TrainContext context) throws Exception {
    }
}
