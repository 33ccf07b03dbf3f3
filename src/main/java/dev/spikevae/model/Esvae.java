package dev.spikevae.model;

import dev.spikevae.autograd.Ops;
import dev.spikevae.autograd.Tape;
import dev.spikevae.nn.Activation;
import dev.spikevae.nn.Linear;
import dev.spikevae.nn.Parameter;
import dev.spikevae.nn.Sequential;
import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.DType;
import dev.spikevae.tensor.Rng;
import dev.spikevae.tensor.Shape;
import dev.spikevae.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * ESVAE (docs/reference.md §1.2) for 32×32 images and ESVAE-large (§1.3) for 64×64: a spiking convolutional encoder
 * whose latent spike train {@code x_e} gives the posterior firing rate {@code r_q}; a reparameterisable
 * Bernoulli sampler; a learnable prior rate {@code r_p = sigmoid(W z + b)}, {@code z ~ N(0, I)}; a spiking
 * transposed-convolution decoder read out as the final membrane of a leaky integrator, then tanh.
 *
 * <p>All spiking tensors are time-major ({@code [T, N, ...]}) and every layer is one op over the merged
 * {@code T·N} batch. The members are registered under the reference's names (§13), so {@link #stateDict()}
 * has the reference's keys.
 */
public class Esvae extends SpikingBackbone implements GenerativeModel, SpikingLatent {
    /** The RBF kernels of the MMD: five bandwidths spaced by factors of 2 (docs/reference.md §4). */
    private static final int MMD_KERNELS = 5;
    private static final float MMD_KERNEL_MUL = 2f;

    private final EsvaeConfig config;
    private final Backend backend;
    private final Sequential sampleLayer;
    /** Where forward passes count operations, or null. */
    private OperationCounts counts;

    /** Members are created (and their initial values drawn from {@code init}) in the reference's order. */
    protected Esvae(Backend backend, EsvaeConfig config, Rng init) {
        super(backend, config.inChannels(), config.imageSize(), config.latent(), config.timesteps(), config.lif(),
                config.spikeType(), init);
        this.config = config;
        this.backend = backend;
        int latent = config.latent();
        this.sampleLayer = addModule("sample_layer",
                new Sequential(new Linear(backend, latent, latent, true, init), Activation.sigmoid()));
    }

    /** The small network for {@code imageSize} 32, the large one for 64, initialised from {@code init}. */
    public static Esvae create(Backend backend, EsvaeConfig config, Rng init) {
        if (backend == null || config == null || init == null) {
            throw new IllegalArgumentException("Esvae.create: backend, config and init must be set");
        }
        return new Esvae(backend, config, init);
    }

    @Override
    public String type() {
        return config.type();
    }

    @Override
    public EsvaeConfig config() {
        return config;
    }

    /**
     * What one forward pass produces (time-major spike trains; rates named as in the reference code): the
     * monitored quantities are {@code rate_post} and {@code rate_prior}.
     */
    public record Output(Tensor reconstruction, Tensor ratePosterior, Tensor ratePrior, Tensor latentSpikes,
                         Tensor sampledSpikes) implements ModelOutput {
        @Override
        public Map<String, Tensor> monitors() {
            Map<String, Tensor> m = new LinkedHashMap<>();
            m.put("rate_post", ratePosterior);
            m.put("rate_prior", ratePrior);
            return m;
        }

        /** {@code sampled_latent}: the sampled latent spikes {@code [N, L, T]} (the reference's layout). */
        @Override
        public Map<String, Tensor> maps() {
            return Map.of("sampled_latent", Ops.permute(sampledSpikes, 1, 2, 0));
        }
    }

    /** Use {@link #forward(Tensor, StepContext)}: the model samples, so a forward pass needs a random stream. */
    @Override
    public Tensor forward(Tensor x) {
        throw new UnsupportedOperationException("Esvae samples its latent spikes: call forward(images, context)");
    }

    @Override
    public Output forward(Tensor images, StepContext context) {
        checkMode(context);
        return forward(images, context.rng());
    }

    /**
     * Encodes, draws the prior rates and the latent spikes ({@code z_t = 1[r_q > u_t]}), and decodes. The
     * random draws come from {@code rng} in a fixed order (prior normals, then the sampler's uniforms), so
     * the same stream state gives the same output. Sampling is stochastic in evaluation mode too.
     */
    public Output forward(Tensor images, Rng rng) {
        Encoding encoded = encode(images);
        Tensor ratePrior = priorRates(images.dim(0), rng);
        Tensor sampled = sampleSpikes(encoded.rates(), rng);
        Tensor reconstruction = decode(sampled);
        return new Output(reconstruction, encoded.rates(), ratePrior, encoded.spikes(), sampled);
    }

    /**
     * {@code MSE(mean) + λ · MMD²(r_q, r_p)} (docs/reference.md §4) with the configured λ (the reference's 0.001)
     * and kernel (the reference's five RBFs, or {@code linear}); terms {@code mse} and {@code mmd}.
     */
    @Override
    public Loss loss(ModelOutput output, Tensor images) {
        if (!(output instanceof Output out)) {
            throw new IllegalArgumentException("Esvae.loss: expected the output of Esvae.forward, got " + output);
        }
        Tensor mse = Ops.mseLoss(out.reconstruction(), images);
        Tensor mmd = config.settings().mmdKernel().equals("linear")
                ? linearMmd(out.ratePosterior(), out.ratePrior())
                : Ops.mmd(out.ratePosterior(), out.ratePrior(), MMD_KERNELS, MMD_KERNEL_MUL);
        Tensor total = Ops.add(mse, Ops.scale(mmd, config.lambda()));
        Map<String, Tensor> terms = new LinkedHashMap<>();
        terms.put("mse", mse);
        terms.put("mmd", mmd);
        return new Loss(total, terms);
    }

