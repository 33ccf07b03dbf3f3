package dev.spikevae.cli;

import dev.spikevae.model.Esvae;
import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.Backends;
import dev.spikevae.tensor.Rng;
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

    @Option(names = "--seed", description = "Seed of the sampler's random stream (default: ${DEFAULT-VALUE}).",
            defaultValue = "42")
    long seed;

    Checkpoint.Loaded loaded;

    /** Loads the checkpoint into a fresh model in eval mode. */
    Esvae model() throws IOException {
        loaded = Checkpoint.load(checkpoint);
        Backend be = Backends.select(device);
        Esvae model = Esvae.create(be, loaded.config(), new Rng(0));
        Checkpoint.loadInto(model, loaded);
        model.eval();
        return model;
    }
}
