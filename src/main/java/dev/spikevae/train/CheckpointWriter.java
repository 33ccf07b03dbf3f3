package dev.spikevae.train;

import java.io.IOException;
import java.nio.file.Path;

/**
 * After each epoch: {@code checkpoints/last} (what {@code --resume} continues from) and, when the test loss is
 * the lowest so far, {@code checkpoints/best}. Each is one atomic unit ({@link Checkpoint#save}), so a run killed
 * at any moment keeps the previous epoch's checkpoint intact. The best epoch and loss change only once the best
 * checkpoint is on disk, so they always describe a file that exists.
 */
public final class CheckpointWriter implements TrainListener {
    private final Path dir;
    private final String specYaml;
    private double bestLoss;
    private int bestEpoch;
    private Path lastWeights;
    private int lastEpoch;

    public CheckpointWriter(Path dir, String specYaml, double bestLossSoFar, int bestEpochSoFar) {
        this.dir = dir;
        this.specYaml = specYaml;
        this.bestLoss = bestLossSoFar;
        this.bestEpoch = bestEpochSoFar;
    }

    @Override
    public void onEpochEnd(TrainContext c, EpochMetrics m) throws IOException {
        Checkpoint.Progress p = new Checkpoint.Progress(m.epoch(), m.step(), c.rng().seed(), c.rng().counter());
        if (m.test().loss() < bestLoss) {
            Checkpoint.save(dir, "best", c.model(), c.optimizer(), p, specYaml);
            bestLoss = m.test().loss();
            bestEpoch = m.epoch();
        }
        lastWeights = Checkpoint.save(dir, "last", c.model(), c.optimizer(), p, specYaml);
        lastEpoch = m.epoch();
    }

    public double bestLoss() {
        return bestLoss;
    }

    public int bestEpoch() {
        return bestEpoch;
    }

    /** The weights file of the last checkpoint this writer saved, or null if it saved none. */
    public Path lastCheckpoint() {
        return lastWeights;
    }

    /** The epoch of the last checkpoint this writer saved, 0 if none. */
    public int lastEpoch() {
        return lastEpoch;
    }
}