    @Override
    public Optional<SpikingLatent> spikingLatent() {
        return Optional.of(this);
    }

    /** Posterior rates and the encoder's latent spikes {@code x_e}; deterministic (nothing is sampled before them). */
    @Override
    public Encoding encode(Tensor images, StepContext context) {
        checkMode(context);
        return encode(images);
    }

    /** The spikes the decoder reads: {@code z_t = 1[r_q > u_t]} at the posterior rates. */
    @Override
    public Tensor posteriorSpikes(Tensor images, StepContext context) {
        checkMode(context);
        return sampleSpikes(encode(images).rates(), context.rng());
    }

    /** Posterior firing rates {@code r_q = mean_t x_e} {@code [N, L]} and the latent spikes {@code x_e}. */
    public Encoding encode(Tensor images) {
        int n = images.dim(0);
        Tensor latentSpikes = encoderSpikes(images, "Esvae");
        Tensor rates = Ops.scale(Ops.sumTo(latentSpikes, Shape.of(n, config.latent())), 1f / config.timesteps());
        return new Encoding(rates, latentSpikes);
    }

    /** Decodes time-major latent spikes {@code [T, N, L]} to images {@code [N, C, H, W]} in [-1, 1]. */
    @Override
    public Tensor decode(Tensor spikes) {
        return decodeSpikes(spikes, "Esvae");
    }

    /** Generation (docs/reference.md §3.5): prior rates, sampled spikes, decoder; {@code n} images {@code [n, C, H, W]}. */
    @Override
    public Tensor sample(int n, StepContext context) {
        checkMode(context);
        return sample(n, context.rng());
    }

    /** {@link #sample(int, StepContext)} drawing from {@code rng}. */
    public Tensor sample(int n, Rng rng) {
        return decode(sampleSpikes(priorRates(n, rng), rng));
    }

    /**
     * Prior firing rates {@code r_p = sigmoid(sample_layer(z))} {@code [n, L]} for fresh {@code z ~ N(μ, σ²·I)},
     * {@code μ = 0, σ² = 1} unless the spec's {@code prior_mu} / {@code prior_var} say otherwise.
     */
    public Tensor priorRates(int n, Rng rng) {
        if (n < 1) {
            throw new IllegalArgumentException("Esvae.priorRates: n must be at least 1, got " + n);
        }
        Tensor z = Ops.randn(backend, rng, n, config.latent());
        double mu = config.settings().priorMu();
        double var = config.settings().priorVar();
        if (mu != 0 || var != 1) {
            z = Ops.affine(z, (float) Math.sqrt(var), (float) mu);
        }
        Tensor rates = sampleLayer.forward(z);
        if (counts != null) {
            // the prior's Linear counted like every Linear of the published count: sum(input) · out + numel(output)
            counts.record("sample_layer.0", OperationCounts.sum(z) * config.latent() + rates.numel(), 0);
        }
        return rates;
    }

    @Override
    public boolean countsOperations() {
        return true;
    }

    @Override
    public void countOperations(OperationCounts counts) {
        this.counts = counts;
        // ESVAE-large's first convolution is not marked as the real-valued one in the published code
        countBackboneOperations(counts, !config.large());
    }

    /**
     * Two groups (docs/reference.md §5): {@code backbone} at the base learning rate and the prior
     * {@code sample_layer} at {@code prior_lr_scale} (10) times it.
     */
    @Override
    public List<ParameterGroup> parameterGroups() {
        Map<String, Parameter> prior = new LinkedHashMap<>();
        Map<String, Parameter> rest = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> e : namedParameters().entrySet()) {
            (e.getKey().startsWith("sample_layer.") ? prior : rest).put(e.getKey(), e.getValue());
        }
        return List.of(new ParameterGroup("backbone", rest, 1.0),
                new ParameterGroup("sample_layer", prior, config.priorLrScale()));
    }

    @Override
    public void close() {
        release();
    }

    /**
     * The reparameterisable sampler: {@code [T, N, L]} spikes from rates {@code [N, L]}, stored as f32 (small). The
     * {@code poisson_detached} ablation draws the same spikes with no gradient through them.
     */
    private Tensor sampleSpikes(Tensor rates, Rng rng) {
        if (config.settings().sampler().surrogateGradient()) {
            return Ops.bernoulliSpikes(rates, config.timesteps(), rng, config.samplerHalfWidth(), DType.F32);
        }
        try (Tape.NoGrad detached = Tape.noGrad()) {
            return Ops.bernoulliSpikes(rates, config.timesteps(), rng, config.samplerHalfWidth(), DType.F32);
        }
    }

    /**
     * The published code's {@code linear} MMD: {@code ‖mean_n r_q − mean_n r_p‖²}, the squared distance of the
     * batch means (docs/reference.md §4).
     */
    static Tensor linearMmd(Tensor source, Tensor target) {
        Shape means = Shape.of(1, source.dim(1));
        float inv = 1f / source.dim(0);
        Tensor delta = Ops.sub(Ops.scale(Ops.sumTo(source, means), inv),
                Ops.scale(Ops.sumTo(target, means), 1f / target.dim(0)));
        return Ops.sum(Ops.square(delta));
    }

    private void checkMode(StepContext context) {
        if (context.training() != isTraining()) {
            throw new IllegalStateException("Esvae: a " + (context.training() ? "training" : "evaluation")
                    + " step on a model in " + (isTraining() ? "training" : "evaluation") + " mode");
        }
    }
}
