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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ANN VAE baseline (docs/reference.md §8.5): published names, parameter counts, the loss, sampling, the registry. */
class AnnVaeTest {
    private static final CpuBackend BE = new CpuBackend(2);

    /** The published VanillaVAE(1, 128) state dict, names and shapes as PyTorch prints them. */
    private static final String PUBLISHED_SMALL = """
            encoder.0.0.weight (32, 1, 3, 3)
            encoder.0.0.bias (32,)
            encoder.0.1.weight (32,)
            encoder.0.1.bias (32,)
            encoder.0.1.running_mean (32,)
            encoder.0.1.running_var (32,)
            encoder.0.1.num_batches_tracked ()
            encoder.1.0.weight (64, 32, 3, 3)
            encoder.1.0.bias (64,)
            encoder.1.1.weight (64,)
            encoder.1.1.bias (64,)
            encoder.1.1.running_mean (64,)
            encoder.1.1.running_var (64,)
            encoder.1.1.num_batches_tracked ()
            encoder.2.0.weight (128, 64, 3, 3)
            encoder.2.0.bias (128,)
            encoder.2.1.weight (128,)
            encoder.2.1.bias (128,)
            encoder.2.1.running_mean (128,)
            encoder.2.1.running_var (128,)
            encoder.2.1.num_batches_tracked ()
            encoder.3.0.weight (256, 128, 3, 3)
            encoder.3.0.bias (256,)
            encoder.3.1.weight (256,)
            encoder.3.1.bias (256,)
            encoder.3.1.running_mean (256,)
            encoder.3.1.running_var (256,)
            encoder.3.1.num_batches_tracked ()
            fc_mu.weight (128, 1024)
            fc_mu.bias (128,)
            fc_var.weight (128, 1024)
            fc_var.bias (128,)
            decoder_input.weight (1024, 128)
            decoder_input.bias (1024,)
            decoder.0.0.weight (256, 128, 3, 3)
            decoder.0.0.bias (128,)
            decoder.0.1.weight (128,)
            decoder.0.1.bias (128,)
            decoder.0.1.running_mean (128,)
            decoder.0.1.running_var (128,)
            decoder.0.1.num_batches_tracked ()
            decoder.1.0.weight (128, 64, 3, 3)
            decoder.1.0.bias (64,)
            decoder.1.1.weight (64,)
            decoder.1.1.bias (64,)
            decoder.1.1.running_mean (64,)
            decoder.1.1.running_var (64,)
            decoder.1.1.num_batches_tracked ()
            decoder.2.0.weight (64, 32, 3, 3)
            decoder.2.0.bias (32,)
            decoder.2.1.weight (32,)
            decoder.2.1.bias (32,)
            decoder.2.1.running_mean (32,)
            decoder.2.1.running_var (32,)
            decoder.2.1.num_batches_tracked ()
            final_layer.0.weight (32, 32, 3, 3)
            final_layer.0.bias (32,)
            final_layer.1.weight (32,)
            final_layer.1.bias (32,)
            final_layer.1.running_mean (32,)
            final_layer.1.running_var (32,)
            final_layer.1.num_batches_tracked ()
            final_layer.3.weight (32, 1, 3, 3)
            final_layer.3.bias (1,)
            """;

    static Map<String, Shape> shapes(String listing) {
        Map<String, Shape> out = new TreeMap<>();
        for (String line : listing.strip().split("\n")) {
            String[] parts = line.strip().split(" ", 2);
            String dims = parts[1].replaceAll("[() ]", "");
            int[] d = dims.isEmpty() ? new int[] {1}
                    : Arrays.stream(dims.split(",")).filter(s -> !s.isEmpty()).mapToInt(Integer::parseInt).toArray();
            out.put(parts[0], Shape.of(d));
        }
        return out;
    }

    static Map<String, Shape> shapesOf(GenerativeModel model) {
        Map<String, Shape> out = new TreeMap<>();
        for (Map.Entry<String, Tensor> e : model.stateDict().entrySet()) {
            out.put(e.getKey(), e.getValue().shape());
        }
        return out;
    }

    @Test
    void stateDictHasThePublishedNamesAndShapes() {
        Map<String, Shape> expected = shapes(PUBLISHED_SMALL);
        assertEquals(64, expected.size(), "the listing was parsed whole");
        assertEquals(expected, shapesOf(AnnVae.create(BE, AnnVaeConfig.of(1, 32, 128), new Rng(1))));
    }

    @Test
    void parameterCountsEqualThePublishedModels() {
        // Counted on the published VanillaVAE / VanillaVAELarge with PyTorch.
        assertEquals(1_180_641L, AnnVae.create(BE, AnnVaeConfig.of(1, 32, 128), new Rng(2)).parameterCount(), "MNIST");
        assertEquals(1_181_795L, AnnVae.create(BE, AnnVaeConfig.of(3, 32, 128), new Rng(2)).parameterCount(), "CIFAR-10");
        AnnVae large = AnnVae.create(BE, AnnVaeConfig.of(3, 64, 128), new Rng(2));
        assertEquals(3_937_635L, large.parameterCount(), "CelebA");
        assertEquals(Shape.of(128, 2048), large.stateDict().get("fc_mu.weight").shape());
        assertEquals(Shape.of(512, 256, 3, 3), large.stateDict().get("decoder.0.0.weight").shape());
    }

