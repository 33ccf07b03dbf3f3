package dev.spikevae.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikevae.io.HostArray;
import dev.spikevae.io.Npy;
import dev.spikevae.io.Npz;
import dev.spikevae.train.ReferenceCheckpointFixture;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code score --metric fid} and {@code eval --metrics fid} with the small feature network of
 * tools/export_inception.py tiny-fid, and what they say when the network or the statistics are missing.
 */
class FidCommandsTest {

    static Path fixtures() throws Exception {
        return Path.of(FidCommandsTest.class.getResource("/dev/spikevae/metrics/tiny_fid_features.onnx").toURI())
                .getParent();
    }

    /** Reference statistics of PyTorch's features of the fixture's grey 32×32 images (mean, unbiased covariance). */
    static Path statsOfFixture(Path tmp) throws Exception {
        Map<String, HostArray> fx = Npz.read(fixtures().resolve("tiny_fid_features.npz"));
        HostArray f = fx.get("features_grey32");
        int n = f.intShape()[0];
        int d = f.intShape()[1];
        dev.spikevae.metrics.GaussianStats g = dev.spikevae.metrics.GaussianStats.of(f.data(), n, d, "fixture");
        float[] mu = new float[d];
        float[] sigma = new float[d * d];
        for (int i = 0; i < d; i++) {
            mu[i] = (float) g.mean()[i];
        }
        for (int i = 0; i < d * d; i++) {
            sigma[i] = (float) g.covariance()[i];
        }
        Path stats = tmp.resolve("fixture_stats.npz");
        Npz.write(stats, Map.of("mu", HostArray.of(mu, d), "sigma", HostArray.of(sigma, d, d)));
        return stats;
    }

    @Test
    void scoreFidOfImagesAgainstTheirOwnStatistics(@TempDir Path tmp) throws Exception {
        Map<String, HostArray> fx = Npz.read(fixtures().resolve("tiny_fid_features.npz"));
        Path npy = tmp.resolve("images.npy");
        Npy.write(npy, fx.get("images_grey32"));
        Path stats = statsOfFixture(tmp);
        Path feats = tmp.resolve("features.npy");
        CliTest.Run r = CliTest.run("score", "--metric", "fid", "--images", npy.toString(), "--fid-model",
                fixtures().resolve("tiny_fid_features.onnx").toString(), "--fid-stats", stats.toString(),
                "--save-features", feats.toString());
        assertEquals(0, r.code(), r.err());
        double fid = EvalMetricsTest.value(r.out(), "fid");
        assertEquals(0.0, fid, 1e-5, r.out()); // float32 statistics: not exactly 0
        HostArray saved = Npy.read(feats);
        assertArrayEquals(fx.get("features_grey32").shape(), saved.shape());
        for (int i = 0; i < saved.numel(); i++) {
            assertEquals(fx.get("features_grey32").data()[i], saved.data()[i], 1e-4);
        }
        // other images are far from those statistics
        Path other = tmp.resolve("other.npy");
        Npy.write(other, fx.get("images_grey28"));
        r = CliTest.run("score", "--metric", "fid", "--images", other.toString(), "--fid-model",
                fixtures().resolve("tiny_fid_features.onnx").toString(), "--fid-stats", stats.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(EvalMetricsTest.value(r.out(), "fid") > 1e-4, r.out()); // 0.00047: the tiny features spread little
    }

    @Test
    void missingNetworkOrStatisticsNameTheFile(@TempDir Path tmp) throws Exception {
        Map<String, HostArray> fx = Npz.read(fixtures().resolve("tiny_fid_features.npz"));
        Path npy = tmp.resolve("images.npy");
        Npy.write(npy, fx.get("images_grey32"));
        CliTest.Run r = CliTest.run("score", "--metric", "fid", "--dataset", "fashion-mnist", "--images", npy.toString(),
                "--fid-model", fixtures().resolve("tiny_fid_features.onnx").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("fashion_test_clean_custom_na.npz") && r.err().contains("--fid-stats"), r.err());
        Path stats = statsOfFixture(tmp);
        r = CliTest.run("score", "--metric", "fid", "--images", npy.toString(), "--fid-stats", stats.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("tools/export_inception.py fid") && r.err().contains("inception-2015-12-05.pt"),
                r.err());
        Path bytes = tmp.resolve("bytes.npy");
        float[] px = new float[2 * 32 * 32];
        java.util.Arrays.fill(px, 128f);
        Npy.write(bytes, new HostArray(new long[] {2, 1, 32, 32}, px));
        r = CliTest.run("score", "--metric", "fid", "--images", bytes.toString(), "--fid-stats", stats.toString(),
                "--fid-model", fixtures().resolve("tiny_fid_features.onnx").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("bytes.npy") && r.err().contains("expected [-1, 1]"), r.err());
    }

    @Test
    void evalFidOfACheckpointsSamples(@TempDir Path tmp) throws Exception {
        String ck = ReferenceCheckpointFixture.copyTo(tmp).toString();
        Path stats = statsOfFixture(tmp);
        String[] args = {"eval", "--checkpoint", ck, "--device", "cpu", "--dataset", "digits", "--limit", "4",
                "--seed", "5", "--metrics", "fid", "--fid-model", fixtures().resolve("tiny_fid_features.onnx").toString(),
                "--fid-stats", stats.toString(), "--fid-samples", "6"};
        CliTest.Run r = CliTest.run(args);
        assertEquals(0, r.code(), r.err());
        double fid = EvalMetricsTest.value(r.out(), "fid");
        assertTrue(fid > 0 && Double.isFinite(fid), r.out());
        assertTrue(r.out().contains("6 samples"), r.out());
        CliTest.Run again = CliTest.run(args);
        assertEquals(fid, EvalMetricsTest.value(again.out(), "fid"), 0, again.out());
        args[args.length - 3] = tmp.resolve("absent.npz").toString();
        r = CliTest.run(args);
        assertEquals(1, r.code());
        assertTrue(r.err().contains("absent.npz") && r.err().contains("--fid-stats"), r.err());
    }
}
