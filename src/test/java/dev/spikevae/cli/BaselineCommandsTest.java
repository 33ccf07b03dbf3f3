package dev.spikevae.cli;

import dev.spikevae.io.HostArray;
import dev.spikevae.io.Npy;
import dev.spikevae.tensor.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * FSVAE, the ANN VAE and the spiking autoencoder train from their built-in specs (here on a few embedded digits) and
 * write the artefacts every run writes; sample and eval work on their checkpoints, encode and decode on the spiking ones.
 */
class BaselineCommandsTest {
    private static final String[] SMALL = {"data.dataset=digits", "data.train_limit=32", "data.test_limit=16",
        "data.test_batch_size=16", "data.drop_last=false", "train.batch_size=16", "train.epochs=1", "train.sample_count=4",
        "train.log_every=1"};

    private static Path train(Path out, String spec, String... extra) throws IOException {
        List<String> args = new java.util.ArrayList<>(List.of("train", "--spec", spec, "--device", "cpu", "--output",
                out.toString()));
        args.addAll(List.of(SMALL));
        args.addAll(List.of(extra));
        CliTest.Run r = CliTest.run(args.toArray(new String[0]));
        assertEquals(0, r.code(), r.err());
        Path run;
        try (Stream<Path> s = Files.walk(out)) {
            List<Path> runs = s.filter(p -> p.endsWith("summary.json")).map(Path::getParent).toList();
            assertEquals(1, runs.size(), runs.toString());
            run = runs.get(0);
        }
        for (String f : new String[] {"config.yaml", "env.json", "metrics.csv", "metrics.jsonl", "summary.json",
                "plots/loss.png", "samples/latest-samples.png", "samples/latest-reconstructions.png",
                "checkpoints/last.json"}) {
            assertTrue(Files.exists(run.resolve(f)), spec + " wrote " + f);
        }
        // the sidecar names the epoch's weights file and verifies it
        Path weights = dev.spikevae.train.Checkpoint.load(run.resolve("checkpoints")).weightsFile();
        assertTrue(Files.isRegularFile(weights), spec + " wrote " + weights);
        return run.resolve("checkpoints/last.safetensors");
    }

    private static void sampleAndEval(Path tmp, String ck) {
        CliTest.Run r = CliTest.run("sample", "--checkpoint", ck, "--device", "cpu", "-n", "3", "--seed", "5",
                "--output", tmp.resolve("s.png").toString(), "--npy", tmp.resolve("s.npy").toString());
        assertEquals(0, r.code(), r.err());
        r = CliTest.run("eval", "--checkpoint", ck, "--device", "cpu", "--dataset", "digits", "--limit", "16",
                "--batch-size", "8");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("mse"), r.out());
    }

    private static void encodeDecode(Path tmp, String ck, int latent, int steps) throws IOException {
        float[] px = new Rng(4).uniformHost(2 * 32 * 32);
        for (int i = 0; i < px.length; i++) {
            px[i] = 2 * px[i] - 1;
        }
        Npy.write(tmp.resolve("x.npy"), new HostArray(new long[] {2, 1, 32, 32}, px));
        CliTest.Run r = CliTest.run("encode", "--checkpoint", ck, "--device", "cpu", "--input",
                tmp.resolve("x.npy").toString(), "--rates", tmp.resolve("r.npy").toString(), "--spikes",
                tmp.resolve("z.npy").toString());
        assertEquals(0, r.code(), r.err());
        assertArrayEquals(new long[] {2, latent, steps}, Npy.read(tmp.resolve("z.npy")).shape());
        r = CliTest.run("decode", "--checkpoint", ck, "--device", "cpu", "--spikes", tmp.resolve("z.npy").toString(),
                "--output", tmp.resolve("y.npy").toString());
        assertEquals(0, r.code(), r.err());
        assertArrayEquals(new long[] {2, 1, 32, 32}, Npy.read(tmp.resolve("y.npy")).shape());
    }

    @Test
    void fsvaeTrainsSamplesEvaluatesEncodesAndDecodes(@TempDir Path tmp) throws IOException {
        String ck = train(tmp.resolve("runs"), "fsvae/fashion-mnist", "model.latent=8", "model.k=4", "model.timesteps=6")
                .toString();
        sampleAndEval(tmp, ck);
        encodeDecode(tmp, ck, 8, 6);
    }

    @Test
    void spikingAeTrainsSamplesEvaluatesEncodesAndDecodes(@TempDir Path tmp) throws IOException {
        String ck = train(tmp.resolve("runs"), "spiking-ae/fashion-mnist", "model.latent=8", "model.timesteps=4")
                .toString();
        sampleAndEval(tmp, ck);
        encodeDecode(tmp, ck, 8, 4);
    }

    @Test
    void annVaeTrainsSamplesAndEvaluatesAndRefusesEncode(@TempDir Path tmp) throws IOException {
        String ck = train(tmp.resolve("runs"), "ann-vae/fashion-mnist", "model.latent=8").toString();
        sampleAndEval(tmp, ck);
        Npy.write(tmp.resolve("x.npy"), new HostArray(new long[] {1, 1, 32, 32}, new float[32 * 32]));
        CliTest.Run r = CliTest.run("encode", "--checkpoint", ck, "--input", tmp.resolve("x.npy").toString(), "--rates",
                tmp.resolve("r.npy").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("ann-vae") && r.err().contains("no spiking latent"), r.err());
    }

    @Test
    void benchTimesABuiltinSpecsTrainingStep() {
        CliTest.Run r = CliTest.run("bench", "--spec-step", "fsvae/fashion-mnist,1,2", "--quick");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("fsvae/fashion-mnist C=1 B=2 step_s="), r.out());
        r = CliTest.run("bench", "--spec-step", "fsvae/fashion-mnist,one,2");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("--spec-step") && r.err().contains("one"), r.err());
    }
}
