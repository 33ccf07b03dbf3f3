package dev.spikevae.model;

import dev.spikevae.autograd.Ops;
import dev.spikevae.autograd.Tape;
import dev.spikevae.backend.cpu.CpuBackend;
import dev.spikevae.nn.Sequential;
import dev.spikevae.tensor.DType;
import dev.spikevae.tensor.LifParams;
import dev.spikevae.tensor.MemoryScope;
import dev.spikevae.tensor.Rng;
import dev.spikevae.tensor.Shape;
import dev.spikevae.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The first encoder layer convolves each image once and repeats the result over time; that must give what
 * convolving the T-times repeated input gives (the reference's direct encoding): spikes, running statistics
 * and every parameter gradient.
 */
class FirstConvOnceTest {
    private static final CpuBackend BE = new CpuBackend(2);
    private static final int T = 4;
    private static final int N = 3;
    private static final int C = 3;
    private static final int OUT = 8;
    private static final int SIZE = 16;

    private record Result(float[] spikes, float[] dWeight, float[] dBias, float[] dGamma, float[] dBeta, float[] runningMean,
                          float[] runningVar) {
    }

    private static Result run(boolean once, boolean training, DType spikeType) {
        TdConv layer = new TdConv(BE, C, OUT, 3, 2, 1, new TdLayer.Neurons(LifParams.REFERENCE, spikeType), new Rng(5));
        layer.train(training);
        // A larger tdBN gain, so that the fresh running statistics of evaluation mode also make neurons fire.
        BE.fill(layer.bn().weight().value(), 5f);
        Rng data = new Rng(6);
        float[] pixels = TestImages.pixels(data, N, C, SIZE);
        float[] gradOut = data.uniformHost(T * N * OUT * (SIZE / 2) * (SIZE / 2));
        for (int i = 0; i < gradOut.length; i++) {
            gradOut[i] -= 0.5f;
        }
        try (MemoryScope scope = MemoryScope.open(); Tape tape = Tape.record()) {
            Tensor images = BE.fromHost(pixels, N, C, SIZE, SIZE);
            Tensor spikes = once ? layer.forwardRepeated(images, T) : layer.forward(Ops.repeatTime(images, T));
            assertEquals(spikeType, spikes.dtype());
            tape.backward(spikes, BE.fromHost(gradOut, spikes.shape().dims()));
            return new Result(spikes.toHost(), layer.weight().grad().toHost(), layer.bias().grad().toHost(),
                    layer.bn().weight().grad().toHost(), layer.bn().bias().grad().toHost(), layer.bn().runningMean().toHost(),
                    layer.bn().runningVar().toHost());
        }
    }

    @Test
    void convolvingOnceEqualsConvolvingEveryStep() {
        for (DType spikeType : new DType[] {DType.F32, DType.U8}) {
            for (boolean training : new boolean[] {true, false}) {
                String what = spikeType + (training ? " training" : " eval");
                Result naive = run(false, training, spikeType);
                Result once = run(true, training, spikeType);
                float fired = 0;
                for (float s : naive.spikes()) {
                    fired += s;
                }
                assertTrue(fired > 0 && fired < naive.spikes().length, "some but not all neurons fire: " + what);
                assertArrayEquals(naive.spikes(), once.spikes(), what + ": spikes");
                assertClose(naive.runningMean(), once.runningMean(), what + ": running mean");
                assertClose(naive.runningVar(), once.runningVar(), what + ": running var");
                assertClose(naive.dWeight(), once.dWeight(), what + ": weight gradient");
                // In training mode tdBN removes the channel mean, so the bias gradient is a sum that cancels to
                // rounding noise: compare it on the scale of the weight gradient, whose terms it sums.
                assertClose(naive.dBias(), once.dBias(), Math.max(maxAbs(naive.dBias()), maxAbs(naive.dWeight())),
                        what + ": bias gradient");
                assertClose(naive.dGamma(), once.dGamma(), what + ": tdBN weight gradient");
                assertClose(naive.dBeta(), once.dBeta(), what + ": tdBN bias gradient");
                assertTrue(maxAbs(once.dWeight()) > 0f, what + ": the weight gets a gradient");
            }
        }
    }

    /** Rates and the first layer's weight gradient of the model's encoder, or of the naive T-times encoder. */
    private static float[][] encode(boolean naive) {
        Esvae model = Esvae.create(BE, EsvaeConfig.of(C, 32, 8).withTimesteps(T), new Rng(7));
        Sequential encoder = (Sequential) model.children().get("encoder");
        TdLinear latent = (TdLinear) model.children().get("before_latent_layer");
        Rng data = new Rng(8);
        float[] pixels = TestImages.pixels(data, N, C, 32);
        float[] gradRates = data.uniformHost(N * 8);
        try (MemoryScope scope = MemoryScope.open(); Tape tape = Tape.record()) {
            Tensor images = BE.fromHost(pixels, N, C, 32, 32);
            Tensor rates;
            if (naive) {
                Tensor h = encoder.forward(Ops.repeatTime(images, T));
                Tensor xe = latent.forward(Ops.reshape(h, T, N, -1));
                rates = Ops.scale(Ops.sumTo(xe, Shape.of(N, 8)), 1f / T);
            } else {
                rates = model.encode(images).rates();
            }
            tape.backward(rates, BE.fromHost(gradRates, N, 8));
            TdConv first = (TdConv) encoder.get(0);
            return new float[][] {rates.toHost(), first.weight().grad().toHost(), first.bn().runningVar().toHost()};
        }
    }

    @Test
    void theModelsEncoderEqualsTheNaiveOne() {
        float[][] naive = encode(true);
        float[][] once = encode(false);
        assertArrayEquals(naive[0], once[0], "posterior rates");
        assertTrue(maxAbs(naive[1]) > 0f, "the first layer gets a gradient");
        assertClose(naive[1], once[1], "first layer weight gradient");
        assertClose(naive[2], once[2], "first layer running variance");
    }

    /** Equal up to float rounding: the two paths sum the same terms in different orders. */
    private static void assertClose(float[] expected, float[] actual, String what) {
        assertClose(expected, actual, Math.max(1e-3f, maxAbs(expected)), what);
    }

    private static void assertClose(float[] expected, float[] actual, float scale, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-5f * scale, what + " [" + i + "]");
        }
    }

    private static float maxAbs(float[] a) {
        float m = 0;
        for (float v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }
}
