package dev.spikevae.model;

import dev.spikevae.autograd.Tape;
import dev.spikevae.backend.cpu.CpuBackend;
import dev.spikevae.tensor.MemoryScope;
import dev.spikevae.tensor.Rng;
import dev.spikevae.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The settings that only ablations change: the detached sampler, the linear MMD, the prior's noise. */
class EsvaeAblationSettingsTest {
    private static final CpuBackend BE = new CpuBackend(2);
    private static final int N = 4;
    private static final EsvaeSettings BASE = EsvaeSettings.REFERENCE.withLatent(8).withTimesteps(4);

    private static EsvaeSettings with(String sampler, String kernel, double mu, double var, double lambda) {
        return new EsvaeSettings(BASE.latent(), BASE.timesteps(), BASE.spikeStorage(), BASE.neuron(),
                new SamplerSettings(sampler, 0.5), lambda, BASE.priorLrScale(), kernel, mu, var);
    }

    private static Esvae model(EsvaeSettings s) {
        return Esvae.create(BE, new EsvaeConfig(1, 32, s), new Rng(1));
    }

    /** The gradient of the first encoder convolution after one step, and the loss terms. */
    private static float[] encoderGradient(Esvae model, double[] terms) {
        model.zeroGrad();
        try (MemoryScope scope = MemoryScope.open(); Tape tape = Tape.record()) {
            Tensor images = TestImages.of(BE, new Rng(11), N, 1, 32);
            Loss loss = model.loss(model.forward(images, new Rng(3)), images);
            terms[0] = loss.terms().get("mse").toHost()[0];
            terms[1] = loss.terms().get("mmd").toHost()[0];
            tape.backward(loss.total());
        }
        return model.namedParameters().get("encoder.0.weight").grad().toHost();
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
    void theDetachedSamplerDrawsTheSameSpikesButPassesNoGradientToTheEncoder() {
        double[] surrogate = new double[2];
        double[] detached = new double[2];
        // λ = 0: the encoder could learn only through the sampler
        float[] withSurrogate = encoderGradient(model(with("poisson", "rbf", 0, 1, 0)), surrogate);
        float[] withoutSurrogate = encoderGradient(model(with("poisson_detached", "rbf", 0, 1, 0)), detached);
        assertTrue(anyNonZero(withSurrogate), "the reference sampler passes the reconstruction gradient on");
        assertFalse(anyNonZero(withoutSurrogate), "the detached sampler passes nothing on");
        assertEquals(surrogate[0], detached[0], 0.0, "the same draws give the same reconstruction");
        // with λ > 0 the encoder learns from the MMD term alone
        assertTrue(anyNonZero(encoderGradient(model(with("poisson_detached", "rbf", 0, 1, 0.5)), detached)));
    }

    @Test
    void theLinearMmdIsTheSquaredDistanceOfTheBatchMeans() {
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor q = BE.fromHost(new float[] {0, 1, 0.5f, 1, 1, 0.5f}, 2, 3);
            Tensor p = BE.fromHost(new float[] {0, 0, 0.5f, 0, 0, 0.5f, 0, 0.3f, 0.5f}, 3, 3);
            // means (0.5, 1, 0.5) and (0, 0.1, 0.5): 0.25 + 0.81
            assertEquals(1.06, Esvae.linearMmd(q, p).toHost()[0], 1e-6);
        }
        double[] terms = new double[2];
        encoderGradient(model(with("poisson", "linear", 0, 1, 1e-3)), terms);
        double[] rbf = new double[2];
        encoderGradient(model(with("poisson", "rbf", 0, 1, 1e-3)), rbf);
        assertEquals(rbf[0], terms[0], 0.0, "the kernel changes the distance term only");
        assertTrue(terms[1] >= 0 && terms[1] != rbf[1], terms[1] + " vs " + rbf[1]);
    }

    @Test
    void thePriorNoiseHasTheConfiguredMeanAndVariance() {
        try (MemoryScope scope = MemoryScope.open()) {
            Esvae reference = model(with("poisson", "rbf", 0, 1, 1e-3));
            Esvae shifted = model(with("poisson", "rbf", 2, 0.25, 1e-3));
            float[] a = reference.priorRates(N, new Rng(5)).toHost();
            float[] b = shifted.priorRates(N, new Rng(5)).toHost();
            assertEquals(a.length, b.length);
            assertFalse(java.util.Arrays.equals(a, b), "other noise, other rates");
            // b = sigmoid(W z' + bias) with z' = 2 + z/2, z the reference's draws (the prior layer is one Linear)
            float[] z = dev.spikevae.autograd.Ops.randn(BE, new Rng(5), N, BASE.latent()).toHost();
            float[] w = shifted.namedParameters().get("sample_layer.0.weight").value().toHost();
            float[] bias = shifted.namedParameters().get("sample_layer.0.bias").value().toHost();
            int l = BASE.latent();
            float[] byHand = new float[N * l];
            for (int n = 0; n < N; n++) {
                for (int o = 0; o < l; o++) {
                    double acc = bias[o];
                    for (int i = 0; i < l; i++) {
                        acc += w[o * l + i] * (2.0 + 0.5 * z[n * l + i]);
                    }
                    byHand[n * l + o] = (float) (1 / (1 + Math.exp(-acc)));
                }
            }
            assertArrayEquals(byHand, b, 1e-5f);
        }
    }
}
