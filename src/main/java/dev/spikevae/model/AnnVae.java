package dev.spikevae.model;

import dev.spikevae.autograd.Ops;
import dev.spikevae.nn.Activation;
import dev.spikevae.nn.BatchNorm;
import dev.spikevae.nn.Conv2d;
import dev.spikevae.nn.ConvTranspose2d;
import dev.spikevae.nn.Linear;
import dev.spikevae.nn.Module;
import dev.spikevae.nn.Sequential;
import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.DType;
import dev.spikevae.tensor.Rng;
import dev.spikevae.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The ANN VAE baseline (docs/reference.md §8.5): the spiking backbone's topology in two dimensions with no time axis
 * (Conv2d 3×3 s2 + BatchNorm2d + LeakyReLU stages down to 2×2, {@code fc_mu} / {@code fc_var} to a Gaussian latent,
 * {@code decoder_input}, ConvTranspose2d stages back up, a last ConvTranspose2d and tanh). Members carry the
 * published names ({@code encoder.0.0.weight}, {@code encoder.0.1.running_mean}, {@code fc_mu.weight}, ...).
 * Loss: {@code MSE(mean) + kld_weight · KLD}, the KL divergence to N(0, I) summed over the latent and averaged over
 * the batch; sampling decodes {@code z ~ N(0, I)}. The latent is reparameterised in evaluation mode too, as published.
 */
public final class AnnVae extends Module implements GenerativeModel {
    private static final int BOTTLENECK = 2;

    /** Replaced once when kld_weight is left to the training data ({@link #onTrainingData}). */
    private AnnVaeConfig config;
    private final Backend backend;
    private final Sequential encoder;
    private final Linear fcMu;
    private final Linear fcVar;
    private final Linear decoderInput;
    private final Sequential decoder;
    private final Sequential finalLayer;
    private final int bottleneckChannels;

    private AnnVae(Backend backend, AnnVaeConfig config, Rng init) {
        this.config = config;
        this.backend = backend;
        int[] hidden = SpikingBackbone.hiddenChannels(config.imageSize());
        float slope = (float) config.settings().leakySlope();
        int latent = config.latent();
        this.bottleneckChannels = hidden[hidden.length - 1];
        int flat = bottleneckChannels * BOTTLENECK * BOTTLENECK;

        this.encoder = addModule("encoder", new Sequential());
        int in = config.inChannels();
        for (int h : hidden) {
            encoder.add(new Sequential(new Conv2d(backend, in, h, 3, 2, 1, true, init), BatchNorm.standard(backend, h),
                    Activation.leakyRelu(slope)));
            in = h;
        }
        this.fcMu = addModule("fc_mu", new Linear(backend, flat, latent, true, init));
        this.fcVar = addModule("fc_var", new Linear(backend, flat, latent, true, init));
        this.decoderInput = addModule("decoder_input", new Linear(backend, latent, flat, true, init));
        this.decoder = addModule("decoder", new Sequential());
        for (int i = hidden.length - 1; i > 0; i--) {
            decoder.add(new Sequential(new ConvTranspose2d(backend, hidden[i], hidden[i - 1], 3, 2, 1, 1, true, init),
                    BatchNorm.standard(backend, hidden[i - 1]), Activation.leakyRelu(slope)));
        }
        this.finalLayer = addModule("final_layer", new Sequential(
                new ConvTranspose2d(backend, hidden[0], hidden[0], 3, 2, 1, 1, true, init),
                BatchNorm.standard(backend, hidden[0]), Activation.leakyRelu(slope),
                new ConvTranspose2d(backend, hidden[0], config.inChannels(), 3, 1, 1, 0, true, init),
                Activation.tanh()));
    }

    /** The small network for {@code imageSize} 32, the large one for 64, initialised from {@code init}. */
    public static AnnVae create(Backend backend, AnnVaeConfig config, Rng init) {
        if (backend == null || config == null || init == null) {
            throw new IllegalArgumentException("AnnVae.create: backend, config and init must be set");
        }
        return new AnnVae(backend, config, init);
    }

    /** A forward pass: reconstructions and the latent Gaussian's mean and log-variance {@code [N, latent]}. */
    public record Output(Tensor reconstruction, Tensor mu, Tensor logVar) implements ModelOutput {
        @Override
        public Map<String, Tensor> monitors() {
            return Map.of();
        }
    }

    @Override
    public String type() {
        return AnnVaeType.NAME;
    }

    @Override
    public AnnVaeConfig config() {
        return config;
    }

    @Override
    public Backend backend() {
        return backend;
    }

    /** Use {@link #forward(Tensor, StepContext)}: the latent is sampled. */
    @Override
    public Tensor forward(Tensor x) {
        throw new UnsupportedOperationException("AnnVae samples its latent: call forward(images, context)");
    }

