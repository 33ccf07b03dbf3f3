package dev.spikevae.cli;

import dev.spikevae.autograd.Tape;
import dev.spikevae.io.HostArray;
import dev.spikevae.io.Npy;
import dev.spikevae.model.GenerativeModel;
import dev.spikevae.model.ModelConfig;
import dev.spikevae.model.SpikingLatent;
import dev.spikevae.model.StepContext;
import dev.spikevae.tensor.MemoryScope;
import dev.spikevae.tensor.Rng;
import dev.spikevae.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;

/** {@code spikevae encode}: posterior firing rates (and latent spikes) of images. */
@Command(name = "encode", mixinStandardHelpOptions = true,
        description = {"Encode float32 images N×C×H×W in [-1, 1] (.npy) to posterior firing rates N×L, and optionally the "
                + "latent spikes N×L×T (reference layout, time last), for models with a spiking latent. Eval mode. "
                + "ESVAE's encoding is deterministic (its rates come before any sampling)."})
public final class EncodeCommand implements Callable<Integer> {
    @Mixin
    CheckpointOptions ck;

    @Option(names = "--input", required = true, paramLabel = "images.npy", description = "float32 N×C×H×W in [-1, 1].")
    Path input;

    @Option(names = "--rates", required = true, paramLabel = "rates.npy", description = "Output: N×L firing rates.")
    Path rates;

    @Option(names = "--spikes", paramLabel = "spikes.npy", description = "Output: N×L×T latent spikes (0/1).")
    Path spikes;

    @Option(names = "--batch-size", description = "Images per forward pass (default: ${DEFAULT-VALUE}).", defaultValue = "256")
    int batchSize;

    @Option(names = "--seed", description = "Seed of the stream for models that sample while encoding (FSVAE's "
            + "autoregressive latent); ESVAE draws nothing (default: ${DEFAULT-VALUE}).", defaultValue = "42")
    long seed;

    @Override
    public Integer call() throws Exception {
        Checks.atLeast("--batch-size", batchSize, 1);
        Checks.device(ck.device);
        try (GenerativeModel model = ck.model()) {
            encode(model);
        }
        return 0;
    }

    private void encode(GenerativeModel model) throws Exception {
        SpikingLatent latent = model.spikingLatent().orElseThrow(() -> new IllegalArgumentException(ck.checkpoint
                + " is a " + model.type() + " model, which has no spiking latent to encode to"));
        ModelConfig c = model.config();
        HostArray in = Npy.read(input);
        long[] s = in.shape();
        if (s.length != 4 || s[1] != c.inChannels() || s[2] != c.imageSize() || s[3] != c.imageSize()) {
            throw new IllegalArgumentException(input + ": shape " + Arrays.toString(s) + ", but this checkpoint needs N×"
                    + c.inChannels() + "×" + c.imageSize() + "×" + c.imageSize());
        }
        float[] px = in.data();
        for (int i = 0; i < px.length; i++) {
            if (!(px[i] >= -1.0001f && px[i] <= 1.0001f)) {
                throw new IllegalArgumentException(input + ": value " + px[i] + " at flat index " + i
                        + " is outside [-1, 1] (scale images as 2·x/255 − 1)");
            }
        }
        int n = (int) s[0];
        int l = latent.latentSize();
        int t = latent.timesteps();
        int chw = c.inChannels() * c.imageSize() * c.imageSize();
        float[] outRates = new float[n * l];
        float[] outSpikes = spikes == null ? null : new float[n * l * t];
        StepContext context = StepContext.evaluation(new Rng(seed), 0);
        for (int start = 0; start < n; start += batchSize) {
            int b = Math.min(batchSize, n - start);
            try (Tape.NoGrad ng = Tape.noGrad(); MemoryScope scope = MemoryScope.open()) {
                Tensor x = model.backend().fromHost(Arrays.copyOfRange(px, start * chw, (start + b) * chw), b, c.inChannels(),
                        c.imageSize(), c.imageSize());
                SpikingLatent.Encoding e = latent.encode(x, context);
                System.arraycopy(e.rates().toHost(), 0, outRates, start * l, b * l);
                if (outSpikes != null) {
                    float[] z = e.spikes().toHost(); // [T, b, L]
                    for (int ti = 0; ti < t; ti++) {
                        for (int i = 0; i < b; i++) {
                            for (int j = 0; j < l; j++) {
                                outSpikes[((start + i) * l + j) * t + ti] = z[(ti * b + i) * l + j];
                            }
                        }
                    }
                }
            }
        }
        Npy.write(rates, new HostArray(new long[] {n, l}, outRates));
        if (outSpikes != null) {
            Npy.write(spikes, new HostArray(new long[] {n, l, t}, outSpikes));
        }
        System.out.println("encoded " + n + " images: rates " + n + "×" + l + " → " + rates
                + (spikes != null ? ", spikes " + n + "×" + l + "×" + t + " → " + spikes : ""));
    }
}
