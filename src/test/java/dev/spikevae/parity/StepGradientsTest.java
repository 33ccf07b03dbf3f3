package dev.spikevae.parity;

import dev.spikevae.io.HostArray;
import dev.spikevae.io.Npy;
import dev.spikevae.tensor.Rng;
import dev.spikevae.train.ReferenceCheckpointFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The harness {@code tools/compare_published_esvae.py} compares the training step with: its replayed draws must be the
 * ones the step used (else the published model would be given other noise), and it writes every gradient.
 */
class StepGradientsTest {
    @TempDir
    Path dir;

    @Test
    void replayedDrawsReproduceTheSampledSpikesAndEveryGradientIsWritten() throws Exception {
        Path ck = ReferenceCheckpointFixture.copyTo(dir);
        float[] px = new Rng(2).uniformHost(3 * 32 * 32);
        for (int i = 0; i < px.length; i++) {
            px[i] = 2 * px[i] - 1;
        }
        Path images = dir.resolve("x.npy");
        Npy.write(images, new HostArray(new long[] {3, 1, 32, 32}, px));
        Path out = dir.resolve("out");

        StepGradients.Result r = StepGradients.run(ck, images, out, 5);

        assertEquals(3 * 32 * 16, r.spikes());
        assertEquals(0, r.replayMismatches());
        assertTrue(Double.isFinite(r.loss()) && r.loss() > r.mse() - 1e-6, "loss " + r.loss() + ", mse " + r.mse());
        assertArrayEquals(new long[] {16, 3, 32}, Npy.read(out.resolve("uniforms.npy")).shape());
        assertArrayEquals(new long[] {3, 32}, Npy.read(out.resolve("normals.npy")).shape());
        HostArray g = Npy.read(out.resolve("grad.final_layer.1.weight.npy"));
        assertArrayEquals(new long[] {32, 1, 3, 3}, g.shape());
        boolean nonZero = false;
        for (float v : g.data()) {
            nonZero |= v != 0f;
        }
        assertTrue(nonZero, "the last layer's weight gradient is all zero");
        assertTrue(Files.exists(out.resolve("grad.sample_layer.0.weight.npy")));
        assertEquals(3, Files.readString(out.resolve("loss.txt")).trim().split(" ").length);
    }
}