    @Override
    public Output forward(Tensor images, StepContext context) {
        checkMode(context);
        Tensor[] stats = encode(images);
        Tensor eps = Ops.randn(backend, context.rng(), images.dim(0), config.latent());
        Tensor z = Ops.add(stats[0], Ops.mul(eps, Ops.exp(Ops.scale(stats[1], 0.5f))));
        return new Output(decode(z), stats[0], stats[1]);
    }

    /** The latent Gaussian of images {@code [N, C, H, W]}: {@code {mu, logVar}}, each {@code [N, latent]}. */
    public Tensor[] encode(Tensor images) {
        int c = config.inChannels();
        int s = config.imageSize();
        if (images.rank() != 4 || images.dim(1) != c || images.dim(2) != s || images.dim(3) != s
                || images.dtype() != DType.F32) {
            throw new IllegalArgumentException("AnnVae.encode: images must be f32 [N, " + c + ", " + s + ", " + s
                    + "], got " + images);
        }
        Tensor h = Ops.reshape(encoder.forward(images), images.dim(0), -1);
        return new Tensor[] {fcMu.forward(h), fcVar.forward(h)};
    }

    /** Images {@code [N, C, H, W]} in [-1, 1] from latent codes {@code [N, latent]}. */
    public Tensor decode(Tensor z) {
        if (z.rank() != 2 || z.dim(1) != config.latent()) {
            throw new IllegalArgumentException("AnnVae.decode: z must be [N, " + config.latent() + "], got " + z.shape());
        }
        Tensor h = Ops.reshape(decoderInput.forward(z), z.dim(0), bottleneckChannels, BOTTLENECK, BOTTLENECK);
        return finalLayer.forward(decoder.forward(h));
    }

    /**
     * {@code kld_weight} left out of the spec becomes {@code 1 / batchesPerEpoch}, the published
     * {@code 1 / len(train loader)} (docs/reference.md §8.5); the configuration (and so a checkpoint) then holds the
     * number. An explicit weight stays as it is.
     */
    @Override
    public void onTrainingData(int batchesPerEpoch) {
        if (batchesPerEpoch < 1) {
            throw new IllegalArgumentException("AnnVae.onTrainingData: batches per epoch must be at least 1, got "
                    + batchesPerEpoch);
        }
        if (config.settings().kldWeightAuto()) {
            config = new AnnVaeConfig(config.inChannels(), config.imageSize(),
                    config.settings().withKldWeight(1.0 / batchesPerEpoch));
        }
    }

    /** {@code MSE + kld_weight · KLD}; terms {@code mse} and {@code kld}. */
    @Override
    public Loss loss(ModelOutput output, Tensor images) {
        if (!(output instanceof Output out)) {
            throw new IllegalArgumentException("AnnVae.loss: expected the output of AnnVae.forward, got " + output);
        }
        Tensor mse = Ops.mseLoss(out.reconstruction(), images);
        // KLD = mean_n -1/2 sum_l (1 + log σ² - μ² - σ²)
        Tensor inner = Ops.affine(Ops.sub(Ops.sub(out.logVar(), Ops.square(out.mu())), Ops.exp(out.logVar())), 1f, 1f);
        Tensor kld = Ops.scale(Ops.sum(inner), -0.5f / out.mu().dim(0));
        if (config.settings().kldWeightAuto()) {
            throw new IllegalStateException("ann-vae: kld_weight is left to the training data (1 / batches per training "
                    + "epoch), and no training data has been given (onTrainingData); set model.kld_weight to a number");
        }
        Tensor total = Ops.add(mse, Ops.scale(kld, (float) config.settings().kldWeight()));
        Map<String, Tensor> terms = new LinkedHashMap<>();
        terms.put("mse", mse);
        terms.put("kld", kld);
        return new Loss(total, terms);
    }

    /** {@code n} images decoded from {@code z ~ N(0, I)}. */
    @Override
    public Tensor sample(int n, StepContext context) {
        checkMode(context);
        if (n < 1) {
            throw new IllegalArgumentException("AnnVae.sample: n must be at least 1, got " + n);
        }
        return decode(Ops.randn(backend, context.rng(), n, config.latent()));
    }

    /** One group, as published (AdamW over all parameters). */
    @Override
    public List<ParameterGroup> parameterGroups() {
        return List.of(new ParameterGroup("all", namedParameters(), 1.0));
    }

    @Override
    public void close() {
        release();
    }

    private void checkMode(StepContext context) {
        if (context.training() != isTraining()) {
            throw new IllegalStateException("AnnVae: a " + (context.training() ? "training" : "evaluation")
                    + " step on a model in " + (isTraining() ? "training" : "evaluation") + " mode");
        }
    }
}
