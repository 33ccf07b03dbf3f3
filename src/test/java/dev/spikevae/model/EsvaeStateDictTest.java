package dev.spikevae.model;

import dev.spikevae.backend.cpu.CpuBackend;
import dev.spikevae.tensor.Rng;
import dev.spikevae.tensor.Shape;
import dev.spikevae.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checkpoint names and shapes against the reference's state dict (docs/reference.md §13), and parameter counts (§7.4). */
class EsvaeStateDictTest {
    private static final CpuBackend BE = new CpuBackend(1);

    /** docs/reference.md §13, FashionMNIST config (C = 1, L = 32, T = 16), as printed by the reference. */
    private static final String REFERENCE_FASHION = """
            encoder.0.weight (32, 1, 3, 3, 1)
            encoder.0.bias (32,)
            encoder.0.bn.weight (32,)
            encoder.0.bn.bias (32,)
            encoder.0.bn.running_mean (32,)
            encoder.0.bn.running_var (32,)
            encoder.0.bn.num_batches_tracked ()
            encoder.1.weight (64, 32, 3, 3, 1)
            encoder.1.bias (64,)
            encoder.1.bn.weight (64,)
            encoder.1.bn.bias (64,)
            encoder.1.bn.running_mean (64,)
            encoder.1.bn.running_var (64,)
            encoder.1.bn.num_batches_tracked ()
            encoder.2.weight (128, 64, 3, 3, 1)
            encoder.2.bias (128,)
            encoder.2.bn.weight (128,)
            encoder.2.bn.bias (128,)
            encoder.2.bn.running_mean (128,)
            encoder.2.bn.running_var (128,)
            encoder.2.bn.num_batches_tracked ()
            encoder.3.weight (256, 128, 3, 3, 1)
            encoder.3.bias (256,)
            encoder.3.bn.weight (256,)
            encoder.3.bn.bias (256,)
            encoder.3.bn.running_mean (256,)
            encoder.3.bn.running_var (256,)
            encoder.3.bn.num_batches_tracked ()
            before_latent_layer.weight (32, 1024)
            before_latent_layer.bias (32,)
            before_latent_layer.bn.weight (32,)
            before_latent_layer.bn.bias (32,)
            before_latent_layer.bn.running_mean (32,)
            before_latent_layer.bn.running_var (32,)
            before_latent_layer.bn.num_batches_tracked ()
            decoder_input.weight (1024, 32)
            decoder_input.bias (1024,)
            decoder_input.bn.weight (1024,)
            decoder_input.bn.bias (1024,)
            decoder_input.bn.running_mean (1024,)
            decoder_input.bn.running_var (1024,)
            decoder_input.bn.num_batches_tracked ()
            decoder.0.weight (256, 128, 3, 3, 1)
            decoder.0.bias (128,)
            decoder.0.bn.weight (128,)
            decoder.0.bn.bias (128,)
            decoder.0.bn.running_mean (128,)
            decoder.0.bn.running_var (128,)
            decoder.0.bn.num_batches_tracked ()
            decoder.1.weight (128, 64, 3, 3, 1)
            decoder.1.bias (64,)
            decoder.1.bn.weight (64,)
            decoder.1.bn.bias (64,)
            decoder.1.bn.running_mean (64,)
            decoder.1.bn.running_var (64,)
            decoder.1.bn.num_batches_tracked ()
            decoder.2.weight (64, 32, 3, 3, 1)
            decoder.2.bias (32,)
            decoder.2.bn.weight (32,)
            decoder.2.bn.bias (32,)
            decoder.2.bn.running_mean (32,)
            decoder.2.bn.running_var (32,)
            decoder.2.bn.num_batches_tracked ()
            final_layer.0.weight (32, 32, 3, 3, 1)
            final_layer.0.bias (32,)
            final_layer.0.bn.weight (32,)
            final_layer.0.bn.bias (32,)
            final_layer.0.bn.running_mean (32,)
            final_layer.0.bn.running_var (32,)
            final_layer.0.bn.num_batches_tracked ()
            final_layer.1.weight (32, 1, 3, 3, 1)
            final_layer.1.bias (1,)
            membrane_output_layer.coef (1, 1, 1, 1, 16)
            sample_layer.0.weight (32, 32)
            sample_layer.0.bias (32,)
            """;

    /** Reference name to our shape: kernels lose the trailing time axis of 1, the readout coef is [T], scalars are [1]. */
    private static Map<String, Shape> referenceShapes(String listing) {
        Map<String, Shape> out = new TreeMap<>();
        for (String line : listing.strip().split("\n")) {
            String[] parts = line.strip().split(" ", 2);
            String dims = parts[1].replaceAll("[() ]", "");
            int[] d = dims.isEmpty() ? new int[0]
                    : Arrays.stream(dims.split(",")).filter(s -> !s.isEmpty()).mapToInt(Integer::parseInt).toArray();
            if (parts[0].equals("membrane_output_layer.coef")) {
                d = new int[] {d[d.length - 1]};
            } else if (d.length == 5 && d[4] == 1) {
                d = Arrays.copyOf(d, 4);
            } else if (d.length == 0) {
                d = new int[] {1};
            }
            out.put(parts[0], Shape.of(d));
        }
        return out;
    }

    private static Map<String, Shape> ourShapes(Esvae model) {
        Map<String, Shape> out = new TreeMap<>();
        for (Map.Entry<String, Tensor> e : model.stateDict().entrySet()) {
            out.put(e.getKey(), e.getValue().shape());
        }
        return out;
    }

