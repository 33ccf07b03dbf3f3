package dev.spikevae.model;

import dev.spikevae.autograd.Tape;
import dev.spikevae.backend.cpu.CpuBackend;
import dev.spikevae.tensor.DType;
import dev.spikevae.tensor.MemoryScope;
import dev.spikevae.tensor.Rng;
import dev.spikevae.tensor.Shape;
import dev.spikevae.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Shapes, value ranges, the loss, determinism and batch-norm modes of the ESVAE forward pass. */
class EsvaeForwardTest {
    private static final CpuBackend BE = new CpuBackend(2);
    private static final int T = 4;
    private static final int N = 4;
    private static final int C = 3;
    private static final int L = 16;
    private static final EsvaeConfig SMALL = EsvaeConfig.of(C, 32, L).withTimesteps(T);

    /** Everything an output holds, copied to the host. */
    private record HostOutput(float[] reconstruction, float[] ratePosterior, float[] ratePrior, float[] latentSpikes,
                              float[] sampledSpikes) {
        static HostOutput of(Esvae.Output o) {
            return new HostOutput(o.reconstruction().toHost(), o.ratePosterior().toHost(), o.ratePrior().toHost(),
                    o.latentSpikes().toHost(), o.sampledSpikes().toHost());
        }

        void assertEqualTo(HostOutput other, String what) {
            assertArrayEquals(reconstruction, other.reconstruction, what + ": reconstruction");
            assertArrayEquals(ratePosterior, other.ratePosterior, what + ": posterior rates");
            assertArrayEquals(ratePrior, other.ratePrior, what + ": prior rates");
            assertArrayEquals(latentSpikes, other.latentSpikes, what + ": latent spikes");
            assertArrayEquals(sampledSpikes, other.sampledSpikes, what + ": sampled spikes");
        }
    }

