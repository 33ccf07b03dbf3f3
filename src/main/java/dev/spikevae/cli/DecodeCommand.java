package dev.spikevae.cli;

import dev.spikevae.autograd.Tape;
import dev.spikevae.io.HostArray;
import dev.spikevae.io.ImageGrid;
import dev.spikevae.io.Npy;
import dev.spikevae.model.GenerativeModel;
import dev.spikevae.model.ModelConfig;
import dev.spikevae.model.SpikingLatent;
import dev.spikevae.tensor.MemoryScope;
import dev.spikevae.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;

/** {@code spikevae decode}: images from latent spike trains. */
@Command(name = "decode", mixinStandardHelpOptions = true,
        description = "Decode latent spikes N×L×T (reference layout, time last; values 0 or 1) to float32 images "
                + "N×C×H×W in [-1, 1]. Eval mode; deterministic for a given checkpoint and input.")
public final class DecodeCommand implements Callable<Integer> {
    @Mixin
    CheckpointOptions ck;

    @Option(names = "--spikes", required = true, paramLabel = "z.npy", description = "N×L×T latent spikes.")
    Path spikes;

    @Option(names = "--output", required = true, paramLabel = "images.npy", description = "Output: float32 N×C×H×W.")
    Path output;

    @Option(names = "--png", paramLabel = "FILE.png", description = "Also write a PNG grid of the images.")
    Path png;

    @Option(names = "--batch-size", description = "Images per pass (default: ${DEFAULT-VALUE}).", defaultValue = "256")
    int batchSize;

    @Override
    public Integer call() throws Exception {
        Checks.atLeast("--batch-size", batchSize, 1);
        Checks.png("--png", png);
        Checks.device(ck.device);
        try (GenerativeModel model = ck.model()) {
            decode(model);
        }
        return 0;
    }

    private void decode(GenerativeModel model) throws Exception {
        SpikingLatent latent = model.spikingLatent().orElseThrow(() -> new IllegalArgumentException(ck.checkpoint
                + " is a " + model.type() + " model, which has no spiking latent to decode from"));
        ModelConfig c = model.config();
        HostArray in = Npy.read(spikes);
        long[] s = in.shape();
        int l = latent.latentSize();
        int t = latent.timesteps();
        if (s.length != 3 || s[1] != l || s[2] != t) {
            throw new IllegalArgumentException(spikes + ": shape " + Arrays.toString(s) + ", but this checkpoint needs N×"
                    + l + "×" + t + " (latent × time steps, time last)");
        }
        float[] z = in.data();
        for (int i = 0; i < z.length; i++) {
            if (z[i] != 0f && z[i] != 1f) {
                throw new IllegalArgumentException(spikes + ": value " + z[i] + " at flat index " + i + " is not a spike (0 or 1)");
            }
        }
        int n = (int) s[0];
        int chw = c.inChannels() * c.imageSize() * c.imageSize();
        float[] images = new float[n * chw];
        for (int start = 0; start < n; start += batchSize) {
            int b = Math.min(batchSize, n - start);
            float[] tm = new float[t * b * l]; // time-major [T, b, L]
            for (int i = 0; i < b; i++) {
                for (int j = 0; j < l; j++) {
                    for (int ti = 0; ti < t; ti++) {
                        tm[(ti * b + i) * l + j] = z[((start + i) * l + j) * t + ti];
                    }
                }
            }
            try (Tape.NoGrad ng = Tape.noGrad(); MemoryScope scope = MemoryScope.open()) {
                Tensor out = latent.decode(model.backend().fromHost(tm, t, b, l));
                System.arraycopy(out.toHost(), 0, images, start * chw, b * chw);
            }
        }
        Npy.write(output, new HostArray(new long[] {n, c.inChannels(), c.imageSize(), c.imageSize()}, images));
        if (png != null) {
            ImageGrid.write(png, images, n, c.inChannels(), c.imageSize(), c.imageSize(), 8, c.imageSize() <= 32 ? 2 : 1);
        }
        System.out.println("decoded " + n + " spike trains → " + output + (png != null ? " and " + png : ""));
    }
}
