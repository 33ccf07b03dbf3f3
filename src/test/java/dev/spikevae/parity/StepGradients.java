package dev.spikevae.parity;

import dev.spikevae.autograd.Ops;
import dev.spikevae.autograd.Tape;
import dev.spikevae.backend.cpu.CpuBackend;
import dev.spikevae.io.HostArray;
import dev.spikevae.io.Npy;
import dev.spikevae.model.Esvae;
import dev.spikevae.model.GenerativeModel;
import dev.spikevae.model.Loss;
import dev.spikevae.model.StepContext;
import dev.spikevae.nn.Module;
import dev.spikevae.nn.Parameter;
import dev.spikevae.tensor.MemoryScope;
import dev.spikevae.tensor.Rng;
import dev.spikevae.tensor.Tensor;
import dev.spikevae.train.Checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * One training-mode forward and backward of an ESVAE checkpoint (no optimizer step), for comparing the training step
 * with another implementation on the same weights: {@code tools/compare_published_esvae.py} runs it and repeats the
 * step in the published PyTorch model. Writes into OUT_DIR, as .npy: {@code grad.<parameter>} for every parameter
 * (the published names), {@code rates} (r_q), {@code recon}, and the step's random draws replayed from the stream
 * ({@link Esvae#forward(Tensor, Rng)} draws the prior's normals {@code [N, L]}, then the sampler's uniforms {@code [T,
 * N, L]}): {@code normals} and {@code uniforms}; and {@code loss.txt}, the loss, MSE and MMD² terms. Fails when the
 * replayed uniforms do not give the spikes the sampler drew (the draw order changed), since the comparison would then
 * be meaningless.
 *
 * <p>Usage (test classpath): {@code StepGradients CHECKPOINT.safetensors IMAGES.npy OUT_DIR SEED}.
 */
public final class StepGradients {
    private StepGradients() {
    }

    /** The loss terms of the step and how many sampled spikes the replayed uniforms fail to reproduce. */
    public record Result(double loss, double mse, double mmd, int replayMismatches, int spikes) {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 4) {
            System.err.println("usage: StepGradients CHECKPOINT.safetensors IMAGES.npy OUT_DIR SEED");
            System.exit(2);
        }
        Result r = run(Path.of(args[0]), Path.of(args[1]), Path.of(args[2]), Long.parseLong(args[3]));
        System.out.printf(Locale.ROOT, "loss %.9g mse %.9g mmd %.9g; replayed draws reproduce %d of %d spikes%n",
                r.loss(), r.mse(), r.mmd(), r.spikes() - r.replayMismatches(), r.spikes());
        System.exit(r.replayMismatches() == 0 ? 0 : 1);
    }

    /** The step on the checkpoint's ESVAE and the images {@code [N, C, H, W]}, draws from {@code new Rng(seed)}. */
    public static Result run(Path checkpoint, Path images, Path out, long seed) throws IOException {
        Files.createDirectories(out);
        CpuBackend be = new CpuBackend(2);
        try (GenerativeModel model = Checkpoint.load(checkpoint).createModel(be)) {
            if (!(model instanceof Esvae)) {
                throw new IllegalArgumentException(checkpoint + " holds a " + model.type() + " model, not ESVAE");
            }
            ((Module) model).train(true);
            HostArray in = Npy.read(images);
            long[] s = in.shape();
            if (s.length != 4) {
                throw new IllegalArgumentException(images + ": N x C x H x W expected, got rank " + s.length);
            }
            int n = (int) s[0];
            try (MemoryScope scope = MemoryScope.open(); Tape tape = Tape.record()) {
                Tensor x = be.fromHost(in.data(), n, (int) s[1], (int) s[2], (int) s[3]);
                Esvae.Output o = (Esvae.Output) model.forward(x, StepContext.training(new Rng(seed), 1));
                Loss loss = model.loss(o, x);
                tape.backward(loss.total());

                int latent = o.ratePosterior().dim(1);
                int steps = o.sampledSpikes().dim(0);
                Rng replay = new Rng(seed);
                Tensor normals = Ops.randn(be, replay, n, latent);
                Tensor uniforms = Ops.rand(be, replay, steps, n, latent);
                float[] rates = o.ratePosterior().toHost();
                float[] u = uniforms.toHost();
                float[] z = o.sampledSpikes().toHost();
                int mismatches = 0;
                for (int i = 0; i < z.length; i++) {
                    if ((rates[i % (n * latent)] > u[i] ? 1f : 0f) != z[i]) {
                        mismatches++;
                    }
                }
                write(out, "rates", o.ratePosterior());
                write(out, "recon", o.reconstruction());
                write(out, "normals", normals);
                write(out, "uniforms", uniforms);
                for (Map.Entry<String, Parameter> e : model.namedParameters().entrySet()) {
                    write(out, "grad." + e.getKey(), e.getValue().grad());
                }
                Result r = new Result(loss.total().toHost()[0], loss.terms().get("mse").toHost()[0],
                        loss.terms().get("mmd").toHost()[0], mismatches, z.length);
                Files.writeString(out.resolve("loss.txt"),
                        String.format(Locale.ROOT, "%.9g %.9g %.9g%n", r.loss(), r.mse(), r.mmd()));
                return r;
            }
        }
    }

    private static void write(Path dir, String name, Tensor t) throws IOException {
        int[] d = t.shape().dims();
        long[] shape = new long[d.length];
        for (int i = 0; i < d.length; i++) {
            shape[i] = d[i];
        }
        Npy.write(dir.resolve(name + ".npy"), new HostArray(shape, t.toHost()));
    }
}