    @Test
    void lossIsMsePlusWeightedKl() {
        double w = 0.25;
        AnnVae model = AnnVae.create(BE, new AnnVaeConfig(1, 32, AnnVaeSettings.REFERENCE.withLatent(8).withKldWeight(w)),
                new Rng(3));
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor images = TestImages.of(BE, new Rng(4), 3, 1, 32);
            AnnVae.Output out = model.forward(images, StepContext.training(new Rng(5), 1));
            assertEquals(Shape.of(3, 1, 32, 32), out.reconstruction().shape());
            float[] mu = out.mu().toHost();
            float[] lv = out.logVar().toHost();
            double kld = 0;
            for (int i = 0; i < mu.length; i++) {
                kld += -0.5 * (1 + lv[i] - mu[i] * mu[i] - Math.exp(lv[i]));
            }
            kld /= 3;
            float[] x = images.toHost();
            float[] r = out.reconstruction().toHost();
            double mse = 0;
            for (int i = 0; i < x.length; i++) {
                mse += (r[i] - x[i]) * (r[i] - x[i]);
                assertTrue(Math.abs(r[i]) <= 1f, "tanh output");
            }
            mse /= x.length;
            Loss loss = model.loss(out, images);
            assertEquals(kld, loss.terms().get("kld").toHost()[0], 1e-4 * Math.max(1, kld));
            assertEquals(mse, loss.terms().get("mse").toHost()[0], 1e-5);
            assertEquals(mse + w * kld, loss.total().toHost()[0], 1e-4);
        }
    }

    @Test
    void klWeightLeftToTheDataIsOneOverTheBatchesPerEpoch() {
        AnnVaeConfig auto = new AnnVaeConfig(1, 32, AnnVaeSettings.REFERENCE.withLatent(8).withKldWeight(AnnVaeSettings.AUTO));
        AnnVae model = AnnVae.create(BE, auto, new Rng(3));
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor images = TestImages.of(BE, new Rng(4), 3, 1, 32);
            AnnVae.Output out = model.forward(images, StepContext.training(new Rng(5), 1));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> model.loss(out, images));
            assertTrue(e.getMessage().contains("kld_weight"), e.getMessage());
            model.onTrainingData(240);
            assertEquals(1.0 / 240, model.config().settings().kldWeight(), 0);
            Loss loss = model.loss(out, images);
            double mse = loss.terms().get("mse").toHost()[0];
            double kld = loss.terms().get("kld").toHost()[0];
            assertEquals(mse + kld / 240, loss.total().toHost()[0], 1e-5);
            model.onTrainingData(100);
            assertEquals(1.0 / 240, model.config().settings().kldWeight(), 0, "resolved once, then a number");
        }
        AnnVae explicit = AnnVae.create(BE, new AnnVaeConfig(1, 32, AnnVaeSettings.REFERENCE.withLatent(8).withKldWeight(0.5)),
                new Rng(3));
        explicit.onTrainingData(128);
        assertEquals(0.5, explicit.config().settings().kldWeight(), 0, "an explicit weight stays");
        assertThrows(IllegalArgumentException.class, () -> explicit.onTrainingData(0));
    }

    @Test
    void gradientsReachEveryParameterAndTheSamplerIsReparameterised() {
        AnnVae model = AnnVae.create(BE, AnnVaeConfig.of(1, 32, 16), new Rng(6));
        try (MemoryScope scope = MemoryScope.open(); Tape tape = Tape.record()) {
            Tensor images = TestImages.of(BE, new Rng(7), 2, 1, 32);
            tape.backward(model.loss(model.forward(images, StepContext.training(new Rng(8), 1)), images).total());
        }
        for (Map.Entry<String, Parameter> e : model.namedParameters().entrySet()) {
            float[] g = e.getValue().grad().toHost();
            double s = 0;
            for (float v : g) {
                s += Math.abs(v);
            }
            assertTrue(s > 0, "gradient reaches " + e.getKey());
        }
    }

    @Test
    void samplesDecodeStandardNormalsAndFollowTheStream() {
        AnnVae model = AnnVae.create(BE, AnnVaeConfig.of(3, 32, 16), new Rng(9));
        model.train(false);
        try (MemoryScope scope = MemoryScope.open()) {
            float[] a = model.sample(4, StepContext.evaluation(new Rng(10), 0)).toHost();
            float[] b = model.sample(4, StepContext.evaluation(new Rng(10), 0)).toHost();
            Tensor z = dev.spikevae.autograd.Ops.randn(BE, new Rng(10), 4, 16);
            float[] c = model.decode(z).toHost();
            assertEquals(4 * 3 * 32 * 32, a.length);
            assertTrue(Arrays.equals(a, b), "same stream, same samples");
            assertTrue(Arrays.equals(a, c), "a sample is the decoder on z ~ N(0, I) from the stream");
        }
        assertThrows(IllegalStateException.class, () -> model.sample(1, StepContext.training(new Rng(1), 1)));
    }

    @Test
    void registryBuildsItFromSettingsAndReadsPublishedKeys() {
        ModelType t = Models.get("ann-vae");
        ModelConfig c = t.configure(AnnVaeSettings.REFERENCE, 3, 64);
        assertEquals(c, t.configure(t.settingsOf(c), 3, 64));
        GenerativeModel m = t.create(BE, c, new Rng(1));
        assertEquals("ann-vae", m.type());
        assertEquals(1, m.parameterGroups().size());
        Map<String, long[]> published = new TreeMap<>();
        for (Map.Entry<String, Shape> e : shapes(PUBLISHED_SMALL).entrySet()) {
            published.put(e.getKey(), Arrays.stream(e.getValue().dims()).asLongStream().toArray());
        }
        assertEquals(t, Models.recognise(published.keySet()));
        assertEquals(AnnVaeConfig.of(1, 32, 128), t.referenceKeys().infer(published));
        assertThrows(SettingsException.class, () -> new AnnVaeSettings(128, -1, 0.01).validate());
    }
}
