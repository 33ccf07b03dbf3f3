package dev.spikevae.container;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An experiment spec small enough for a container test: ESVAE at T = 4 on the {@link FashionMnistFixture} data
 * (found through the image's {@code SPIKEVAE_DATA=/data}), batch 32, a training-loss row every step.
 */
final class TinySpec {
    static final String NAME = "tiny-fashion";
    static final int BATCH = 32;

    private TinySpec() {
    }

    /** Writes {@code dir/tiny-fashion.yaml} training {@code epochs} epochs; returns the file. */
    static Path write(Path dir, int epochs) throws IOException {
        Files.createDirectories(dir);
        return Files.writeString(dir.resolve(NAME + ".yaml"), String.join("\n",
                "# A few seconds of ESVAE on a small Fashion-MNIST-format dataset mounted at /data.",
                "model: {type: esvae, latent: 32, timesteps: 4, spike_storage: u8}",
                "data: {dataset: fashion-mnist, root: null, train_limit: null, test_limit: null, drop_last: true, "
                        + "test_batch_size: 64}",
                "train: {epochs: " + epochs + ", batch_size: " + BATCH + ", lr: 3.072e-3, prior_lr_scale: 10, "
                        + "weight_decay: 1.0e-3, beta1: 0.9, beta2: 0.999, eps: 1.0e-8, lambda: 0.001, sample_count: 16, "
                        + "log_every: 1}",
                "run: {seed: 42, device: auto, output: runs, threads: 0}",
                ""));
    }
}
