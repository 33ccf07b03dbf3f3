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
 * The ESVAE training step — the trainer's own {@link TrainingStep} (forward, MSE + λ·MMD², backward, AdamW over the
 * model's parameter groups) on a model and optimizer built from a built-in spec (Fashion-MNIST's for one channel,
 * CIFAR-10's for three) — on random images of a given shape: median step time and images/s after warm-up steps.
 * The same work as {@code bench/torch_esvae_peer.py}, which the benchmark script runs beside it.
 */
public final class EsvaeStepBench {
    /** One configuration: channels, latent size, batch, warm-up and timed steps. */
    public record Config(int channels, int latent, int batch, int warmup, int iterations) {}

    /** Median and best step seconds. */
    public record Result(double medianSeconds, double bestSeconds, int batch) {
        public double imagesPerSecond() {
            return batch / medianSeconds;
        }
    }

    /** A 32×32 ESVAE and its AdamW as a training run of the built-in spec would build them, stepping on given images. */
    public static final class Step implements AutoCloseable {
        private final TrainingStep step;
        private final int channels;

        public Step(Backend be, int channels, int latent, int timesteps, Rng init) {
            this.channels = channels;
            ExperimentSpec spec = Specs.override(Specs.builtin(channels == 1 ? "fashion-mnist" : "cifar10"),
                    List.of("model.latent=" + latent, "model.timesteps=" + timesteps));
            GenerativeModel model = spec.model().modelType().create(be, spec.model().configure(channels, 32), init);
            this.step = new TrainingStep(model, AdamW.forModel(model, spec.train().optimizer()));
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

    /** The reference number of time steps. */
    static final int TIMESTEPS = 16;

    private EsvaeStepBench() {
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
        try (Step step = new Step(be, c.channels(), c.latent(), TIMESTEPS, rng.fork())) {
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
