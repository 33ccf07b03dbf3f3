package dev.spikevae.cli;

import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;

/** What {@code train} and {@code demo} share: the device, the runs folder and the dotted spec overrides. */
final class RunOptions {
    @Option(names = "--device", description = "auto, cpu or cuda (sets run.device).")
    String device;

    @Option(names = "--output", paramLabel = "DIR", description = "Runs root folder (sets run.output; default runs).")
    String output;

    @Parameters(paramLabel = "KEY=VALUE", arity = "0..*", description = "Dotted overrides, e.g. train.epochs=5 model.latent=64.")
    List<String> overrides = new ArrayList<>();

    /** The overrides, with --device and --output turned into their spec keys. */
    List<String> all() {
        List<String> out = new ArrayList<>(overrides);
        if (device != null) {
            out.add("run.device=" + device);
        }
        if (output != null) {
            out.add("run.output=" + output);
        }
        return out;
    }
}
