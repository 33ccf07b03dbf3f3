package dev.spikevae.nn;

import dev.spikevae.autograd.Ops;
import dev.spikevae.autograd.Tape;
import dev.spikevae.backend.cpu.CpuBackend;
import dev.spikevae.tensor.AdamWParams;
import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.DType;
import dev.spikevae.tensor.LifParams;
import dev.spikevae.tensor.MemoryScope;
import dev.spikevae.tensor.Rng;
import dev.spikevae.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A miniature ESVAE training step (conv + tdBN + LIF encoder, rate, Poisson sampler, learnable prior,
 * MMD, transposed-conv decoder, membrane readout, tanh, AdamW) built from the engine: the same seed
 * gives the same numbers twice, and 1, 2 and 3 threads give the same numbers.
 */
class TrainingStepDeterminismTest {
    private static final int T = 4;
    private static final int N = 6;
    private static final int L = 5;

    static final class MiniVae extends Module {
        final Sequential encoder;
        final Linear latent;
        final TdBatchNorm latentBn;
        final Linear prior;
        final Linear decoderInput;
        final TdBatchNorm decoderBn;
        final ConvTranspose2d decoder;
        final MembraneReadout readout;

        final DType spikeType;

        MiniVae(Backend be, Rng rng, DType spikeType) {
            this.spikeType = spikeType;
            encoder = addModule("encoder", new Sequential(new Conv2d(be, 1, 4, 3, 2, 1, true, rng), new TdBatchNorm(be, 4),
                    new Lif(LifParams.REFERENCE, spikeType)));
            latent = addModule("latent", new Linear(be, 4 * 4 * 4, L, true, rng));
            latentBn = addModule("latent_bn", new TdBatchNorm(be, L));
            prior = addModule("prior", new Linear(be, L, L, true, rng));
            decoderInput = addModule("decoder_input", new Linear(be, L, 4 * 4 * 4, true, rng));
            decoderBn = addModule("decoder_bn", new TdBatchNorm(be, 4 * 4 * 4));
            decoder = addModule("decoder", new ConvTranspose2d(be, 4, 1, 3, 2, 1, 1, true, rng));
            readout = addModule("readout", new MembraneReadout(be, T));
        }

        @Override
        public Tensor forward(Tensor x) {
            throw new UnsupportedOperationException("use loss()");
        }

        Tensor loss(Tensor images, Rng rng) {
            Backend be = images.backend();
            Tensor h = encoder.forward(Ops.repeatTime(images, T)); // [T, N, 4, 4, 4]
            Tensor xe = Ops.lif(latentBn.forward(latent.forward(Ops.reshape(h, T, N, -1))), dev.spikevae.tensor.LifParams.REFERENCE);
            Tensor rate = Ops.scale(Ops.sumTo(xe, dev.spikevae.tensor.Shape.of(N, L)), 1f / T);
            Tensor ratePrior = Ops.sigmoid(prior.forward(Ops.randn(be, rng, N, L)));
            Tensor z = Ops.bernoulliSpikes(rate, T, rng, 0.5f, spikeType);
            Tensor d = decoderBn.forwardLif(decoderInput.forward(z), LifParams.REFERENCE, spikeType);
            Tensor y = decoder.forward(Ops.reshape(d, T, N, 4, 4, 4)); // [T, N, 1, 8, 8]
            Tensor recon = Ops.tanh(readout.forward(y));
            return Ops.add(Ops.mseLoss(recon, images), Ops.scale(Ops.mmd(rate, ratePrior, 5, 2f), 1e-3f));
        }
    }

    /** Two AdamW steps; returns the losses followed by every parameter value. */
    static float[] train(Backend be, long seed) {
        return train(be, seed, DType.F32);
    }

    static float[] train(Backend be, long seed, DType spikeType) {
        Rng rng = new Rng(seed);
        MiniVae model = new MiniVae(be, rng.fork(), spikeType);
        Rng data = rng.fork();
        List<Float> out = new ArrayList<>();
        List<Tensor[]> moments = new ArrayList<>();
        for (Parameter p : model.namedParameters().values()) {
            moments.add(new Tensor[] {be.persistentZeros(p.value().shape()), be.persistentZeros(p.value().shape())});
        }
        float[] pixels = data.uniformHost(N * 8 * 8);
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = 2f * pixels[i] - 1f;
        }
        for (int step = 1; step <= 2; step++) {
            model.zeroGrad();
            try (MemoryScope scope = MemoryScope.open(); Tape tape = Tape.record()) {
                Tensor images = be.fromHost(pixels, N, 1, 8, 8);
                Tensor loss = model.loss(images, rng);
                out.add(loss.item());
                tape.backward(loss);
            }
            int i = 0;
            for (Parameter p : model.namedParameters().values()) {
                Tensor[] mv = moments.get(i++);
                be.adamW(p.value(), p.grad(), mv[0], mv[1], new AdamWParams(3e-3f, 0.9f, 0.999f, 1e-8f, 1e-3f, step));
            }
        }
        for (Tensor t : model.stateDict().values()) {
            for (float v : t.toHost()) {
                out.add(v);
            }
        }
        float[] a = new float[out.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = out.get(i);
        }
        return a;
    }

    @Test
    void sameSeedSameNumbersAndThreadCountInvariant() {
        float[] one = train(new CpuBackend(1), 2024);
        assertTrue(Float.isFinite(one[0]) && one[0] > 0f, "loss " + one[0]);
        assertArrayEquals(one, train(new CpuBackend(1), 2024), "same seed twice");
        for (int threads : new int[] {2, 3}) {
            float[] other = train(new CpuBackend(threads), 2024);
            assertEquals(one.length, other.length);
            for (int i = 0; i < one.length; i++) {
                assertEquals(one[i], other[i], 1e-6f * Math.max(1f, Math.abs(one[i])), "value " + i + " with " + threads
                        + " threads");
            }
        }
        assertArrayEquals(one, train(new CpuBackend(2), 2024, DType.U8), "u8 spikes give the same step");
        float[] otherSeed = train(new CpuBackend(1), 2025);
        assertTrue(otherSeed[0] != one[0], "a different seed changes the loss");
    }
}
