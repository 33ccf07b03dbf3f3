package dev.spikevae.train;

import java.io.IOException;
import java.nio.file.Path;

/**
 * After each epoch: {@code checkpoints/last.*} (what {@code --resume} continues from) and, when the test loss
 * is the lowest so far, {@code checkpoints/best.*}. Both are written atomically, so a run killed at any moment
 * keeps the previous epoch's checkpoint intact.
 */
public final class CheckpointWriter implements TrainListener {
    private final Path dir;
    private final String specYaml;
    private double bestLoss;
    private int bestEpoch;

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
            bestLoss = m.test().loss();
            bestEpoch = m.epoch();
            Checkpoint.save(dir, "best", c.model(), c.optimizer(), p, specYaml);
        }
        Checkpoint.save(dir, "last", c.model(), c.optimizer(), p, specYaml);
    }

    public double bestLoss() {
        return bestLoss;
    }

    public int bestEpoch() {
        return bestEpoch;
    }

    public Path lastCheckpoint() {
        return dir.resolve("last.safetensors");
    }
}
