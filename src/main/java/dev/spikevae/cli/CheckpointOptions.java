package dev.spikevae.cli;

import dev.spikevae.model.GenerativeModel;
import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.Backends;
import dev.spikevae.train.Checkpoint;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;

/** The options every inference command shares: which checkpoint, which device, which sampler seed. */
final class CheckpointOptions {
    @Option(names = "--checkpoint", required = true, paramLabel = "CK",
            description = "A .safetensors checkpoint (spikevae's or converted from the reference), its .json sidecar, "
                    + "or a run directory (uses checkpoints/last).")
    Path checkpoint;

    @Option(names = "--device", description = "auto, cpu or cuda (default: $SPIKEVAE_DEVICE or auto).")
    String device;

    Checkpoint.Loaded loaded;

    /** Loads the checkpoint into a fresh model of its stored type and configuration, in eval mode. */
    GenerativeModel model() throws IOException {
        String d = Checks.device(device);
        loaded = Checkpoint.load(checkpoint);
        Backend be = Backends.select(d, Main.backendOptions());
        return loaded.createModel(be);
    }
}
