package dev.spikevae.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikevae.io.FileFormatException;
import dev.spikevae.io.HostArray;
import dev.spikevae.io.Npz;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * FID's input path on the small feature network that tools/export_inception.py tiny-fid exports with the same wrapper
 * as clean-fid's Inception ((x − 128) / 128, features reshaped to [N, d]): spikevae's preprocessing ([-1, 1] →
 * [0, 255], grey → three channels, Pillow's float bicubic to 299×299, clip) and ONNX Runtime give the features that
 * Pillow and PyTorch give.
 */
class OnnxFidTest {

    @Test
    void featuresEqualPillowAndPytorchs() throws Exception {
        Map<String, HostArray> fx = Npz.read(OnnxInceptionTest.resource("tiny_fid_features.npz"));
        try (FidNetwork net = FidNetwork.open(OnnxInceptionTest.resource("tiny_fid_features.onnx"))) {
            for (String name : new String[] {"grey28", "grey32", "rgb32"}) {
                HostArray images = fx.get("images_" + name);
                HostArray expected = fx.get("features_" + name);
                int[] s = images.intShape();
                // the prepared input's corner first: it locates a disagreement in the resize rather than the network
                float[] prepared = new float[3 * Fid.SIZE * Fid.SIZE];
                Fid.prepare(images.data(), 0, s[1], s[2], s[3], prepared, 0);
                float[] corner = fx.get("corner_" + name).data();
                for (int ch = 0; ch < 3; ch++) {
                    for (int y = 0; y < 5; y++) {
                        for (int x = 0; x < 5; x++) {
                            assertEquals(corner[(ch * 5 + y) * 5 + x], prepared[(ch * Fid.SIZE + y) * Fid.SIZE + x],
                                    1e-4, name + " prepared input");
                        }
                    }
                }
                float[] f = Fid.featuresOf(images.data(), images.shape(), net, name);
                assertEquals(expected.numel(), f.length);
                double worst = 0;
                for (int i = 0; i < f.length; i++) {
                    worst = Math.max(worst, Math.abs(f[i] - expected.data()[i]));
                }
                assertTrue(worst <= 1e-4, name + ": largest difference from PyTorch " + worst);
                // the features tell the images apart (a check of a constant network would prove little)
                int d = expected.intShape()[1];
                double apart = 0;
                for (int j = 0; j < d; j++) {
                    apart = Math.max(apart, Math.abs(f[j] - f[d + j]));
                }
                assertTrue(apart > 1e-3, name + ": features of two images differ by " + apart);
                System.out.println("FID features " + name + ": largest difference from PyTorch " + worst);
            }
        }
    }

    @Test
    void distanceOfImagesAgainstTheirOwnStatisticsIsZero() throws Exception {
        Map<String, HostArray> fx = Npz.read(OnnxInceptionTest.resource("tiny_fid_features.npz"));
        HostArray images = fx.get("images_grey32");
        HostArray feats = fx.get("features_grey32");
        int[] fs = feats.intShape();
        GaussianStats own = GaussianStats.of(feats.data(), fs[0], fs[1], "PyTorch features");
        try (FidNetwork net = FidNetwork.open(OnnxInceptionTest.resource("tiny_fid_features.onnx"))) {
            Fid.Result r = Fid.ofImages(images.data(), images.shape(), net, own, "grey32");
            assertEquals(0.0, r.value(), 1e-6);
            assertEquals(fs[0], r.images());
            GaussianStats other = new GaussianStats(new double[fs[1]], own.covariance(), "zero mean");
            assertTrue(Fid.ofImages(images.data(), images.shape(), net, other, "grey32").value() > 1e-3);
            GaussianStats small = new GaussianStats(new double[2], new double[4], "two features");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Fid.ofImages(images.data(), images.shape(), net, small, "grey32"));
            assertTrue(e.getMessage().contains("16 features") && e.getMessage().contains("dimension 2"), e.getMessage());
        }
    }

    @Test
    void badInputSaysWhatWasExpected() throws Exception {
        try (FidNetwork net = FidNetwork.open(OnnxInceptionTest.resource("tiny_fid_features.onnx"))) {
            float[] x255 = new float[2 * 32 * 32];
            java.util.Arrays.fill(x255, 200f);
            IllegalArgumentException range = assertThrows(IllegalArgumentException.class,
                    () -> Fid.featuresOf(x255, new long[] {2, 1, 32, 32}, net, "samples.npy"));
            assertTrue(range.getMessage().contains("samples.npy") && range.getMessage().contains("expected [-1, 1]"),
                    range.getMessage());
            IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                    () -> Fid.featuresOf(new float[2 * 2 * 16], new long[] {2, 2, 4, 4}, net, "samples.npy"));
            assertTrue(shape.getMessage().contains("[2, 2, 4, 4]") && shape.getMessage().contains("[N, 1 or 3, H, W]"),
                    shape.getMessage());
        }
    }

    @Test
    void missingNetworkOrStatisticsNameTheFileAndWhereItComesFrom(@TempDir Path tmp) throws Exception {
        Path absent = tmp.resolve("inception_fid.onnx");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> FidNetwork.open(absent));
        assertTrue(e.getMessage().contains(absent.toString())
                && e.getMessage().contains("tools/export_inception.py fid " + absent)
                && e.getMessage().contains("inception-2015-12-05.pt"), e.getMessage());
        NoSuchFileException s = assertThrows(NoSuchFileException.class,
                () -> Fid.reference("fashion-mnist", null, "--fid-stats"));
        assertTrue(s.getMessage().contains("fashion_test_clean_custom_na.npz") && s.getMessage().contains("--fid-stats"),
                s.getMessage());
        assertEquals("celeba_valid_clean_custom_na.npz", Fid.statsFile("celeba"));
        assertEquals("mnist_test_clean_custom_na.npz", Fid.statsFile("MNIST"));
        Path other = tmp.resolve("other.npz");
        Npz.write(other, Map.of("mean", HostArray.of(new float[] {1, 2}, 2)));
        FileFormatException f = assertThrows(FileFormatException.class,
                () -> Fid.reference("cifar10", other, "--fid-stats"));
        assertTrue(f.getMessage().contains(other.toString()) && f.getMessage().contains("'mu' and 'sigma'"),
                f.getMessage());
    }

    @Test
    void prepareClipsTheOvershootAndRepeatsGrey() {
        float[] img = new float[16 * 16];
        for (int i = 0; i < img.length; i++) {
            img[i] = (i / 16) % 4 < 2 ? 1f : -1f; // hard stripes: bicubic overshoots both ends
        }
        float[] raw = new float[img.length];
        for (int i = 0; i < img.length; i++) {
            raw[i] = (img[i] + 1) / 2 * 255;
        }
        float[] unclipped = PillowBicubic.resize(raw, 16, 16, Fid.SIZE, Fid.SIZE);
        float lo = Float.MAX_VALUE;
        float hi = -Float.MAX_VALUE;
        for (float v : unclipped) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        assertTrue(lo < 0 && hi > 255, "the stripes overshoot: " + lo + " " + hi);
        float[] out = new float[3 * Fid.SIZE * Fid.SIZE];
        Fid.prepare(img, 0, 1, 16, 16, out, 0);
        int plane = Fid.SIZE * Fid.SIZE;
        for (int p = 0; p < plane; p++) {
            float want = Math.min(255f, Math.max(0f, unclipped[p]));
            assertEquals(want, out[p], 0f);
            assertEquals(want, out[plane + p], 0f);
            assertEquals(want, out[2 * plane + p], 0f);
        }
    }
}
