package dev.spikevae.experiment;

import dev.spikevae.model.EsvaeSettings;
import dev.spikevae.model.NeuronSettings;
import dev.spikevae.model.SamplerSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The built-in specs reproduce docs/reference.md §1.4/§5, the learning-quality protocol (docs/reference.md §14) and the digits demo, field by field. */
class BuiltinSpecsTest {

    /** One column of docs/reference.md §1.4 plus the loader settings of §5. */
    record Paper(String name, String dataset, int latent, int batch, double configLr, boolean dropLast) {}

    static Stream<Paper> paperSpecs() {
        return Stream.of(
                new Paper("mnist", "mnist", 32, 256, 0.003, false),
                new Paper("fashion-mnist", "fashion-mnist", 32, 256, 0.003, true),
                new Paper("cifar10", "cifar10", 128, 256, 0.0006, true),
                new Paper("celeba", "celeba", 128, 64, 0.001, false));
    }

    @ParameterizedTest
    @MethodSource("paperSpecs")
    void paperSpecsMatchTheReferenceConfigs(Paper p) {
        ExperimentSpec s = Specs.builtin(p.name());
        assertEquals(p.name(), s.name(), "name defaults to the file name");

        assertEquals("esvae", s.model().type());
        EsvaeSettings m = s.model().settings(EsvaeSettings.class);
        assertEquals(p.latent(), m.latent());
        assertEquals(16, m.timesteps());
        assertEquals("u8", m.spikeStorage());
        assertEquals(NeuronSettings.REFERENCE, m.neuron());
        assertEquals(SamplerSettings.REFERENCE, m.sampler());
        assertEquals(0.001, m.lambda());
        assertEquals(10, m.priorLrScale());

        assertEquals(p.dataset(), s.data().dataset());
        assertNull(s.data().root());
        assertNull(s.data().trainLimit());
        assertNull(s.data().testLimit());
        assertEquals(p.dropLast(), s.data().dropLast());
        assertEquals(2 * p.batch(), s.data().testBatchSize());

        TrainSpec t = s.train();
        assertEquals(300, t.epochs());
        assertEquals(p.batch(), t.batchSize());
        // docs/reference.md §5: the reference silently multiplies its config lr by batch_size / 250.
        assertEquals(p.configLr() * p.batch() / 250, t.lr(), 1e-12);
        assertEquals(1e-3, t.weightDecay());
        assertEquals(0.9, t.beta1());
        assertEquals(0.999, t.beta2());
        assertEquals(1e-8, t.eps());
        assertEquals(128, t.sampleCount());
        assertTrue(t.logEvery() > 0);

        assertEquals(42, s.run().seed());
        assertEquals("auto", s.run().device());
        assertEquals("runs", s.run().output());
        assertEquals(0, s.run().threads());
    }

    @Test
    void effectiveLearningRatesAreTheTableValues() {
        assertEquals(3.072e-3, Specs.builtin("mnist").train().lr());
        assertEquals(3.072e-3, Specs.builtin("fashion-mnist").train().lr());
        assertEquals(6.144e-4, Specs.builtin("cifar10").train().lr());
        assertEquals(2.56e-4, Specs.builtin("celeba").train().lr());
    }

    @Test
    void qualitySpecIsThePerfProtocol() {
        ExperimentSpec q = Specs.builtin("fashion-mnist-quality");
        ExperimentSpec fashion = Specs.builtin("fashion-mnist");
        assertEquals("fashion-mnist-quality", q.name());
        assertEquals("fashion-mnist", q.data().dataset());
        assertEquals(16384, q.data().trainLimit());
        assertEquals(1024, q.data().testLimit());
        assertEquals(1, q.train().epochs());
        assertEquals(32, q.train().batchSize());
        assertEquals(fashion.model(), q.model(), "the Fashion-MNIST model, λ and prior lr scale");
        assertEquals(fashion.train().lr(), q.train().lr());
        assertEquals(fashion.train().weightDecay(), q.train().weightDecay());
        assertEquals(fashion.train().beta1(), q.train().beta1());
        assertEquals(fashion.train().beta2(), q.train().beta2());
        assertEquals(fashion.train().eps(), q.train().eps());
        assertEquals(0, q.data().testLimit() % q.data().testBatchSize(), "whole test batches: batch means = image means");
    }

    @Test
    void digitsDemo() {
        ExperimentSpec d = Specs.builtin("digits");
        assertEquals("digits", d.data().dataset());
        assertEquals(32, d.model().settings(EsvaeSettings.class).latent());
        assertEquals(16, d.model().settings(EsvaeSettings.class).timesteps());
        assertEquals(32, d.train().batchSize());
        assertEquals(3.072e-3, d.train().lr());
        assertEquals(3, d.train().epochs());
        assertTrue(d.data().dropLast());
        assertEquals(100, d.data().testBatchSize());
        assertEquals(64, d.train().sampleCount());
        assertEquals(42, d.run().seed());
    }

    @Test
    void everySpecFileIsABuiltinAndBack() throws IOException {
        List<String> files;
        try (Stream<Path> list = Files.list(Path.of("experiments", "esvae"))) {
            files = list.map(p -> p.getFileName().toString())
                    .filter(f -> f.endsWith(".yaml"))
                    .map(f -> f.substring(0, f.length() - ".yaml".length()))
                    .sorted().collect(Collectors.toList());
        }
        assertEquals(files, Specs.builtinNames().stream().filter(n -> !n.contains("/")).sorted().collect(Collectors.toList()));
        for (String f : files) {
            assertEquals(Specs.builtin(f), Specs.builtin("esvae/" + f), "ESVAE's specs answer to both names");
        }
        for (String name : Specs.builtinNames()) {
            Specs.validate(Specs.builtin(name));
        }
    }

    @Test
    void unknownBuiltinListsTheBuiltins() {
        SpecException e = assertThrows(SpecException.class, () -> Specs.builtin("mnsit"));
        assertTrue(e.getMessage().contains("mnsit"), e.getMessage());
        for (String name : Specs.builtinNames()) {
            assertTrue(e.getMessage().contains(name), e.getMessage());
        }
        assertFalse(e.getMessage().contains("\n"));
    }
}
