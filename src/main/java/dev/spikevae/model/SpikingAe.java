package dev.spikevae.model;

import dev.spikevae.autograd.Ops;
import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.Rng;
import dev.spikevae.tensor.Shape;
import dev.spikevae.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The spiking autoencoder (docs/reference.md §6.5): the ESVAE backbone ({@link SpikingBackbone}) with the encoder's
 * latent spikes {@code x_e} fed straight to the decoder, no sampler, no prior, loss MSE only: the ablation of what
 * ESVAE's sampler buys. Deterministic. It has no prior, so {@link #sample} decodes spike trains drawn at rate 1/2
 * per channel and step, which shows what the decoder makes of an unstructured latent (not a generative model).
 */
public final class SpikingAe extends SpikingBackbone implements GenerativeModel, SpikingLatent {
    private final SpikingAeConfig config;

    private SpikingAe(Backend backend, SpikingAeConfig config, Rng init) {
        super(backend, config.inChannels(), config.imageSize(), config.settings().latent(), config.settings().timesteps(),
                config.settings().neuron().lif(), config.spikeType(), init);
        this.config = config;
    }

    public static SpikingAe create(Backend backend, SpikingAeConfig config, Rng init) {
        if (backend == null || config == null || init == null) {
            throw new IllegalArgumentException("SpikingAe.create: backend, config and init must be set");
        }
        return new SpikingAe(backend, config, init);
    }

    /** Reconstructions, the latent spikes and their rates; the mean rate is monitored as {@code rate_post}. */
    public record Output(Tensor reconstruction, Tensor latentSpikes, Tensor rates) implements ModelOutput {
        @Override
        public Map<String, Tensor> monitors() {
            return Map.of("rate_post", rates);
        }
    }

    @Override
    public String type() {
        return SpikingAeType.NAME;
    }

    @Override
    public SpikingAeConfig config() {
        return config;
    }

    @Override
    public Tensor forward(Tensor x) {
        throw new UnsupportedOperationException("SpikingAe: call forward(images, context)");
    }

    @Override
    public Output forward(Tensor images, StepContext context) {
        Encoding e = encode(images, context);
        return new Output(decode(e.spikes()), e.spikes(), e.rates());
    }

    @Override
    public Loss loss(ModelOutput output, Tensor images) {
        if (!(output instanceof Output out)) {
            throw new IllegalArgumentException("SpikingAe.loss: expected the output of SpikingAe.forward, got " + output);
        }
        Tensor mse = Ops.mseLoss(out.reconstruction(), images);
        Map<String, Tensor> terms = new LinkedHashMap<>();
        terms.put("mse", mse);
        return new Loss(mse, terms);
    }

    /** Decoded spike trains drawn at rate 1/2 (the model has no prior; see the class comment). */
    @Override
    public Tensor sample(int n, StepContext context) {
        checkMode(context);
        if (n < 1) {
            throw new IllegalArgumentException("SpikingAe.sample: n must be at least 1, got " + n);
        }
        Tensor u = Ops.rand(backend(), context.rng(), timesteps(), n, latentSize());
        return decode(Ops.step(u, 0.5f));
    }

    @Override
    public Optional<SpikingLatent> spikingLatent() {
        return Optional.of(this);
    }

    /** The encoder's latent spikes {@code x_e} and their rates; deterministic. */
    @Override
    public Encoding encode(Tensor images, StepContext context) {
        checkMode(context);
        Tensor spikes = encoderSpikes(images, "SpikingAe");
        Tensor rates = Ops.scale(Ops.sumTo(spikes, Shape.of(images.dim(0), latentSize())), 1f / timesteps());
        return new Encoding(rates, spikes);
    }

    /** The decoder reads the encoder's spikes themselves. */
    @Override
    public Tensor posteriorSpikes(Tensor images, StepContext context) {
        return encode(images, context).spikes();
    }

    @Override
    public Tensor decode(Tensor spikes) {
        return decodeSpikes(spikes, "SpikingAe");
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

    private void checkMode(StepContext context) {
        if (context.training() != isTraining()) {
            throw new IllegalStateException("SpikingAe: a " + (context.training() ? "training" : "evaluation")
                    + " step on a model in " + (isTraining() ? "training" : "evaluation") + " mode");
        }
    }
}
