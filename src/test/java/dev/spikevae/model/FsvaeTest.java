package dev.spikevae.model;

import dev.spikevae.autograd.Ops;
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

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** FSVAE (docs/reference.md §8): published names and counts, the autoregressive latent, scheduled sampling, the loss. */
class FsvaeTest {
    private static final CpuBackend BE = new CpuBackend(2);
    private static final int T = 8;
    private static final int L = 8;
    private static final int K = 5;
    private static final int N = 3;
    private static final FsvaeConfig SMALL = new FsvaeConfig(1, 32,
            FsvaeSettings.REFERENCE.withLatent(L).withTimesteps(T).withK(K));

    /** The published FSVAE state dict (MNIST config: 1 channel, L = 128, k = 20, T = 16), as PyTorch prints it. */
    private static final String PUBLISHED = """
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
            before_latent_layer.weight (128, 1024)
            before_latent_layer.bias (128,)
            before_latent_layer.bn.weight (128,)
            before_latent_layer.bn.bias (128,)
            before_latent_layer.bn.running_mean (128,)
            before_latent_layer.bn.running_var (128,)
            before_latent_layer.bn.num_batches_tracked ()
            prior.initial_input (1, 128, 1)
            prior.layers.0.weight (256, 128)
            prior.layers.0.bias (256,)
            prior.layers.0.bn.weight (256,)
            prior.layers.0.bn.bias (256,)
            prior.layers.0.bn.running_mean (256,)
            prior.layers.0.bn.running_var (256,)
            prior.layers.0.bn.num_batches_tracked ()
            prior.layers.1.weight (512, 256)
            prior.layers.1.bias (512,)
            prior.layers.1.bn.weight (512,)
            prior.layers.1.bn.bias (512,)
            prior.layers.1.bn.running_mean (512,)
            prior.layers.1.bn.running_var (512,)
            prior.layers.1.bn.num_batches_tracked ()
            prior.layers.2.weight (2560, 512)
            prior.layers.2.bias (2560,)
            prior.layers.2.bn.weight (2560,)
            prior.layers.2.bn.bias (2560,)
            prior.layers.2.bn.running_mean (2560,)
            prior.layers.2.bn.running_var (2560,)
            prior.layers.2.bn.num_batches_tracked ()
            posterior.initial_input (1, 128, 1)
            posterior.layers.0.weight (256, 256)
            posterior.layers.0.bias (256,)
            posterior.layers.0.bn.weight (256,)
            posterior.layers.0.bn.bias (256,)
            posterior.layers.0.bn.running_mean (256,)
            posterior.layers.0.bn.running_var (256,)
            posterior.layers.0.bn.num_batches_tracked ()
            posterior.layers.1.weight (512, 256)
            posterior.layers.1.bias (512,)
            posterior.layers.1.bn.weight (512,)
            posterior.layers.1.bn.bias (512,)
            posterior.layers.1.bn.running_mean (512,)
            posterior.layers.1.bn.running_var (512,)
            posterior.layers.1.bn.num_batches_tracked ()
            posterior.layers.2.weight (2560, 512)
            posterior.layers.2.bias (2560,)
            posterior.layers.2.bn.weight (2560,)
            posterior.layers.2.bn.bias (2560,)
            posterior.layers.2.bn.running_mean (2560,)
            posterior.layers.2.bn.running_var (2560,)
            posterior.layers.2.bn.num_batches_tracked ()
            decoder_input.weight (1024, 128)
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
            """;

