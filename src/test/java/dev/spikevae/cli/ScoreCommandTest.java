package dev.spikevae.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikevae.io.HostArray;
import dev.spikevae.io.Npy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code score --metric fad}: images from a file, a folder or noise, and the errors a user meets. */
class ScoreCommandTest {
    private static final Pattern FAD = Pattern.compile("fad (\\S+) ");

    static double fad(CliTest.Run r) {
        assertEquals(0, r.code(), r.err());
        Matcher m = FAD.matcher(r.out());
        assertTrue(m.find(), r.out());
        return Double.parseDouble(m.group(1));
    }

    @Test
    void noiseIsFarFromFashionMnistAndScoresTheSameFromAFileAndAFolder(@TempDir Path tmp) throws Exception {
        Path saved = tmp.resolve("noise.npy");
        double noise = fad(CliTest.run("score", "--metric", "fad", "--dataset", "fashion-mnist", "--noise", "300",
                "--seed", "5", "--save-images", saved.toString(), "--device", "cpu"));
        assertTrue(noise > 100, "noise should be far from the test statistics (trace 305): " + noise);
        HostArray images = Npy.read(saved);
        assertEquals(Arrays.toString(new long[] {300, 1, 32, 32}), Arrays.toString(images.shape()));
        assertEquals(noise, fad(CliTest.run("score", "--metric", "fad", "--dataset", "fashion", "--images",
                saved.toString(), "--device", "cpu")), 0);
        // the same images as three files in a folder, read in name order: batches of 128 fall the same way
        Path dir = Files.createDirectory(tmp.resolve("parts"));
        int[] cuts = {0, 128, 256, 300};
        for (int i = 0; i < 3; i++) {
            int n = cuts[i + 1] - cuts[i];
            Npy.write(dir.resolve("part" + i + ".npy"), new HostArray(new long[] {n, 1, 32, 32},
                    Arrays.copyOfRange(images.data(), cuts[i] * 1024, cuts[i + 1] * 1024)));
        }
        assertEquals(noise, fad(CliTest.run("score", "--metric", "fad", "--dataset", "fashion-mnist", "--images",
                dir.toString(), "--device", "cpu")), 0);
        // another seed: another value, still far
        double other = fad(CliTest.run("score", "--metric", "fad", "--dataset", "fashion-mnist", "--noise", "300",
                "--seed", "6", "--device", "cpu"));
        assertTrue(other != noise && other > 100, other + " vs " + noise);
    }

    @Test
    void imagesInTheWrongRangeOrShapeAreRefused(@TempDir Path tmp) throws Exception {
        float[] px = new float[4 * 32 * 32];
        Arrays.fill(px, 200f);
        Path bytes = tmp.resolve("bytes.npy");
        Npy.write(bytes, new HostArray(new long[] {4, 1, 32, 32}, px));
        CliTest.Run r = CliTest.run("score", "--metric", "fad", "--dataset", "mnist", "--images", bytes.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("bytes.npy") && r.err().contains("expected [-1, 1]"), r.err());
        Path small = tmp.resolve("small.npy");
        Npy.write(small, new HostArray(new long[] {4, 28, 28}, new float[4 * 28 * 28]));
        r = CliTest.run("score", "--metric", "fad", "--dataset", "mnist", "--images", small.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("[4, 28, 28]") && r.err().contains("[N, 1, 32, 32]"), r.err());
    }

    @Test
    void missingWeightsNameTheConversionTool(@TempDir Path tmp) {
        CliTest.Run r = CliTest.run("score", "--metric", "fad", "--dataset", "cifar10", "--noise", "10");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("cifar10_128") && r.err().contains("tools/convert_fad_autoencoder.py"), r.err());
        r = CliTest.run("score", "--metric", "fad", "--dataset", "fashion-mnist", "--noise", "10", "--fad-stats",
                tmp.resolve("none.npz").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("none.npz"), r.err());
    }

    @Test
    void inceptionScoreRunsAnExportedGraph(@TempDir Path tmp) throws Exception {
        Path fixtures = Path.of(getClass().getResource("/dev/spikevae/metrics/tiny_classifier.onnx").toURI()).getParent();
        HostArray images = dev.spikevae.io.Npz.read(fixtures.resolve("tiny_classifier.npz")).get("images");
        Path npy = tmp.resolve("images.npy");
        Npy.write(npy, images);
        CliTest.Run r = CliTest.run("score", "--metric", "is", "--images", npy.toString(), "--is-model",
                fixtures.resolve("tiny_classifier.onnx").toString(), "--splits", "2");
        assertEquals(0, r.code(), r.err());
        Matcher m = Pattern.compile("is (\\S+)").matcher(r.out());
        assertTrue(m.find() && Double.parseDouble(m.group(1)) >= 1.0, r.out());
        r = CliTest.run("score", "--metric", "is", "--images", npy.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("--is-model") && r.err().contains("tools/export_inception.py"), r.err());
    }
}