    @Test
    void stateDictHasTheReferenceNamesAndShapes() {
        Esvae model = Esvae.create(BE, EsvaeConfig.of(1, 32, 32), new Rng(1));
        Map<String, Shape> expected = referenceShapes(REFERENCE_FASHION);
        assertEquals(75, expected.size(), "the §13 listing was parsed whole");
        assertEquals(expected, ourShapes(model));
    }

    @Test
    void largeModelAddsAFifthStageOnBothSides() {
        Esvae model = Esvae.create(BE, EsvaeConfig.of(3, 64, 128), new Rng(1));
        Map<String, Shape> ours = ourShapes(model);
        assertEquals(Shape.of(512, 256, 3, 3), ours.get("encoder.4.weight"));
        assertEquals(Shape.of(128, 2048), ours.get("before_latent_layer.weight"));
        assertEquals(Shape.of(2048, 128), ours.get("decoder_input.weight"));
        assertEquals(Shape.of(512, 256, 3, 3), ours.get("decoder.0.weight"));
        assertEquals(Shape.of(64, 32, 3, 3), ours.get("decoder.3.weight"));
        assertEquals(Shape.of(32, 3, 3, 3), ours.get("final_layer.1.weight"));
        TreeSet<String> prefixes = new TreeSet<>();
        for (String k : ours.keySet()) {
            String[] p = k.split("\\.");
            prefixes.add(p[0].equals("encoder") || p[0].equals("decoder") || p[0].equals("final_layer") ? p[0] + "." + p[1]
                    : p[0]);
        }
        assertEquals(new TreeSet<>(Arrays.asList("encoder.0", "encoder.1", "encoder.2", "encoder.3", "encoder.4",
                "before_latent_layer", "decoder_input", "decoder.0", "decoder.1", "decoder.2", "decoder.3", "final_layer.0",
                "final_layer.1", "membrane_output_layer", "sample_layer")), prefixes);
    }

    @Test
    void parameterCountsMatchTheReferenceTotalsUsed() {
        assertEquals(855_905L, Esvae.create(BE, EsvaeConfig.of(1, 32, 32), new Rng(2)).parameterCount(), "Fashion/MNIST");
        assertEquals(1_069_411L, Esvae.create(BE, EsvaeConfig.of(3, 32, 128), new Rng(2)).parameterCount(), "CIFAR10");
        assertEquals(3_696_227L, Esvae.create(BE, EsvaeConfig.of(3, 64, 128), new Rng(2)).parameterCount(), "CelebA");
    }

    @Test
    void priorParametersAreTheSampleLayerGroup() {
        Esvae model = Esvae.create(BE, EsvaeConfig.of(3, 32, 128), new Rng(3));
        List<ParameterGroup> groups = model.parameterGroups();
        assertEquals(List.of("backbone", "sample_layer"), groups.stream().map(ParameterGroup::name).toList());
        long prior = 0;
        for (Map.Entry<String, dev.spikevae.nn.Parameter> e : groups.get(1).parameters().entrySet()) {
            assertTrue(e.getKey().startsWith("sample_layer."), e.getKey());
            prior += e.getValue().numel();
        }
        assertEquals(16_512L, prior, "sample_layer holds L·L + L values (docs/reference.md §7.4)");
        assertEquals(10.0, groups.get(1).lrScale(), "the prior trains at 10× the rate (docs/reference.md §5)");
        assertEquals(1.0, groups.get(0).lrScale());
        assertFalse(groups.get(0).parameters().keySet().stream().anyMatch(k -> k.startsWith("sample_layer.")));
        assertEquals(model.namedParameters().size(), groups.get(0).parameters().size() + groups.get(1).parameters().size(),
                "every parameter in exactly one group");
    }

    @Test
    void initialisationFollowsThePyTorchBoundsAndTheSeed() {
        Esvae a = Esvae.create(BE, EsvaeConfig.of(1, 32, 32), new Rng(4));
        Esvae b = Esvae.create(BE, EsvaeConfig.of(1, 32, 32), new Rng(4));
        Map<String, Tensor> sa = a.stateDict();
        for (Map.Entry<String, Tensor> e : b.stateDict().entrySet()) {
            assertTrue(Arrays.equals(sa.get(e.getKey()).toHost(), e.getValue().toHost()), "same seed, same " + e.getKey());
        }
        // Transposed convolutions take fan-in from weight dimension 1 (out · 9): decoder.0 is 256 -> 128.
        assertMaxAbsWithin(sa.get("decoder.0.weight"), (float) (1 / Math.sqrt(128 * 9)));
        assertMaxAbsWithin(sa.get("encoder.1.weight"), (float) (1 / Math.sqrt(32 * 9)));
        assertMaxAbsWithin(sa.get("decoder_input.weight"), (float) (1 / Math.sqrt(32)));
        float[] coef = sa.get("membrane_output_layer.coef").toHost();
        assertEquals(1f, coef[15]);
        assertEquals(0.8f, coef[14], 1e-7f);
    }

    private static void assertMaxAbsWithin(Tensor t, float bound) {
        float max = 0;
        for (float v : t.toHost()) {
            max = Math.max(max, Math.abs(v));
        }
        assertTrue(max <= bound && max > 0.9f * bound, "max |w| " + max + " for bound " + bound);
    }

    @Test
    void badConfigurationsAreRefusedWithTheFieldNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EsvaeConfig.of(3, 48, 128));
        assertTrue(e.getMessage().contains("48×48") && e.getMessage().contains("64×64"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> EsvaeConfig.of(0, 32, 128));
        assertTrue(e.getMessage().contains("inChannels"), e.getMessage());
        SettingsException s = assertThrows(SettingsException.class, () -> EsvaeConfig.of(1, 32, 32).withTimesteps(0));
        assertEquals("timesteps", s.key());
    }
}