    private static HostOutput forward(Esvae model, Rng rng) {
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor images = TestImages.of(BE, new Rng(11), N, C, 32);
            return HostOutput.of(model.forward(images, rng));
        }
    }

    @Test
    void outputShapesAndValueRanges() {
        Esvae model = Esvae.create(BE, SMALL, new Rng(1));
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor images = TestImages.of(BE, new Rng(11), N, C, 32);
            Esvae.Output out = model.forward(images, new Rng(2));
            assertEquals(Shape.of(N, C, 32, 32), out.reconstruction().shape());
            assertEquals(Shape.of(N, L), out.ratePosterior().shape());
            assertEquals(Shape.of(N, L), out.ratePrior().shape());
            assertEquals(Shape.of(T, N, L), out.latentSpikes().shape());
            assertEquals(Shape.of(T, N, L), out.sampledSpikes().shape());

            for (float v : out.reconstruction().toHost()) {
                assertTrue(v >= -1f && v <= 1f, "reconstruction " + v + " outside [-1, 1]");
            }
            float[] xe = out.latentSpikes().toHost();
            assertBinary(xe, "latent spikes");
            float[] z = out.sampledSpikes().toHost();
            assertBinary(z, "sampled spikes");
            float[] rq = out.ratePosterior().toHost();
            int zeros = 0;
            int ones = 0;
            for (int m = 0; m < N * L; m++) {
                float count = rq[m] * T;
                assertEquals(Math.round(count), count, 1e-5f, "rate " + rq[m] + " is a multiple of 1/T");
                float mean = 0;
                for (int t = 0; t < T; t++) {
                    mean += xe[t * N * L + m];
                }
                assertEquals(mean / T, rq[m], 1e-6f, "rate is the time mean of x_e");
                // z_t = 1[r > u_t] with u in [0, 1): silent for rate 0, always firing for rate 1.
                for (int t = 0; t < T; t++) {
                    if (rq[m] == 0f) {
                        assertEquals(0f, z[t * N * L + m], "a zero rate never fires");
                    } else if (rq[m] == 1f) {
                        assertEquals(1f, z[t * N * L + m], "a rate of one always fires");
                    }
                }
                zeros += rq[m] == 0f ? 1 : 0;
                ones += rq[m] == 1f ? 1 : 0;
            }
            assertTrue(zeros < N * L && ones < N * L, "the latent layer neither all silent nor all saturated");
            for (float r : out.ratePrior().toHost()) {
                assertTrue(r > 0f && r < 1f, "prior rate " + r + " is a sigmoid");
            }
        }
    }

    private static void assertBinary(float[] spikes, String what) {
        for (float s : spikes) {
            assertTrue(s == 0f || s == 1f, what + " must be 0 or 1, got " + s);
        }
    }

    @Test
    void lossIsMsePlusLambdaTimesMmdOfTheReturnedTensors() {
        float lambda = 0.25f;
        Esvae model = Esvae.create(BE, new EsvaeConfig(C, 32, SMALL.settings().withLambda(lambda)), new Rng(1));
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor images = TestImages.of(BE, new Rng(11), N, C, 32);
            Esvae.Output out = model.forward(images, new Rng(3));
            Loss loss = model.loss(out, images);
            float[] x = images.toHost();
            float[] r = out.reconstruction().toHost();
            double sq = 0;
            for (int i = 0; i < x.length; i++) {
                sq += (r[i] - x[i]) * (double) (r[i] - x[i]);
            }
            double mse = sq / x.length;
            double mmd = mmd(out.ratePosterior().toHost(), out.ratePrior().toHost(), N, L);
            assertEquals(List.of("mse", "mmd"), List.copyOf(loss.terms().keySet()), "named terms, in order");
            assertEquals(mse, loss.terms().get("mse").item(), 1e-6 * Math.max(1, mse), "mse");
            assertEquals(mmd, loss.terms().get("mmd").item(), 1e-5 * Math.max(1e-3, mmd), "mmd");
            assertTrue(mmd > 0, "posterior and prior rates differ");
            assertEquals(mse + lambda * mmd, loss.total().item(), 1e-5 * (mse + lambda * mmd), "total");
            assertThrows(IllegalArgumentException.class,
                    () -> new EsvaeConfig(C, 32, SMALL.settings().withLambda(-1)), "λ must be >= 0");
        }
    }

    /** Biased MMD² with five RBF kernels, bandwidths b/4 .. 4b from the mean pairwise distance (docs/reference.md §4). */
    static double mmd(float[] x, float[] y, int n, int l) {
        double[][] z = new double[2 * n][l];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < l; j++) {
                z[i][j] = x[i * l + j];
                z[n + i][j] = y[i * l + j];
            }
        }
        double[][] d = new double[2 * n][2 * n];
        double sum = 0;
        for (int i = 0; i < 2 * n; i++) {
            for (int k = 0; k < 2 * n; k++) {
                double s = 0;
                for (int j = 0; j < l; j++) {
                    s += (z[i][j] - z[k][j]) * (z[i][j] - z[k][j]);
                }
                d[i][k] = s;
                sum += s;
            }
        }
        double base = sum / (4.0 * n * n - 2 * n) / 4;
        double xx = 0;
        double yy = 0;
        double xy = 0;
        for (int i = 0; i < 2 * n; i++) {
            for (int k = 0; k < 2 * n; k++) {
                double kern = 0;
                for (int b = 0; b < 5; b++) {
                    kern += Math.exp(-d[i][k] / (base * Math.pow(2, b)));
                }
                if (i < n && k < n) {
                    xx += kern;
                } else if (i >= n && k >= n) {
                    yy += kern;
                } else {
                    xy += kern;
                }
            }
        }
        return (xx + yy - xy) / ((double) n * n);
    }

    @Test
    void theRandomStreamDecidesTheSamples() {
        Esvae model = Esvae.create(BE, SMALL, new Rng(1));
        HostOutput a = forward(model, new Rng(9, 100));
        forward(model, new Rng(9, 100)).assertEqualTo(a, "same seed and counter");
        HostOutput other = forward(model, new Rng(9, 5000));
        assertArrayEquals(a.ratePosterior(), other.ratePosterior(), "the encoder is deterministic");
        assertFalse(Arrays.equals(a.sampledSpikes(), other.sampledSpikes()), "another counter draws other spikes");
        assertFalse(Arrays.equals(a.ratePrior(), other.ratePrior()), "another counter draws other prior noise");

        Rng stream = new Rng(9, 100);
        forward(model, stream);
        assertTrue(stream.counter() > 100, "a forward pass advances the stream");
        assertFalse(Arrays.equals(a.sampledSpikes(), forward(model, stream).sampledSpikes()),
                "the next pass on the same stream draws new spikes");
    }

    @Test
    void u8SpikeStorageGivesTheSameOutput() {
        HostOutput u8 = forward(Esvae.create(BE, SMALL.withSpikeType(DType.U8), new Rng(1)), new Rng(4));
        HostOutput f32 = forward(Esvae.create(BE, SMALL.withSpikeType(DType.F32), new Rng(1)), new Rng(4));
        u8.assertEqualTo(f32, "u8 vs f32 hidden spikes");
    }

    @Test
    void evaluationUsesAndKeepsTheRunningStatistics() {
        Esvae model = Esvae.create(BE, SMALL, new Rng(1));
        forward(model, new Rng(5)); // training: moves the running statistics away from their initial values
        Map<String, float[]> before = buffers(model);
        model.eval();
        HostOutput evalA = forward(model, new Rng(6));
        Map<String, float[]> after = buffers(model);
        for (Map.Entry<String, float[]> e : before.entrySet()) {
            assertArrayEquals(e.getValue(), after.get(e.getKey()), "evaluation leaves " + e.getKey() + " alone");
        }
        forward(model, new Rng(6)).assertEqualTo(evalA, "evaluation is repeatable");

        model.train(true);
        HostOutput train = forward(model, new Rng(6));
        assertFalse(Arrays.equals(evalA.ratePosterior(), train.ratePosterior())
                        && Arrays.equals(evalA.reconstruction(), train.reconstruction()),
                "training mode normalises with batch statistics instead");
        Map<String, float[]> trained = buffers(model);
        assertFalse(Arrays.equals(after.get("encoder.0.bn.running_mean"), trained.get("encoder.0.bn.running_mean")),
                "training updates the running mean");
        assertEquals(after.get("decoder.0.bn.num_batches_tracked")[0] + 1, trained.get("decoder.0.bn.num_batches_tracked")[0]);
    }

    private static Map<String, float[]> buffers(Esvae model) {
        Map<String, float[]> out = new java.util.TreeMap<>();
        for (Map.Entry<String, Tensor> e : model.namedBuffers().entrySet()) {
            out.put(e.getKey(), e.getValue().toHost());
        }
        return out;
    }

    @Test
    void encodeDecodeAndSampleRecordNothingUnderNoGradInEvaluation() {
        Esvae model = Esvae.create(BE, SMALL, new Rng(1));
        model.eval();
        try (MemoryScope scope = MemoryScope.open(); Tape tape = Tape.record(); Tape.NoGrad off = Tape.noGrad()) {
            Tensor images = TestImages.of(BE, new Rng(11), N, C, 32);
            SpikingLatent.Encoding enc = model.encode(images);
            assertEquals(Shape.of(N, L), enc.rates().shape());
            assertEquals(Shape.of(T, N, L), enc.spikes().shape());
            Tensor recon = model.decode(enc.spikes());
            assertEquals(Shape.of(N, C, 32, 32), recon.shape());
            Tensor samples = model.sample(3, new Rng(12));
            assertEquals(Shape.of(3, C, 32, 32), samples.shape());
            for (float v : samples.toHost()) {
                assertTrue(v >= -1f && v <= 1f && !Float.isNaN(v), "sample value " + v);
            }
            assertEquals(Shape.of(5, L), model.priorRates(5, new Rng(13)).shape());
            assertEquals(0, tape.size(), "nothing recorded");
            assertFalse(recon.requiresGrad());
        }
    }

    @Test
    void largeModelMapsSixtyFourPixelImagesToThemselves() {
        Esvae model = Esvae.create(BE, EsvaeConfig.of(3, 64, 128).withTimesteps(2), new Rng(1));
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor images = TestImages.of(BE, new Rng(11), 2, 3, 64);
            Esvae.Output out = model.forward(images, new Rng(2));
            assertEquals(Shape.of(2, 3, 64, 64), out.reconstruction().shape());
            assertEquals(Shape.of(2, 2, 128), out.sampledSpikes().shape());
            assertEquals(Shape.of(2, 128), out.ratePosterior().shape());
            assertTrue(Float.isFinite(model.loss(out, images).total().item()));
        }
    }

    @Test
    void wrongInputsAreNamed() {
        Esvae model = Esvae.create(BE, SMALL, new Rng(1));
        try (MemoryScope scope = MemoryScope.open()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.forward(BE.zeros(Shape.of(2, 1, 32, 32)), new Rng(1)));
            assertTrue(e.getMessage().contains("[N, 3, 32, 32]") && e.getMessage().contains("[2, 1, 32, 32]"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> model.decode(BE.zeros(Shape.of(T + 1, 2, L))));
            assertTrue(e.getMessage().contains("decode") && e.getMessage().contains("[" + T + ", N, " + L + "]"), e.getMessage());
            assertThrows(UnsupportedOperationException.class, () -> model.forward(BE.zeros(Shape.of(2, 3, 32, 32))));
        }
    }
}
