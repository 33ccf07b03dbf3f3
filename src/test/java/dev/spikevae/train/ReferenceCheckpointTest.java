package dev.spikevae.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spikevae.autograd.Tape;
import dev.spikevae.backend.cpu.CpuBackend;
import dev.spikevae.model.Esvae;
import dev.spikevae.model.EsvaeConfig;
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
import java.util.Iterator;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The committed fixture is a random-initialised reference state dict with the docs/reference.md §13 keys (FashionMNIST,
 * L = 32), converted by tools/convert_reference_checkpoint.py; tools/make_reference_fixture.py made it and
 * recorded sums and probe values in the reference layout.
 */
class ReferenceCheckpointTest {
    private static final String DIR = "/dev/spikevae/train/";

    static Path fixture(Path tmp) throws IOException {
        for (String f : new String[] {"reference-fashion-L32.safetensors", "reference-fashion-L32.json"}) {
            try (InputStream in = ReferenceCheckpointTest.class.getResourceAsStream(DIR + f)) {
                Files.copy(in, tmp.resolve(f));
            }
        }
        return tmp.resolve("reference-fashion-L32.safetensors");
    }

    @Test
    void convertedReferenceLoadsWithEveryValueInPlace(@TempDir Path tmp) throws IOException {
        Checkpoint.Loaded ck = Checkpoint.load(fixture(tmp));
        assertEquals(1, ck.config().inChannels());
        assertEquals(32, ck.config().imageSize());
        EsvaeConfig config = (EsvaeConfig) ck.config();
        assertEquals(32, config.latent());
        assertEquals(16, config.timesteps());
        Backend be = new CpuBackend(2);
        Esvae model = Esvae.create(be, config, new Rng(5));
        Checkpoint.loadInto(model, ck);
        JsonNode expected;
        try (InputStream in = getClass().getResourceAsStream(DIR + "reference-fashion-L32.expected.json")) {
            expected = new ObjectMapper().readTree(in);
        }
        Map<String, Tensor> state = model.stateDict();
        assertEquals(expected.size(), state.size(), "every reference key (prior/posterior skipped) maps to one tensor");
        for (Iterator<Map.Entry<String, JsonNode>> it = expected.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            Tensor t = state.get(e.getKey());
            assertTrue(t != null, "model has " + e.getKey());
            float[] v = t.toHost();
            double sum = 0;
            for (float f : v) {
                sum += f;
            }
            assertEquals(e.getValue().get("sum").asDouble(), sum, 1e-4 * Math.max(1, Math.abs(sum)), e.getKey() + " sum");
            JsonNode shape = e.getValue().get("shape");
            for (JsonNode probe : e.getValue().get("probes")) {
                // the reference layout only adds axes of size 1, so the flat (row-major) index is the same
                int flat = 0;
                for (int d = 0; d < shape.size(); d++) {
                    flat = flat * shape.get(d).asInt() + probe.get("index").get(d).asInt();
                }
                assertEquals(probe.get("value").asDouble(), v[flat], 1e-7, e.getKey() + " at " + probe.get("index"));
            }
        }
    }

    @Test
    void savedAndReloadedCheckpointGivesIdenticalOutputs(@TempDir Path tmp) throws IOException {
        Checkpoint.Loaded ref = Checkpoint.load(fixture(tmp));
        Backend be = new CpuBackend(2);
        Esvae a = Esvae.create(be, (EsvaeConfig) ref.config(), new Rng(1));
        Checkpoint.loadInto(a, ref);
        Path saved = Checkpoint.save(tmp.resolve("out"), "copy", a, null, null, null);
        Esvae b = Esvae.create(be, (EsvaeConfig) Checkpoint.load(saved).config(), new Rng(2));
        Checkpoint.loadInto(b, Checkpoint.load(saved));
        float[] x = new Rng(3).uniformHost(4 * 32 * 32);
        for (int i = 0; i < x.length; i++) {
            x[i] = 2 * x[i] - 1;
        }
        assertArrayEquals(reconstruct(a, x), reconstruct(b, x));
        assertArrayEquals(reconstruct(a, x), reconstruct(a, x), "same sampler seed, same output");
    }

    static float[] reconstruct(Esvae m, float[] x) {
        m.eval();
        Backend be = m.stateDict().values().iterator().next().backend();
        try (Tape.NoGrad ng = Tape.noGrad(); MemoryScope s = MemoryScope.open()) {
            return m.forward(be.fromHost(x, 4, 1, 32, 32), new Rng(99)).reconstruction().toHost();
        }
    }

    @Test
    void checkpointOfAnotherModelIsRefusedWithTheKeys(@TempDir Path tmp) throws IOException {
        Checkpoint.Loaded ref = Checkpoint.load(fixture(tmp));
        Esvae cifar = Esvae.create(new CpuBackend(1), EsvaeConfig.of(3, 32, 128), new Rng(1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.loadInto(cifar, ref));
        assertTrue(e.getMessage().contains("reference-fashion-L32.safetensors"), e.getMessage());
        assertTrue(e.getMessage().contains("encoder.0.weight") || e.getMessage().contains("before_latent_layer"), e.getMessage());

        Files.writeString(tmp.resolve("reference-fashion-L32.json"), "{\"format_version\": 1, \"model\": \"fsvae\"}");
        IOException other = assertThrows(IOException.class, () -> Checkpoint.load(tmp.resolve("reference-fashion-L32.safetensors")));
        assertTrue(other.getMessage().contains("fsvae"), other.getMessage());
    }

    @Test
    void truncatedOrMissingCheckpointNamesTheFile(@TempDir Path tmp) throws IOException {
        Path ck = fixture(tmp);
        byte[] all = Files.readAllBytes(ck);
        Files.write(ck, java.util.Arrays.copyOf(all, all.length / 2));
        IOException e = assertThrows(IOException.class, () -> Checkpoint.load(ck));
        assertTrue(e.getMessage().contains(ck.getFileName().toString()), e.getMessage());
        IOException missing = assertThrows(IOException.class, () -> Checkpoint.load(tmp.resolve("nope.safetensors")));
        assertTrue(missing.getMessage().contains("nope.safetensors"), missing.getMessage());
    }
}
