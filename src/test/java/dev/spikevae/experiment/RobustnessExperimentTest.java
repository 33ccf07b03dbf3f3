package dev.spikevae.experiment;

import dev.spikevae.cli.Main;
import dev.spikevae.io.ImageGrid;
import dev.spikevae.tensor.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The latent disturbances do what they say, and the command writes its grid, table and curve for a checkpoint. */
class RobustnessExperimentTest {
    @Test
    void timeShufflingPermutesEachImagesStepsAndKeepsItsSpikeCounts() {
        int t = 16;
        int n = 5;
        int l = 7;
        float[] z = new float[t * n * l];
        float[] u = new Rng(3).uniformHost(z.length);
        for (int i = 0; i < z.length; i++) {
            z[i] = u[i] < 0.3f ? 1f : 0f;
        }
        float[] s = RobustnessExperiment.shuffleTime(z, t, n, l, new Rng(4));
        assertNotEquals(java.util.Arrays.toString(z), java.util.Arrays.toString(s), "something moved");
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < l; c++) {
                int a = 0;
                int b = 0;
                for (int step = 0; step < t; step++) {
                    a += (int) z[(step * n + i) * l + c];
                    b += (int) s[(step * n + i) * l + c];
                }
                assertEquals(a, b, "image " + i + ", channel " + c + ": spike count kept");
            }
            // one permutation per image: each shuffled step is some original step of that image, all channels together
            for (int step = 0; step < t; step++) {
                boolean found = false;
                for (int from = 0; from < t && !found; from++) {
                    found = java.util.Arrays.equals(s, (step * n + i) * l, (step * n + i + 1) * l, z, (from * n + i) * l,
                            (from * n + i + 1) * l);
                }
                assertTrue(found, "image " + i + " step " + step);
            }
        }
    }

    @Test
    void bitFlipsHappenAtTheirProbability() {
        float[] z = new float[200_000];
        float[] f = RobustnessExperiment.flip(z, 0.2, new Rng(5));
        double ones = 0;
        for (float v : f) {
            assertTrue(v == 0f || v == 1f);
            ones += v;
        }
        assertEquals(0.2, ones / z.length, 0.005);
        assertEquals(0, RobustnessExperiment.flip(z, 0, new Rng(5))[0]);
    }

    @Test
    void theCommandWritesGridsTableAndCurve(@TempDir Path tmp) throws Exception {
        Path ck = tmp.resolve("ck");
        Files.createDirectories(ck);
        for (String f : new String[] {"last.json", "last.safetensors"}) {
            try (InputStream in = getClass().getResourceAsStream("/dev/spikevae/train/format-v1/" + f)) {
                assertNotNull(in, f);
                Files.copy(in, ck.resolve(f));
            }
        }
        Path out = tmp.resolve("out");
        int code = Main.run("robustness", "--checkpoint", ck.resolve("last.safetensors").toString(), "--output",
                out.toString(), "--images", "24", "--shown", "4", "--device", "cpu");
        assertEquals(0, code);
        List<String> csv = Files.readAllLines(out.resolve("robustness.csv"));
        assertEquals("model,perturbation,level,mse", csv.get(0));
        assertEquals(1 + 2 + 6, csv.size(), csv.toString());
        assertTrue(csv.get(1).startsWith("1-esvae,none,0,"));
        assertTrue(csv.get(2).startsWith("1-esvae,time-shuffled,,"));
        assertTrue(csv.get(8).startsWith("1-esvae,bit-flip,0.30,"));
        java.awt.image.BufferedImage grid = javax.imageio.ImageIO.read(out.resolve("1-esvae-grid.png").toFile());
        int cell = 32 * 2 + ImageGrid.PADDING; // 32×32 images drawn at scale 2, with padding
        assertEquals(9, grid.getHeight() / cell, "rows: input, reconstruction, shuffled, then the 6 levels");
        assertEquals(4, grid.getWidth() / cell, "the images shown");
        assertTrue(Files.size(out.resolve("robustness.png")) > 1000);
    }
}
