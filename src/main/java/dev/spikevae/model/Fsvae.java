package dev.spikevae.model;

import dev.spikevae.autograd.Ops;
import dev.spikevae.autograd.Tape;
import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.MemoryScope;
import dev.spikevae.tensor.Rng;
import dev.spikevae.tensor.Shape;
import dev.spikevae.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * FSVAE (docs/reference.md §8): the spiking backbone ({@link SpikingBackbone}) with an autoregressive Bernoulli latent.
 *
 * <p><b>Posterior.</b> f_q ({@code posterior.*}) reads {@code [x_e,t ; z_{t−1}]} ({@code z_{−1} = 0}); z_t is one of
 * the k candidate spikes of each channel at step t, picked uniformly at random, and the gradient flows through the
 * picked spike. As published, the picks are drawn in T − 1 passes without gradient over the growing prefix, then f_q
 * runs once with gradient over the whole teacher-forced sequence and the same candidates are picked again (a fresh
 * pick at the last step).
 *
 * <p><b>Prior.</b> f_p ({@code prior.*}) reads {@code (0, z_0 … z_{T−2})} of the detached posterior sample. In training,
 * with scheduled sampling on, each step t ≥ 5 is replaced with probability p (set per epoch by
 * {@link #onEpochStart}) by the prior's own thresholded prediction {@code 1[mean_k f_p(prefix)_t + 1e-3·N(0,1) > 0.5]},
 * computed in a pass without gradient over the prefix. In evaluation it is teacher-forced.
 *
 * <p><b>tdBN statistics.</b> The passes without gradient run in the model's mode, exactly as published: in training
 * they normalise with the prefix's own batch statistics and each moves the running statistics (and
 * {@code num_batches_tracked}) of f_q or f_p, which is what evaluation later normalises with (docs/reference.md §8.2).
 *
 * <p><b>Generation.</b> From {@code z = 0}, f_p runs on the prefix at every step and one candidate per channel is
 * picked; the decoder reads {@code z_0 … z_{T−1}}.
 *
 * <p><b>Loss.</b> {@code MSE + mean((PSP(π_q) − PSP(π_p))²)} (τ_s = 2) with π the mean over the k candidates, or with
 * {@code distance: kld} {@code MSE + 1e-4 · KL}, the smoothed Bernoulli KL summed over (L, T) and averaged over the batch.
 */
public final class Fsvae extends SpikingBackbone implements GenerativeModel, SpikingLatent {
    /** Steps before which the prior is never fed its own prediction. */
    static final int SCHEDULED_FROM = 5;
    static final double P_START = 0.1;
    static final double P_GROWTH = 0.2;
    private static final float PSP_DECAY = 0.5f;
    private static final float KLD_SMOOTHING = 0.01f;

    private final FsvaeConfig config;
    private final BernoulliNet prior;
    private final BernoulliNet posterior;
    private double scheduledProbability;
    private boolean referencePasses;

    private Fsvae(Backend backend, FsvaeConfig config, Rng init) {
        super(backend, config.inChannels(), config.imageSize(), config.settings().latent(), config.settings().timesteps(),
                config.settings().neuron().lif(), config.spikeType(), init);
        this.config = config;
        FsvaeSettings s = config.settings();
        this.prior = addModule("prior", new BernoulliNet(backend, s.latent(), s.latent(), s.k(), s.neuron().lif(), init));
        this.posterior = addModule("posterior",
                new BernoulliNet(backend, 2 * s.latent(), s.latent(), s.k(), s.neuron().lif(), init));
        this.scheduledProbability = P_START;
    }

    public static Fsvae create(Backend backend, FsvaeConfig config, Rng init) {
        if (backend == null || config == null || init == null) {
            throw new IllegalArgumentException("Fsvae.create: backend, config and init must be set");
        }
        return new Fsvae(backend, config, init);
    }

    /**
     * A forward pass: reconstructions, the posterior sample {@code z} {@code [T, N, L]}, and the posterior and prior
     * Bernoulli probabilities {@code π_q}, {@code π_p} {@code [T, N, L]} (means over the k candidates).
     */
    public record Output(Tensor reconstruction, Tensor sampled, Tensor probPosterior, Tensor probPrior)
            implements ModelOutput {
        @Override
        public Map<String, Tensor> monitors() {
            Map<String, Tensor> m = new LinkedHashMap<>();
            m.put("rate_post", probPosterior);
            m.put("rate_prior", probPrior);
            return m;
        }
    }

    @Override
    public String type() {
        return FsvaeType.NAME;
    }

    @Override
    public FsvaeConfig config() {
        return config;
    }

    /** The scheduled-sampling probability p of the current epoch. */
    public double scheduledProbability() {
        return scheduledProbability;
    }

    /** p = 0.1 + 0.2 · (epoch − 1) / epochs: the published schedule, whose epochs count from 0. */
    @Override
    public void onEpochStart(int epoch, int epochs) {
        if (epoch < 1 || epochs < 1) {
            throw new IllegalArgumentException("Fsvae.onEpochStart: epoch " + epoch + " of " + epochs);
        }
        scheduledProbability = P_START + P_GROWTH * (double) (epoch - 1) / epochs;
    }

    /**
     * Whether the passes without gradient over a growing prefix run as plain {@link BernoulliNet#forward} calls on the
     * whole prefix (the reference the tests compare {@link BernoulliNet.Prefix} with) rather than incrementally.
     */
    void referencePasses(boolean on) {
        referencePasses = on;
    }

    /** Appends to {@code passes} the steps of {@code z} it does not hold yet (the prior's input only grows). */
    private static void appendFrom(BernoulliNet.Prefix passes, List<Tensor> z) {
        for (int t = passes.length(); t < z.size(); t++) {
            passes.append(z.get(t));
        }
    }

    /** Sets p directly (tests). */
    void scheduledProbability(double p) {
        scheduledProbability = p;
    }

    BernoulliNet priorNet() {
        return prior;
    }

    BernoulliNet posteriorNet() {
        return posterior;
    }

    @Override
    public Tensor forward(Tensor x) {
        throw new UnsupportedOperationException("Fsvae samples its latent: call forward(images, context)");
    }

    @Override
    public Output forward(Tensor images, StepContext context) {
        checkMode(context);
        Rng rng = context.rng();
        Tensor xe = encoderSpikes(images, "Fsvae");
        Tensor[] post = posteriorSample(xe, rng);
        Tensor sampled = post[0];
        Tensor pz = priorCandidates(sampled, rng);
        Tensor reconstruction = decode(sampled);
        return new Output(reconstruction, sampled, meanOverK(post[1]), meanOverK(pz));
    }

    /**
     * The posterior sample {@code z} {@code [T, N, L]} (with gradient through the picked candidates) and the
     * teacher-forced candidates {@code [T, N, L, k]} of the encoder spikes {@code x_e} {@code [T, N, L]}.
     */
    Tensor[] posteriorSample(Tensor xe, Rng rng) {
        int steps = timesteps();
        int n = xe.dim(1);
        int latent = latentSize();
        long perStep = (long) n * latent;
        long seed = rng.seed();
        // One reservation for all steps when a step's uniforms start on a Philox block (N·L a multiple of 4): then
        // the gradient pass re-picks every step in one op. Otherwise one reservation and one re-pick per step.
        boolean aligned = perStep % 4 == 0;
        long first = aligned ? rng.reserveUniform(perStep * steps) : 0;
        long[] counters = new long[steps];
        List<Tensor> z = new ArrayList<>();
        z.add(Ops.reshape(zeros(n, latent), 1, n, latent));
        try (Tape.NoGrad off = Tape.noGrad()) {
            BernoulliNet.Prefix passes = referencePasses ? null : posterior.new Prefix(steps - 1, n);
            for (int t = 0; t < steps - 1; t++) {
                // Each prefix pass's activations are released at once; only the picked z_t is kept.
                try (MemoryScope pass = MemoryScope.open()) {
                    Tensor last;
                    if (passes == null) {
                        Tensor prefix = Ops.concat(2, Ops.slice(xe, 0, 0, t + 1), Ops.concat(0, z.toArray(new Tensor[0])));
                        last = Ops.slice(posterior.forward(prefix), 0, t, 1);
                    } else {
                        passes.append(Ops.concat(2, Ops.slice(xe, 0, t, 1), z.get(t)));
                        last = passes.last();
                    }
                    counters[t] = aligned ? first + t * perStep / 4 : rng.reserveUniform(perStep);
                    z.add(Ops.pickOneOfK(last, seed, counters[t]).keep());
                }
            }
        }
        counters[steps - 1] = aligned ? first + (steps - 1) * perStep / 4 : rng.reserveUniform(perStep);
        Tensor teacher = Ops.concat(0, z.toArray(new Tensor[0]));
        Tensor candidates = posterior.forward(Ops.concat(2, xe, teacher));
        if (aligned) {
            return new Tensor[] {Ops.pickOneOfK(candidates, seed, first), candidates};
        }
        Tensor[] picked = new Tensor[steps];
        for (int t = 0; t < steps; t++) {
            picked[t] = Ops.pickOneOfK(Ops.slice(candidates, 0, t, 1), seed, counters[t]);
        }
        return new Tensor[] {Ops.concat(0, picked), candidates};
    }

    /** The prior's candidates {@code [T, N, L, k]} for a posterior sample (detached), scheduled in training. */
    Tensor priorCandidates(Tensor sampled, Rng rng) {
        int steps = timesteps();
        int n = sampled.dim(1);
        int latent = latentSize();
        List<Tensor> z = new ArrayList<>();
        z.add(Ops.reshape(zeros(n, latent), 1, n, latent));
        try (Tape.NoGrad off = Tape.noGrad()) {
            boolean scheduled = isTraining() && config.settings().scheduled();
            BernoulliNet.Prefix passes = referencePasses || !scheduled ? null : prior.new Prefix(steps - 1, n);
            for (int t = 0; t < steps - 1; t++) {
                if (scheduled && t >= SCHEDULED_FROM && rng.uniformHost(1)[0] < scheduledProbability) {
                    try (MemoryScope pass = MemoryScope.open()) {
                        Tensor last;
                        if (passes == null) {
                            last = Ops.slice(prior.forward(Ops.concat(0, z.toArray(new Tensor[0]))), 0, t, 1);
                        } else {
                            appendFrom(passes, z);
                            last = passes.last();
                        }
                        Tensor prob = meanOverK(last);
                        Tensor noisy = Ops.add(prob, Ops.scale(Ops.randn(backend(), rng, 1, n, latent), 1e-3f));
                        z.add(Ops.step(noisy, 0.5f).keep());
                    }
                } else {
                    z.add(Ops.slice(sampled, 0, t, 1)); // under noGrad: detached
                }
            }
        }
        return prior.forward(Ops.concat(0, z.toArray(new Tensor[0])));
    }

    @Override
    public Loss loss(ModelOutput output, Tensor images) {
        if (!(output instanceof Output out)) {
            throw new IllegalArgumentException("Fsvae.loss: expected the output of Fsvae.forward, got " + output);
        }
        Tensor mse = Ops.mseLoss(out.reconstruction(), images);
        Map<String, Tensor> terms = new LinkedHashMap<>();
        terms.put("mse", mse);
        Tensor total;
        if (config.settings().distance().equals("kld")) {
            Tensor kld = bernoulliKl(out.probPosterior(), out.probPrior());
            terms.put("kld", kld);
            total = Ops.add(mse, Ops.scale(kld, (float) config.settings().kldWeight()));
        } else {
            Tensor d = Ops.sub(Ops.leakyScan(out.probPosterior(), PSP_DECAY, 1 - PSP_DECAY),
                    Ops.leakyScan(out.probPrior(), PSP_DECAY, 1 - PSP_DECAY));
            Tensor mmd = Ops.mean(Ops.square(d));
            terms.put("mmd", mmd);
            total = Ops.add(mse, mmd);
        }
        return new Loss(total, terms);
    }

    /** {@code sum_{L,T} [q log((q+.01)/(p+.01)) + (1−q) log((1−q+.01)/(1−p+.01))]}, averaged over the batch. */
    static Tensor bernoulliKl(Tensor q, Tensor p) {
        Tensor a = Ops.mul(q, Ops.sub(Ops.log(Ops.affine(q, 1f, KLD_SMOOTHING)), Ops.log(Ops.affine(p, 1f, KLD_SMOOTHING))));
        Tensor b = Ops.mul(Ops.affine(q, -1f, 1f), Ops.sub(Ops.log(Ops.affine(q, -1f, 1f + KLD_SMOOTHING)),
                Ops.log(Ops.affine(p, -1f, 1f + KLD_SMOOTHING))));
        return Ops.scale(Ops.sum(Ops.add(a, b)), 1f / q.dim(1));
    }

    /** Generation from the prior, step by step (docs/reference.md §8.2). */
    @Override
    public Tensor sample(int n, StepContext context) {
        checkMode(context);
        if (n < 1) {
            throw new IllegalArgumentException("Fsvae.sample: n must be at least 1, got " + n);
        }
        return decode(priorSample(n, context.rng()));
    }

    /** Latent spikes {@code [T, n, L]} drawn from the prior step by step. */
    public Tensor priorSample(int n, Rng rng) {
        int steps = timesteps();
        int latent = latentSize();
        List<Tensor> z = new ArrayList<>();
        z.add(Ops.reshape(zeros(n, latent), 1, n, latent));
        try (Tape.NoGrad off = Tape.noGrad()) {
            BernoulliNet.Prefix passes = referencePasses ? null : prior.new Prefix(steps, n);
            for (int t = 0; t < steps; t++) {
                try (MemoryScope pass = MemoryScope.open()) {
                    Tensor last;
                    if (passes == null) {
                        last = Ops.slice(prior.forward(Ops.concat(0, z.toArray(new Tensor[0]))), 0, t, 1);
                    } else {
                        passes.append(z.get(t));
                        last = passes.last();
                    }
                    z.add(Ops.pickOneOfK(last, rng).keep());
                }
            }
        }
        z.remove(0);
        return Ops.concat(0, z.toArray(new Tensor[0]));
    }

    @Override
    public Optional<SpikingLatent> spikingLatent() {
        return Optional.of(this);
    }

    /** The posterior probabilities averaged over time {@code [N, L]} and the posterior sample {@code [T, N, L]}. */
    @Override
    public Encoding encode(Tensor images, StepContext context) {
        checkMode(context);
        Tensor[] post = posteriorSample(encoderSpikes(images, "Fsvae"), context.rng());
        Tensor prob = meanOverK(post[1]);
        Tensor rates = Ops.scale(Ops.sumTo(prob, Shape.of(images.dim(0), latentSize())), 1f / timesteps());
        return new Encoding(rates, post[0]);
    }

    @Override
    public Tensor posteriorSpikes(Tensor images, StepContext context) {
        checkMode(context);
        return posteriorSample(encoderSpikes(images, "Fsvae"), context.rng())[0];
    }

    @Override
    public Tensor decode(Tensor spikes) {
        return decodeSpikes(spikes, "Fsvae");
    }

    /** One group, as published. */
    @Override
    public List<ParameterGroup> parameterGroups() {
        return List.of(new ParameterGroup("all", namedParameters(), 1.0));
    }

    @Override
    public void close() {
        release();
    }

    /** The mean over the k candidates: {@code [T, N, L, k]} to {@code [T, N, L]}. */
    private static Tensor meanOverK(Tensor candidates) {
        int k = candidates.dim(3);
        Tensor s = Ops.sumTo(candidates, Shape.of(candidates.dim(0), candidates.dim(1), candidates.dim(2), 1));
        return Ops.scale(Ops.reshape(s, candidates.dim(0), candidates.dim(1), candidates.dim(2)), 1f / k);
    }

    private Tensor zeros(int n, int latent) {
        return backend().zeros(Shape.of(n, latent));
    }

    private void checkMode(StepContext context) {
        if (context.training() != isTraining()) {
            throw new IllegalStateException("Fsvae: a " + (context.training() ? "training" : "evaluation")
                    + " step on a model in " + (isTraining() ? "training" : "evaluation") + " mode");
        }
    }
}
