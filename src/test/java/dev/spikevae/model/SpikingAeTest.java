package dev.spikevae.model;

import dev.spikevae.autograd.Tape;
import dev.spikevae.backend.cpu.CpuBackend;
import dev.spikevae.nn.Parameter;
import dev.spikevae.tensor.MemoryScope;
import dev.spikevae.tensor.Rng;
import dev.spikevae.tensor.Shape;
import dev.spikevae.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The spiking autoencoder (docs/reference.md §6.5): the backbone's names and counts, the latent path, the loss. */
class SpikingAeTest {
    private static final CpuBackend BE = new CpuBackend(2);

    @Test
    void parameterCountsAreTheBackbone() {
        // docs/reference.md §7.4: the FSVAE backbone (L = 128) is exactly this network.
        assertEquals(1_051_745L, SpikingAe.create(BE, SpikingAeConfig.of(1, 32, 128), new Rng(1)).parameterCount());
        assertEquals(1_052_899L, SpikingAe.create(BE, SpikingAeConfig.of(3, 32, 128), new Rng(1)).parameterCount());
        assertEquals(3_679_715L, SpikingAe.create(BE, SpikingAeConfig.of(3, 64, 128), new Rng(1)).parameterCount());
    }

    @Test
    void stateDictIsEsvaesWithoutTheSampleLayer() {
        SpikingAe ae = SpikingAe.create(BE, SpikingAeConfig.of(1, 32, 32), new Rng(1));
        Esvae esvae = Esvae.create(BE, EsvaeConfig.of(1, 32, 32), new Rng(1));
        TreeSet<String> expected = new TreeSet<>(esvae.stateDict().keySet());
        expected.removeIf(k -> k.startsWith("sample_layer."));
        assertEquals(expected, new TreeSet<>(ae.stateDict().keySet()));
        for (String k : expected) {
            assertEquals(esvae.stateDict().get(k).shape(), ae.stateDict().get(k).shape(), k);
        }
        Map<String, long[]> shapes = new TreeMap<>();
        for (Map.Entry<String, Tensor> e : ae.stateDict().entrySet()) {
            shapes.put(e.getKey(), Arrays.stream(e.getValue().shape().dims()).asLongStream().toArray());
        }
        assertEquals(Models.get("spiking-ae"), Models.recognise(shapes.keySet()));
        assertEquals(SpikingAeConfig.of(1, 32, 32), Models.get("spiking-ae").referenceKeys().infer(shapes));
    }

    @Test
    void theDecoderReadsTheEncodersSpikesAndTheLossIsMse() {
        SpikingAeConfig config = new SpikingAeConfig(1, 32, SpikingAeSettings.REFERENCE.withLatent(16).withTimesteps(4));
        SpikingAe model = SpikingAe.create(BE, config, new Rng(2));
        model.train(false);
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor images = TestImages.of(BE, new Rng(3), 3, 1, 32);
            StepContext ctx = StepContext.evaluation(new Rng(4), 0);
            SpikingAe.Output out = model.forward(images, ctx);
            SpikingLatent.Encoding e = model.spikingLatent().orElseThrow().encode(images, ctx);
            assertEquals(Shape.of(4, 3, 16), e.spikes().shape());
            assertArrayEquals(e.spikes().toHost(), out.latentSpikes().toHost());
            assertArrayEquals(model.decode(e.spikes()).toHost(), out.reconstruction().toHost());
            assertArrayEquals(e.spikes().toHost(), model.posteriorSpikes(images, StepContext.evaluation(new Rng(9), 0))
                    .toHost(), "deterministic: no sampling between encoder and decoder");
            float[] x = images.toHost();
            float[] r = out.reconstruction().toHost();
            double mse = 0;
            for (int i = 0; i < x.length; i++) {
                mse += (x[i] - r[i]) * (x[i] - r[i]);
            }
            Loss loss = model.loss(out, images);
            assertEquals(mse / x.length, loss.total().toHost()[0], 1e-5);
            assertEquals(java.util.List.of("mse"), java.util.List.copyOf(loss.terms().keySet()));
        }
    }

    @Test
    void trainingGradientsReachTheEncoder() {
        SpikingAeConfig config = new SpikingAeConfig(1, 32, SpikingAeSettings.REFERENCE.withLatent(16).withTimesteps(4));
        SpikingAe model = SpikingAe.create(BE, config, new Rng(5));
        try (MemoryScope scope = MemoryScope.open(); Tape tape = Tape.record()) {
            Tensor images = TestImages.of(BE, new Rng(6), 4, 1, 32);
            tape.backward(model.loss(model.forward(images, StepContext.training(new Rng(7), 1)), images).total());
        }
        for (String k : new String[] {"encoder.0.weight", "before_latent_layer.weight", "decoder_input.weight",
                "final_layer.1.bias"}) {
            Parameter p = model.namedParameters().get(k);
            double s = 0;
            for (float v : p.grad().toHost()) {
                s += Math.abs(v);
            }
            assertTrue(s > 0, "gradient reaches " + k);
        }
    }
}
