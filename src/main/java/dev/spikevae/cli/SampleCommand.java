package dev.spikevae.cli;

import dev.spikevae.autograd.Tape;
import dev.spikevae.io.HostArray;
import dev.spikevae.io.ImageGrid;
import dev.spikevae.io.Npy;
import dev.spikevae.model.GenerativeModel;
import dev.spikevae.model.ModelConfig;
import dev.spikevae.model.StepContext;
import dev.spikevae.tensor.MemoryScope;
import dev.spikevae.tensor.Rng;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code spikevae sample}: images generated from the model's prior. */
@Command(name = "sample", mixinStandardHelpOptions = true,
        description = "Generate images from a checkpoint's prior (ESVAE: z ~ N(0, I) → sigmoid(sample_layer) → Poisson "
                + "spikes → decoder). The same seed gives the same images.")
public final class SampleCommand implements Callable<Integer> {
    @Mixin
    CheckpointOptions ck;

    @Option(names = {"-n", "--count"}, description = "Number of images (default: ${DEFAULT-VALUE}).", defaultValue = "64")
    int count;

    @Option(names = "--output", required = true, paramLabel = "FILE.png", description = "PNG grid to write.")
    Path output;

    @Option(names = "--npy", paramLabel = "FILE.npy", description = "Also write the images as float32 N×C×H×W in [-1, 1].")
    Path npy;

    @Option(names = "--columns", description = "Grid columns (default: ${DEFAULT-VALUE}).", defaultValue = "8")
    int columns;

    @Option(names = "--seed", description = "Seed of the sampling stream (default: ${DEFAULT-VALUE}).", defaultValue = "42")
    long seed;

    @Override
    public Integer call() throws Exception {
        Checks.atLeast("--count", count, 1);
        Checks.atLeast("--columns", columns, 1);
        Checks.png("--output", output);
        Checks.device(ck.device);
        try (GenerativeModel model = ck.model()) {
            ModelConfig c = model.config();
            float[] images;
            try (Tape.NoGrad ng = Tape.noGrad(); MemoryScope scope = MemoryScope.open()) {
                images = model.sample(count, StepContext.evaluation(new Rng(seed), 0)).toHost();
            }
            ImageGrid.write(output, images, count, c.inChannels(), c.imageSize(), c.imageSize(), columns,
                    c.imageSize() <= 32 ? 2 : 1);
            if (npy != null) {
                Npy.write(npy, new HostArray(new long[] {count, c.inChannels(), c.imageSize(), c.imageSize()}, images));
            }
        }
        System.out.println("wrote " + count + " samples to " + output + (npy != null ? " and " + npy : ""));
        return 0;
    }
}
