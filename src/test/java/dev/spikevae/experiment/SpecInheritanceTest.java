package dev.spikevae.experiment;

import dev.spikevae.model.EsvaeSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code base:} inheritance from built-in specs and files, and older specs that kept λ under train. */
class SpecInheritanceTest {
    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        Path f = dir.resolve(name);
        Files.createDirectories(f.getParent());
        Files.writeString(f, text);
        return f;
    }

    @Test
    void aBuiltinBasePlusTheKeysThatChange() throws IOException {
        ExperimentSpec s = Specs.load(write("mine.yaml", "base: cifar10\ntrain: {epochs: 5}\nmodel: {latent: 64}\n"));
        ExperimentSpec cifar = Specs.builtin("cifar10");
        assertEquals("mine", s.name(), "named after its own file, not the base");
        assertEquals(5, s.train().epochs());
        assertEquals(64, s.model().settings(EsvaeSettings.class).latent());
        assertEquals(cifar.model().settings(EsvaeSettings.class).withLatent(64), s.model().settings());
        assertEquals(cifar.data(), s.data());
        assertEquals(cifar.train().lr(), s.train().lr(), "sections merge key by key");
        assertEquals(cifar.run(), s.run());
        assertFalse(Specs.toYaml(s).contains("base"), "the resolved spec has no base");
    }

    @Test
    void fileBasesAreRelativeToTheSpecAndChain() throws IOException {
        write("common/lab.yaml", "base: fashion-mnist\nrun: {seed: 3, output: lab-runs}\n");
        write("common/short.yaml", "base: lab.yaml\ntrain: {epochs: 2}\n");
        ExperimentSpec s = Specs.load(write("exp/run.yaml", "base: ../common/short.yaml\nmodel: {neuron: {surrogate: atan}}\n"));
        assertEquals(3, s.run().seed());
        assertEquals("lab-runs", s.run().output());
        assertEquals(2, s.train().epochs());
        assertEquals("atan", s.model().settings(EsvaeSettings.class).neuron().surrogate());
        assertEquals(0.25, s.model().settings(EsvaeSettings.class).neuron().decay(), "other neuron keys inherited");
        assertEquals("fashion-mnist", s.data().dataset());
    }

    @Test
    void badBasesAreNamed() throws IOException {
        SpecException e = assertThrows(SpecException.class, () -> Specs.load(write("a.yaml", "base: cifar100\n")));
        assertTrue(e.getMessage().contains("a.yaml:1: base: no built-in spec \"cifar100\""), e.getMessage());
        e = assertThrows(SpecException.class, () -> Specs.load(write("b.yaml", "base: missing.yaml\n")));
        assertTrue(e.getMessage().contains("base: no spec file") && e.getMessage().contains("missing.yaml"), e.getMessage());
        write("c.yaml", "base: d.yaml\n");
        write("d.yaml", "base: c.yaml\n");
        e = assertThrows(SpecException.class, () -> Specs.load(dir.resolve("c.yaml")));
        assertTrue(e.getMessage().contains("a cycle"), e.getMessage());
        e = assertThrows(SpecException.class, () -> Specs.load(write("e.yaml", "base: [1]\n")));
        assertTrue(e.getMessage().contains("base: expected the name of a built-in spec"), e.getMessage());
        write("broken.yaml", "model: {type: esvae\n");
        e = assertThrows(SpecException.class, () -> Specs.load(write("f.yaml", "base: broken.yaml\n")));
        assertTrue(e.getMessage().contains("broken.yaml") && e.getMessage().contains("not valid YAML"), e.getMessage());
        e = assertThrows(SpecException.class, () -> Specs.load(write("g.yaml", "base: digits\nmodel: {latnet: 3}\n")));
        assertTrue(e.getMessage().contains("g.yaml:2: model.latnet: unknown key; valid keys of model are type, latent"),
                e.getMessage());
    }

    @Test
    void specsWithLambdaUnderTrainStillRead() {
        String old = Specs.toYaml(Specs.builtin("digits"))
                .replace("  lambda: 0.001\n", "").replace("  prior_lr_scale: 10.0\n", "")
                .replace("train:\n", "train:\n  lambda: 0.02\n  prior_lr_scale: 5\n");
        assertTrue(old.contains("train:\n  lambda: 0.02"), old);
        ExperimentSpec s = Specs.fromYaml(old, "config.yaml");
        assertEquals(0.02, s.model().settings(EsvaeSettings.class).lambda());
        assertEquals(5.0, s.model().settings(EsvaeSettings.class).priorLrScale());
    }

    @Test
    void overridingTheModelTypeKeepsOnlyKeysTheNewTypeHas() {
        ExperimentSpec s = Specs.override(Specs.builtin("digits"), List.of("model.type=esvae", "model.latent=12"));
        assertEquals(12, s.model().settings(EsvaeSettings.class).latent());
        SpecException e = assertThrows(SpecException.class,
                () -> Specs.override(Specs.builtin("digits"), List.of("model.type=gan")));
        assertTrue(e.getMessage().contains("model.type: unknown value \"gan\"; expected one of esvae"), e.getMessage());
    }
}