    /** Published name to our shape: kernels lose the trailing time axis of 1, the readout coef is [T], scalars are [1]. */
    private static Map<String, Shape> publishedShapes() {
        Map<String, Shape> out = new TreeMap<>();
        for (String line : PUBLISHED.strip().split("\n")) {
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

    @Test
    void stateDictHasThePublishedNamesAndShapes() {
        Map<String, Shape> expected = publishedShapes();
        assertEquals(117, expected.size(), "the listing was parsed whole");
        Fsvae model = Fsvae.create(BE, FsvaeConfig.of(1, 32), new Rng(1));
        Map<String, Shape> ours = new TreeMap<>();
        for (Map.Entry<String, Tensor> e : model.stateDict().entrySet()) {
            ours.put(e.getKey(), e.getValue().shape());
        }
        assertEquals(expected, ours);
        Map<String, long[]> dims = new TreeMap<>();
        for (Map.Entry<String, Shape> e : expected.entrySet()) {
            dims.put(e.getKey(), Arrays.stream(e.getValue().dims()).asLongStream().toArray());
        }
        assertEquals(Models.get("fsvae"), Models.recognise(dims.keySet()));
        assertEquals(FsvaeConfig.of(1, 32), Models.get("fsvae").referenceKeys().infer(dims));
    }

    @Test
    void parameterCountsEqualThePublishedOnes() {
        assertEquals(4_053_601L, Fsvae.create(BE, FsvaeConfig.of(1, 32), new Rng(2)).parameterCount(), "MNIST/Fashion");
        assertEquals(4_054_755L, Fsvae.create(BE, FsvaeConfig.of(3, 32), new Rng(2)).parameterCount(), "CIFAR-10");
        assertEquals(6_681_571L, Fsvae.create(BE, FsvaeConfig.of(3, 64), new Rng(2)).parameterCount(), "CelebA");
    }

    @Test
    void scheduledSamplingProbabilityGrowsPerEpoch() {
        Fsvae model = Fsvae.create(BE, SMALL, new Rng(3));
        model.onEpochStart(1, 150);
        assertEquals(0.1, model.scheduledProbability(), 1e-12, "epoch 1 is the published epoch 0");
        model.onEpochStart(76, 150);
        assertEquals(0.2, model.scheduledProbability(), 1e-12);
        model.onEpochStart(150, 150);
        assertEquals(0.1 + 0.2 * 149 / 150, model.scheduledProbability(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> model.onEpochStart(0, 10));
    }

    private static float[] host(Tensor t) {
        return t.toHost();
    }

    @Test
    void evaluationIsTeacherForcedAndRepicksTheSameCandidates() {
        teacherForcedAndSamePicks(SMALL, N);
    }

    @Test
    void samePicksWhenAStepsUniformsDoNotStartOnABlock() {
        // N·L = 15 is not a multiple of 4: one reservation and one re-pick per step.
        teacherForcedAndSamePicks(new FsvaeConfig(1, 32, FsvaeSettings.REFERENCE.withLatent(5).withTimesteps(T).withK(K)), 3);
    }

    private static void teacherForcedAndSamePicks(FsvaeConfig cfg, int batch) {
        final int N = batch;
        final int L = cfg.settings().latent();
        Fsvae model = Fsvae.create(BE, cfg, new Rng(4));
        model.train(false);
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor images = TestImages.of(BE, new Rng(5), N, 1, 32);
            Fsvae.Output out = model.forward(images, StepContext.evaluation(new Rng(6), 0));
            float[] z = host(out.sampled());
            assertEquals(Shape.of(T, N, L), out.sampled().shape());
            for (float v : z) {
                assertTrue(v == 0f || v == 1f, "binary latent");
            }
            // In evaluation the prefix passes see the running statistics, so (LIF being causal) the teacher-forced
            // pass gives the prefix passes' candidates and the same picks give the same z_t for t < T - 1.
            Tensor xe = model.encoderSpikes(images, "test");
            Tensor[] post = model.posteriorSample(xe, new Rng(6));
            assertArrayEquals(z, host(post[0]), "the same stream gives the same sample");
            Tensor zeros = BE.zeros(Shape.of(1, N, L));
            // Teacher forcing: the prior reads (0, z_0 .. z_{T-2}).
            Tensor teacher = Ops.concat(0, zeros, Ops.slice(out.sampled(), 0, 0, T - 1));
            Tensor pz = model.priorNet().forward(teacher);
            Tensor expectPrior = Ops.scale(Ops.reshape(Ops.sumTo(pz, Shape.of(T, N, L, 1)), T, N, L), 1f / K);
            assertArrayEquals(host(expectPrior), host(out.probPrior()), 1e-6f);
            // The posterior's teacher-forced input is (0, z_0 .. z_{T-2}) next to x_e.
            Tensor qz = model.posteriorNet().forward(Ops.concat(2, xe, teacher));
            assertArrayEquals(host(qz), host(post[1]), "the gradient pass reads the sampled prefix");
            model.scheduledProbability(1.0);
            Fsvae.Output again = model.forward(images, StepContext.evaluation(new Rng(6), 0));
            assertArrayEquals(host(out.probPrior()), host(again.probPrior()), "no scheduled sampling in evaluation");
        }
    }

    @Test
    void scheduledSamplingReplacesLaterStepsInTraining() {
        Fsvae model = Fsvae.create(BE, SMALL, new Rng(7));
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor sampled = Ops.step(Ops.rand(BE, new Rng(8), T, N, L), 0.5f);
            model.scheduledProbability(0.0);
            Rng r0 = new Rng(9);
            float[] forced = host(model.priorCandidates(sampled, r0));
            assertEquals(T - 1 - Fsvae.SCHEDULED_FROM, r0.counter(), "one draw for each t in [5, T - 2], as published");
            Tensor teacher = Ops.concat(0, BE.zeros(Shape.of(1, N, L)), Ops.slice(sampled, 0, 0, T - 1));
            assertArrayEquals(host(model.priorNet().forward(teacher)), forced);
            model.scheduledProbability(1.0);
            Rng r1 = new Rng(9);
            float[] scheduled = host(model.priorCandidates(sampled, r1));
            assertTrue(r1.counter() > 0, "p = 1: a draw per step t >= 5 and the noise of each replaced step");
            // Steps up to 5 read only posterior values (inputs 0 .. 5), so with the same batch statistics they agree
            // up to the point where the replaced inputs enter the tdBN statistics; the later steps differ.
            assertFalse(Arrays.equals(forced, scheduled), "replaced steps change the prior's candidates");
        }
    }

    @Test
    void trainingPassesMoveTheRunningStatisticsAsPublished() {
        Fsvae model = Fsvae.create(BE, SMALL.withSettings(SMALL.settings().withScheduled(false)), new Rng(10));
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor images = TestImages.of(BE, new Rng(11), N, 1, 32);
            model.forward(images, StepContext.training(new Rng(12), 1));
        }
        Map<String, Tensor> sd = model.stateDict();
        // T - 1 prefix passes without gradient plus the teacher-forced pass (docs/reference.md §8.2 quirk).
        assertEquals((float) T, sd.get("posterior.layers.0.bn.num_batches_tracked").toHost()[0]);
        assertEquals(1f, sd.get("prior.layers.2.bn.num_batches_tracked").toHost()[0]);
        assertEquals(1f, sd.get("encoder.0.bn.num_batches_tracked").toHost()[0]);
        float[] rm = sd.get("posterior.layers.0.bn.running_mean").toHost();
        assertEquals(2 * L, rm.length);
        boolean moved = false;
        for (float v : rm) {
            moved |= v != 0f;
        }
        assertTrue(moved, "running means moved");
    }

