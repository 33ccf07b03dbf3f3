package dev.spikevae.train;

import dev.spikevae.data.DataLoader;
import dev.spikevae.data.Datasets;
import dev.spikevae.data.ImageDataset;
import dev.spikevae.data.Split;
import dev.spikevae.experiment.ExperimentRunner;
import dev.spikevae.experiment.ExperimentSpec;
import dev.spikevae.io.HostArray;
import dev.spikevae.model.GenerativeModel;
import dev.spikevae.nn.Parameter;
import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A NaN loss stops training with a clear message, and the last good checkpoint stays intact. */
class DivergenceTest {
    @Test
    void nanLossStopsTrainingAndKeepsTheLastGoodCheckpoint(@TempDir Path tmp) throws Exception {
        ExperimentSpec spec = ResumeTest.tiny(tmp, 3);
        Backend be = ExperimentRunner.backend(spec);
        ImageDataset train = ExperimentRunner.dataset(spec, Split.TRAIN);
        ImageDataset test = ExperimentRunner.dataset(spec, Split.TEST);
        GenerativeModel model = spec.model().modelType().create(be, ExperimentRunner.modelConfig(spec, train), new Rng(1));
        AdamW opt = AdamW.forModel(model, spec.train().optimizer());
        Path dir = tmp.resolve("checkpoints");
        TrainListener poison = new TrainListener() {
            @Override
            public void onEpochEnd(TrainContext c, EpochMetrics m) {
                if (m.epoch() == 1) { // after epoch 1's checkpoint: break the output layer (spikes would mask a NaN upstream)
                    Parameter w = c.model().namedParameters().get("final_layer.1.bias");
                    be.fill(w.value(), Float.NaN);
                }
            }
        };
        CheckpointWriter ck = new CheckpointWriter(dir, null, Double.POSITIVE_INFINITY, 0);
        try (DataLoader loader = new DataLoader(train, 16, true, true, false, 7)) {
            Trainer trainer = new Trainer(new TrainingStep(model, opt), loader, new Evaluator(test, 16, 7), List.of(ck, poison));
            TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                    () -> trainer.fit(1, 3, 0, new Rng(3)));
            assertEquals(2, e.epoch());
            assertTrue(e.getMessage().contains("NaN") && e.getMessage().contains("epoch 2"), e.getMessage());
        }
        Checkpoint.Loaded last = Checkpoint.load(dir.resolve("last.safetensors"));
        assertEquals(1, last.progress().epoch(), "the checkpoint is the one from before the NaN");
        for (HostArray a : last.weights().values()) {
            for (float v : a.data()) {
                assertTrue(Float.isFinite(v));
            }
        }
        assertTrue(Datasets.names().contains("digits"));
    }
}
