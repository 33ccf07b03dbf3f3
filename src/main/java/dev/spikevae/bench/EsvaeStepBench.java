package dev.spikevae.bench;

import dev.spikevae.autograd.Tape;
import dev.spikevae.model.Esvae;
import dev.spikevae.model.EsvaeConfig;
import dev.spikevae.nn.Parameter;
import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.MemoryScope;
import dev.spikevae.tensor.Rng;
import dev.spikevae.tensor.Tensor;
import dev.spikevae.train.AdamW;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The ESVAE training step as the trainer runs it (forward, MSE + λ·MMD², backward, AdamW with the two
 * parameter groups) on random images of a given shape: median step time and images/s after warm-up steps.
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

    /** A 32×32 ESVAE with its AdamW (FashionMNIST settings, prior ×10), stepping on given images. */
    public static final class Step {
        private final Esvae model;
        private final AdamW optimizer;
        private final int channels;

        public Step(Backend be, int channels, int latent, int timesteps, Rng init) {
            this.channels = channels;
            this.model = Esvae.create(be, EsvaeConfig.of(channels, 32, latent).withTimesteps(timesteps), init);
            Map<String, Parameter> prior = new LinkedHashMap<>();
            Map<String, Parameter> rest = new LinkedHashMap<>();
            model.namedParameters().forEach((k, v) -> (model.isPriorParameter(k) ? prior : rest).put(k, v));
            this.optimizer = new AdamW(List.of(new AdamW.Group("backbone", rest, 3.072e-3, 1e-3),
                    new AdamW.Group("sample_layer", prior, 3.072e-2, 1e-3)), 0.9, 0.999, 1e-8);
        }

        /** One step on {@code batch} images {@code [batch, C, 32, 32]}; returns the loss if asked (else NaN). */
        public float run(float[] pixels, int batch, Rng rng, boolean readLoss) {
            Backend be = model.stateDict().values().iterator().next().backend();
            model.zeroGrad();
            float value = Float.NaN;
            try (MemoryScope scope = MemoryScope.open(); Tape tape = Tape.record()) {
                Tensor x = be.fromHost(pixels, batch, channels, 32, 32);
                Esvae.Loss l = model.loss(model.forward(x, rng), x, 1e-3f);
                if (readLoss) {
                    value = l.total().item();
                }
                tape.backward(l.total());
            }
            optimizer.step();
            return value;
        }
    }

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
        Step step = new Step(be, c.channels(), c.latent(), EsvaeConfig.REFERENCE_TIMESTEPS, rng.fork());
        float[] px = images(rng, c.batch(), c.channels());
        double[] times = new double[c.iterations()];
        for (int it = -c.warmup(); it < c.iterations(); it++) {
            long t0 = System.nanoTime();
            float loss = step.run(px, c.batch(), rng, true); // reading the loss also waits for an asynchronous device
            double s = (System.nanoTime() - t0) / 1e9;
            if (it >= 0) {
                times[it] = s;
            }
            if (log != null) {
                log.printf(Locale.ROOT, "  %s step %d: %.3f s, loss %.5f%n", it < 0 ? "warm-up" : "timed",
                        it < 0 ? it + c.warmup() + 1 : it + 1, s, loss);
            }
        }
        double[] sorted = times.clone();
        Arrays.sort(sorted);
        return new Result(sorted[sorted.length / 2], sorted[0], c.batch());
    }
}
