package dev.spikevae.cli;

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

/** encode, decode, sample and eval on the converted reference fixture, end to end through the CLI. */
class InferenceCommandsTest {
    @Test
    void encodeDecodeSampleAreDeterministicAndShaped(@TempDir Path tmp) throws Exception {
        String ck = ReferenceCheckpointFixture.copyTo(tmp).toString();
        float[] px = new Rng(4).uniformHost(5 * 32 * 32);
        for (int i = 0; i < px.length; i++) {
            px[i] = 2 * px[i] - 1;
        }
        Npy.write(tmp.resolve("x.npy"), new HostArray(new long[] {5, 1, 32, 32}, px));
        for (String suffix : new String[] {"1", "2"}) {
            CliTest.Run r = CliTest.run("encode", "--checkpoint", ck, "--device", "cpu", "--input", tmp.resolve("x.npy").toString(),
                    "--rates", tmp.resolve("r" + suffix + ".npy").toString(), "--spikes", tmp.resolve("z" + suffix + ".npy").toString());
            assertEquals(0, r.code(), r.err());
            r = CliTest.run("decode", "--checkpoint", ck, "--device", "cpu", "--spikes", tmp.resolve("z1.npy").toString(),
                    "--output", tmp.resolve("y" + suffix + ".npy").toString(), "--png", tmp.resolve("y.png").toString());
            assertEquals(0, r.code(), r.err());
            r = CliTest.run("sample", "--checkpoint", ck, "--device", "cpu", "-n", "6", "--seed", "9",
                    "--output", tmp.resolve("s.png").toString(), "--npy", tmp.resolve("s" + suffix + ".npy").toString());
            assertEquals(0, r.code(), r.err());
        }
        HostArray rates = Npy.read(tmp.resolve("r1.npy"));
        HostArray spikes = Npy.read(tmp.resolve("z1.npy"));
        assertArrayEquals(new long[] {5, 32}, rates.shape());
        assertArrayEquals(new long[] {5, 32, 16}, spikes.shape());
        for (int i = 0; i < 5 * 32; i++) {
            float sum = 0;
            for (int t = 0; t < 16; t++) {
                float z = spikes.data()[i * 16 + t];
                assertTrue(z == 0f || z == 1f);
                sum += z;
            }
            assertEquals(sum / 16f, rates.data()[i], 1e-6f, "rate = time mean of the latent spikes");
        }
        assertArrayEquals(rates.data(), Npy.read(tmp.resolve("r2.npy")).data(), "encode is deterministic");
        assertArrayEquals(spikes.data(), Npy.read(tmp.resolve("z2.npy")).data());
        HostArray y = Npy.read(tmp.resolve("y1.npy"));
        assertArrayEquals(new long[] {5, 1, 32, 32}, y.shape());
        assertArrayEquals(y.data(), Npy.read(tmp.resolve("y2.npy")).data(), "decode is deterministic");
        for (float v : y.data()) {
            assertTrue(v >= -1f && v <= 1f);
        }
        HostArray s = Npy.read(tmp.resolve("s1.npy"));
        assertArrayEquals(new long[] {6, 1, 32, 32}, s.shape());
        assertArrayEquals(s.data(), Npy.read(tmp.resolve("s2.npy")).data(), "same seed, same samples");
        assertTrue(Files.size(tmp.resolve("s.png")) > 100 && Files.size(tmp.resolve("y.png")) > 100);
    }

    @Test
    void evalOnEmbeddedDigitsAndBadInputsFailClearly(@TempDir Path tmp) throws Exception {
        String ck = ReferenceCheckpointFixture.copyTo(tmp).toString();
        CliTest.Run r = CliTest.run("eval", "--checkpoint", ck, "--device", "cpu", "--dataset", "digits", "--limit", "16",
                "--batch-size", "8");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("mse") && r.out().contains("16 images"), r.out());

        Npy.write(tmp.resolve("bad.npy"), new HostArray(new long[] {2, 3, 32, 32}, new float[2 * 3 * 32 * 32]));
        r = CliTest.run("encode", "--checkpoint", ck, "--input", tmp.resolve("bad.npy").toString(), "--rates",
                tmp.resolve("r.npy").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("bad.npy") && r.err().contains("N×1×32×32"), r.err());

        Npy.write(tmp.resolve("z.npy"), new HostArray(new long[] {1, 32, 16}, filled(32 * 16, 0.5f)));
        r = CliTest.run("decode", "--checkpoint", ck, "--spikes", tmp.resolve("z.npy").toString(), "--output",
                tmp.resolve("o.npy").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("not a spike"), r.err());

        r = CliTest.run("eval", "--checkpoint", tmp.resolve("missing.safetensors").toString(), "--dataset", "digits");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("missing.safetensors"), r.err());

        r = CliTest.run("train", "--spec", "digits", "data.dataset=imagenet");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("imagenet") && r.err().contains("fashion-mnist"), r.err());

        Files.createDirectories(tmp.resolve("empty"));
        r = CliTest.run("train", "--spec", "mnist", "data.root=" + tmp.resolve("empty"), "run.output=" + tmp.resolve("runs"));
        assertEquals(1, r.code());
        assertTrue(r.err().contains("mnist") && r.err().contains(tmp.resolve("empty").toString()), r.err());
        assertTrue(!Files.exists(tmp.resolve("runs")), "a run that cannot start leaves no run folder");

        r = CliTest.run("train");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("--spec"), r.err());
    }

    @Test
    void everyCommandHasHelp() {
        for (String c : new String[] {"train", "eval", "sample", "encode", "decode", "demo", "doctor", "bench"}) {
            CliTest.Run r = CliTest.run(c, "--help");
            assertEquals(0, r.code(), c);
            assertTrue(r.out().contains("Usage: spikevae " + c), r.out());
        }
    }

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, v);
        return a;
    }
}
