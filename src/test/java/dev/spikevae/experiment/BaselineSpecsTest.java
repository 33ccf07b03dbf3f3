package dev.spikevae.experiment;

import dev.spikevae.backend.cpu.CpuBackend;
import dev.spikevae.data.DataLoader;
import dev.spikevae.model.AnnVaeConfig;
import dev.spikevae.model.AnnVaeSettings;
import dev.spikevae.model.GenerativeModel;
import dev.spikevae.tensor.Rng;
import dev.spikevae.model.FsvaeSettings;
import dev.spikevae.model.NeuronSettings;
import dev.spikevae.model.SpikingAeSettings;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The baselines' built-in specs carry the published settings (docs/reference.md §6.5, §8.4, §8.5) over base: esvae. */
class BaselineSpecsTest {
    private static final CpuBackend BE = new CpuBackend(1);
    private static final List<String> DATASETS = List.of("mnist", "fashion-mnist", "cifar10", "celeba");

    @Test
    void everyBaselineSpecFileIsABuiltin() throws IOException {
        for (String model : List.of("fsvae", "ann-vae", "spiking-ae")) {
            List<String> files;
            try (Stream<Path> list = Files.list(Path.of("experiments", model))) {
                files = list.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".yaml"))
                        .map(f -> model + "/" + f.substring(0, f.length() - ".yaml".length())).sorted()
                        .collect(Collectors.toList());
            }
            assertFalse(files.isEmpty(), model);
            assertEquals(files, Specs.builtinNames().stream().filter(n -> n.startsWith(model + "/")).sorted()
                    .collect(Collectors.toList()), model);
            for (String f : files) {
                ExperimentSpec s = Specs.builtin(f);
                Specs.validate(s);
                assertEquals(model, s.model().type(), f);
                String base = f.substring(model.length() + 1).replace("-quality", "");
                assertEquals(Specs.builtin("esvae/" + base).data().dataset(), s.data().dataset(),
                        f + " takes its data from the ESVAE spec");
            }
        }
    }

    @Test
    void qualitySpecsAreTheProtocol() {
        for (String name : List.of("fsvae/fashion-mnist-quality", "ann-vae/fashion-mnist-quality")) {
            ExperimentSpec s = Specs.builtin(name);
            assertEquals(Integer.valueOf(4096), s.data().trainLimit(), name);
            assertEquals(Integer.valueOf(1024), s.data().testLimit(), name);
            assertEquals(32, s.train().batchSize(), name);
            assertEquals(1, s.train().epochs(), name);
            assertEquals(1e-3, s.train().lr(), 1e-15, name);
        }
        // kld_weight left to the data: 1 / len(train loader) = 1 / (4,096 / 32) once training starts.
        ExperimentSpec ann = Specs.builtin("ann-vae/fashion-mnist-quality");
        assertTrue(ann.model().settings(AnnVaeSettings.class).kldWeightAuto());
        assertEquals(1.0 / 128, trainedWeight(ann, 4096), 1e-15);
    }

    @Test
    void annVaeKlWeightFollowsTrainLimitAndBatchSize() {
        ExperimentSpec s = Specs.builtin("ann-vae/fashion-mnist-quality"); // drop_last: true
        assertEquals(1.0 / 31, trainedWeight(Specs.override(s, List.of("data.train_limit=1000")), 1000), 1e-15,
                "1,000 images, full batches of 32");
        assertEquals(1.0 / 32, trainedWeight(Specs.override(s, List.of("data.train_limit=1000", "data.drop_last=false")),
                1000), 1e-15, "and the last partial one");
        assertEquals(1.0 / 16, trainedWeight(Specs.override(s, List.of("train.batch_size=64", "data.train_limit=1024")),
                1024), 1e-15);
        assertEquals(0.25, trainedWeight(Specs.override(s, List.of("model.kld_weight=0.25")), 4096), 1e-15,
                "an explicit weight stays");
    }

    @Test
    void annVaeKlWeightLeftOutStaysLeftOutInConfigYaml() {
        ExperimentSpec s = Specs.builtin("ann-vae/fashion-mnist-quality");
        String yaml = Specs.toYaml(s);
        assertFalse(yaml.contains("kld_weight"), "left out, it stays out of config.yaml:\n" + yaml);
        assertFalse(yaml.toLowerCase(java.util.Locale.ROOT).contains("nan"), yaml);
        ExperimentSpec back = Specs.fromYaml(yaml, "config.yaml");
        assertTrue(back.model().settings(AnnVaeSettings.class).kldWeightAuto(), "read back: still left to the data");
        assertEquals(1.0 / 128, trainedWeight(back, 4096), 1e-15);

        ExperimentSpec fixed = Specs.override(s, List.of("model.kld_weight=0.25"));
        ExperimentSpec fixedBack = Specs.fromYaml(Specs.toYaml(fixed), "config.yaml");
        assertEquals(0.25, fixedBack.model().settings(AnnVaeSettings.class).kldWeight(), 0, "a number is written");
    }

    /** The KL weight of the spec's model once it is told the batches per epoch of its loader over {@code images}. */
    private static double trainedWeight(ExperimentSpec s, int images) {
        Specs.validate(s);
        try (GenerativeModel model = s.model().modelType().create(BE, s.model().configure(1, 32), new Rng(0))) {
            model.onTrainingData(DataLoader.batchesPerEpoch(images, s.train().batchSize(), s.data().dropLast()));
            return ((AnnVaeConfig) model.config()).settings().kldWeight();
        }
    }

    @Test
    void fsvaeSpecsHaveTheOriginalFsvaeSettings() {
        for (String d : DATASETS) {
            ExperimentSpec s = Specs.builtin("fsvae/" + d);
            FsvaeSettings m = s.model().settings(FsvaeSettings.class);
            assertEquals(128, m.latent(), d);
            assertEquals(16, m.timesteps(), d);
            assertEquals(20, m.k(), d);
            assertEquals("mmd", m.distance(), d);
            assertTrue(m.scheduled(), d);
            assertEquals(NeuronSettings.REFERENCE, m.neuron(), d);
            assertEquals(150, s.train().epochs(), d);
            assertEquals(250, s.train().batchSize(), d);
            assertEquals(1e-3, s.train().lr(), 1e-15, d);
            assertEquals(1e-3, s.train().weightDecay(), 1e-15, d);
            assertEquals(250, s.data().testBatchSize(), d);
        }
    }

    @Test
    void annVaeSpecsWeightTheKlByTheBatchesPerEpoch() {
        int[] images = {60_000, 60_000, 50_000, 162_770};
        for (int i = 0; i < DATASETS.size(); i++) {
            ExperimentSpec s = Specs.builtin("ann-vae/" + DATASETS.get(i));
            AnnVaeSettings m = s.model().settings(AnnVaeSettings.class);
            assertEquals(128, m.latent());
            assertEquals(250, s.train().batchSize());
            assertTrue(m.kldWeightAuto(), DATASETS.get(i) + ": kld_weight left to the data");
            assertEquals(1.0 / Math.ceil(images[i] / 250.0), trainedWeight(s, images[i]), 1e-15, DATASETS.get(i));
            assertEquals(1e-3, s.train().lr(), 1e-15);
            assertEquals(0.01, s.train().weightDecay(), 1e-15);
            assertEquals(150, s.train().epochs());
            assertFalse(s.data().dropLast());
        }
    }

    @Test
    void spikingAeSpecsTrainAsThePublishedScript() {
        for (String d : List.of("mnist", "fashion-mnist", "cifar10")) {
            ExperimentSpec s = Specs.builtin("spiking-ae/" + d);
            SpikingAeSettings m = s.model().settings(SpikingAeSettings.class);
            assertEquals(128, m.latent());
            assertEquals(128, s.train().batchSize());
            assertEquals(1e-3, s.train().lr(), 1e-15);
            assertEquals(0.01, s.train().weightDecay(), 1e-15);
            if (d.equals("cifar10")) {
                assertNull(s.data().trainLimit());
            } else {
                assertEquals(Integer.valueOf(6000), s.data().trainLimit(), "the 10% subset");
            }
        }
    }
}
