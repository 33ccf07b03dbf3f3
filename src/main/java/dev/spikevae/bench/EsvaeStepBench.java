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

    private EsvaeStepBench() {
    }

    public static Result run(Backend be, Config c, PrintStream log) {
        Rng rng = new Rng(0);
        Esvae model = Esvae.create(be, EsvaeConfig.of(c.channels(), 32, c.latent()), rng.fork());
        Map<String, Parameter> prior = new LinkedHashMap<>();
        Map<String, Parameter> rest = new LinkedHashMap<>();
        model.namedParameters().forEach((k, v) -> (model.isPriorParameter(k) ? prior : rest).put(k, v));
        AdamW opt = new AdamW(List.of(new AdamW.Group("backbone", rest, 1e-3, 1e-3),
                new AdamW.Group("sample_layer", prior, 1e-2, 1e-3)), 0.9, 0.999, 1e-8);
        float[] px = rng.uniformHost(c.batch() * c.channels() * 32 * 32);
        for (int i = 0; i < px.length; i++) {
            px[i] = 2 * px[i] - 1;
        }
        double[] times = new double[c.iterations()];
        for (int it = -c.warmup(); it < c.iterations(); it++) {
            long t0 = System.nanoTime();
            model.zeroGrad();
            float loss;
            try (MemoryScope scope = MemoryScope.open(); Tape tape = Tape.record()) {
                Tensor x = be.fromHost(px, c.batch(), c.channels(), 32, 32);
                Esvae.Loss l = model.loss(model.forward(x, rng), x, 1e-3f);
                loss = l.total().item();
                tape.backward(l.total());
            }
            opt.step();
            double s = (System.nanoTime() - t0) / 1e9;
            if (it >= 0) {
                times[it] = s;
            }
            if (log != null) {
                log.printf(Locale.ROOT, "  %s step %d: %.3f s, loss %.5f%n", it < 0 ? "warm-up" : "timed", Math.abs(it), s, loss);
            }
        }
        double[] sorted = times.clone();
        Arrays.sort(sorted);
        return new Result(sorted[sorted.length / 2], sorted[0], c.batch());
    }
}
