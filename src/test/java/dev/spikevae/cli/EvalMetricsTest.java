package dev.spikevae.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikevae.io.HostArray;
import dev.spikevae.io.Npy;
import dev.spikevae.train.ReferenceCheckpointFixture;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code eval --metrics} on the converted reference ESVAE checkpoint: rates, ops, fad, and the refusals. */
class EvalMetricsTest {

    static double value(String out, String name) {
        Matcher m = Pattern.compile("\\b" + name + " (\\S+)").matcher(out);
        assertTrue(m.find(), name + " missing in: " + out);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void ratesOpsAndFadOfAnEsvaeCheckpoint(@TempDir Path tmp) throws Exception {
        String ck = ReferenceCheckpointFixture.copyTo(tmp).toString();
        Path map = tmp.resolve("map.npy");
        CliTest.Run r = CliTest.run("eval", "--checkpoint", ck, "--device", "cpu", "--dataset", "digits", "--limit", "16",
                "--batch-size", "8", "--seed", "3", "--metrics", "mse,rates,ops,fad", "--latent-map", map.toString(),
                "--fad-dataset", "fashion-mnist", "--fad-batches", "2");
        assertEquals(0, r.code(), r.err());
        String out = r.out();
        assertTrue(value(out, "mse") > 0, out);
        double post = value(out, "rate_post");
        double prior = value(out, "rate_prior");
        assertTrue(post > 0 && post < 1 && prior > 0 && prior < 1, out);
        double add = value(out, "ops_add");
        double mul = value(out, "ops_mul");
        // per batch of 8 and per image agree; the first convolution alone costs 8·1·32·32·16 inputs × 72 MACs
        assertEquals(add / 8, value(out, "ops_add_per_image"), add * 1e-7, out);
        assertEquals(mul / 8, value(out, "ops_mul_per_image"), mul * 1e-7, out);
        assertTrue(mul >= 8.0 * 1024 * 16 * 72, out);
        assertTrue(add > mul, out);
        HostArray m = Npy.read(map);
        assertEquals(2, m.rank());
        assertEquals(16, m.shape()[1], "latent × steps");
        double mean = 0;
        for (float v : m.data()) {
            assertTrue(v >= 0 && v <= 1);
            mean += v;
        }
        // the sampled spikes' mean is the posterior rate's, up to the sampling noise of 16 images
        assertEquals(post, mean / m.numel(), 0.05, out);
        double fad = value(out, "fad");
        assertTrue(fad > 0 && Double.isFinite(fad), out);
        assertTrue(out.contains("256 samples"), out);

        // the same seed gives the same figures
        CliTest.Run again = CliTest.run("eval", "--checkpoint", ck, "--device", "cpu", "--dataset", "digits", "--limit",
                "16", "--batch-size", "8", "--seed", "3", "--metrics", "mse,rates,ops,fad", "--latent-map",
                tmp.resolve("map2.npy").toString(), "--fad-dataset", "fashion-mnist", "--fad-batches", "2");
        assertEquals(0, again.code(), again.err());
        assertEquals(fad, value(again.out(), "fad"), 0);
        assertEquals(add, value(again.out(), "ops_add"), 0);
        assertArrayEquals(m.data(), Npy.read(tmp.resolve("map2.npy")).data());
    }

    @Test
    void unknownMetricsAndMissingOnnxSayWhy(@TempDir Path tmp) throws Exception {
        String ck = ReferenceCheckpointFixture.copyTo(tmp).toString();
        CliTest.Run r = CliTest.run("eval", "--checkpoint", ck, "--device", "cpu", "--dataset", "digits", "--limit", "4",
                "--metrics", "mse,psnr");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("psnr") && r.err().contains("mse, fad, rates, ops"), r.err());
        r = CliTest.run("eval", "--checkpoint", ck, "--device", "cpu", "--dataset", "digits", "--limit", "4",
                "--metrics", "fid");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("_clean_custom_na.npz") && r.err().contains("--fid-stats"), r.err());
        r = CliTest.run("eval", "--checkpoint", ck, "--device", "cpu", "--dataset", "digits", "--limit", "4",
                "--metrics", "fad");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("digits") && r.err().contains("--fad-dataset"), r.err());
    }
}
