package dev.spikevae.model;

import dev.spikevae.autograd.Ops;
import dev.spikevae.autograd.Tape;
import dev.spikevae.backend.cpu.CpuBackend;
import dev.spikevae.nn.Parameter;
import dev.spikevae.tensor.MemoryScope;
import dev.spikevae.tensor.Rng;
import dev.spikevae.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * FSVAE's passes without gradient over a growing prefix (docs/reference.md §8.2) computed incrementally
 * ({@link BernoulliNet.Prefix}) against the plain passes of f over the whole prefix: the same outputs, the same picks,
 * the same running statistics and {@code num_batches_tracked}, the same gradients, bit for bit.
 */
class FsvaePrefixPassesTest {
    private static final CpuBackend BE = new CpuBackend(2);

    private static FsvaeConfig config(int latent, int steps, int k) {
        return new FsvaeConfig(1, 32, FsvaeSettings.REFERENCE.withLatent(latent).withTimesteps(steps).withK(k));
    }

    @Test
    void trainingStepsMatchThePlainPassesWithScheduledSampling() {
        trainingSteps(config(8, 10, 5), 3, 0.5);
        trainingSteps(config(8, 10, 5), 3, 1.0);
    }

    @Test
    void trainingStepsMatchWhenAStepsUniformsDoNotStartOnABlock() {
        trainingSteps(config(5, 8, 3), 3, 0.7); // N·L = 15: one reservation per step
    }

    @Test
    void trainingStepsMatchAtThePublishedSizes() {
        // L = 128, k = 20, T = 16 (every FSVAE config), a small batch.
        trainingSteps(FsvaeConfig.of(1, 32), 2, 0.3);
    }

    /** Two training steps (forward, loss, backward) of a model and its copy on the plain passes. */
    private static void trainingSteps(FsvaeConfig cfg, int n, double p) {
        Fsvae fast = Fsvae.create(BE, cfg, new Rng(21));
        Fsvae plain = Fsvae.create(BE, cfg, new Rng(21));
        plain.referencePasses(true);
        fast.scheduledProbability(p);
        plain.scheduledProbability(p);
        for (int step = 0; step < 2; step++) {
            float[][] a = trainingStep(fast, n, step);
            float[][] b = trainingStep(plain, n, step);
            for (int i = 0; i < a.length; i++) {
                assertArrayEquals(b[i], a[i], "output " + i + " of step " + step);
            }
            assertSameState(plain, fast, "after training step " + step);
            for (Map.Entry<String, Parameter> e : plain.namedParameters().entrySet()) {
                Tensor ga = fast.namedParameters().get(e.getKey()).grad();
                Tensor gb = e.getValue().grad();
                assertNotNull(gb, e.getKey());
                assertArrayEquals(gb.toHost(), ga.toHost(), "gradient of " + e.getKey());
            }
            fast.zeroGrad();
            plain.zeroGrad();
        }
        int steps = cfg.settings().timesteps();
        // The quirk kept: T - 1 prefix passes plus the teacher-forced pass per step, two steps.
        assertEquals(2f * steps, fast.stateDict().get("posterior.layers.2.bn.num_batches_tracked").toHost()[0]);
    }

    private static float[][] trainingStep(Fsvae model, int n, int step) {
        try (MemoryScope scope = MemoryScope.open(); Tape tape = Tape.record()) {
            Tensor images = TestImages.of(BE, new Rng(30 + step), n, 1, 32);
            Fsvae.Output out = model.forward(images, StepContext.training(new Rng(40 + step), 1));
            Loss loss = model.loss(out, images);
            tape.backward(loss.total());
            return new float[][] {out.reconstruction().toHost(), out.sampled().toHost(), out.probPosterior().toHost(),
                    out.probPrior().toHost(), loss.total().toHost()};
        }
    }

