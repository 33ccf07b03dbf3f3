package dev.spikevae.train;

import dev.spikevae.experiment.ExperimentRunner;
import dev.spikevae.experiment.ExperimentSpec;
import dev.spikevae.experiment.Specs;
import dev.spikevae.io.HostArray;
import dev.spikevae.io.Safetensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Training 2 epochs equals training 1, stopping, and resuming for 1 — bit for bit, on the CPU. */
class ResumeTest {
    static ExperimentSpec tiny(Path out, int epochs) {
        return Specs.override(Specs.builtin("digits"), List.of("data.train_limit=48", "data.test_limit=16",
                "train.batch_size=16", "data.test_batch_size=16", "train.epochs=" + epochs, "model.timesteps=4",
                "model.latent=8", "train.sample_count=8", "run.device=cpu", "run.output=" + out, "train.log_every=1"));
    }

    static PrintStream quiet() {
        return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    }

    @Test
    void twoEpochsEqualOnePlusResumedOne(@TempDir Path tmp) throws Exception {
        ExperimentRunner.Result straight = ExperimentRunner.train(tiny(tmp.resolve("a"), 2), List.of("test"), quiet());
        ExperimentRunner.Result first = ExperimentRunner.train(tiny(tmp.resolve("b"), 1), List.of("test"), quiet());
        assertEquals(1, first.epochs());
        ExperimentRunner.Result resumed = ExperimentRunner.resume(first.run().root(), List.of("train.epochs=2"),
                List.of("test"), quiet());
        assertEquals(2, resumed.epochs());
        assertSameTensors(straight.lastCheckpoint(), resumed.lastCheckpoint());
        Path optA = Checkpoint.load(straight.run().root()).optimizerFile();
        Path optB = Checkpoint.load(resumed.run().root()).optimizerFile();
        assertSameTensors(optA, optB);
        assertEquals(straight.test().mse(), resumed.test().mse(), 0.0, "same test evaluation");
        List<String> csvA = Files.readAllLines(straight.run().metricsCsv());
        List<String> csvB = Files.readAllLines(resumed.run().metricsCsv());
        assertEquals(3, csvB.size(), "header and one row per epoch after the resume");
        assertEquals(dropTimes(csvA.get(2)), dropTimes(csvB.get(2)));
        assertTrue(Files.readString(resumed.run().summaryFile()).contains("untrained_test_mse"),
                "the resumed run's summary keeps the untrained figure");
        assertEquals(first.untrainedTestMse(), resumed.untrainedTestMse());
        for (String f : new String[] {"config.yaml", "env.json", "summary.json", "metrics.jsonl", "plots/loss.png",
                "samples/latest-samples.png", "samples/latest-reconstructions.png", "checkpoints/best.json"}) {
            assertTrue(Files.exists(resumed.run().root().resolve(f)), f);
        }
    }

    /** Everything but the wall-clock columns (seconds, images/s). */
    static String dropTimes(String row) {
        String[] f = row.split(",");
        f[6] = "";
        f[7] = "";
        return String.join(",", f);
    }

    static void assertSameTensors(Path a, Path b) throws Exception {
        Map<String, HostArray> x = Safetensors.read(a).tensors();
        Map<String, HostArray> y = Safetensors.read(b).tensors();
        assertEquals(x.keySet(), y.keySet());
        for (String k : x.keySet()) {
            assertArrayEquals(x.get(k).data(), y.get(k).data(), k);
        }
    }
}
