package dev.spikevae.model;

import dev.spikevae.autograd.Tape;
import dev.spikevae.backend.cpu.CpuBackend;
import dev.spikevae.nn.Parameter;
import dev.spikevae.tensor.AdamWParams;
import dev.spikevae.tensor.MemoryScope;
import dev.spikevae.tensor.Rng;
import dev.spikevae.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One backward pass and AdamW step: every parameter is reached, and the prior only through the MMD term. */
class EsvaeTrainingStepTest {
    private static final CpuBackend BE = new CpuBackend(2);
    private static final int N = 4;
    private static final EsvaeConfig CONFIG = EsvaeConfig.of(1, 32, 8).withTimesteps(4);

    /** The model with the given λ, its weights drawn from the same stream whatever λ is. */
    private static Esvae model(double lambda) {
        return Esvae.create(BE, new EsvaeConfig(1, 32, CONFIG.settings().withLambda(lambda)), new Rng(1));
    }

    /** Gradients of one step, by parameter name. */
    private static Map<String, float[]> gradients(Esvae model) {
        model.zeroGrad();
        try (MemoryScope scope = MemoryScope.open(); Tape tape = Tape.record()) {
            Tensor images = TestImages.of(BE, new Rng(11), N, 1, 32);
            Loss loss = model.loss(model.forward(images, new Rng(3)), images);
            tape.backward(loss.total());
        }
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> e : model.namedParameters().entrySet()) {
            out.put(e.getKey(), e.getValue().grad().toHost());
        }
        return out;
    }

    private static boolean anyNonZero(float[] a) {
        for (float v : a) {
            if (v != 0f) {
                return true;
            }
        }
        return false;
    }

    @Test
    void theStepReachesEveryParameterAndAdamWMovesThem() {
        Esvae model = model(1e-3);
        Map<String, float[]> grads = gradients(model);
        Map<String, float[]> before = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> e : model.namedParameters().entrySet()) {
            assertTrue(anyNonZero(grads.get(e.getKey())), e.getKey() + " gets a gradient");
            before.put(e.getKey(), e.getValue().value().toHost());
        }
        for (Map.Entry<String, Parameter> e : model.namedParameters().entrySet()) {
            Parameter p = e.getValue();
            float lr = e.getKey().startsWith("sample_layer.") ? 3.072e-2f : 3.072e-3f;
            BE.adamW(p.value(), p.grad(), BE.persistentZeros(p.value().shape()), BE.persistentZeros(p.value().shape()),
                    new AdamWParams(lr, 0.9f, 0.999f, 1e-8f, 1e-3f, 1));
        }
        for (Map.Entry<String, Parameter> e : model.namedParameters().entrySet()) {
            assertFalse(Arrays.equals(before.get(e.getKey()), e.getValue().value().toHost()), e.getKey() + " changed");
        }
        for (float g : gradients(model).get("encoder.0.weight")) {
            assertTrue(Float.isFinite(g), "a second step from the updated weights gives finite gradients");
        }
    }

    @Test
    void thePriorLearnsOnlyFromTheMmd() {
        Esvae model = model(0.5);
        Map<String, float[]> withMmd = gradients(model);
        Map<String, float[]> without = gradients(model(0));
        for (String name : model.namedParameters().keySet()) {
            if (name.startsWith("sample_layer.")) {
                assertTrue(anyNonZero(withMmd.get(name)), name + " gets a gradient when lambda > 0");
                assertFalse(anyNonZero(without.get(name)), name + " gets none when lambda = 0");
            }
        }
        // The decoder does not see the MMD at all: its gradient is the reconstruction term's either way.
        float[] a = withMmd.get("final_layer.1.weight");
        float[] b = without.get("final_layer.1.weight");
        for (int i = 0; i < a.length; i++) {
            assertEquals(a[i], b[i], 1e-6f * Math.max(1f, Math.abs(a[i])), "final_layer.1.weight[" + i + "]");
        }
        assertTrue(anyNonZero(without.get("encoder.0.weight")), "the encoder learns from the reconstruction alone");
    }
}