    @Test
    void evaluationAndGenerationMatchThePlainPasses() {
        FsvaeConfig cfg = config(8, 10, 5);
        Fsvae fast = Fsvae.create(BE, cfg, new Rng(22));
        Fsvae plain = Fsvae.create(BE, cfg, new Rng(22));
        plain.referencePasses(true);
        shiftPriorBiases(fast);
        shiftPriorBiases(plain);
        // One training forward first, so that evaluation reads running statistics that are not the initial ones.
        for (Fsvae m : new Fsvae[] {fast, plain}) {
            try (MemoryScope scope = MemoryScope.open()) {
                m.forward(TestImages.of(BE, new Rng(23), 4, 1, 32), StepContext.training(new Rng(24), 1));
            }
            m.train(false);
        }
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor images = TestImages.of(BE, new Rng(25), 4, 1, 32);
            Fsvae.Output a = fast.forward(images, StepContext.evaluation(new Rng(26), 0));
            Fsvae.Output b = plain.forward(images, StepContext.evaluation(new Rng(26), 0));
            assertArrayEquals(b.sampled().toHost(), a.sampled().toHost(), "posterior sample");
            assertArrayEquals(b.probPosterior().toHost(), a.probPosterior().toHost(), "pi_q");
            assertArrayEquals(b.reconstruction().toHost(), a.reconstruction().toHost(), "reconstruction");
            Tensor za = fast.priorSample(5, new Rng(27));
            Tensor zb = plain.priorSample(5, new Rng(27));
            assertArrayEquals(zb.toHost(), za.toHost(), "generation");
            float sum = 0;
            for (float v : za.toHost()) {
                sum += v;
            }
            assertFalse(sum == 0f, "the prior's sample has spikes");
        }
        assertSameState(plain, fast, "evaluation moves nothing");
    }

    @Test
    void generationInTrainingModeMatchesThePlainPasses() {
        // Generation in the model's mode: in training each pass normalises with its prefix's statistics and moves them.
        FsvaeConfig cfg = config(8, 10, 5);
        Fsvae fast = Fsvae.create(BE, cfg, new Rng(31));
        Fsvae plain = Fsvae.create(BE, cfg, new Rng(31));
        plain.referencePasses(true);
        shiftPriorBiases(fast);
        shiftPriorBiases(plain);
        try (MemoryScope scope = MemoryScope.open()) {
            float[] za = fast.priorSample(6, new Rng(32)).toHost();
            float[] zb = plain.priorSample(6, new Rng(32)).toHost();
            assertArrayEquals(zb, za, "generation");
            float sum = 0;
            for (float v : za) {
                sum += v;
            }
            assertFalse(sum == 0f, "the prior's sample has spikes");
        }
        assertSameState(plain, fast, "after generation in training mode");
    }

    @Test
    void prefixPassesEqualTheNetOverTheWholePrefix() {
        // Direct: each pass's last step against forward over the whole prefix, in training mode (batch statistics of
        // the prefix), with a twin net for the plain passes so that both see the same running statistics.
        FsvaeConfig cfg = config(6, 7, 4);
        Fsvae a = Fsvae.create(BE, cfg, new Rng(28));
        Fsvae b = Fsvae.create(BE, cfg, new Rng(28));
        int n = 3;
        try (MemoryScope scope = MemoryScope.open(); Tape.NoGrad off = Tape.noGrad()) {
            Tensor inputs = Ops.step(Ops.rand(BE, new Rng(29), 7, n, 12), 0.6f);
            BernoulliNet.Prefix passes = a.posteriorNet().new Prefix(7, n);
            for (int t = 0; t < 7; t++) {
                passes.append(Ops.slice(inputs, 0, t, 1));
                Tensor fast = passes.last();
                Tensor plain = Ops.slice(b.posteriorNet().forward(Ops.slice(inputs, 0, 0, t + 1)), 0, t, 1);
                assertArrayEquals(plain.toHost(), fast.toHost(), "pass " + t);
            }
        }
        assertSameState(b, a, "after the passes");
    }

    /** tdBN shifts that make f_p spike from the all-zero first input (a fresh net, with β = 0, stays silent). */
    private static void shiftPriorBiases(Fsvae model) {
        for (int i = 0; i < 3; i++) {
            Tensor beta = model.namedParameters().get("prior.layers." + i + ".bn.bias").value();
            float[] v = new Rng(33 + i).uniformHost(beta.numel());
            for (int j = 0; j < v.length; j++) {
                v[j] = 0.5f * v[j];
            }
            BE.copyFromHost(v, 0, beta);
        }
    }

    private static void assertSameState(Fsvae expected, Fsvae actual, String when) {
        Map<String, Tensor> want = expected.stateDict();
        Map<String, Tensor> got = actual.stateDict();
        assertEquals(want.keySet(), got.keySet());
        for (Map.Entry<String, Tensor> e : want.entrySet()) {
            assertArrayEquals(e.getValue().toHost(), got.get(e.getKey()).toHost(), e.getKey() + " " + when);
        }
    }
}
