package dev.spikevae.cli;

import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;

/** What {@code train} and {@code demo} share: the device, the runs folder and the dotted spec overrides. */
final class RunOptions {
    @Option(names = "--device", description = "auto, cpu or cuda (sets run.device; default: $SPIKEVAE_DEVICE, else the spec's run.device).")
    String device;

    @Option(names = "--output", paramLabel = "DIR", description = "Runs root folder (sets run.output; default runs).")
    String output;

    @Parameters(paramLabel = "KEY=VALUE", arity = "0..*", description = "Dotted overrides, e.g. train.epochs=5 model.latent=64.")
    List<String> overrides = new ArrayList<>();

    /** The overrides, with --device and --output turned into their spec keys. */
    List<String> all() {
        return all(System.getenv());
    }

    /** {@link #all()} in the environment {@code env}: the device is the flag, else SPIKEVAE_DEVICE, else the spec's. */
    List<String> all(java.util.Map<String, String> env) {
        List<String> out = new ArrayList<>(overrides);
        String d = Checks.device(device, env); // flag > SPIKEVAE_DEVICE > the spec's run.device
        if (d != null) {
            out.add("run.device=" + d);
        }
        if (output != null) {
            out.add("run.output=" + output);
        }
        return out;
    }
}
