package dev.spikevae.bench;

import dev.spikevae.autograd.Ops;
import dev.spikevae.autograd.Tape;
import dev.spikevae.nn.Conv2d;
import dev.spikevae.nn.ConvTranspose2d;
import dev.spikevae.nn.Linear;
import dev.spikevae.nn.MembraneReadout;
import dev.spikevae.nn.Module;
import dev.spikevae.nn.Parameter;
import dev.spikevae.nn.TdBatchNorm;
import dev.spikevae.tensor.AdamWParams;
import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.DType;
import dev.spikevae.tensor.LifParams;
import dev.spikevae.tensor.MemoryScope;
import dev.spikevae.tensor.Rng;
import dev.spikevae.tensor.Shape;
import dev.spikevae.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * The ESVAE network of ESVAE-SPEC §1.2 (32 x 32 inputs: four strided tdConv+tdBN+LIF encoder layers, a
 * latent tdLinear+tdBN+LIF, the Poisson sampler with a learnable sigmoid prior and MMD, a tdLinear
 * decoder input, five transposed convolutions, membrane readout and tanh) built from the {@code nn}
 * layers, with u8 spikes. It stands in for {@code dev.spikevae.model.Esvae} in the GPU benchmark and the
 * CPU/GPU training-step parity test until that model lands; then both should switch to it.
 */
public final class EsvaeShapedNet extends Module {
    private static final LifParams LIF = LifParams.REFERENCE;
    private static final int[] ENCODER = {32, 64, 128, 256};

    private final int steps;
    private final int latent;
    private final List<Conv2d> encoder = new ArrayList<>();
    private final List<TdBatchNorm> encoderBn = new ArrayList<>();
    private final Linear beforeLatent;
    private final TdBatchNorm latentBn;
    private final Linear prior;
    private final Linear decoderInput;
    private final TdBatchNorm decoderInputBn;
    private final List<ConvTranspose2d> decoder = new ArrayList<>();
    private final List<TdBatchNorm> decoderBn = new ArrayList<>();
    private final ConvTranspose2d output;
    private final MembraneReadout readout;
    private final List<Tensor[]> moments = new ArrayList<>();
    private int adamSteps;

    /** inChannels 3 and latent 128 for CIFAR-10, 1 and 32 for MNIST; images are 32 x 32. */
    public EsvaeShapedNet(Backend be, int inChannels, int latent, int steps, Rng rng) {
        this.steps = steps;
        this.latent = latent;
        int c = inChannels;
        for (int i = 0; i < ENCODER.length; i++) {
            encoder.add(addModule("encoder" + i, new Conv2d(be, c, ENCODER[i], 3, 2, 1, true, rng)));
            encoderBn.add(addModule("encoder_bn" + i, new TdBatchNorm(be, ENCODER[i])));
            c = ENCODER[i];
        }
        beforeLatent = addModule("before_latent", new Linear(be, 256 * 2 * 2, latent, true, rng));
        latentBn = addModule("latent_bn", new TdBatchNorm(be, latent));
        prior = addModule("prior", new Linear(be, latent, latent, true, rng));
        decoderInput = addModule("decoder_input", new Linear(be, latent, 256 * 2 * 2, true, rng));
        decoderInputBn = addModule("decoder_input_bn", new TdBatchNorm(be, 256 * 2 * 2));
        int[] dec = {128, 64, 32, 32};
        c = 256;
        for (int i = 0; i < dec.length; i++) {
            decoder.add(addModule("decoder" + i, new ConvTranspose2d(be, c, dec[i], 3, 2, 1, 1, true, rng)));
            decoderBn.add(addModule("decoder_bn" + i, new TdBatchNorm(be, dec[i])));
            c = dec[i];
        }
        output = addModule("final", new ConvTranspose2d(be, 32, inChannels, 3, 1, 1, 0, true, rng));
        readout = addModule("readout", new MembraneReadout(be, steps));
        for (Parameter p : namedParameters().values()) {
            moments.add(new Tensor[] {be.persistentZeros(p.value().shape()), be.persistentZeros(p.value().shape())});
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        throw new UnsupportedOperationException("EsvaeShapedNet: use loss(images, rng)");
    }

    /** Reconstruction MSE plus 0.001 MMD² of the images {@code [N, C, 32, 32]} in [-1, 1]. */
    public Tensor loss(Tensor images, Rng rng) {
        Backend be = images.backend();
        int n = images.dim(0);
        Tensor h = Ops.repeatTime(images, steps);
        for (int i = 0; i < encoder.size(); i++) {
            h = encoderBn.get(i).forwardLif(encoder.get(i).forward(h), LIF, DType.U8);
        }
        Tensor xe = latentBn.forwardLif(beforeLatent.forward(Ops.reshape(h, steps, n, -1)), LIF);
        Tensor rate = Ops.scale(Ops.sumTo(xe, Shape.of(n, latent)), 1f / steps);
        Tensor ratePrior = Ops.sigmoid(prior.forward(Ops.randn(be, rng, n, latent)));
        Tensor z = Ops.bernoulliSpikes(rate, steps, rng, 0.5f, DType.U8);
        Tensor d = decoderInputBn.forwardLif(decoderInput.forward(z), LIF, DType.U8);
        d = Ops.reshape(d, steps, n, 256, 2, 2);
        for (int i = 0; i < decoder.size(); i++) {
            d = decoderBn.get(i).forwardLif(decoder.get(i).forward(d), LIF, DType.U8);
        }
        Tensor recon = Ops.tanh(readout.forward(output.forward(d)));
        return Ops.add(Ops.mseLoss(recon, images), Ops.scale(Ops.mmd(rate, ratePrior, 5, 2f), 1e-3f));
    }

    /** One training step (forward, backward, AdamW with the FashionMNIST settings); returns the loss tensor's value. */
    public float trainStep(float[] pixels, int batch, int inChannels, Rng rng, boolean readLoss) {
        Backend be = moments.get(0)[0].backend();
        zeroGrad();
        float value = Float.NaN;
        try (MemoryScope scope = MemoryScope.open(); Tape tape = Tape.record()) {
            Tensor images = be.fromHost(pixels, batch, inChannels, 32, 32);
            Tensor loss = loss(images, rng);
            if (readLoss) {
                value = loss.item();
            }
            tape.backward(loss);
        }
        adamSteps++;
        int i = 0;
        for (Parameter p : namedParameters().values()) {
            Tensor[] mv = moments.get(i++);
            if (p.grad() != null) {
                be.adamW(p.value(), p.grad(), mv[0], mv[1], new AdamWParams(3.072e-3f, 0.9f, 0.999f, 1e-8f, 1e-3f, adamSteps));
            }
        }
        return value;
    }
}