    @Test
    void generationRunsThePriorStepByStep() {
        Fsvae model = Fsvae.create(BE, SMALL, new Rng(13));
        model.train(false);
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor z = model.priorSample(4, new Rng(14));
            assertEquals(Shape.of(T, 4, L), z.shape());
            Rng r = new Rng(14);
            Tensor first = model.priorNet().forward(BE.zeros(Shape.of(1, 4, L)));
            assertArrayEquals(host(Ops.pickOneOfK(first, r)), host(Ops.slice(z, 0, 0, 1)), "z_0 from f_p(0)");
            Tensor prefix = Ops.concat(0, BE.zeros(Shape.of(1, 4, L)), Ops.slice(z, 0, 0, 1));
            Tensor second = Ops.slice(model.priorNet().forward(prefix), 0, 1, 1);
            assertArrayEquals(host(Ops.pickOneOfK(second, r)), host(Ops.slice(z, 0, 1, 1)), "z_1 from f_p(0, z_0)");
            Tensor images = model.sample(4, StepContext.evaluation(new Rng(14), 0));
            assertArrayEquals(host(model.decode(z)), host(images), "sample decodes the prior's spikes");
        }
    }

    @Test
    void lossTermsAndGradients() {
        Fsvae model = Fsvae.create(BE, SMALL, new Rng(15));
        try (MemoryScope scope = MemoryScope.open(); Tape tape = Tape.record()) {
            Tensor images = TestImages.of(BE, new Rng(16), N, 1, 32);
            Fsvae.Output out = model.forward(images, StepContext.training(new Rng(17), 1));
            Loss loss = model.loss(out, images);
            float[] q = host(out.probPosterior());
            float[] p = host(out.probPrior());
            double sum = 0;
            int per = N * L;
            double[] sq = new double[per];
            double[] sp = new double[per];
            for (int t = 0; t < T; t++) {
                for (int i = 0; i < per; i++) {
                    sq[i] += (q[t * per + i] - sq[i]) / 2;
                    sp[i] += (p[t * per + i] - sp[i]) / 2;
                    sum += (sq[i] - sp[i]) * (sq[i] - sp[i]);
                }
            }
            assertEquals(sum / (T * per), loss.terms().get("mmd").toHost()[0], 1e-6);
            assertEquals(loss.terms().get("mse").toHost()[0] + loss.terms().get("mmd").toHost()[0],
                    loss.total().toHost()[0], 1e-6);
            tape.backward(loss.total());
        }
        for (String k : new String[] {"encoder.0.weight", "before_latent_layer.weight", "posterior.layers.0.weight",
                "posterior.layers.2.weight", "prior.layers.2.weight", "decoder_input.weight", "final_layer.1.bias"}) {
            Parameter prm = model.namedParameters().get(k);
            double s = 0;
            for (float v : prm.grad().toHost()) {
                s += Math.abs(v);
            }
            assertTrue(s > 0, "gradient reaches " + k);
        }
    }

    @Test
    void kldAlternative() {
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor q = BE.fromHost(new float[] {0.2f, 0.9f, 0.5f, 0f}, 1, 2, 2);
            Tensor p = BE.fromHost(new float[] {0.5f, 0.5f, 0.1f, 1f}, 1, 2, 2);
            double expect = 0;
            float[] qa = q.toHost();
            float[] pa = p.toHost();
            for (int i = 0; i < 4; i++) {
                expect += qa[i] * Math.log((qa[i] + 0.01) / (pa[i] + 0.01))
                        + (1 - qa[i]) * Math.log((1 - qa[i] + 0.01) / (1 - pa[i] + 0.01));
            }
            assertEquals(expect / 2, Fsvae.bernoulliKl(q, p).toHost()[0], 1e-5, "summed over (L, T), mean over N = 2");
        }
        Fsvae model = Fsvae.create(BE, SMALL.withSettings(SMALL.settings().withDistance("kld")), new Rng(18));
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor images = TestImages.of(BE, new Rng(19), N, 1, 32);
            Loss loss = model.loss(model.forward(images, StepContext.training(new Rng(20), 1)), images);
            assertEquals(loss.terms().get("mse").toHost()[0] + 1e-4 * loss.terms().get("kld").toHost()[0],
                    loss.total().toHost()[0], 1e-6);
        }
    }
}
