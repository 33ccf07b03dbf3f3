package dev.spikevae.bench;

import dev.spikevae.data.Batch;
import dev.spikevae.experiment.ExperimentSpec;
import dev.spikevae.experiment.Specs;
import dev.spikevae.model.GenerativeModel;
import dev.spikevae.model.StepContext;
import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.Rng;
import dev.spikevae.train.AdamW;
import dev.spikevae.train.TrainingStep;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A training step — the trainer's own {@link TrainingStep} (forward, loss, backward, AdamW over the model's
 * parameter groups) on a model and optimizer built exactly as a training run of a built-in spec builds them — on
 * random 32×32 images: median step time and images/s after warm-up steps. For ESVAE (Fashion-MNIST's spec for one
 * channel, CIFAR-10's for three) it is the work {@code bench/torch_esvae_peer.py} does, which the benchmark script
 * runs beside it.
 */
public final class TrainingStepBench {
    /** One configuration: the built-in spec, overrides, channels, batch, warm-up and timed steps. */
    public record Config(String spec, List<String> overrides, int channels, int batch, int warmup, int iterations) {
        /** ESVAE with latent size {@code latent}: Fashion-MNIST's spec for one channel, CIFAR-10's for three. */
        public static Config esvae(int channels, int latent, int batch, int warmup, int iterations) {
            return new Config(channels == 1 ? "fashion-mnist" : "cifar10", List.of("model.latent=" + latent), channels,
                    batch, warmup, iterations);
        }
    }

    /** Median and best step seconds. */
    public record Result(double medianSeconds, double bestSeconds, int batch) {
        public double imagesPerSecond() {
            return batch / medianSeconds;
        }
    }

    /** A model and its AdamW for 32×32 images as a training run of the spec would build them, stepping on given images. */
    public static final class Step implements AutoCloseable {
        private final TrainingStep step;
        private final int channels;

        public Step(Backend be, ExperimentSpec spec, int channels, Rng init) {
            this.channels = channels;
            GenerativeModel model = spec.model().modelType().create(be, spec.model().configure(channels, 32), init);
            // Random images, no loader: the spec's data decide only weights such as the ANN VAE's kld_weight, which
            // do not change the step's time.
            model.onTrainingData(1);
            this.step = new TrainingStep(model, AdamW.forModel(model, spec.train().optimizer()));
        }

        /** ESVAE of latent size {@code latent} and {@code timesteps} steps (see {@link Config#esvae}). */
        public static Step esvae(Backend be, int channels, int latent, int timesteps, Rng init) {
            Config c = Config.esvae(channels, latent, 1, 0, 1);
            return new Step(be, spec(c, List.of("model.timesteps=" + timesteps)), channels, init);
        }

        /** One training step on {@code batch} images {@code [batch, C, 32, 32]}; returns the loss. */
        public float run(float[] pixels, int batch, Rng rng) {
            Batch b = new Batch(pixels, new int[batch], batch, channels, 32, 32);
            Map<String, Double> values = step.run(b, StepContext.training(rng, 1));
            return values.get("loss").floatValue();
        }

        @Override
        public void close() {
            step.optimizer().close();
            step.model().close();
        }
    }

    /** The config's spec with its overrides and then {@code more}. */
    static ExperimentSpec spec(Config c, List<String> more) {
        List<String> all = new java.util.ArrayList<>(c.overrides());
        all.addAll(more);
        return Specs.override(Specs.builtin(c.spec()), all);
    }

    private TrainingStepBench() {
    }

    /** Random images in [-1, 1]. */
    public static float[] images(Rng rng, int batch, int channels) {
        float[] px = rng.uniformHost(batch * channels * 32 * 32);
        for (int i = 0; i < px.length; i++) {
            px[i] = 2 * px[i] - 1;
        }
        return px;
    }

    public static Result run(Backend be, Config c, PrintStream log) {
        Rng rng = new Rng(0);
        double[] times = new double[c.iterations()];
        try (Step step = new Step(be, spec(c, List.of()), c.channels(), rng.fork())) {
            float[] px = images(rng, c.batch(), c.channels());
            for (int it = -c.warmup(); it < c.iterations(); it++) {
                long t0 = System.nanoTime();
                float loss = step.run(px, c.batch(), rng); // reading the loss also waits for an asynchronous device
                double s = (System.nanoTime() - t0) / 1e9;
                if (it >= 0) {
                    times[it] = s;
                }
                if (log != null) {
                    log.printf(Locale.ROOT, "  %s step %d: %.3f s, loss %.5f%n", it < 0 ? "warm-up" : "timed",
                            it < 0 ? it + c.warmup() + 1 : it + 1, s, loss);
                }
            }
        }
        double[] sorted = times.clone();
        Arrays.sort(sorted);
        return new Result(sorted[sorted.length / 2], sorted[0], c.batch());
    }
}
