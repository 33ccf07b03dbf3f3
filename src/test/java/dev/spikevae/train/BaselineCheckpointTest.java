package dev.spikevae.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spikevae.backend.cpu.CpuBackend;
import dev.spikevae.model.AnnVae;
import dev.spikevae.model.AnnVaeConfig;
import dev.spikevae.model.Fsvae;
import dev.spikevae.model.FsvaeConfig;
import dev.spikevae.model.GenerativeModel;
import dev.spikevae.model.Models;
import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.MemoryScope;
import dev.spikevae.tensor.Rng;
import dev.spikevae.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Published FSVAE and ANN VAE state dicts (random-initialised with PyTorch from the published classes by
 * tools/make_baseline_fixtures.py, converted by tools/convert_reference_checkpoint.py) load into spikevae's models,
 * and their decoders give the published model's evaluation-mode output for fixed latents.
 */
class BaselineCheckpointTest {
    private static final String DIR = "/dev/spikevae/train/";
    private static final Backend BE = new CpuBackend(2);

    private static Path copy(Path tmp, String name) throws IOException {
        for (String f : new String[] {name + ".safetensors", name + ".json"}) {
            try (InputStream in = BaselineCheckpointTest.class.getResourceAsStream(DIR + f)) {
                Files.copy(in, tmp.resolve(f));
            }
        }
        return tmp.resolve(name + ".safetensors");
    }

    private static JsonNode decodeFixture(String name) throws IOException {
        try (InputStream in = BaselineCheckpointTest.class.getResourceAsStream(DIR + name + ".decode.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    private static float[] floats(JsonNode array) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) array.get(i).asDouble();
        }
        return out;
    }

    private static GenerativeModel loaded(Path weights) throws IOException {
        Checkpoint.Loaded ck = Checkpoint.load(weights);
        GenerativeModel model = Models.get(ck.config().type()).create(BE, ck.config(), new Rng(1));
        Checkpoint.loadInto(model, ck);
        model.train(false);
        return model;
    }

    private static void assertClose(float[] expected, float[] actual, double tol, String what) {
        assertEquals(expected.length, actual.length, what + ": size");
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
        }
        assertTrue(worst <= tol, what + ": largest difference " + worst + " > " + tol);
    }

    @Test
    void publishedFsvaeDecodesFixedLatentSpikesAsThePublishedModel(@TempDir Path tmp) throws IOException {
        GenerativeModel model = loaded(copy(tmp, "fsvae-L16"));
        assertTrue(model instanceof Fsvae, "the sidecar names fsvae");
        FsvaeConfig config = (FsvaeConfig) model.config();
        assertEquals(16, config.settings().latent());
        assertEquals(20, config.settings().k());
        assertEquals(16, config.settings().timesteps());
        JsonNode fx = decodeFixture("fsvae-L16");
        int n = fx.get("input_shape").get(0).asInt();
        int l = fx.get("input_shape").get(1).asInt();
        int t = fx.get("input_shape").get(2).asInt();
        float[] published = floats(fx.get("input")); // (N, L, T)
        float[] timeMajor = new float[published.length];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < l; c++) {
                for (int s = 0; s < t; s++) {
                    timeMajor[(s * n + i) * l + c] = published[(i * l + c) * t + s];
                }
            }
        }
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor z = BE.fromHost(timeMajor, t, n, l);
            float[] images = model.spikingLatent().orElseThrow().decode(z).toHost();
            assertClose(floats(fx.get("output")), images, 1e-3, "FSVAE decode");
        }
    }

    @Test
    void publishedAnnVaeDecodesFixedCodesAsThePublishedModel(@TempDir Path tmp) throws IOException {
        GenerativeModel model = loaded(copy(tmp, "ann-vae-L16"));
        assertTrue(model instanceof AnnVae, "the sidecar names ann-vae");
        assertEquals(16, ((AnnVaeConfig) model.config()).latent());
        JsonNode fx = decodeFixture("ann-vae-L16");
        int n = fx.get("input_shape").get(0).asInt();
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor z = BE.fromHost(floats(fx.get("input")), n, 16);
            float[] images = ((AnnVae) model).decode(z).toHost();
            assertClose(floats(fx.get("output")), images, 1e-3, "ANN VAE decode");
        }
    }

    @Test
    void keysAloneIdentifyTheType(@TempDir Path tmp) throws IOException {
        // Without the sidecar the type and configuration are read off the keys and shapes.
        Path fsvae = copy(tmp, "fsvae-L16");
        Files.delete(tmp.resolve("fsvae-L16.json"));
        Checkpoint.Loaded ck = Checkpoint.load(fsvae);
        assertEquals("fsvae", ck.config().type());
        assertEquals(20, ((FsvaeConfig) ck.config()).settings().k());
        Path ann = copy(tmp, "ann-vae-L16");
        Files.delete(tmp.resolve("ann-vae-L16.json"));
        assertEquals("ann-vae", Checkpoint.load(ann).config().type());
    }
}
